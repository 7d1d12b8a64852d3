"""The websocket of live events: run and step state changes, log lines, builds and interactive
sessions, as JSON.

Connect to ``/orchest/api/events``. Every message is a JSON array of events, in order (as many as
were waiting, up to ``BATCH_BYTES`` of them: a step printing fast sends hundreds of lines in one
message, where one message per line cost the server about 10 µs each in tornado and ``json``); the
first event is ``{"type": "hello", "epoch", "seq"}``. To resume after a disconnect, connect with
``?since=<last seq seen>&epoch=<epoch>``: the missed events follow the hello; when they are no
longer kept (or the server restarted, a new epoch), a ``{"type": "reset"}`` event says to reload
the state through the REST API.

Backpressure: each client has a queue bounded in events and bytes, and one writer coroutine that
awaits every message it writes, so what tornado buffers for a client is at most one batch. A client
that falls so far behind that its queue is full (it reads slowly, or not at all) loses what is
queued and what follows until it reads again: it then gets a ``reset`` (with the sequence number it
resumes after) and reloads from the REST API, which reads the store and the log files. A client that
reads nothing stays connected with bounded memory until the pings time it out.
"""

from __future__ import annotations

import asyncio
import json
from collections import deque

from jupyter_server.base.handlers import JupyterHandler
from jupyter_server.base.websocket import WebSocketMixin
from jupyter_server.utils import ensure_async
from tornado import web, websocket
from tornado.iostream import StreamClosedError

from ..engine.events import Event, approximate_size

from .base import AUTH_RESOURCE

# How far a client may fall behind before it is cut to a reset.
MAX_QUEUED_EVENTS = 20_000
MAX_QUEUED_BYTES = 8 * 1024 * 1024
# What one message (a batch written before awaiting the socket) may hold, in events' approximate
# size (bounds tornado's own buffer too).
BATCH_BYTES = 64 * 1024


class EventsHandler(WebSocketMixin, JupyterHandler, websocket.WebSocketHandler):
    auth_resource = AUTH_RESOURCE

    async def get(self, *args, **kwargs):
        # Websockets are authenticated here, before the upgrade: no user, no socket.
        if self.current_user is None:
            raise web.HTTPError(403, "Not authenticated.")
        allowed = await ensure_async(self.authorizer.is_authorized(self, self.current_user, "read", AUTH_RESOURCE))
        if not allowed:
            raise web.HTTPError(403, "Not authorized to read Orchest events.")
        return await super().get(*args, **kwargs)

    def open(self, *args, **kwargs):
        super().open(*args, **kwargs)  # keep-alive pings: a client that never answers is closed
        bus = self.settings["orchest_bus"]
        self._bus = bus
        self._unsubscribe = None
        self._queue: deque[Event] = deque()
        self._queued_bytes = 0
        self._behind = False  # the queue overflowed: a reset is due, events are dropped until it is sent
        self._closed = False
        self._wake = asyncio.Event()
        self.resets = 0  # how many times this client was cut to a reset
        self._enqueue({"type": "hello", "epoch": bus.epoch, "seq": bus.last_seq})
        try:
            since = int(self.get_query_argument("since", "-1"))
        except ValueError:
            since = -1
        if since >= 0:
            missed = bus.since(since) if self.get_query_argument("epoch", bus.epoch) == bus.epoch else None
            if missed is None:
                self._behind = True  # a reset follows the hello
            else:
                for event in missed:
                    self._enqueue(event)
        self._unsubscribe = bus.subscribe(self._enqueue, self._enqueue_many)
        self._writer = asyncio.ensure_future(self._write_events())

    @property
    def queued(self) -> tuple[int, int]:
        """Events and (approximate) bytes waiting for this client."""
        return len(self._queue), self._queued_bytes

    def _enqueue(self, event: Event) -> None:
        """Called by the bus for every event: never blocks, never grows past the bounds."""
        self._enqueue_many([event])

    def _enqueue_many(self, events: list[Event]) -> None:
        """A batch from the bus (the lines of a chunk of output): one wake-up for all of them."""
        if self._closed or self._behind:
            return
        size = sum(map(approximate_size, events))
        if len(self._queue) + len(events) > MAX_QUEUED_EVENTS or self._queued_bytes + size > MAX_QUEUED_BYTES:
            self._fall_behind()  # (which drops the queue: no use queueing the part of the batch that fits)
            return
        self._queue.extend(events)
        self._queued_bytes += size
        self._wake.set()

    def _fall_behind(self) -> None:
        self._queue.clear()
        self._queued_bytes = 0
        self._behind = True
        self.resets += 1
        self._wake.set()

    def _next_batch(self) -> list[Event]:
        if not self._queue and self._behind:
            # Everything up to now was sent or dropped: the client resumes after the current seq.
            self._behind = False
            return [{"type": "reset", "epoch": self._bus.epoch, "seq": self._bus.last_seq}]
        queue, batch, size = self._queue, [], 0
        while queue and size < BATCH_BYTES:
            event = queue.popleft()
            size += approximate_size(event)
            batch.append(event)
        self._queued_bytes -= size
        return batch

    async def _write_events(self) -> None:
        try:
            while not self._closed:
                await self._wake.wait()
                self._wake.clear()
                while not self._closed and (self._queue or self._behind):
                    # One message per batch, encoded in one call: tornado holds at most this
                    # batch for a slow client.
                    await self.write_message(json.dumps(self._next_batch()))
        except (websocket.WebSocketClosedError, StreamClosedError):
            pass
        finally:
            self._stop()

    def _stop(self) -> None:
        self._closed = True
        self._queue.clear()
        self._queued_bytes = 0
        self._wake.set()
        if self._unsubscribe:
            self._unsubscribe()
            self._unsubscribe = None

    def on_message(self, message):
        pass  # the socket only talks one way

    def on_close(self):
        if hasattr(self, "_queue"):
            self._stop()
