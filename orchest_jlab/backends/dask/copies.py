"""A run's working copies of its project on a worker: one per (run, project content), made at the
run's first step here with that content and used by its later steps here, which then see each
other's files as steps of a run do on the local backend (a copy per step cost a copy and a removal
of the whole project per step, a third of a trivial step's time on the worker).

A copy goes when its run ends (the server tells the workers that ran its steps), when a newer
content of the run's project replaced it (a step wrote a file, the user saved one: the server packed
again) and no step uses it any more (a small project's copy is put back to the project's content and kept
for the next run of it: ``spares.py``), and at the first step of a worker process (a sweep of what a
process before it left, e.g. killed mid-run). In the copy's data folder, a step's inputs are placed
once for the steps that read them (each file whole, then renamed: a sibling never reads half of
one) and removed when the last of them ended; a step's own outputs leave it once returned.
"""

from __future__ import annotations

import contextlib
import shutil
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from . import outputs
from .project import listing
from .background import remove_later as _remove_later
from .spares import Spares

ENDED_KEPT = 4096  # ended runs remembered by a worker (a step of one that comes late: its copy goes with it)

@dataclass
class _Input:
    users: int = 1
    ready: threading.Event = field(default_factory=threading.Event)
    memory: Path | None = None  # its memory-backed file's folder (/dev/shm), removed with it
    error: BaseException | None = None


@dataclass
class Copy:
    run_uuid: str
    project_hash: str
    path: Path
    # (size, time, mode) of each file after the last step's scan (interactive runs): a step's
    # written files are those that moved since it started.
    state: dict[str, tuple] | None = None
    users: int = 0
    ended: bool = False  # its run ended, or a newer content of its project replaced it
    inputs: dict[Path, _Input] = field(default_factory=dict)


class Copies:
    """The working copies of one worker's local directory (``root``); thread-safe (steps run in the
    worker's threads)."""

    def __init__(self, root: Path):
        self.root = root
        self._lock = threading.Lock()
        self._making: dict[tuple[str, str], threading.Lock] = {}
        self._copies: dict[tuple[str, str], Copy] = {}
        self._ended: dict[str, None] = {}  # runs ended (the latest ENDED_KEPT), in order
        self._spares = Spares(root)  # clean copies of small projects, for the next runs
        runs = root / "runs"
        if runs.exists():  # left by an earlier process: nothing of this one is in there yet
            stale = root / f".stale-runs-{uuid.uuid4().hex}"
            runs.rename(stale)
            _remove_later(stale)
        # Where this process's steps keep what the step runner records beside a step's log (the
        # base of their cgroups: written once here, where a folder per run wrote it once per run).
        self.steps = runs / ".steps"
        self.steps.mkdir(parents=True, exist_ok=True)

    def enter(self, run_uuid: str, project_hash: str, project: Path | None, interactive: bool,
              wait: bool = True) -> tuple[Copy, dict[str, tuple]] | None:
        """The run's copy of ``project`` (made now if this is its first step here), taken by a step,
        and the copy's state as this step starts (interactive runs: what its written files are
        compared with). ``wait=False`` (``project`` may be None): None instead of waiting for another
        step's making of it or copying the project, i.e. unless it exists or a spare becomes it (a
        rename), so that a step's event loop calls it and a thread does only the copies."""
        key = (run_uuid, project_hash)
        with self._lock:
            making = self._making.setdefault(key, threading.Lock())
        if not making.acquire(blocking=wait):  # steps of the run starting together wait for one copy
            return None
        try:
            with self._lock:
                copy = self._copies.get(key)
                if copy is not None:  # taken at once: no end of its run can remove it meanwhile
                    copy.users += 1
            if copy is None:
                copy = self._make(run_uuid, project_hash, project, interactive, copy_project=wait)
                if copy is None:
                    return None
            with self._lock:
                older = [c for (run, h), c in self._copies.items() if run == run_uuid and h != project_hash]
                for other in older:  # replaced by this content: gone when no step uses it
                    other.ended = True
                done = [c for c in older if c.users == 0]
                if run_uuid in self._ended:  # a step started after its run ended (a late task)
                    copy.ended = True
                self._forget(done)
            return copy, copy.state or {}
        finally:
            making.release()

    def _make(self, run_uuid: str, project_hash: str, project: Path | None, interactive: bool,
              copy_project: bool = True) -> Copy | None:
        """A new copy, registered and taken by the step that made it (None: no spare, and
        ``copy_project`` is False)."""
        path = self.root / "runs" / run_uuid / f"{project_hash[:16]}-{uuid.uuid4().hex[:8]}"
        if not self._spares.take(project_hash, path):  # else an ended run's copy, put back to the project's content
            if not copy_project or project is None:
                return None
            # Content and mode only: copying times and extended attributes too cost a third more per file.
            shutil.copytree(project, path, symlinks=True, copy_function=shutil.copy)
        copy = Copy(run_uuid, project_hash, path)
        if interactive:
            copy.state = {rel: details for rel, _, details in listing(path)}
        with self._lock:
            found = self._copies.setdefault((run_uuid, project_hash), copy)
            found.users += 1
        if found is not copy:  # made meanwhile by a step that came as the last copy went
            _remove_later(path)
        return found

    def scanned(self, copy: Copy, state: dict[str, tuple]) -> None:
        """The copy's files as a step's scan found them at its end."""
        with self._lock:
            copy.state = state

    def place(self, copy: Copy, data: Path, inputs: dict[str, dict]) -> Callable[[], None]:
        """The incoming steps' outputs into the copy's data folder, once for the steps that read
        them; returns what lets them go (removed when no step of the copy reads them)."""
        taken: list[tuple[Path, _Input]] = []
        try:
            for target, content in outputs.files_of(data, inputs):
                with self._lock:
                    entry = copy.inputs.get(target)
                    if entry is not None and entry.error is None:
                        entry.users += 1
                        mine = False
                    else:
                        entry = copy.inputs[target] = _Input()
                        mine = True
                taken.append((target, entry))
                if mine:
                    try:
                        entry.memory = outputs.place_file(target, content)
                    except BaseException as exc:
                        entry.error = exc
                        raise
                    finally:
                        entry.ready.set()
                else:
                    entry.ready.wait()
                    if entry.error is not None:
                        raise entry.error
        except BaseException:
            self._release(copy, taken)
            raise
        return lambda: self._release(copy, taken)

    def _release(self, copy: Copy, taken: list[tuple[Path, _Input]]) -> None:
        gone = []
        with self._lock:
            for target, entry in taken:
                entry.users -= 1
                if entry.users == 0 and copy.inputs.get(target) is entry:
                    del copy.inputs[target]
                    gone.append((target, entry))
        for target, entry in gone:
            target.unlink(missing_ok=True)
            if entry.memory is not None:
                shutil.rmtree(entry.memory, ignore_errors=True)

    def leave(self, copy: Copy) -> None:
        with self._lock:
            copy.users -= 1
            if copy.users == 0 and copy.ended:
                self._forget([copy])
                self._run_gone(copy.run_uuid)

    def end_run(self, run_uuid: str) -> None:
        """The run ended: its copies go now, or as their last step ends."""
        with self._lock:
            self._ended[run_uuid] = None
            while len(self._ended) > ENDED_KEPT:
                del self._ended[next(iter(self._ended))]
            copies = [c for (run, _), c in self._copies.items() if run == run_uuid]
            for copy in copies:
                copy.ended = True
            unused = [c for c in copies if c.users == 0]
            # When none is in use, the run's folder goes whole (one rename and one removal, not one per copy).
            self._forget(unused, moved=len(unused) == len(copies))
            self._run_gone(run_uuid)

    def _run_gone(self, run_uuid: str) -> None:
        """Called with the lock held: an ended run's folder goes with its last copy."""
        if run_uuid not in self._ended or any(run == run_uuid for run, _ in self._copies):
            return
        folder = self.root / "runs" / run_uuid
        with contextlib.suppress(OSError):  # emptied (its copies kept as spares): nothing to do later
            folder.rmdir()
            return
        stale = self.root / f".stale-runs-{uuid.uuid4().hex}"
        try:
            folder.rename(stale)
        except OSError:  # none here
            return
        _remove_later(stale)

    def _forget(self, copies: list[Copy], moved: bool = False) -> None:
        """Called with the lock held: the copies leave the registry, their files go in the
        background (``moved``: with their run's folder, which goes next)."""
        for copy in copies:
            key = (copy.run_uuid, copy.project_hash)
            if self._copies.get(key) is copy:
                del self._copies[key]
                self._making.pop(key, None)
            memory = [entry.memory for entry in copy.inputs.values() if entry.memory is not None]
            stale = copy.path.with_name(f".{copy.path.name}.gone")
            if self._spares.keep(copy.path, copy.project_hash, self.root / "projects" / copy.project_hash):
                _remove_later(*memory)
                continue
            if not moved:
                try:
                    copy.path.rename(stale)
                except OSError:
                    continue
            _remove_later(*memory, *([] if moved else [stale]))


