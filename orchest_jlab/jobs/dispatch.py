"""Executing jobs: a fire makes runs (one per selected combination), which wait in one queue and
go to the engine at most ``max_concurrent_runs`` at a time.

A fire's runs start only when the earlier fires of the same job have ended (overlap policy
"queue"); with "skip", a fire that comes while the previous one's runs are unfinished makes none.
When a run ends: its status is recorded, the oldest finished runs beyond the job's
``max_retained_pipeline_runs`` are deleted (record, folder, snapshot), and a one-off job whose runs
have all ended gets its final status.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import shutil
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..engine import Engine, EventBus, RunRequest
from ..engine.cache import forget_runs
from ..engine.states import FINISHED_STATUSES, UNFINISHED_STATUSES
from ..errors import OrchestError
from ..runs.request import prepare_run
from ..store.jobs import JobStore
from ..store.stores import RunStores
from . import grid as grids
from .schedule import Clock, iso

log = logging.getLogger(__name__)


def job_dir(job: dict[str, Any]) -> Path:
    """The job's folder (its snapshot, its runs' folders): where its snapshot was made, outside the
    project (engine/folders.py), or inside its ``.orchest/jobs/`` for jobs made before."""
    return Path(job["snapshot_dir"]).parent


@dataclass
class Queued:
    store: JobStore
    job_uuid: str
    index: int
    fire: int
    parameters: dict


@dataclass
class JobState:
    """What the dispatcher keeps in memory about a job with runs in flight."""

    request: RunRequest | None = None  # the base request of its runs (its snapshot's pipeline)
    env: dict[str, str] = field(default_factory=dict)
    fires: Counter = field(default_factory=Counter)  # unfinished runs per fire
    running: dict[str, Queued] = field(default_factory=dict)  # by run uuid
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)  # retention


class Dispatcher:
    def __init__(self, engine: Engine, bus: EventBus, runs: RunStores, clock: Clock, max_concurrent: int = 4,
                 snapshot_size_limit: int | None = None):
        self.engine = engine
        self.bus = bus
        self.run_stores = runs
        self.clock = clock
        self.max_concurrent = max(1, max_concurrent)
        self.snapshot_size_limit = snapshot_size_limit
        self._queue: list[Queued] = []
        self._jobs: dict[str, JobState] = {}
        self._watchers: set[asyncio.Task] = set()
        self._finished: dict[str, asyncio.Event] = {}
        self.stopping = False

    def now(self) -> str:
        return iso(self.clock.now())

    def publish_run(self, job_uuid: str, index: int, status: str, run_uuid: str | None = None) -> None:
        self.bus.publish("job-run", job_uuid=job_uuid, index=index, status=status, run_uuid=run_uuid)

    # --- in-memory state -------------------------------------------------------------------------------

    def busy(self, job_uuid: str) -> bool:
        """Whether the job has runs queued or running here."""
        state = self._jobs.get(job_uuid)
        return bool(state and sum(state.fires.values()))

    def running_count(self) -> int:
        return sum(len(s.running) for s in self._jobs.values())

    def forget(self, job_uuid: str) -> None:
        """Drop the job's cached run request (its settings changed)."""
        state = self._jobs.get(job_uuid)
        if state is not None:
            state.request = None

    def discard(self, job_uuid: str) -> None:
        self._jobs.pop(job_uuid, None)
        self._finished.pop(job_uuid, None)

    def finished_event(self, job_uuid: str) -> asyncio.Event:
        return self._finished.setdefault(job_uuid, asyncio.Event())

    # --- fires -------------------------------------------------------------------------------------------

    def fire(self, store: JobStore, job: dict[str, Any], *, scheduled: str | None, next_fire: str | None,
             message: str, statuses=("PENDING", "STARTED"), status: str = "STARTED", kind: str = "fire",
             **fields: Any) -> list[dict] | None:
        """Make the runs of one fire (recorded before any starts); None when the fire was refused
        (already fired for that time, overlap policy skip, or the job's status changed)."""
        now = self.now()
        if self.busy(job["uuid"]) and job["overlap"] == "skip" and scheduled is not None:
            store.skip_fire(job["uuid"], scheduled=scheduled, statuses=statuses, now=now, next_fire=next_fire,
                            updated=now, history=("skipped", f"{message}: skipped, the previous runs are still "
                                                  "running (overlap policy: skip)."))
            return None
        combos = grids.selected(job["parameters"], job["deselected"])
        rows = store.record_fire(job["uuid"], scheduled=scheduled, statuses=statuses, now=now, runs=combos,
                                 history=(kind, f"{message}: {len(combos)} run{'s' if len(combos) != 1 else ''}."),
                                 next_fire=next_fire, status=status, updated=now, **fields)
        if rows is None:
            log.info("job %s: fire for %s refused (fired already, or the job changed)", job["uuid"], scheduled)
            return None
        self.enqueue(store, job["uuid"], rows)
        # For what follows a job's fires (notifications): one event per fire, once it is recorded.
        self.bus.publish("job-fired", job_uuid=job["uuid"], fire=rows[0]["fire"] if rows else None,
                         runs=len(rows), scheduled=scheduled)
        return rows

    def enqueue(self, store: JobStore, job_uuid: str, rows: list[dict]) -> None:
        state = self._jobs.setdefault(job_uuid, JobState())
        for row in rows:
            self._queue.append(Queued(store, job_uuid, row["index"], row["fire"], row["parameters"]))
            state.fires[row["fire"]] += 1
            self.publish_run(job_uuid, row["index"], "PENDING")
        self.dispatch()

    def dispatch(self) -> None:
        while not self.stopping and self.running_count() < self.max_concurrent:
            item = self._next()
            if item is None:
                return
            self._queue.remove(item)
            self._start(item)

    def _next(self) -> Queued | None:
        for item in self._queue:
            fires = self._jobs[item.job_uuid].fires
            if item.fire == min(f for f, n in fires.items() if n):
                return item
        return None

    def _request(self, item: Queued, state: JobState) -> RunRequest:
        if state.request is None:
            job = item.store.get_job(item.job_uuid)
            self.engine.folders.claim(Path(job["project_dir"]))  # a job made before folders said whose they are
            folder = job_dir(job)
            snapshot = folder / "snapshot"
            base = prepare_run(snapshot / job["pipeline_file"], interactive=False, boundary=snapshot,
                               snapshot_size_limit=self.snapshot_size_limit)
            state.request = dataclasses.replace(
                base, pipeline_path=Path(job["project_dir"]) / job["pipeline_file"],
                project_dir=Path(job["project_dir"]), snapshot_source=snapshot, runs_dir=folder / "runs",
                cache=bool(job.get("cache")))  # else only when the pipeline's settings ask for it
            state.env = dict(job["env_variables"] or {})
        return state.request

    def _start(self, item: Queued) -> None:
        state = self._jobs[item.job_uuid]
        try:
            base = self._request(item, state)
        except OrchestError as exc:  # the job's snapshot was damaged after it was made
            self._ended(item, "FAILURE", error=f"{exc.message} (in the job's snapshot)")
            return
        try:
            choice = self.engine.choose_backend(base)
        except OrchestError as exc:  # e.g. the backend asked for cannot be used any more
            self._ended(item, "FAILURE", error=exc.message)
            return
        # Claimed in the database first: a run queued twice (by two processes) starts once.
        if not item.store.claim_run(item.job_uuid, item.index, started=self.now()):
            state.fires[item.fire] -= 1
            return
        parameters = {owner: values for owner, values in item.parameters.items() if values}
        request = dataclasses.replace(base, parameters=parameters, env=dict(state.env),
                                      labels={"job_uuid": item.job_uuid, "job_run_index": item.index})
        run = self.engine.start(request, choice)
        state.running[run.uuid] = item
        item.store.set_runs(item.job_uuid, [item.index], run_uuid=run.uuid)
        self.publish_run(item.job_uuid, item.index, "STARTED", run.uuid)
        self.watch(item, run.uuid)

    def watch(self, item: Queued, run_uuid: str, count: bool = False) -> None:
        """Follow a run of this process's engine to its end (``count``: a run not counted yet, as
        when a restored job finds its run still running)."""
        state = self._jobs.setdefault(item.job_uuid, JobState())
        if count:
            state.fires[item.fire] += 1
        state.running[run_uuid] = item
        task = asyncio.ensure_future(self._watch(item, run_uuid))
        self._watchers.add(task)
        task.add_done_callback(self._watchers.discard)

    async def _watch(self, item: Queued, run_uuid: str) -> None:
        run = self.engine.runs.get(run_uuid)
        try:
            await self.engine.wait(run_uuid)
        except asyncio.CancelledError:
            task = asyncio.current_task()
            if task is not None and getattr(task, "cancelling", lambda: 0)():
                raise  # this watcher is being cancelled
        status = run.status.value if run is not None else "FAILURE"
        if status in ("PENDING", "STARTED"):  # the run's task was cancelled before it began
            status = "ABORTED"
        self._jobs[item.job_uuid].running.pop(run_uuid, None)
        self._ended(item, status, run_uuid=run_uuid)

    def _ended(self, item: Queued, status: str, run_uuid: str | None = None, error: str | None = None) -> None:
        if self.stopping and status == "ABORTED":
            error = "The server stopped during this run."
        item.store.set_runs(item.job_uuid, [item.index], status=status, finished=self.now(), error=error)
        self.publish_run(item.job_uuid, item.index, status, run_uuid)
        state = self._jobs[item.job_uuid]
        state.fires[item.fire] -= 1
        asyncio.get_running_loop().call_soon(self.dispatch)  # not recursively: many quick failures in a row
        if not self.stopping:
            task = asyncio.ensure_future(self._after_run(item.store, item.job_uuid))
            self._watchers.add(task)
            task.add_done_callback(self._watchers.discard)

    async def _after_run(self, store: JobStore, job_uuid: str) -> None:
        try:
            await self.retain(store, job_uuid)
            if not self.busy(job_uuid):
                self.maybe_finish(store, job_uuid)
        except Exception:
            log.exception("job %s: after a run ended", job_uuid)

    # --- endings -------------------------------------------------------------------------------------------

    def maybe_finish(self, store: JobStore, job_uuid: str) -> bool:
        """A started one-off job whose runs have all ended gets SUCCESS (all succeeded) or FAILURE."""
        job = store.get_job(job_uuid)
        if job is None or job["status"] != "STARTED" or job["schedule"].get("kind") == "cron" or job["next_fire"]:
            return False
        runs = store.job_runs(job_uuid)
        if any(r["status"] in UNFINISHED_STATUSES for r in runs):
            return False
        failed = sum(r["status"] != "SUCCESS" for r in runs)
        status = "FAILURE" if failed else "SUCCESS"
        now = self.now()
        message = f"{failed} of {len(runs)} runs did not succeed." if failed else "Every run succeeded."
        if store.update_job(job_uuid, statuses=["STARTED"], status=status, finished=now, updated=now,
                            history=(now, "finished", message)):
            self.bus.publish("job-ended", job_uuid=job_uuid, status=status)  # once: the update above is a compare-and-set
            self.announce(store, job_uuid)
            self._jobs.pop(job_uuid, None)
        return True

    def announce(self, store: JobStore, job_uuid: str) -> None:
        job = store.get_job(job_uuid)
        if job is not None:
            self.bus.publish("job", job_uuid=job_uuid, status=job["status"], next_fire=job["next_fire"],
                             last_fired=job["last_fired"], fire_count=job["fire_count"], run_count=job["run_count"])
            if job["status"] in FINISHED_STATUSES:
                self.finished_event(job_uuid).set()

    def cancel(self, store: JobStore, job_uuid: str) -> int:
        """Drop the job's queued runs (ABORTED) and cancel its running ones; returns how many."""
        dropped = [q for q in self._queue if q.job_uuid == job_uuid]
        self._queue = [q for q in self._queue if q.job_uuid != job_uuid]
        state = self._jobs.get(job_uuid)
        if dropped:
            store.set_runs(job_uuid, [q.index for q in dropped], only_unfinished=True, status="ABORTED",
                           finished=self.now(), error="The job was cancelled before this run started.")
            for q in dropped:
                state.fires[q.fire] -= 1
                self.publish_run(job_uuid, q.index, "ABORTED")
        running = list(state.running) if state else []
        for run_uuid in running:
            self.engine.cancel(run_uuid)
        return len(dropped) + len(running)

    async def wait_idle(self, job_uuid: str) -> None:
        """Until the job has no runs running here (after a cancel)."""
        while (state := self._jobs.get(job_uuid)) is not None and state.running and self._watchers:
            await asyncio.wait(list(self._watchers), timeout=1.0, return_when=asyncio.FIRST_COMPLETED)

    async def stop(self) -> None:
        """Server shutdown: start nothing more, cancel the runs in flight and record them ABORTED
        (queued runs stay PENDING in the database and start after the next server start)."""
        self.stopping = True
        for state in self._jobs.values():
            for run_uuid in list(state.running):
                self.engine.cancel(run_uuid)
        while self._watchers:
            await asyncio.gather(*list(self._watchers), return_exceptions=True)

    # --- retention ------------------------------------------------------------------------------------------

    async def retain(self, store: JobStore, job_uuid: str) -> None:
        state = self._jobs.get(job_uuid)
        lock = state.lock if state else asyncio.Lock()
        async with lock:
            job = store.get_job(job_uuid)
            keep = job and job["max_retained_runs"]
            if not keep:
                return
            finished = [r for r in store.job_runs(job_uuid, statuses=FINISHED_STATUSES)]
            victims = finished[:max(0, len(finished) - keep)]
            if victims:
                await asyncio.to_thread(self._delete_runs, store, job, victims)
                for run in victims:
                    self.bus.publish("job-run-deleted", job_uuid=job_uuid, index=run["index"], run_uuid=run["run_uuid"])

    def delete_runs(self, store: JobStore, job: dict[str, Any], runs: list[dict]) -> None:
        self._delete_runs(store, job, runs)

    def _delete_runs(self, store: JobStore, job: dict[str, Any], runs: list[dict]) -> None:
        """Delete runs' records and folders (in a thread: the run store's writer is flushed first, so
        that no late event re-creates a record)."""
        self.run_stores.flush()
        for run in runs:
            if run["run_uuid"]:
                store.runs.delete_run(run["run_uuid"])
                with contextlib.suppress(FileNotFoundError):
                    shutil.rmtree(job_dir(job) / "runs" / run["run_uuid"])
        forget_runs(Path(job["project_dir"]), {r["run_uuid"] for r in runs if r["run_uuid"]})  # their cache entries
        store.delete_job_runs(job["uuid"], [r["index"] for r in runs])
