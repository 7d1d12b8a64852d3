"""Pipelines: discovery, one pipeline with its validation report, validation of a document, the
steps that run a file. All of it reads, parses and validates files: off the event loop."""

from __future__ import annotations

import asyncio

from jupyter_server.auth.decorator import authorized
from tornado import web

from ..errors import BadRequest
from .base import OrchestHandler


class PipelinesHandler(OrchestHandler):
    @web.authenticated
    @authorized
    async def get(self) -> None:
        self.write_json({"pipelines": await asyncio.to_thread(self.workspace.list_pipelines)})


class PipelineHandler(OrchestHandler):
    @web.authenticated
    @authorized
    async def get(self, path: str) -> None:
        self.write_json(await asyncio.to_thread(self.workspace.get_pipeline, path))


class ValidateHandler(OrchestHandler):
    @web.authenticated
    @authorized
    async def post(self) -> None:
        text = self.request.body.decode("utf-8", errors="replace")
        path = self.get_query_argument("path", None)
        self.write_json(await asyncio.to_thread(self.workspace.validate_text, text, path))


class StepsHandler(OrchestHandler):
    @web.authenticated
    @authorized
    async def get(self) -> None:
        path = self.get_query_argument("file", None)
        if not path:
            raise BadRequest('Give the file: "?file=<path relative to the server\'s root>".')
        self.write_json({"steps": await asyncio.to_thread(self.workspace.steps_of_file, path)})
