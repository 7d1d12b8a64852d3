"""What runs on a Dask worker: one step, in the run's working copy of its project on the worker's disk.

The project arrives as a tar (inside the step's task, or a Dask dependency for a large one; not at
all once every worker has unpacked it), is unpacked once per worker into
``<local directory>/orchest-jlab/projects/<content hash>`` and copied once per run on this worker
(``copies.py``). The step runs in its environment's image where this worker's Docker engine can
build it (``containers.py``), else as on the local backend (its own process group, killed whole on
cancel; a notebook on a kernel started here, through the local backend's runner); its output goes
to the server as Dask events while it runs. The task returns the step's outputs (the data-passing
files), its executed notebook and, in an interactive run, the files it wrote.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import io
import os
import pickle
import shutil
import sys
import tarfile
import threading
import uuid
from pathlib import Path
from typing import Any

from ...engine.context import StepContext
from ...engine.runners import StepFailed
from ...engine.runners.process import run_process
from . import containers, outputs
from .copies import Copies, Copy
from .loops import loop_thread
from .project import file_hash, listing

LOG_TOPIC = "orchest-jlab-step"
INLINE = 16 << 10  # bytes of a step's outputs, files and notebook sent with its end event
SCAN_AT_ONCE = 256  # files of an interactive run's copy scanned on the worker's loop (more: in a thread)
FLUSH = 0.1  # seconds a step's output may wait to go with more of it (live, in fewer events)

# Steps running in this worker process: the server's attempt id -> (their event loop, their task);
# the attempts a cancel named; the attempts whose task is in this process (``run_step``).
_running: dict[str, tuple[asyncio.AbstractEventLoop, asyncio.Task]] = {}
_cancelled: set[str] = set()
_here: set[str] = set()
_lock = threading.Lock()
# Seconds a cancel is kept for an attempt whose task is not here (a broadcast reaches workers that
# never get it): the server has the scheduler release the task right after, so none comes later.
CANCEL_KEPT = 600.0


_copies_of: dict[Path, Copies] = {}  # this process's worker's working copies, by its local directory


def _copies(root: Path) -> Copies:
    with _lock:
        if root not in _copies_of:
            _copies_of[root] = Copies(root)
        return _copies_of[root]


def _loop() -> asyncio.AbstractEventLoop:
    """One event loop for this worker process's notebook steps and steps in containers (their
    kernels, builds and Docker calls use its pool of threads), started once, not for each step."""
    return loop_thread("steps")


class _EventLog:
    """The step's events on a worker: its start, and the StepLog's ``write``/``note``. Output goes at
    most once every ``FLUSH`` seconds per step (what came meanwhile together), the start with the
    first of it or ``FLUSH`` seconds after the step began; what is left when the step ends goes with
    its end event: a step that ends quickly costs the scheduler one event (its log's first line,
    where it runs, and its start included)."""

    def __init__(self, worker, ids: dict[str, str], loop: asyncio.AbstractEventLoop):
        self.worker = worker
        self.ids = ids
        self.loop = loop  # the worker's loop, where the step's task runs: where the flushes are timed
        self._lock = threading.Lock()
        self._text: list[str] = []
        self._started = False  # its start was sent
        self._timed = True  # a flush is due (the start's)
        loop.call_later(FLUSH, self.flush)

    def write(self, text: str) -> None:
        if not text:
            return
        with self._lock:
            self._text.append(text)
            if self._timed:
                return
            self._timed = True
        try:
            on_loop = asyncio.get_running_loop() is self.loop
        except RuntimeError:
            on_loop = False
        if on_loop:
            self.loop.call_later(FLUSH, self.flush)
        else:  # a build's output, from its own thread
            self.loop.call_soon_threadsafe(self.loop.call_later, FLUSH, self.flush)

    def note(self, text: str) -> None:
        self.write(text + "\n")

    def flush(self) -> None:
        with self._lock:  # sent under the lock: never after the end event that take() made
            text, self._text, self._timed = "".join(self._text), [], False
            if not self._started:
                self._started = True
                self.worker.log_event(LOG_TOPIC, {**self.ids, "kind": "start", "worker": self.worker.address})
            if text:
                self.worker.log_event(LOG_TOPIC, {**self.ids, "kind": "output", "text": text})

    def take(self) -> dict[str, Any]:
        """What is not sent yet, for the end event: the output, and whether the start was not."""
        with self._lock:
            text, self._text = "".join(self._text), []
            start, self._started = not self._started, True
            return {"text": text, "start": start}


def _project(root: Path, project_hash: str, tar: bytes | None) -> Path:
    folder = root / "projects" / project_hash
    if folder.is_dir() or tar is None:
        return folder
    partial = root / "projects" / f".{project_hash}.{uuid.uuid4().hex}"
    partial.mkdir(parents=True)
    with tarfile.open(fileobj=io.BytesIO(tar)) as archive:
        archive.extractall(partial, filter="data")
    try:
        os.rename(partial, folder)
    except OSError:  # another thread of this worker unpacked it first
        shutil.rmtree(partial, ignore_errors=True)
    return folder


def _written(work: Path, manifest: dict[str, str], before: dict[str, tuple]) -> tuple[dict[str, bytes], dict[str, tuple]]:
    """Files of the project the step made or changed (not under .orchest/, not excluded ones), and
    the copy's state now: only those whose size, time or mode moved since the step started are
    read and hashed."""
    changed, state = {}, {}
    for rel, path, details in listing(work):
        state[rel] = details
        if rel.startswith(".orchest/") or before.get(rel) == details:
            continue
        if manifest.get(rel) != file_hash(path):
            changed[rel] = path.read_bytes()
    return changed, state


async def _run(ctx: StepContext, log: _EventLog, key: str, spec: dict[str, Any], where: dict[str, Any]) -> None:
    """``key``: the attempt's (``spec["attempt"]``): what a cancel names."""
    task = asyncio.current_task()
    with _lock:
        if key in _cancelled:
            raise asyncio.CancelledError
        _running[key] = (asyncio.get_running_loop(), task)
    try:
        if await containers.run_in_environment(ctx, log, spec.get("containers") or {"mode": containers.HOST}, where,
                                               Path(spec["root"]) / "builds"):
            return  # in the environment's image, built on this worker
        if ctx.kind == ".ipynb":  # on a kernel started on this worker, as the local backend does
            from ...engine.runners.kernels import KernelPool
            from ...engine.runners.notebook import run_notebook

            pool = KernelPool(spares=0)  # a kernel per step, started for it: no spare to keep
            try:
                await run_notebook(ctx, log, pool)  # type: ignore[arg-type]
            finally:
                await pool.close()
        else:
            await run_process(ctx, log, sys.executable)  # type: ignore[arg-type]
    finally:
        with _lock:
            _running.pop(key, None)


class ProjectMissing(Exception):
    """The step came without its project's tar (the server saw every worker unpack it), and this
    worker has not: the server sends it again with it. Its message: this worker's address."""


_files_pool: concurrent.futures.ThreadPoolExecutor | None = None


async def _in_thread(fn, *args):
    """``fn(*args)`` in a thread of this process's pool for what may take long (a project unpacked
    or copied, large inputs, a scan of the project): never on the worker's event loop."""
    global _files_pool
    with _lock:
        if _files_pool is None:
            _files_pool = concurrent.futures.ThreadPoolExecutor(max_workers=64, thread_name_prefix="orchest-jlab-files")
    return await asyncio.get_running_loop().run_in_executor(_files_pool, fn, *args)


async def run_step(spec: dict[str, Any] | bytes, tar: bytes | None, inputs: dict[str, dict]) -> dict[str, Any]:
    """Run the step ``spec`` describes (pickled); ``inputs``: the results of its incoming steps in this
    run; ``tar``: the project's, None when this worker is expected to have unpacked it.

    A coroutine: Dask runs it on the worker's event loop, not in a thread of its pool, and a script
    step on the worker's host runs there too. A thread per step that waited for a loop of its own
    cost the worker about 1 ms of CPU per step in their wake-ups (docs/dask.md, "Speed"); what may
    take long goes to threads (``_in_thread``), a notebook or a container to the steps' loop."""
    from distributed import get_worker

    if isinstance(spec, bytes):
        spec = pickle.loads(spec)
    worker = get_worker()
    root = Path(worker.local_directory) / "orchest-jlab"
    if tar is None and not (root / "projects" / spec["project_hash"]).is_dir():
        raise ProjectMissing(worker.address)  # before its start event: not an attempt
    with _arrived(spec["attempt"]):
        return await _step(worker, spec, root, tar, inputs)


@contextlib.contextmanager
def _arrived(attempt: str):
    """While the attempt's task is here its cancel is kept (its copy may take longer than
    ``CANCEL_KEPT``); the cancel goes when the task ends."""
    with _lock:
        _here.add(attempt)
    try:
        yield
    finally:
        with _lock:
            _here.discard(attempt)
            _cancelled.discard(attempt)


async def _step(worker, spec: dict[str, Any], root: Path, tar: bytes | None, inputs: dict[str, dict]) -> dict[str, Any]:
    # Its events name the server's attempt: a late event of a stopped attempt is not taken for the next's.
    ids = {"run": spec["run_uuid"], "step": spec["step_uuid"], "attempt": spec["attempt"]}
    log = _EventLog(worker, ids, asyncio.get_running_loop())  # sends the step's start (with its first output, or soon)
    copies = _copies(root)
    run_uuid, project_hash, interactive = spec["run_uuid"], spec["project_hash"], spec["interactive"]
    # The run's copy here, or a spare of it, is taken at once; a copy to make waits in a thread.
    copy, before = copies.enter(run_uuid, project_hash, None, interactive, wait=False) or await _in_thread(
        lambda: copies.enter(run_uuid, project_hash, _project(root, project_hash, tar), interactive))
    try:
        if spec.get("pipeline_text") is not None:  # a snapshot run's pipeline file (its parameters): not in the tar
            _pipeline_file(copy.path / spec["pipeline"], spec["pipeline_text"])
        return await _in_copy(worker, spec, ids, root, copies, copy, before, inputs, log)
    finally:
        copies.leave(copy)


def _pipeline_file(path: Path, text: str) -> None:
    """The run's pipeline file in its working copy (replaced whole: a sibling step may be reading it)."""
    try:
        if path.read_text(encoding="utf-8") == text:
            return
    except OSError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    partial.write_text(text, encoding="utf-8")
    partial.replace(path)


async def _in_copy(worker, spec: dict[str, Any], ids: dict[str, str], root: Path, copies: Copies, copy: Copy,
                   before: dict[str, tuple], inputs: dict[str, dict], log: _EventLog) -> dict[str, Any]:
    work = copy.path
    data = work / spec["data_dir"]
    outputs.clear(data, spec["step_uuid"])  # an earlier attempt's, had it run here
    if outputs.small(inputs):  # written at once
        release_inputs = copies.place(copy, data, inputs)
    else:
        release_inputs = await _in_thread(copies.place, copy, data, inputs)
    log_path = copies.steps / f"{spec['run_uuid']}-{spec['step_uuid']}-{uuid.uuid4().hex[:8]}.log"
    ctx = StepContext(
        run_uuid=spec["run_uuid"], step_uuid=spec["step_uuid"], title=spec["title"], file=work / spec["file"],
        kernel_name=spec["kernel_name"], project_dir=work, pipeline_path=work / spec["pipeline"],
        pipeline_uuid=spec["pipeline_uuid"], log_path=log_path,
        parameter_overrides=spec["parameters"], extra_env=spec["env"], environment=spec["environment"],
        source_project_dir=Path(spec["source_project_dir"]), interactive=spec["interactive"],
    )
    failed = None
    where: dict[str, Any] = {"runtime": containers.HOST}
    given = spec.get("containers") or {"mode": containers.HOST}
    try:
        running = _run(ctx, log, spec["attempt"], {**spec, "root": str(root)}, where)
        if ctx.kind != ".ipynb" and containers.on_host(ctx, given):  # here, a task of its own (what cancel stops)
            await asyncio.get_running_loop().create_task(running)
        else:  # a kernel, a build or a container: on the steps' loop, with its pool of threads
            await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(running, _loop()))
    except StepFailed as exc:
        failed = str(exc)
    except (asyncio.CancelledError, concurrent.futures.CancelledError):
        with _lock:
            asked = spec["attempt"] in _cancelled
        if not asked:  # the worker stops this task (it closes): not a cancel of the step
            log.flush()
            raise
        failed = "The step was cancelled."
    except BaseException:
        log.flush()  # the output so far: no end event comes
        raise
    try:
        passed = {}
        if failed is None:
            passed = (outputs.collect(data, spec["step_uuid"], None) if spec.get("outputs_url") is None
                      else await _in_thread(outputs.collect, data, spec["step_uuid"], spec.get("outputs_url")))
        files = {}
        if spec["interactive"]:  # the copy's state moves on also when the step failed
            # A small project's copy is scanned at once (its first step made it from a spare, or listed it).
            scan = (_written(work, spec["manifest"], before) if len(before) <= SCAN_AT_ONCE
                    else await _in_thread(_written, work, spec["manifest"], before))
            written, state = scan
            copies.scanned(copy, state)
            files = written if failed is None else {}
        # The executed notebook, outputs included, also when a cell failed (read-only mode shows it).
        notebook = await _in_thread(_notebook, ctx.file) if ctx.kind == ".ipynb" else None
        files.pop(spec["file"], None)
    except BaseException:
        log.flush()
        raise
    finally:
        release_inputs()
        outputs.clear(data, spec["step_uuid"])  # returned (a large one mapped: the map outlives the file)
        with contextlib.suppress(OSError):
            log_path.unlink()
    result = {"worker": worker.address, **where, "failed": failed, "outputs": {}, "stored": None, **passed,
              "files": files, "notebook": notebook}
    # A result this small goes whole with the end event, else its summary when that is small: the
    # server then need not wait for the task's end through the scheduler, nor fetch the result.
    inline = _inline(result)
    small = not files and notebook is None
    worker.log_event(LOG_TOPIC, {**ids, "kind": "end", "worker": worker.address, **log.take(),
                                 "result": result if inline else None,
                                 "summary": summary(result) if small and not inline else None})
    return result


def _notebook(path: Path) -> str | None:
    return path.read_text(encoding="utf-8") if path.is_file() else None


def _inline(result: dict[str, Any]) -> bool:
    """Whether the whole result fits in an event (the scheduler keeps recent events in memory)."""
    parts = [*result["outputs"].values(), *result["files"].values(), (result["notebook"] or "").encode()]
    return all(isinstance(part, bytes) for part in parts) and sum(map(len, parts)) <= INLINE


def project_tar(tar: bytes) -> bytes:
    return tar


def summary(result: dict[str, Any]) -> dict[str, Any]:
    """What the server needs of a step's result, without its outputs (they stay in the cluster)."""
    return {key: result.get(key) for key in ("worker", "runtime", "image", "failed", "files", "notebook")}


def platform() -> str:
    """Called on each worker (``Client.run``): what its steps run on, as the local backend says it."""
    import platform as host

    return f"{sys.executable} {host.python_implementation()} {host.python_version()} {host.platform()}"


def end_runs(run_uuids: list[str], dask_worker=None) -> None:
    """Called on the workers that ran the runs' steps (``Client.run``, which gives ``dask_worker``):
    their working copies go."""
    copies = _copies(Path(dask_worker.local_directory) / "orchest-jlab")
    for run_uuid in run_uuids:
        copies.end_run(run_uuid)


def cancel_step(attempt: str) -> bool:
    """Called on the worker (``Client.run``, on its event loop): stop the step's ``attempt``
    (``spec["attempt"]``: the server's next attempt of the step is another); its process group is
    killed whole."""
    with _lock:
        _cancelled.add(attempt)  # before its start: it never starts; while it runs: its end says so
        running = _running.get(attempt)
    if running is None:
        asyncio.get_running_loop().call_later(CANCEL_KEPT, _forget, attempt)
        return False
    loop, task = running
    loop.call_soon_threadsafe(task.cancel)
    return True


def _forget(attempt: str) -> None:
    with _lock:
        if attempt not in _here:  # else its task's end forgets it
            _cancelled.discard(attempt)


__all__ = ["LOG_TOPIC", "ProjectMissing", "cancel_step", "end_runs", "run_step", "summary"]
