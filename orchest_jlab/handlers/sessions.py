"""Interactive sessions, one per pipeline file: list, start, status, stop."""

from __future__ import annotations

from jupyter_server.auth.decorator import authorized
from tornado import web

from ..sessions import SessionService
from .base import OrchestHandler


class SessionsBase(OrchestHandler):
    @property
    def sessions(self) -> SessionService:
        return self.settings["orchest_sessions"]


class SessionsHandler(SessionsBase):
    @web.authenticated
    @authorized
    async def get(self) -> None:
        self.write_json({"sessions": await self.sessions.list()})

    @web.authenticated
    @authorized
    async def post(self) -> None:
        self.write_json(await self.sessions.start(self.json_body()), status=202)


class SessionHandler(SessionsBase):
    @web.authenticated
    @authorized
    async def get(self, path: str) -> None:
        self.write_json(await self.sessions.get(path))

    @web.authenticated
    @authorized
    async def delete(self, path: str) -> None:
        self.write_json(await self.sessions.stop(path), status=202)
