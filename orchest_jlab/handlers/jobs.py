"""Jobs: list, create (a draft), get with runs, update, delete, the actions on a job, grid preview."""

from __future__ import annotations

import asyncio

from jupyter_server.auth.decorator import authorized
from tornado import web

from ..jobs import JobService
from .base import OrchestHandler


class JobsBase(OrchestHandler):
    @property
    def jobs(self) -> JobService:
        return self.settings["orchest_jobs"]


class JobsHandler(JobsBase):
    @web.authenticated
    @authorized
    def get(self) -> None:
        self.write_json({"jobs": self.jobs.list(self.get_query_argument("pipeline", None))})

    @web.authenticated
    @authorized
    async def post(self) -> None:
        self.write_json(await self.jobs.create(self.json_body()), status=201)


class JobGridHandler(JobsBase):
    @web.authenticated
    @authorized
    async def post(self) -> None:
        # Reads the pipeline and its parameters file and expands the grid: off the event loop.
        self.write_json(await asyncio.to_thread(self.jobs.preview, self.json_body()))


class JobHandler(JobsBase):
    @web.authenticated
    @authorized
    def get(self, job_uuid: str) -> None:
        self.write_json(self.jobs.get(job_uuid))

    @web.authenticated
    @authorized
    def patch(self, job_uuid: str) -> None:
        self.write_json(self.jobs.update(job_uuid, self.json_body()))

    @web.authenticated
    @authorized
    async def delete(self, job_uuid: str) -> None:
        await self.jobs.delete(job_uuid)
        self.no_content()


class JobStartHandler(JobsBase):
    @web.authenticated
    @authorized
    def post(self, job_uuid: str) -> None:
        self.write_json(self.jobs.start(job_uuid))


class JobPauseHandler(JobsBase):
    @web.authenticated
    @authorized
    def post(self, job_uuid: str) -> None:
        self.write_json(self.jobs.pause(job_uuid))


class JobResumeHandler(JobsBase):
    @web.authenticated
    @authorized
    def post(self, job_uuid: str) -> None:
        self.write_json(self.jobs.resume(job_uuid))


class JobTriggerHandler(JobsBase):
    @web.authenticated
    @authorized
    def post(self, job_uuid: str) -> None:
        self.write_json(self.jobs.trigger(job_uuid))


class JobCancelHandler(JobsBase):
    @web.authenticated
    @authorized
    def post(self, job_uuid: str) -> None:
        self.write_json(self.jobs.cancel(job_uuid))


class JobDuplicateHandler(JobsBase):
    @web.authenticated
    @authorized
    async def post(self, job_uuid: str) -> None:
        self.write_json(await self.jobs.duplicate(job_uuid), status=201)


ACTIONS = {"start": JobStartHandler, "pause": JobPauseHandler, "resume": JobResumeHandler,
           "trigger": JobTriggerHandler, "cancel": JobCancelHandler, "duplicate": JobDuplicateHandler}
