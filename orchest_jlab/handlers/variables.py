"""A project's and a pipeline's environment variables (``runs/variables.py``)."""

from __future__ import annotations

import asyncio

from jupyter_server.auth.decorator import authorized
from tornado import web

from ..runs.variables import EnvVariablesService
from .base import OrchestHandler


class EnvVariablesHandler(OrchestHandler):
    @property
    def variables(self) -> EnvVariablesService:
        return self.settings["orchest_env_variables"]

    @web.authenticated
    @authorized
    async def get(self) -> None:
        self.write_json(await asyncio.to_thread(self.variables.get, self.get_query_argument("pipeline", None)))

    @web.authenticated
    @authorized
    async def put(self) -> None:
        body = self.json_body()
        self.write_json(await asyncio.to_thread(self.variables.put, self.get_query_argument("pipeline", None), body))
