"""Jobs in tests: a real engine and store, a job service with a clock the test moves, small pipelines."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime, timezone
from pathlib import Path

from orchest_jlab.jobs import JobService, ManualClock
from orchest_jlab.workspace import Workspace

from .conftest import ProjectBuilder
from .engine_helpers import Harness

T0 = datetime(2030, 1, 7, 12, 1, 0, tzinfo=timezone.utc)  # a Monday

# A step that records what it saw: its parameters, the pipeline's, and the job's secret variable.
RECORD = """import json, os, orchest
step, pipeline = orchest.get_params()
with open("seen.json", "w") as f:
    json.dump({"step": step, "pipeline": pipeline, "secret": os.environ.get("SECRET")}, f)
print("done")
"""

# A step that waits until the file named by $RELEASE exists (the test lets it end).
WAIT = """import os, time
while not os.path.exists(os.environ["RELEASE"]):
    time.sleep(0.02)
"""


def grid_pipeline(project: ProjectBuilder, name: str = "p.orchest", code: str = RECORD,
                  pipeline_params=None, step_params=None) -> tuple[Path, dict]:
    """Steps A (records) → B; parameters x (pipeline) and y (step A) by default."""
    env = project.environment()
    folder = Path(name).parent
    project.file(str(folder / "a.py"), code)
    project.file(str(folder / "b.py"), "print('b')\n")
    a = project.step("A", "a.py", env, parameters={"y": 0} if step_params is None else step_params)
    b = project.step("B", "b.py", env, [a["uuid"]])
    data = project.pipeline(a, b)
    data["parameters"] = {"x": 1} if pipeline_params is None else pipeline_params
    return project.write(name, data), data


class Jobs(Harness):
    """A harness with a job service over the project's database."""

    def __init__(self, root: Path, clock: ManualClock | None = None, **options):
        super().__init__()
        self.root = root
        self.clock = clock or ManualClock(T0)
        self.service = self.make_service(**options)

    def make_service(self, **options) -> JobService:
        options.setdefault("max_concurrent_runs", 4)
        return JobService(Workspace(self.root), self.engine, self.stores, self.bus, clock=self.clock, **options)

    async def run_now(self, body: dict) -> dict:
        job = await self.service.create(body)
        self.service.start(job["uuid"])
        return await self.service.wait(job["uuid"])

    def record(self, run_uuid: str) -> dict:
        self.stores.flush()
        for store in self.stores.opened():
            record = store.get_run(run_uuid)
            if record:
                return record
        raise AssertionError(f"no record of run {run_uuid}")

    def seen(self, run_uuid: str, folder: str = ".") -> dict:
        """What the recording step of a run saw (its file in the run's snapshot)."""
        return json.loads((Path(self.record(run_uuid)["snapshot_dir"]) / folder / "seen.json").read_text())

    def job_events(self, job_uuid: str, kind: str = "job") -> list[dict]:
        return [e for e in self.events if e["type"] == kind and e.get("job_uuid") == job_uuid]

    async def close(self):
        await self.service.shutdown()
        await super().close()


async def until(predicate, timeout: float = 20.0, message: str = "condition"):
    for _ in range(int(timeout / 0.02)):
        value = predicate()
        if value:
            return value
        await asyncio.sleep(0.02)
    raise AssertionError(f"timed out waiting for {message}")
