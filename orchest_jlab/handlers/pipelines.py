"""Pipelines: discovery, one pipeline with its validation report, validation of a document, the
steps that run a file."""

from __future__ import annotations

from jupyter_server.auth.decorator import authorized
from tornado import web

from ..errors import BadRequest
from .base import OrchestHandler


class PipelinesHandler(OrchestHandler):
    @web.authenticated
    @authorized
    def get(self) -> None:
        self.write_json({"pipelines": self.workspace.list_pipelines()})


class PipelineHandler(OrchestHandler):
    @web.authenticated
    @authorized
    def get(self, path: str) -> None:
        self.write_json(self.workspace.get_pipeline(path))


class ValidateHandler(OrchestHandler):
    @web.authenticated
    @authorized
    def post(self) -> None:
        text = self.request.body.decode("utf-8", errors="replace")
        self.write_json(self.workspace.validate_text(text, self.get_query_argument("path", None)))


class StepsHandler(OrchestHandler):
    @web.authenticated
    @authorized
    def get(self) -> None:
        path = self.get_query_argument("file", None)
        if not path:
            raise BadRequest('Give the file: "?file=<path relative to the server\'s root>".')
        self.write_json({"steps": self.workspace.steps_of_file(path)})
