"""Running a job's grid search now, without a server (the ``orchest-jlab job run`` command)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, TextIO

from ..engine import Engine, EventBus
from ..environments.runtime import make_runtime
from ..headless import cancelled_by_signals
from ..pipelines import find_project_root
from ..store import RunStores
from ..workspace import Workspace
from .service import JobService

FINISHED = ("SUCCESS", "FAILURE", "ABORTED")


class JobProgress:
    """One line per run as it ends: ``run 3/6: SUCCESS {"pipeline_parameters": ...}``."""

    def __init__(self, out: TextIO):
        self.out = out
        self.total = 0

    def __call__(self, event: dict[str, Any]) -> None:
        if event["type"] == "job-run" and event["status"] in FINISHED:
            print(f"run {event['index'] + 1}/{self.total}: {event['status']}", file=self.out, flush=True)


async def run_job_headless(pipeline: Path, parameters: dict | None = None, max_concurrent: int = 4,
                           out: TextIO | None = sys.stderr, backend: str = "auto") -> dict[str, Any]:
    """Create a job of ``pipeline`` (grid: ``parameters``, else the pre-filled one), run it now and
    return it with its runs when they have all ended. Ctrl-C cancels it. Raises BadRequest for a
    request it refuses (or a ``docker`` backend without a Docker engine)."""
    pipeline = pipeline.resolve()
    project = find_project_root(pipeline)
    bus = EventBus()
    engine = Engine(bus, make_runtime(bus, backend, builds=False).backend)
    stores = RunStores()
    stores.listen(bus)
    service = JobService(Workspace(project), engine, stores, bus, max_concurrent_runs=max_concurrent,
                         max_grid_size=0, snapshot_size_limit=50 * 2**20)
    progress = JobProgress(out) if out is not None else None
    if progress is not None:
        bus.subscribe(progress)
    try:
        body: dict[str, Any] = {"pipeline": pipeline.relative_to(project).as_posix()}
        if parameters is not None:
            body["parameters"] = parameters
        job = await service.create(body)
        if progress is not None:
            progress.total = job["runs_per_fire"]
        with cancelled_by_signals(service.cancel, job["uuid"]):
            service.start(job["uuid"])
            return await service.wait(job["uuid"])
    finally:
        await service.shutdown()
        await engine.shutdown()
        stores.close()


def list_jobs(path: Path) -> list[dict[str, Any]]:
    """The jobs recorded in the database of the project of ``path`` (a pipeline file or a folder)."""
    path = path.resolve()
    project = find_project_root(path if path.is_file() else path / "x.orchest")
    stores = RunStores()
    try:
        service = JobService(Workspace(project), None, stores, EventBus())  # type: ignore[arg-type]
        if path.is_file():
            return service.list(path.relative_to(project).as_posix())
        return service.list() if stores.existing(project) else []
    finally:
        stores.close()
