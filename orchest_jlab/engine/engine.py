"""The run engine: executes a run's steps in dependency order, in parallel where it can.

Every change of state goes out on the event bus; the store and the websocket listen there.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import dataclasses
import logging
import time
import uuid as uuidlib
from collections.abc import Callable
from pathlib import Path

from ..errors import BadRequest
from ..pipelines import dumps, graph_of, induced_subgraph, step_policy, write_pipeline
from ..pipelines.cache import pipeline_caches
from ..pipelines.gitignore import ensure_gitignore
from ..pipelines.policy import format_seconds
from . import outputs
from .attached import Attachment, RunServices, ServicesFailed
from .backend import Backend, BackendChoice, BackendChooser, OneBackend
from .cached import NOT_CACHEABLE, InFlight, RunCache
from .context import StepContext, data_dir
from .disk import disk_problem
from .events import EventBus
from .folders import ProjectFolders
from .run import RECORDED_PIPELINE, Run, RunRequest, StepRun, now
from .runners import StepFailed
from .snapshots import make_snapshot
from .states import RunStatus, StepState
from .steplog import StepLog, keep_attempt_log

log = logging.getLogger(__name__)


class Engine:
    def __init__(self, bus: EventBus, backends: BackendChooser | Backend, max_parallel_steps: int | None = None,
                 folders: ProjectFolders | None = None):
        """``backends``: what chooses each run's backend, or the one backend of every run.
        ``max_parallel_steps``: at most this many steps of a run at once, whatever its pipeline says
        (None: the pipeline's ``max_steps_parallelism`` alone decides; 0 there means no limit).
        ``folders``: where the runs' folders are (default: under Jupyter's data folder)."""
        self.bus = bus
        self.folders = folders or ProjectFolders()
        self.max_parallel_steps = max_parallel_steps
        self.backends: BackendChooser = OneBackend(backends) if hasattr(backends, "run_step") else backends
        self.runs: dict[str, Run] = {}  # runs of this process that have not finished
        self.services: RunServices | None = None  # the pipelines' services (None: runs have none)
        # Gives a starting run its number from the run's record (the stores' next_number); None: none.
        self.numbers: Callable[[dict], int | None] | None = None
        self._tasks: dict[str, asyncio.Task] = {}
        self._in_flight = InFlight()  # the step cache's keys being computed by runs of this engine

    # --- public API ------------------------------------------------------------------------------

    def choose_backend(self, request: RunRequest) -> BackendChoice:
        """The backend the run would get (BadRequest when the one it asks for cannot be used, or
        when that backend refuses the run, e.g. steps that need what it cannot give here, or cannot
        run the pipeline's services)."""
        choice = self.backends.choose_for(request.project_dir, request.environments(), request.backend)
        refusal = getattr(self.backends.instance(choice.name), "refusal", None)
        problem = refusal(request) if refusal is not None else None
        if problem:
            raise BadRequest(problem)
        if self.services is not None:
            self.services.check(request, choice)
        return choice

    def start(self, request: RunRequest, choice: BackendChoice | None = None) -> Run:
        """Create the run and start executing it in the background (on ``choice``, else on the
        backend chosen now)."""
        choice = choice or self.choose_backend(request)
        if request.runs_dir is None:
            self.folders.claim(request.project_dir)
            request = dataclasses.replace(request, runs_dir=self.folders.runs(request.project_dir))
        steps = request.pipeline["steps"]
        run = Run(
            uuid=str(uuidlib.uuid4()),
            request=request,
            backend=choice.name,
            steps={u: StepRun(u, steps[u].get("title") or u, steps[u].get("file_path", "")) for u in request.steps},
            warnings=[choice.note] if choice.note and choice.warning else [],
            cache=request.cache or pipeline_caches(request.pipeline),
        )
        run.runner = self.backends.instance(choice.name)
        if run.cache and getattr(run.runner, "cache_platform", None) is None:
            run.warnings.append(NOT_CACHEABLE.format(backend=choice.name))
        if self.numbers is not None:
            run.number = self.numbers(run.to_json())
        self.runs[run.uuid] = run
        self.bus.publish("run-created", run_uuid=run.uuid, run=run.to_json())
        task = asyncio.ensure_future(self._execute(run))
        task.add_done_callback(lambda _: self._cancelled_before_start(run))
        self._tasks[run.uuid] = task
        return run

    async def wait(self, run_uuid: str) -> None:
        task = self._tasks.get(run_uuid)
        if task is not None:
            await asyncio.shield(task)

    def cancel(self, run_uuid: str) -> bool:
        """Cancel a run of this process; False when it is not running here."""
        task = self._tasks.get(run_uuid)
        if task is None or task.done():
            return False
        task.cancel()
        return True

    def active_interactive_run(self, pipeline_path: Path) -> Run | None:
        for run in self.runs.values():
            if run.request.interactive and run.request.pipeline_path == pipeline_path:
                return run
        return None

    async def shutdown(self) -> None:
        for run_uuid in list(self._tasks):
            self.cancel(run_uuid)
        for task in list(self._tasks.values()):
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        await self.backends.close()

    # --- execution --------------------------------------------------------------------------------

    def _set_run(self, run: Run, status: RunStatus, **fields) -> None:
        run.status = status
        for key, value in fields.items():
            setattr(run, key, value)
        self.bus.publish("run", run_uuid=run.uuid, status=status.value, started=run.started,
                         finished=run.finished, error=run.error, warnings=run.warnings,
                         snapshot_dir=str(run.workdir) if run.workdir else None)

    def _set_step(self, run: Run, step: StepRun, state: StepState, **fields) -> None:
        step.state = state
        for key, value in fields.items():
            setattr(step, key, value)
        self.bus.publish("step", run_uuid=run.uuid, step_uuid=step.uuid, state=state.value,
                         started=step.started, finished=step.finished, error=step.error,
                         log_path=step.log_path, attempts=step.attempts,
                         cache_key=step.cache_key, cached_from=step.cached_from,
                         **{k: v for k in ("worker", "runtime", "image") if (v := getattr(step, k))})

    async def _execute(self, run: Run) -> None:
        request = run.request
        try:
            self._set_run(run, RunStatus.STARTED, started=now())
            project_dir, pipeline_path = request.project_dir, request.pipeline_path
            if request.interactive:
                await asyncio.to_thread(self._record_pipeline, run)
            else:
                project_dir, pipeline_path, warnings = await asyncio.to_thread(self._prepare_snapshot, run)
                self._set_run(run, RunStatus.STARTED, workdir=project_dir, warnings=[*run.warnings, *warnings])
            async with self._attached(run, project_dir, pipeline_path) as attachment:
                await self._run_steps(run, project_dir, pipeline_path, attachment)
            failed = any(s.state != StepState.COMPUTED for s in run.steps.values())
            self._set_run(run, RunStatus.FAILURE if failed else RunStatus.SUCCESS, finished=now())
        except asyncio.CancelledError:
            self._abort_unfinished(run, "The run was cancelled.")
            self._set_run(run, RunStatus.ABORTED, finished=now())
        except ServicesFailed as exc:
            self._abort_unfinished(run, "Not run: the run's services did not start.")
            self._set_run(run, RunStatus.FAILURE, finished=now(), error=str(exc))
        except Exception as exc:  # a bug or an environment problem: the run fails, the server lives
            log.exception("run %s failed", run.uuid)
            self._abort_unfinished(run, "The run stopped before this step could run.")
            error = disk_problem(exc) if isinstance(exc, OSError) else str(exc)
            self._set_run(run, RunStatus.FAILURE, finished=now(), error=f"{type(exc).__name__}: {error}")
        finally:
            self.runs.pop(run.uuid, None)
            self._tasks.pop(run.uuid, None)
            run_ended = getattr(getattr(run, "runner", None), "run_ended", None)
            if run_ended is not None:  # e.g. what the run kept on a cluster is let go
                run_ended(run.uuid)

    def _cancelled_before_start(self, run: Run) -> None:
        """A task cancelled before its first step never ran ``_execute``: end the run here."""
        if self.runs.pop(run.uuid, None) is None:
            return
        self._tasks.pop(run.uuid, None)
        self._abort_unfinished(run, "The run was cancelled.")
        self._set_run(run, RunStatus.ABORTED, finished=now())

    def _abort_unfinished(self, run: Run, reason: str) -> None:
        for step in run.steps.values():
            if not step.state.finished:
                self._set_step(run, step, StepState.ABORTED, finished=now(), error=reason)

    def _prepare_snapshot(self, run: Run) -> tuple[Path, Path, list[str]]:
        """Copy the project and write the run's parameters in (in a worker thread: no events here)."""
        request = run.request
        ensure_gitignore(request.project_dir)
        snapshot = run.run_dir / "snapshot"
        relative = request.pipeline_path.relative_to(request.project_dir)
        # A job's snapshot was made respecting the .gitignore files (as Orchest, not again per run).
        warnings = make_snapshot(request.snapshot_source or request.project_dir, snapshot,
                                 request.snapshot_size_limit, exclude=self.folders.base,
                                 gitignore=request.snapshot_source is None, written=relative.as_posix())
        pipeline_path = snapshot / relative
        # Written once, not copied then replaced (a job writes one per run), and not flushed to the
        # disk: the run's own copy, of no use after a crash (the run is then failed).
        pipeline_path.parent.mkdir(parents=True, exist_ok=True)
        with open(pipeline_path, "x", encoding="utf-8", newline="\n") as file:
            file.write(dumps(_with_parameters(request.pipeline, request.parameters)))
        return snapshot, pipeline_path, warnings

    @staticmethod
    def _record_pipeline(run: Run) -> None:
        """Keep the document an interactive run runs (its files change in place afterwards), so that
        the run can be shown as it was."""
        ensure_gitignore(run.request.project_dir)
        run.run_dir.mkdir(parents=True, exist_ok=True)
        write_pipeline(run.run_dir / RECORDED_PIPELINE, _with_parameters(run.request.pipeline, run.request.parameters))

    def _attached(self, run: Run, project_dir: Path, pipeline_path: Path) -> contextlib.AbstractAsyncContextManager:
        if self.services is None:
            return contextlib.nullcontext(Attachment())
        return self.services.attach(run, project_dir, pipeline_path)

    async def _run_steps(self, run: Run, project_dir: Path, pipeline_path: Path, attachment: Attachment) -> None:
        request = run.request
        graph = induced_subgraph(graph_of(request.pipeline), request.steps)
        slots = self._step_slots(request.pipeline)
        done = {u: asyncio.Event() for u in request.steps}
        pipeline_uuid = request.pipeline["uuid"]
        outputs_dir = data_dir(project_dir, pipeline_uuid)
        overrides = request.parameters if request.interactive else None
        cache = RunCache(run, outputs_dir, self._in_flight) if run.cache else None
        if cache is not None and not cache.usable:
            cache = None

        async def step_task(step_uuid: str) -> None:
            step = run.steps[step_uuid]
            try:
                for parent in graph[step_uuid]:
                    await done[parent].wait()
                failed = [run.steps[p].title for p in graph[step_uuid] if run.steps[p].state != StepState.COMPUTED]
                if failed:
                    self._set_step(run, step, StepState.ABORTED, finished=now(),
                                   error=f"Not run: {', '.join(map(repr, failed))} did not complete.")
                    return
                async with slots:
                    await self._run_step(run, step, project_dir, pipeline_path, outputs_dir, overrides, attachment,
                                         cache)
            finally:
                done[step_uuid].set()

        tasks = [asyncio.ensure_future(step_task(u)) for u in request.steps]
        try:
            await asyncio.gather(*tasks)
        except BaseException:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            raise

    def _step_slots(self, pipeline: dict) -> contextlib.AbstractAsyncContextManager:
        """What a step holds while it runs: a slot of max_steps_parallelism (0: no limit, as in
        Orchest and the editor), within the engine's own cap."""
        limits = [self.max_parallel_steps, (pipeline.get("settings") or {}).get("max_steps_parallelism")]
        limits = [n for n in limits if isinstance(n, int) and n > 0]
        return asyncio.Semaphore(min(limits)) if limits else contextlib.nullcontext()

    async def _run_step(self, run, step, project_dir, pipeline_path, outputs_dir, overrides, attachment,
                        cache: RunCache | None = None) -> None:
        request = run.request
        definition = request.pipeline["steps"][step.uuid]
        policy = step_policy(definition)
        log_path = run.run_dir / "logs" / f"{step.uuid}.log"
        ctx = StepContext(
            run_uuid=run.uuid, step_uuid=step.uuid, title=step.title,
            file=(pipeline_path.parent / step.file_path).resolve(),
            kernel_name=(definition.get("kernel") or {}).get("name"),
            project_dir=project_dir, pipeline_path=pipeline_path, pipeline_uuid=request.pipeline["uuid"],
            log_path=log_path, parameter_overrides=overrides, environment=definition.get("environment"),
            source_project_dir=request.project_dir, extra_env={**attachment.env, **request.env},
            interactive=request.interactive, network=attachment.network, cache=cache is not None,
        )
        key = await cache.key(step, ctx) if cache is not None else None
        hit = await cache.take(step, ctx, key) if key is not None else None
        if hit is not None:  # not run: its output (and executed notebook) from the run that made the entry
            started = now()
            step_log = StepLog(log_path, self.bus, run.uuid, step.uuid)
            step_log.note(f"Not run: unchanged since run {hit.entry.run_uuid} (step cache key {key}).")
            step_log.close()
            self._set_step(run, step, StepState.COMPUTED, started=started, finished=now(), cache_key=key,
                           cached_from=hit.entry.run_uuid, log_path=str(log_path))
            return
        step.cache_key = key
        try:
            for attempt in range(1, policy.attempts + 1):
                if attempt > 1:
                    await asyncio.sleep(policy.retry_delay)
                    await asyncio.to_thread(keep_attempt_log, log_path, attempt - 1)
                if await self._attempt_step(run, step, ctx, outputs_dir, attempt, policy):
                    break
            if key is not None and step.state == StepState.COMPUTED:
                await cache.record(step, ctx)
        finally:
            if key is not None:
                cache.release(step)

    async def _attempt_step(self, run, step, ctx, outputs_dir, attempt, policy) -> bool:
        """One attempt; False when it failed and the step is to be run again."""
        outputs.clear(outputs_dir, step.uuid)
        step_log = StepLog(ctx.log_path, self.bus, run.uuid, step.uuid)
        if attempt > 1:
            step_log.note(f"Attempt {attempt} of {policy.attempts}")
        self._set_step(run, step, StepState.RUNNING, started=step.started if attempt > 1 else now(),
                       log_path=str(ctx.log_path), attempts=attempt, error=None)
        try:
            ctx.began = None
            try:
                await _watching_log(run.runner.run_step(ctx, step_log), step_log, policy.timeout, ctx)
            finally:  # a backend of several machines says which one ran the step
                worker_of = getattr(run.runner, "worker_of", None)
                step.worker = worker_of(run.uuid, step.uuid) if worker_of else None
                runtime_of = getattr(run.runner, "runtime_of", None)  # and where on it: a container or its host
                place = runtime_of(run.uuid, step.uuid) if runtime_of else {}
                step.runtime, step.image = place.get("runtime"), place.get("image")
        except _LogFailed as exc:
            message = f"The step's log could not be written: {disk_problem(exc.error)}; the step was stopped."
            run.error = run.error or f'Step "{step.title}": {message}'
            self._set_step(run, step, StepState.FAILURE, finished=now(), error=message)
        except (StepFailed, _TimedOut) as exc:
            step_log.note(str(exc))
            if attempt < policy.attempts:
                step_log.note(f"Retrying in {format_seconds(policy.retry_delay)} s "
                              f"(attempt {attempt + 1} of {policy.attempts}).")
                self._set_step(run, step, StepState.RUNNING, error=str(exc))
                return False
            error = str(exc) if policy.attempts == 1 else f"{exc} (attempt {attempt} of {policy.attempts})"
            self._set_step(run, step, StepState.FAILURE, finished=now(), error=error)
        except asyncio.CancelledError:
            self._set_step(run, step, StepState.ABORTED, finished=now(), error="The run was cancelled.")
            raise
        except Exception as exc:
            log.exception("step %s of run %s", step.uuid, run.uuid)
            self._set_step(run, step, StepState.FAILURE, finished=now(), error=f"{type(exc).__name__}: {exc}")
        else:
            self._set_step(run, step, StepState.COMPUTED, finished=now())
        finally:
            step_log.close()
        return True


class _TimedOut(Exception):
    """The step ran longer than its timeout; everything it started has been stopped."""


class _LogFailed(Exception):
    def __init__(self, error: OSError):
        super().__init__(str(error))
        self.error = error


async def _watching_log(running, step_log: StepLog, timeout: float | None = None,
                        ctx: StepContext | None = None) -> None:
    """Run a step; when its log cannot be written (a full disk), stop it (as a cancel does) and
    raise _LogFailed: a step whose output is lost does not end well. A step still running
    ``timeout`` seconds after its work began (``ctx.began``, else its start: an image build does not
    count) is stopped the same way (the backend's cancel kills all it started): _TimedOut."""
    task = asyncio.ensure_future(running)
    failed = asyncio.get_running_loop().create_future()
    step_log.on_error = lambda exc: failed.done() or failed.set_result(exc)
    start = time.monotonic()
    try:
        while True:
            remaining = None
            if timeout is not None:
                began = ctx.began if ctx is not None and ctx.began is not None else start
                remaining = began + timeout - time.monotonic()
            if remaining is not None and remaining <= 0:
                break
            done, _ = await asyncio.wait({task, failed}, timeout=remaining, return_when=asyncio.FIRST_COMPLETED)
            if done:
                break
    except asyncio.CancelledError:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        raise
    finally:
        step_log.on_error = None
    if not task.done():
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        if not failed.done():
            raise _TimedOut(f"timed out after {format_seconds(timeout)} s")
    elif task.exception() is None and step_log.error is None:
        return
    if step_log.error is not None:
        raise _LogFailed(step_log.error)
    task.result()  # the step's own failure


def _with_parameters(pipeline: dict, parameters: dict) -> dict:
    """A copy of the pipeline document with the run's parameter values written in (the parts it
    changes are copied; the rest is shared with ``pipeline``, which nothing changes in place)."""
    document = dict(pipeline)
    for key, values in (parameters or {}).items():
        if key == "pipeline_parameters":
            document["parameters"] = {**(document.get("parameters") or {}), **copy.deepcopy(values)}
        elif key in document.get("steps", {}):
            if document["steps"] is pipeline.get("steps"):
                document["steps"] = dict(document["steps"])
            step = document["steps"][key] = dict(document["steps"][key])
            step["parameters"] = {**(step.get("parameters") or {}), **copy.deepcopy(values)}
    return document
