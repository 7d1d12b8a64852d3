"""The server's side of the dask backend: the client (to a scheduler, or to a LocalCluster started
for this process and stopped with it), a step submitted as a task with its incoming steps' results
as dependencies (so outputs pass between workers, not through the server), its log as it runs,
cancel, lost workers and a scheduler that stops answering.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import pickle
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ...engine.context import StepContext, data_dir, project_uuid
from ...engine.runners import StepFailed
from ...engine.steplog import StepLog
from ...pipelines.policy import step_resources
from . import outputs, worker
from .resources import environment_properties, no_worker_for, shown
from .tars import Tars, settled
from .unpacked import Unpacked

CONNECT_TIMEOUT = 10  # seconds to reach the scheduler
SCHEDULER_GRACE = 10  # seconds the scheduler may be unreachable while a step runs
LOG_GRACE = 3  # seconds to wait for the last output of a finished step
END_BATCH = 0.5  # seconds: the runs ended meanwhile are told to their workers in one call


@dataclass
class _Attempts:
    log: StepLog
    attempt: str = field(default_factory=lambda: uuid.uuid4().hex)  # this attempt of the step's: what a cancel names
    workers: list[str] = field(default_factory=list)  # where the step started, in order
    ended: asyncio.Event = field(default_factory=asyncio.Event)
    summary: dict[str, Any] | None = None  # the last attempt's, when its end event carried it
    result: dict[str, Any] | None = None  # the last attempt's whole result, when its end event carried it
    wake: asyncio.Event = field(default_factory=asyncio.Event)  # the end event, or the task's end, came

    def reply(self, full: bool) -> dict[str, Any] | None:
        """What the end event brought: the whole result, or (not ``full``) at least the summary."""
        if self.result is not None:
            return self.result
        return None if full else self.summary


@dataclass
class _Run:
    results: dict[str, Any] = field(default_factory=dict)  # step uuid -> its task's future (COMPUTED only)
    projects: dict[str, Any] = field(default_factory=dict)  # content hash -> the project tar's future
    document: dict[str, Any] | None = None  # the run's pipeline document
    pipeline_text: str | None = None  # and its file's text
    environments: dict[str, dict] = field(default_factory=dict)  # uuid -> its properties (resources)
    packed: tuple | None = None  # (the project's listing, its hash, its manifest) when last packed
    listed: float = 0.0  # when that listing began (monotonic)
    packing: asyncio.Lock = field(default_factory=asyncio.Lock)  # steps starting together pack once
    written: bool = False  # the server wrote into a snapshot run's project since it was packed
    platform: str | None = None  # what the workers run steps on (the step cache's key)
    workers: set[str] = field(default_factory=set)  # where its steps started (they keep its working copies)


class DaskBackend:
    name = "dask"

    def __init__(self, address: str | None, retries: int = 1, local_workers: int | None = None,
                 containers: dict[str, Any] | None = None, outputs_url: str | None = None):
        self.address = address
        self.containers = containers  # steps' containers on workers (containers.options); None: on their hosts
        self._runtimes: dict[tuple[str, str], dict[str, str]] = {}  # (run, step) -> runtime (and image)
        self.outputs_url = outputs_url or None  # an fsspec URL: outputs kept there, not in the cluster
        self.retries = retries
        self.local_workers = local_workers
        self._where: dict[tuple[str, str], str] = {}  # (run, step) -> the worker that ran it
        self._client = None
        self._cluster = None
        self._lock = asyncio.Lock()
        self._runs: dict[str, _Run] = {}
        self._steps: dict[tuple[str, str], _Attempts] = {}
        self._dashboard: tuple[str, int] | None = None  # the scheduler's HTTP server (host, port)
        self._unpacked = Unpacked()  # which workers have a small project's content (its tar not sent again)
        self._ended: list[str] = []  # runs ended, their workers not yet told (END_BATCH)
        self._ended_on: set[str] = set()  # the workers that ran their steps
        self._ending: asyncio.TimerHandle | None = None
        self._background: set[asyncio.Future] = set()  # replications, runs' ends under way (kept from the GC)
        self._tars = Tars(self._background)  # the runs' project tars (a job's runs share one)

    async def client(self):
        async with self._lock:
            if self._client is not None and self._client.status == "running":
                return self._client
            from distributed import Client, LocalCluster

            if self._client is not None:
                with contextlib.suppress(Exception):
                    await self._client.close()
            address = self.address
            if not address:
                if self._cluster is None:
                    self._cluster = await LocalCluster(asynchronous=True, processes=True, n_workers=self.local_workers,
                                                       dashboard_address=None)
                address = self._cluster.scheduler_address
            try:
                self._client = await Client(address, asynchronous=True, timeout=CONNECT_TIMEOUT)
            except (OSError, asyncio.TimeoutError) as exc:
                self._client = None
                raise StepFailed(f"The Dask scheduler at {address} does not answer ({exc}).") from None
            self._client.subscribe_topic(worker.LOG_TOPIC, self._on_event)
            return self._client

    def _on_event(self, event) -> None:
        _, message = event
        attempts = self._steps.get((message["run"], message["step"]))
        if attempts is None or message["attempt"] != attempts.attempt:  # none, or a late one of a stopped attempt
            return
        if message["kind"] == "output":
            attempts.log.write(message["text"])
            return
        if message["kind"] == "start" or message.get("start"):  # a quick step's start comes with its end
            if attempts.workers:
                attempts.log.note(f"The worker {attempts.workers[-1]} was lost while running this step; "
                                  f"it runs again on {message['worker']}.")
            attempts.workers.append(message["worker"])
        if message["kind"] == "end":
            attempts.log.write(message.get("text") or "")  # its last output
            attempts.summary, attempts.result = message.get("summary"), message.get("result")
            attempts.ended.set()
            attempts.wake.set()

    def _spec(self, ctx: StepContext, project_hash: str, manifest: dict[str, str]) -> dict[str, Any]:
        return {
            "run_uuid": ctx.run_uuid, "step_uuid": ctx.step_uuid, "title": ctx.title, "kernel_name": ctx.kernel_name,
            "file": str(ctx.file.relative_to(ctx.project_dir)),
            "pipeline": str(ctx.pipeline_path.relative_to(ctx.project_dir)), "pipeline_uuid": ctx.pipeline_uuid,
            "data_dir": str(data_dir(Path(), ctx.pipeline_uuid)), "parameters": ctx.parameter_overrides,
            "env": ctx.extra_env, "environment": ctx.environment, "interactive": ctx.interactive,
            "source_project_dir": str(ctx.source_project_dir or ctx.project_dir),
            "project_hash": project_hash, "manifest": manifest if ctx.interactive else {},
            "pipeline_text": None if ctx.interactive else self._runs[ctx.run_uuid].pipeline_text,
            "containers": self.containers,
            "outputs_url": outputs.run_url(self.outputs_url, project_uuid(ctx.source_project_dir or ctx.project_dir),
                                           ctx.run_uuid, ctx.step_uuid) if self.outputs_url else None,
        }

    async def run_step(self, ctx: StepContext, log_: StepLog) -> None:
        client = await self.client()
        run = self._runs.setdefault(ctx.run_uuid, _Run())
        if run.document is None:
            run.pipeline_text = await asyncio.to_thread(ctx.pipeline_path.read_text, encoding="utf-8")
            run.document = json.loads(run.pipeline_text)
        definition = run.document["steps"][ctx.step_uuid]
        incoming = definition.get("incoming_connections", [])
        inputs = {u: run.results[u] for u in incoming if u in run.results}
        data = str(data_dir(Path(), ctx.pipeline_uuid))
        # Outputs of steps that did not run in this run (a selection run) come from the project.
        earlier = [u for u in incoming if u not in run.results]
        if earlier:
            found = await asyncio.to_thread(outputs.earlier_outputs, ctx.project_dir / data, earlier)
            inputs.update({u: {"outputs": outputs} for u, outputs in found.items()})
        # A snapshot's pipeline file (its run's parameters written in) goes with each step, not in the
        # tar: the runs of a job then share one tar, packed once, unpacked once per worker.
        project_hash, manifest = await self._tars.project(
            client, run, ctx.project_dir, data, fixed=not ctx.interactive,
            leave_out=None if ctx.interactive else ctx.pipeline_path.relative_to(ctx.project_dir).as_posix())
        if ctx.environment and ctx.environment not in run.environments:
            run.environments[ctx.environment] = await asyncio.to_thread(environment_properties, ctx.project_dir,
                                                                        ctx.environment)
        resources = step_resources(definition, run.environments.get(ctx.environment or ""))
        if resources:  # a step no worker can take would wait for ever
            problem = no_worker_for(resources, (await client.scheduler.identity())["workers"])
            if problem:
                raise StepFailed(problem)
            log_.note(f"Needs {shown(resources)} of a worker.")
        key = (ctx.run_uuid, ctx.step_uuid)
        attempts = self._steps[key] = _Attempts(log_)
        spec = {**self._spec(ctx, project_hash, manifest), "attempt": attempts.attempt}
        tar = run.projects[project_hash]
        if isinstance(tar, bytes) and self._unpacked.everywhere(client, project_hash):
            tar = None  # every worker has it unpacked (one that has not asks for it: sent again)
        # The spec as one bytes object: Dask sizes and serializes a task's nested arguments in Python on
        # the server and the scheduler, bytes at once.
        spec_bytes = pickle.dumps(spec, protocol=5)
        try:
            while True:
                future = client.submit(worker.run_step, spec_bytes, tar, inputs, pure=False, resources=resources or None,
                                       key=f"orchest-step-{ctx.step_uuid}-{uuid.uuid4().hex}")
                try:
                    # The outputs come back for an interactive run (into the project) and for the step cache's entry.
                    result = await self._wait(client, future, attempts, full=ctx.interactive or ctx.cache)
                    break
                except worker.ProjectMissing as missing:
                    self._unpacked.discard(project_hash, str(missing))
                    if tar is not None:
                        raise StepFailed(f"The worker {missing} lost the project sent with this step.") from None
                    tar = run.projects[project_hash]
        except BaseException:
            await self._stop(client, future, ctx, attempts)
            raise
        finally:
            self._steps.pop(key, None)
            run.workers.update(attempts.workers)
            if attempts.workers:
                self._where[key] = attempts.workers[-1]
        self._where[key] = result["worker"]
        if isinstance(run.projects[project_hash], bytes):
            self._unpacked.add(project_hash, result["worker"])
        self._runtimes[key] = {k: result[k] for k in ("runtime", "image") if result.get(k)}
        if result["notebook"] is not None:  # into the project or the snapshot, and the run's copy
            from ...engine.runners.notebook import write_executed

            await asyncio.to_thread(write_executed, ctx, result["notebook"])
            run.written = True
        if result["failed"]:
            raise StepFailed(result["failed"])
        run.results[ctx.step_uuid] = future
        if ctx.interactive or ctx.cache:  # later interactive runs (and the cache's entry) read it in the project
            await asyncio.to_thread(outputs.write_back, ctx.project_dir, data, result, result["files"] if ctx.interactive else {})

    async def _wait(self, client, future, attempts: _Attempts, full: bool) -> dict[str, Any]:
        """The step's result once its task ended (``full``: with its outputs, else its summary);
        StepFailed for a lost worker or scheduler."""
        watching = asyncio.ensure_future(_woken(future, attempts.wake))
        try:
            return await self._waited(client, future, attempts, full)
        finally:
            watching.cancel()

    async def _waited(self, client, future, attempts: _Attempts, full: bool) -> dict[str, Any]:
        address = client.scheduler.address
        unreachable_since = None
        while True:
            # The end event carries what the server needs: no wait for the task's end to come through
            # the scheduler (the next step depends on the task, not on the server having seen it end).
            if attempts.ended.is_set() and (reply := attempts.reply(full)) is not None:
                return reply
            if future.done():
                break
            attempts.wake.clear()
            timer = asyncio.get_running_loop().call_later(1, attempts.wake.set)  # a look every second
            try:  # (a timer, not wait_for: that makes a task for every wait)
                await attempts.wake.wait()
            finally:
                timer.cancel()
            if len(attempts.workers) > self.retries + 1:
                raise StepFailed(f"worker lost: the step was started {len(attempts.workers)} times "
                                 f"({', '.join(attempts.workers)}), more than the {self.retries} retries allowed.")
            if client.status == "running" and client.scheduler_comm is not None:
                unreachable_since = None
            elif unreachable_since is None:
                unreachable_since = time.monotonic()
            elif time.monotonic() - unreachable_since > SCHEDULER_GRACE:
                break
        if future.status == "finished":
            with contextlib.suppress(asyncio.TimeoutError):  # its last output, sent before the result
                await asyncio.wait_for(attempts.ended.wait(), LOG_GRACE)
            if (reply := attempts.reply(full)) is not None:
                return reply
            with contextlib.suppress(Exception):
                return await (future if full else client.submit(worker.summary, future, pure=False))
            if future.status == "finished":
                return await future
        if future.status == "error":
            exc = await future.exception()
            if isinstance(exc, worker.ProjectMissing):
                raise exc
            if type(exc).__name__ == "KilledWorker":
                raise StepFailed(f"worker lost: the workers that ran this step ({', '.join(attempts.workers)}) "
                                 "were lost.")
            raise StepFailed(f"The step's task failed on the cluster: {type(exc).__name__}: {exc}")
        raise StepFailed(f"The Dask scheduler at {address} stopped answering while this step ran; its result "
                         "is lost.")

    async def _stop(self, client, future, ctx: StepContext, attempts: _Attempts) -> None:
        """The step's task is cancelled and, where it runs, its process group killed."""
        with contextlib.suppress(Exception):
            if client.status == "running":  # where it started; else (its start not told yet) every worker
                await asyncio.wait_for(client.run(worker.cancel_step, attempts.attempt,
                                                  workers=attempts.workers[-1:] or None), 10)
        with contextlib.suppress(Exception):
            await asyncio.wait_for(future.cancel(), 5)

    async def cluster(self) -> dict[str, Any]:
        """The cluster as the sidebar shows it (StepFailed when its scheduler does not answer)."""
        client = await self.client()
        info = await asyncio.wait_for(client.scheduler.identity(), CONNECT_TIMEOUT)
        port = (info.get("services") or {}).get("dashboard")
        self._dashboard = (urlsplit(client.scheduler.address).hostname or "127.0.0.1", int(port)) if port else None
        workers = [{
            "address": address, "name": str(worker_.get("name", address)), "status": worker_.get("status", "running"),
            "threads": worker_.get("nthreads"), "memory": worker_.get("memory_limit"),
            "resources": worker_.get("resources") or {},
            "executing": ((worker_.get("metrics") or {}).get("task_counts") or {}).get("executing", 0),
        } for address, worker_ in sorted(info.get("workers", {}).items())]
        return {"scheduler": client.scheduler.address, "local": self._cluster is not None,
                "dashboard": self._dashboard is not None, "workers": workers}

    async def dashboard(self) -> tuple[str, int] | None:
        """Where the scheduler's dashboard listens (None: it serves none)."""
        if self._dashboard is None:
            await self.cluster()
        return self._dashboard

    async def cache_platform(self, ctx: StepContext) -> str:
        """What the step runs on, for its key in the step cache: the workers' interpreters and
        platforms (asked once per run: a worker that joins later with another Python is not seen)."""
        run = self._runs.setdefault(ctx.run_uuid, _Run())
        if run.platform is None:
            client = await self.client()
            found = await asyncio.wait_for(client.run(worker.platform), CONNECT_TIMEOUT)
            run.platform = "dask " + " | ".join(sorted(set(found.values())))
        if not ctx.environment or not self.containers or self.containers.get("mode") == "host":
            return run.platform
        # It may run in its environment's image on a worker: the image's recipe is in its key too
        # (a base image changed on a worker is not seen: docs/cache.md).
        from ...environments.files import read_environment
        from ...environments.images import source_hash

        try:
            env = await asyncio.to_thread(read_environment, ctx.source_project_dir or ctx.project_dir, ctx.environment)
        except Exception as exc:  # the step says so when it runs; this key never gets an entry
            return f"{run.platform} | environment {ctx.environment} unreadable: {exc}"
        return f"{run.platform} | image recipe {source_hash(env.base_image, env.setup_script, env.language)}"

    def worker_of(self, run_uuid: str, step_uuid: str) -> str | None:
        return self._where.pop((run_uuid, step_uuid), None)

    def runtime_of(self, run_uuid: str, step_uuid: str) -> dict[str, str]:
        """Where on its worker the step ran: ``runtime`` docker (with its ``image``) or host."""
        return self._runtimes.pop((run_uuid, step_uuid), {})

    def run_ended(self, run_uuid: str) -> None:
        """The run's results and project leave the cluster, its working copies the workers that ran
        its steps (in the background: nothing waits for it)."""
        run = self._runs.pop(run_uuid, None)
        if run is None:
            return
        for future in run.results.values():
            future.release()
        self._tars.release(run.projects)
        if run.workers:  # told in batches: a grid job's runs end many a second
            self._ended.append(run_uuid)
            self._ended_on.update(run.workers)
            if self._ending is None:
                self._ending = asyncio.get_running_loop().call_later(END_BATCH, self._end_runs)

    def _end_runs(self) -> None:
        """The runs ended since the last call, told to the workers that ran their steps."""
        self._ending = None
        runs, workers, self._ended, self._ended_on = self._ended, self._ended_on, [], set()
        client = self._client
        if runs and client is not None and client.status == "running":
            ending = asyncio.ensure_future(client.run(worker.end_runs, runs, workers=sorted(workers), on_error="ignore"))
            self._background.add(ending)
            ending.add_done_callback(settled(self._background))

    async def close(self) -> None:
        for run_uuid in list(self._runs):
            self.run_ended(run_uuid)
        self._unpacked.close()
        if self._ending is not None:
            self._ending.cancel()
            self._end_runs()
        if self._background:  # runs' ends on their workers, before the client goes
            await asyncio.wait(list(self._background), timeout=5)
        if self._client is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._client.close(), 10)
            self._client = None
        if self._cluster is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._cluster.close(), 20)
            self._cluster = None


async def _woken(future, wake: asyncio.Event) -> None:
    """``wake`` set when the task ends (its state's event, on this loop: Future.add_done_callback
    would call back through a thread of its own for each step)."""
    state = getattr(future, "_state", None)
    if state is None or not hasattr(state, "wait"):  # another version of distributed: its public way
        loop = asyncio.get_running_loop()
        future.add_done_callback(lambda _: loop.call_soon_threadsafe(wake.set))
        return
    while future.status == "pending":
        await state.wait()
    wake.set()
