"""Runs: start, list, get, cancel, a step's log; and what a past run ran (read-only mode)."""

from __future__ import annotations

import asyncio

from jupyter_server.auth.decorator import authorized
from tornado import web

from ..errors import BadRequest
from .base import OrchestHandler


class RunsHandler(OrchestHandler):
    @web.authenticated
    @authorized
    async def get(self) -> None:
        try:
            limit = int(self.get_query_argument("limit", "100"))
        except ValueError:
            raise BadRequest('"limit" must be a whole number.') from None
        # Finds the stores of every project under the root (a walk) and reads them: off the event loop.
        runs = await asyncio.to_thread(self.runs.list, self.get_query_argument("pipeline", None),
                                       limit=max(1, min(limit, 1000)))
        self.write_json({"runs": runs})

    @web.authenticated
    @authorized
    def post(self) -> None:
        self.write_json(self.runs.start(self.json_body()), status=201)


class RunHandler(OrchestHandler):
    @web.authenticated
    @authorized
    async def get(self, run_uuid: str) -> None:
        self.write_json(await self.runs.get(run_uuid))

    @web.authenticated
    @authorized
    async def delete(self, run_uuid: str) -> None:
        self.write_json(await self.runs.cancel(run_uuid), status=202)


class RunCleanupHandler(OrchestHandler):
    """DELETE: delete an ended run with its logs and snapshot (Orchest's ``…/cleanup/<uuid>``)."""

    @web.authenticated
    @authorized
    async def delete(self, run_uuid: str) -> None:
        await self.runs.delete(run_uuid)
        self.no_content()


class StepLogHandler(OrchestHandler):
    @web.authenticated
    @authorized
    async def get(self, run_uuid: str, step_uuid: str) -> None:
        offset = self._whole_number("offset")
        limit = self._whole_number("limit")
        attempt = self._whole_number("attempt", "an attempt")
        part = await asyncio.to_thread(self.runs.log, run_uuid, step_uuid, offset, limit, attempt)
        for name, value in part.headers().items():
            self.set_header(name, value)
        self.set_header("Content-Type", "text/plain; charset=utf-8")
        self.finish(part.text)

    def _whole_number(self, name: str, what: str = "bytes") -> int | None:
        value = self.get_query_argument(name, None)
        if value is None:
            return None
        if not (value.isascii() and value.isdigit()) or len(value) > 18:
            raise BadRequest(f'"{name}" must be a whole number of {what}.' if what == "bytes"
                             else f'"{name}" must be a whole number ({what}).')
        return int(value)


class RunPipelineHandler(OrchestHandler):
    @web.authenticated
    @authorized
    async def get(self, run_uuid: str) -> None:
        # Reads and parses the pipeline file the run ran (thousands of steps, maybe): off the loop.
        self.write_json(await asyncio.to_thread(self.runs.pipeline, run_uuid))


class RunFileHandler(OrchestHandler):
    @web.authenticated
    @authorized
    async def get(self, run_uuid: str, path: str) -> None:
        data, content_type = await asyncio.to_thread(self.runs.file, run_uuid, path)
        self.set_header("Content-Type", content_type)
        self.finish(data)


class CopyPipelineHandler(OrchestHandler):
    @web.authenticated
    @authorized
    async def post(self, run_uuid: str) -> None:
        body = self.json_body() if self.request.body else None
        self.write_json(await asyncio.to_thread(self.runs.copy_pipeline, run_uuid, body), status=201)
