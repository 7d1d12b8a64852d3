"""The pipelines' services: their status and logs (docs/services.md)."""

from __future__ import annotations

from jupyter_server.auth.decorator import authorized
from tornado import web

from ..errors import BadRequest
from ..pipeline_services import PipelineServices
from .base import OrchestHandler


class ServicesBase(OrchestHandler):
    @property
    def services(self) -> PipelineServices:
        return self.settings["orchest_pipeline_services"]

    def owner(self) -> tuple[str | None, str | None]:
        pipeline, run = self.get_query_argument("pipeline", None), self.get_query_argument("run", None)
        if pipeline is not None and run is not None:
            raise BadRequest('Give "pipeline" (an interactive session\'s services) or "run" (a run\'s), not both.')
        return pipeline, run


class ServicesHandler(ServicesBase):
    @web.authenticated
    @authorized
    async def get(self) -> None:
        pipeline, run = self.owner()
        self.write_json({"services": self.services.list(pipeline, run)})


class ServiceLogHandler(ServicesBase):
    @web.authenticated
    @authorized
    async def get(self) -> None:
        pipeline, run = self.owner()
        name = self.get_query_argument("name", None)
        if not name:
            raise BadRequest('The query needs "name": the service whose log to read.')
        self.write_json(self.services.log(name, pipeline, run))
