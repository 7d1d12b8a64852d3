"""The step cache of a pipeline or of one of its steps: cleared (``runs/cache.py``)."""

from __future__ import annotations

import asyncio

from jupyter_server.auth.decorator import authorized
from tornado import web

from ..runs.cache import clear_cache
from .base import OrchestHandler


class CacheHandler(OrchestHandler):
    @web.authenticated
    @authorized
    async def delete(self) -> None:
        self.write_json(await asyncio.to_thread(clear_cache, self.workspace, self.get_query_argument("pipeline", None),
                                                self.get_query_argument("step", None)))
