"""The websocket of live events: run and step state changes, log lines, builds and interactive
sessions, as JSON.

Connect to ``/orchest/api/events``; the first message is ``{"type": "hello", "epoch", "seq"}``. To
resume after a disconnect, connect with ``?since=<last seq seen>&epoch=<epoch>``: the missed events
follow the hello; when they are no longer kept (or the server restarted, a new epoch), a
``{"type": "reset"}`` message says to reload the state through the REST API.
"""

from __future__ import annotations

import json

from jupyter_server.base.handlers import JupyterHandler
from jupyter_server.base.websocket import WebSocketMixin
from jupyter_server.utils import ensure_async
from tornado import web, websocket

from .base import AUTH_RESOURCE


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
        bus = self.settings["orchest_bus"]
        self._unsubscribe = None
        self._send({"type": "hello", "epoch": bus.epoch, "seq": bus.last_seq})
        try:
            since = int(self.get_query_argument("since", "-1"))
        except ValueError:
            since = -1
        if since >= 0:
            missed = bus.since(since) if self.get_query_argument("epoch", bus.epoch) == bus.epoch else None
            if missed is None:
                self._send({"type": "reset", "epoch": bus.epoch, "seq": bus.last_seq})
            else:
                for event in missed:
                    self._send(event)
        self._unsubscribe = bus.subscribe(self._send)

    def _send(self, event: dict) -> None:
        if self.ws_connection is None or self.ws_connection.is_closing():
            return
        self.write_message(json.dumps(event))

    def on_message(self, message):
        pass  # the socket only talks one way

    def on_close(self):
        if self._unsubscribe:
            self._unsubscribe()
