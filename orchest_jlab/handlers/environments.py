"""Environments of a project (``?project=<folder or pipeline path>``): list, create, read, update,
delete; their builds: start, status, cancel, log."""

from __future__ import annotations

from jupyter_server.auth.decorator import authorized
from tornado import web

from ..environments import EnvironmentService
from ..errors import NotFound
from .base import OrchestHandler


class _EnvironmentsBase(OrchestHandler):
    @property
    def environments(self) -> EnvironmentService:
        return self.settings["orchest_environments"]

    @property
    def project(self) -> str | None:
        return self.get_query_argument("project", None)


class EnvironmentsHandler(_EnvironmentsBase):
    @web.authenticated
    @authorized
    def get(self) -> None:
        self.write_json(self.environments.list(self.project))

    @web.authenticated
    @authorized
    def post(self) -> None:
        self.write_json(self.environments.create(self.project, self.json_body()), status=201)


class EnvironmentHandler(_EnvironmentsBase):
    @web.authenticated
    @authorized
    def get(self, env_uuid: str) -> None:
        self.write_json(self.environments.get(self.project, env_uuid))

    @web.authenticated
    @authorized
    def patch(self, env_uuid: str) -> None:
        self.write_json(self.environments.update(self.project, env_uuid, self.json_body()))

    @web.authenticated
    @authorized
    def delete(self, env_uuid: str) -> None:
        self.environments.delete(self.project, env_uuid)
        self.set_status(204)
        self.finish()


class BuildHandler(_EnvironmentsBase):
    @web.authenticated
    @authorized
    def get(self, env_uuid: str) -> None:
        build = self.environments.get(self.project, env_uuid).get("build")
        if build is None:
            raise NotFound("The environment has not been built yet.")
        self.write_json(build)

    @web.authenticated
    @authorized
    def post(self, env_uuid: str) -> None:
        force = self.get_query_argument("force", "false").lower() in ("1", "true", "yes")
        self.write_json(self.environments.build(self.project, env_uuid, force=force), status=202)

    @web.authenticated
    @authorized
    def delete(self, env_uuid: str) -> None:
        self.write_json(self.environments.cancel_build(self.project, env_uuid), status=202)


class BuildLogHandler(_EnvironmentsBase):
    @web.authenticated
    @authorized
    def get(self, env_uuid: str) -> None:
        text = self.environments.build_log(self.project, env_uuid)
        self.set_header("Content-Type", "text/plain; charset=utf-8")
        self.finish(text)
