"""The jobs service: what the REST API and the command line do with jobs.

A job is created as a DRAFT with a snapshot of its pipeline's project; starting it runs it now,
schedules it once, or on a cron expression. Every check happens before anything is made: a request
that is refused leaves no job, no folder and no run behind.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import uuid as uuidlib
from pathlib import Path
from typing import Any

from ..engine import Engine, EventBus
from ..engine.folders import LEGACY_JOBS, remove_folder
from ..engine.snapshots import make_snapshot
from ..engine.states import FINISHED_STATUSES
from ..errors import BadRequest, Conflict, NotFound
from ..pipelines import find_project_root
from ..pipelines.gitignore import ensure_gitignore
from ..runs.request import check_schemas, prepare_run
from ..store.jobs import ACTIVE, LEASE_SECONDS, JobStore, JobStores
from ..store.location import PipelineRecords
from ..store.stores import RunStores
from ..workspace import Workspace
from . import grid as grids
from .dispatch import Dispatcher, job_dir
from .schedule import Clock, Schedule, SystemClock, iso
from .scheduler import Scheduler
from .spec import SETTINGS, check_body, check_settings

CREATE_FIELDS = ("pipeline", *SETTINGS)


class JobService:
    def __init__(self, workspace: Workspace, engine: Engine, stores: RunStores, bus: EventBus, *,
                 clock: Clock | None = None, max_concurrent_runs: int = 4, max_grid_size: int = 1000,
                 snapshot_size_limit: int | None = None, lease_seconds: float = LEASE_SECONDS):
        self.workspace = workspace
        self.clock = clock or SystemClock()
        self.jobs = JobStores(stores)
        self.max_grid_size = max_grid_size
        self.snapshot_size_limit = snapshot_size_limit
        self.dispatcher = Dispatcher(engine, bus, stores, self.clock, max_concurrent_runs, snapshot_size_limit)
        self.scheduler = Scheduler(self.jobs, self.dispatcher, engine, self.clock, workspace, lease_seconds)
        self.bus = bus

    async def startup(self) -> None:
        """Restore the jobs of the projects under the root, then run the scheduler (idempotent)."""
        await self.scheduler.start()

    async def shutdown(self) -> None:
        await self.scheduler.stop()
        await self.dispatcher.stop()

    # --- helpers ------------------------------------------------------------------------------------------

    def _now(self) -> str:
        return iso(self.clock.now())

    def _find(self, job_uuid: str) -> tuple[JobStore, dict[str, Any]]:
        found = self.jobs.find(job_uuid)
        if found is None:
            raise NotFound(f'There is no job "{job_uuid}".')
        return found

    def _present(self, job: dict[str, Any], counts: dict[str, int] | None = None) -> dict[str, Any]:
        pipeline = Path(job["project_dir"]) / job["pipeline_file"]
        size = grids.grid_size(job["parameters"])
        return {
            "uuid": job["uuid"], "name": job["name"],
            "pipeline_path": self.workspace.api_path(pipeline),
            "pipeline_file": job["pipeline_file"], "pipeline_uuid": job["pipeline_uuid"],
            "pipeline_name": job["pipeline_name"], "status": job["status"], "schedule": job["schedule"],
            "next_fire": job["next_fire"], "last_fired": job["last_fired"], "overlap": job["overlap"],
            "missed_fires": job["missed_fires"], "max_retained_pipeline_runs": job["max_retained_runs"],
            "cache": bool(job.get("cache")),
            "parameters": job["parameters"], "deselected": job["deselected"], "grid_size": size,
            "runs_per_fire": size - len(job["deselected"]), "env_variables": job["env_variables"],
            "created": job["created"], "updated": job["updated"], "started": job["started"],
            "finished": job["finished"], "fire_count": job["fire_count"], "run_count": job["run_count"],
            "runs_deleted": job["runs_deleted"], "snapshot_dir": str(job_dir(job) / "snapshot"),
            "warnings": job["warnings"], "error": job["error"], "counts": counts or {},
        }

    def _full(self, store: JobStore, job_uuid: str, job: dict[str, Any] | None = None) -> dict[str, Any]:
        job = job or store.get_job(job_uuid)
        if job is None:
            raise NotFound(f'There is no job "{job_uuid}".')
        runs = store.job_runs(job_uuid)
        counts: dict[str, int] = {}
        for run in runs:
            counts[run["status"]] = counts.get(run["status"], 0) + 1
        return {**self._present(job, counts), "pipeline": job["pipeline"], "runs": runs,
                "history": store.history(job_uuid)}

    def _changed(self, store: JobStore, job_uuid: str) -> dict[str, Any]:
        self.dispatcher.announce(store, job_uuid)
        return self._full(store, job_uuid)

    # --- reading ------------------------------------------------------------------------------------------

    def list(self, pipeline_api_path: str | None = None) -> list[dict[str, Any]]:
        if pipeline_api_path:
            path = self.workspace.resolve(pipeline_api_path)
            project = find_project_root(path, self.workspace.root)
            store = self.jobs.existing(project)
            records = PipelineRecords(path, project)
            jobs = [j for j in store.list_jobs(str(project), **records.query()) if records.keeps(j)] if store else []
            pairs = [(store, jobs)] if store else []
        else:
            pairs = [(store, store.list_jobs()) for store in self.jobs.opened()]
        listed = []
        for store, jobs in pairs:
            counts = store.counts() if jobs else {}
            listed += [self._present(job, counts.get(job["uuid"])) for job in jobs]
        return sorted(listed, key=lambda j: j["created"], reverse=True)

    def get(self, job_uuid: str) -> dict[str, Any]:
        store, job = self._find(job_uuid)
        return self._full(store, job_uuid, job)

    def preview(self, body: Any) -> dict[str, Any]:
        """A grid checked and expanded, without making a job; without "parameters", the pre-filled one."""
        body = check_body(body, ("pipeline", "parameters", "deselected"))
        path, request = self._pipeline(body)
        grid = (grids.check_grid(request.pipeline, body["parameters"]) if "parameters" in body
                else grids.prefill(request.pipeline, path))
        size = grids.check_size(grid, self.max_grid_size)
        deselected = set(grids.check_deselected(body.get("deselected"), size))
        check_schemas(path, request.pipeline, request.project_dir, list(grids.combinations(grid)), request.pipeline["steps"])
        return {"parameters": grid, "grid_size": size, "runs_per_fire": size - len(deselected),
                "combinations": [{"index": i, "parameters": c, "selected": i not in deselected}
                                 for i, c in enumerate(grids.combinations(grid))]}

    # --- making jobs ------------------------------------------------------------------------------------------

    def _pipeline(self, body: dict[str, Any]):
        if not isinstance(body.get("pipeline"), str):
            raise BadRequest('The body needs "pipeline": the path of the .orchest file.')
        path = self.workspace.resolve(body["pipeline"])
        return path, prepare_run(path, interactive=False, boundary=self.workspace.root,
                                 snapshot_size_limit=self.snapshot_size_limit)

    async def create(self, body: Any) -> dict[str, Any]:
        body = check_body(body, CREATE_FIELDS)
        path, request = self._pipeline(body)
        if "env_variables" not in body:  # as Orchest: a copy of the project's and pipeline's, merged now
            body = {**body, "env_variables": request.env}
        default = None if "parameters" in body else grids.prefill(request.pipeline, path)
        fields = check_settings(body, request.pipeline, self.clock.now(), self.max_grid_size, default_grid=default)
        check_schemas(path, request.pipeline, request.project_dir, list(grids.combinations(fields["parameters"])),
                      request.pipeline["steps"])
        return await self._make(request, fields, ("created", "Created as a draft."))

    async def _make(self, request, fields: dict[str, Any], history: tuple[str, str]) -> dict[str, Any]:
        job_uuid = str(uuidlib.uuid4())
        folders = self.dispatcher.engine.folders
        folders.claim(request.project_dir)
        folder = folders.jobs(request.project_dir) / job_uuid
        snapshot = folder / "snapshot"
        pipeline_file = os.path.relpath(request.pipeline_path, request.project_dir)
        ensure_gitignore(request.project_dir)
        try:
            warnings = await asyncio.to_thread(make_snapshot, request.project_dir, snapshot, self.snapshot_size_limit,
                                               folders.base)
            copy = prepare_run(snapshot / pipeline_file, interactive=False, boundary=snapshot)
        except BadRequest as exc:
            shutil.rmtree(folder, ignore_errors=True)
            raise BadRequest(f"The job's snapshot of the project cannot run: {exc.message}", exc.errors) from None
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        name = copy.pipeline.get("name")
        now = self._now()
        store = self.jobs.for_project(request.project_dir)
        job = dict(
            fields, uuid=job_uuid, project_dir=str(request.project_dir), pipeline_file=pipeline_file,
            pipeline_uuid=copy.pipeline.get("uuid"), pipeline_name=name if isinstance(name, str) else None,
            pipeline=copy.pipeline, status="DRAFT", snapshot_dir=str(snapshot), warnings=warnings, created=now,
            updated=now, fire_count=0, run_count=0, runs_deleted=0, owner_pid=self.scheduler.owner.pid,
            owner_started=self.scheduler.owner.started)
        try:
            store.insert_job(job, history)
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)  # no job folder without its record
            raise
        return self._changed(store, job_uuid)

    async def duplicate(self, job_uuid: str) -> dict[str, Any]:
        """A new draft of the same pipeline as it is now, with a new snapshot; the grid keeps the
        parameters the pipeline still has and gets the new ones with their defaults."""
        _, job = self._find(job_uuid)
        path, request = self._pipeline({"pipeline": self.workspace.api_path(Path(job["project_dir"]) / job["pipeline_file"])})
        grid, notes = grids.reconcile(job["parameters"], request.pipeline)
        body = {"name": f"{job['name']} (copy)", "parameters": grid, "env_variables": job["env_variables"],
                "overlap": job["overlap"], "missed_fires": job["missed_fires"],
                "max_retained_pipeline_runs": job["max_retained_runs"], "cache": bool(job.get("cache"))}
        if grid == job["parameters"]:
            body["deselected"] = job["deselected"]
        fields = check_settings(body, request.pipeline, self.clock.now(), self.max_grid_size)
        fields["schedule"] = job["schedule"]  # copied as is; checked when the copy starts
        message = " ".join([f"Duplicated from job {job_uuid}.", *notes])
        return await self._make(request, fields, ("created", message))

    def update(self, job_uuid: str, body: Any) -> dict[str, Any]:
        body = check_body(body, SETTINGS)
        store, job = self._find(job_uuid)
        status, kind = job["status"], job["schedule"].get("kind")
        scheduled = status in ACTIVE and (kind == "cron" or (kind == "once" and job["fire_count"] == 0))
        if status != "DRAFT" and not scheduled:
            raise Conflict(f"A {status} job can no longer be changed; duplicate it to make a new one.")
        fields = check_settings(body, job["pipeline"], self.clock.now(), self.max_grid_size, current=job)
        if "parameters" in body:
            snapshot = job_dir(job) / "snapshot"
            check_schemas(snapshot / job["pipeline_file"], job["pipeline"], snapshot,
                          list(grids.combinations(fields["parameters"])), job["pipeline"]["steps"])
        schedule = Schedule.from_json(fields.get("schedule", job["schedule"]))
        if status != "DRAFT" and schedule.kind == "now":
            raise Conflict('A scheduled job cannot become a "now" job; start a new one or trigger this one.')
        if status in ("PENDING", "STARTED") and "schedule" in fields:
            following = schedule.next_after(self.clock.now())
            fields["next_fire"] = iso(following) if following else None
        now = self._now()
        if not store.update_job(job_uuid, statuses=[status], updated=now,
                                history=(now, "updated", f"Changed: {', '.join(sorted(body)) or 'nothing'}."), **fields):
            raise Conflict("The job changed while it was being updated; try again.")
        self.dispatcher.forget(job_uuid)
        if "next_fire" in fields:
            self.scheduler.schedule(store, job_uuid, fields["next_fire"])
        return self._changed(store, job_uuid)

    # --- running jobs -------------------------------------------------------------------------------------------

    def start(self, job_uuid: str) -> dict[str, Any]:
        store, job = self._find(job_uuid)
        if job["status"] != "DRAFT":
            raise Conflict(f"The job has been started already (it is {job['status']}).")
        now_dt = self.clock.now()
        now = iso(now_dt)
        schedule = Schedule.from_json(job["schedule"])
        if schedule.kind == "now":
            rows = self.dispatcher.fire(store, job, scheduled=now, next_fire=None, statuses=["DRAFT"], started=now,
                                        kind="started", message="Started, to run now")
            if rows is None:
                raise Conflict("The job changed while it was being started; try again.")
            return self._changed(store, job_uuid)
        following = schedule.next_after(now_dt)
        if following is None:
            raise BadRequest(f"The job's time {iso(schedule.at)} has passed (it is {now}); choose a time in the future.")
        what = f"once at {iso(following)}" if schedule.kind == "once" else \
            f"on \"{schedule.cron}\" ({schedule.timezone}), first at {iso(following)}"
        if not store.update_job(job_uuid, statuses=["DRAFT"], status="PENDING", started=now, updated=now,
                                next_fire=iso(following), history=(now, "started", f"Scheduled to run {what}.")):
            raise Conflict("The job changed while it was being started; try again.")
        self.scheduler.schedule(store, job_uuid, following)
        return self._changed(store, job_uuid)

    def pause(self, job_uuid: str) -> dict[str, Any]:
        store, job = self._find(job_uuid)
        if job["status"] not in ("PENDING", "STARTED") or not job["next_fire"]:
            raise Conflict(f"Only a job waiting for a scheduled time can be paused (this one is {job['status']}"
                           f"{', with no time left to wait for' if job['status'] == 'STARTED' else ''}).")
        now = self._now()
        if not store.update_job(job_uuid, statuses=[job["status"]], status="PAUSED", next_fire=None, updated=now,
                                history=(now, "paused", "Paused: no fires until it is resumed.")):
            raise Conflict("The job changed while it was being paused; try again.")
        self.scheduler.schedule(store, job_uuid, None)
        return self._changed(store, job_uuid)

    def resume(self, job_uuid: str) -> dict[str, Any]:
        store, job = self._find(job_uuid)
        if job["status"] != "PAUSED":
            raise Conflict(f"Only a paused job can be resumed (this one is {job['status']}).")
        following = Schedule.from_json(job["schedule"]).next_after(self.clock.now())
        if following is None:
            raise Conflict("The job's time passed while it was paused; change its time, or trigger it.")
        now = self._now()
        status = "STARTED" if job["fire_count"] else "PENDING"
        if not store.update_job(job_uuid, statuses=["PAUSED"], status=status, next_fire=iso(following), updated=now,
                                history=(now, "resumed", f"Resumed; next fire at {iso(following)}.")):
            raise Conflict("The job changed while it was being resumed; try again.")
        self.scheduler.schedule(store, job_uuid, following)
        return self._changed(store, job_uuid)

    def trigger(self, job_uuid: str) -> dict[str, Any]:
        """Fire a cron job now, by hand; its schedule is unchanged."""
        store, job = self._find(job_uuid)
        if job["schedule"].get("kind") != "cron" or job["status"] not in ACTIVE:
            raise Conflict(f"Only a started cron job can be triggered (this one is a {job['schedule'].get('kind')} "
                           f"job, {job['status']}).")
        if self.dispatcher.busy(job_uuid) and job["overlap"] == "skip":
            raise Conflict("The job's previous runs are still running and its overlap policy is skip.")
        status = "PAUSED" if job["status"] == "PAUSED" else "STARTED"
        rows = self.dispatcher.fire(store, job, scheduled=None, next_fire=job["next_fire"], statuses=[job["status"]],
                                    status=status, kind="triggered", message="Triggered by hand")
        if rows is None:
            raise Conflict("The job changed while it was being triggered; try again.")
        return self._changed(store, job_uuid)

    def cancel(self, job_uuid: str) -> dict[str, Any]:
        store, job = self._find(job_uuid)
        if job["status"] not in ACTIVE:
            raise Conflict(f"Only a started job can be cancelled (this one is {job['status']}).")
        now = self._now()
        if not store.update_job(job_uuid, statuses=[job["status"]], status="ABORTED", next_fire=None, finished=now,
                                updated=now, history=(now, "cancelled", "Cancelled.")):
            raise Conflict("The job changed while it was being cancelled; try again.")
        self.scheduler.schedule(store, job_uuid, None)
        self.dispatcher.cancel(store, job_uuid)
        queued = [r["index"] for r in store.job_runs(job_uuid, statuses=["PENDING"])]
        if queued:  # queued in the database but not in this process (another process's job)
            store.set_runs(job_uuid, queued, only_unfinished=True, status="ABORTED", finished=now,
                           error="The job was cancelled before this run started.")
        return self._changed(store, job_uuid)

    async def delete(self, job_uuid: str) -> None:
        """Delete a job with its runs (records, logs, outputs) and its snapshot; cancels it first."""
        store, job = self._find(job_uuid)
        if job["status"] in ACTIVE:
            with contextlib.suppress(Conflict):
                self.cancel(job_uuid)
        await self.dispatcher.wait_idle(job_uuid)
        runs = store.job_runs(job_uuid)
        await asyncio.to_thread(self.dispatcher.delete_runs, store, job, runs)
        await asyncio.to_thread(remove_folder, job_dir(job), job_uuid, Path(job["project_dir"]), LEGACY_JOBS)
        store.delete_job(job_uuid)
        self.dispatcher.discard(job_uuid)
        self.bus.publish("job-deleted", job_uuid=job_uuid, run_uuids=[r["run_uuid"] for r in runs if r["run_uuid"]])

    async def wait(self, job_uuid: str) -> dict[str, Any]:
        """Until the job has ended (SUCCESS, FAILURE or ABORTED, and no run of it still running here)."""
        store, job = self._find(job_uuid)
        if job["status"] == "DRAFT":
            raise Conflict("The job has not been started.")
        event = self.dispatcher.finished_event(job_uuid)
        while job is not None and job["status"] not in FINISHED_STATUSES:
            event.clear()
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(event.wait(), 1.0)
            job = store.get_job(job_uuid)
        await self.dispatcher.wait_idle(job_uuid)
        return self._full(store, job_uuid)
