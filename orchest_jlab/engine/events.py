"""The event bus: every run and step state change and every log line, numbered.

Subscribers (the store, websocket clients, the CLI's progress display) are called synchronously in
the order of publication; they must be quick (a websocket client only queues the event, boundedly).
A history bounded in events and in bytes lets a client that reconnects with the last sequence number
it saw get what it missed: a step printing millions of lines keeps only the last of them here (the
log file has them all).
"""

from __future__ import annotations

import itertools
import logging
import uuid
from collections import deque
from collections.abc import Callable
from typing import Any

Event = dict[str, Any]
Subscriber = Callable[[Event], None]
BatchSubscriber = Callable[[list[Event]], None]

log = logging.getLogger(__name__)

# What an event costs in memory besides its text: the dict, its sequence number, shared uuids.
EVENT_OVERHEAD = 400
# Events without a log line (states, runs, jobs) are few; a run-created event of a large pipeline is
# the biggest, and counted as this much.
OTHER_EVENT_SIZE = 4096


def approximate_size(event: Event) -> int:
    """About how many bytes an event holds (for the bounds of the history and of client queues)."""
    line = event.get("line")
    return EVENT_OVERHEAD + len(line) if isinstance(line, str) else OTHER_EVENT_SIZE


class EventBus:
    def __init__(self, history: int = 20_000, history_bytes: int = 32 * 1024 * 1024):
        # Sequence numbers are only meaningful within one bus: a client that saw another epoch
        # (the server restarted) must reload instead of replaying.
        self.epoch = uuid.uuid4().hex
        self._counter = itertools.count(1)
        self._history: deque[Event] = deque(maxlen=history)
        self._sizes: deque[int] = deque(maxlen=history)  # approximate_size of each event of the history
        self._history_bytes = history_bytes
        self._history_size = 0  # approximate bytes held by the history
        self._last_seq = 0
        self._subscribers: list[tuple[Subscriber, BatchSubscriber | None]] = []
        self._additions: dict[str, Callable[[Event], dict[str, Any]]] = {}

    @property
    def last_seq(self) -> int:
        return self._last_seq

    def add_fields(self, type_: str, fields: Callable[[Event], dict[str, Any]]) -> None:
        """Fields to add to every event of a type before it is published: what the publisher does
        not know (e.g. the server adds paths relative to its root)."""
        self._additions[type_] = fields

    def publish(self, type_: str, **fields: Any) -> Event:
        event = {"seq": next(self._counter), "type": type_, **fields}
        if type_ in self._additions:
            event.update(self._additions[type_](event))
        self._remember(event)
        for subscriber, _ in list(self._subscribers):
            try:
                subscriber(event)
            except Exception:  # one broken subscriber must not stop a run
                log.exception("event subscriber %r failed", subscriber)
        return event

    def publish_many(self, type_: str, field: str, values: list[Any], **fields: Any) -> None:
        """One event per value (``{field: value, **fields}``), published as a batch: the lines of
        one chunk of a step's output. Each subscriber sees them in order, a batch subscriber in one
        call; the events are the same as ``publish`` would make."""
        if type_ in self._additions:
            for value in values:
                self.publish(type_, **fields, **{field: value})
            return
        if not values:
            return
        counter = self._counter
        events = [{"seq": next(counter), "type": type_, **fields, field: value} for value in values]
        if field == "line" and all(isinstance(v, str) for v in values):
            self._remember_all(events, [EVENT_OVERHEAD + len(v) for v in values])
        else:
            self._remember_all(events, [approximate_size(e) for e in events])
        for subscriber, many in list(self._subscribers):
            if many is not None:
                try:
                    many(events)
                except Exception:
                    log.exception("event subscriber %r failed", many)
                continue
            for event in events:
                try:
                    subscriber(event)
                except Exception:
                    log.exception("event subscriber %r failed", subscriber)

    def _remember(self, event: Event) -> None:
        self._remember_all([event], [approximate_size(event)])

    def _remember_all(self, events: list[Event], sizes: list[int]) -> None:
        """Append to the history, which drops its oldest events beyond its length and its bytes.
        (A step printing as fast as it can publishes thousands of lines per chunk of its output: the
        bookkeeping is done per batch, in deque and sum calls, not per event.)"""
        history, kept = self._history, self._sizes
        overflow = len(history) + len(events) - history.maxlen
        if overflow > 0:  # the oldest events, old or new, that the deques drop by themselves
            self._history_size -= sum(itertools.islice(itertools.chain(kept, sizes), overflow))
        history.extend(events)
        kept.extend(sizes)
        self._last_seq = events[-1]["seq"]
        self._history_size += sum(sizes)
        while self._history_size > self._history_bytes and len(history) > 1:
            history.popleft()
            self._history_size -= kept.popleft()

    def subscribe(self, subscriber: Subscriber, many: BatchSubscriber | None = None) -> Callable[[], None]:
        """Call ``subscriber`` with every event (``many`` with every batch, when given); returns
        the function that unsubscribes."""
        entry = (subscriber, many)
        self._subscribers.append(entry)
        return lambda: self._subscribers.remove(entry) if entry in self._subscribers else None

    def since(self, seq: int) -> list[Event] | None:
        """Events after ``seq``; None when some of them are no longer kept (the client must reload)."""
        if seq >= self.last_seq:
            return []
        oldest = self._history[0]["seq"] if self._history else 1
        if seq + 1 < oldest:
            return None
        return [e for e in itertools.islice(self._history, seq + 1 - oldest, None)]
