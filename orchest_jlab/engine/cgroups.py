"""A cgroup (v2) per script step, where the machine lets this process make one.

Nothing leaves a cgroup on its own: not a ``setsid`` daemon, not one that clears its environment.
The step's process is born in ``<this process's cgroup>/orchest-step-<token>`` (the step spawner,
``spawner.py``), or, where that cannot be had, moves itself there before it execs the step's
command (``Placement.command``: /bin/sh writes to ``cgroup.procs``, then execs), so that nothing it
starts, however early, is outside; when the step ends, the whole cgroup is killed (``cgroup.kill``,
else every pid in it, repeatedly) and removed. In that second way the parent writes the pid too,
from a thread (it held the event loop 5-12 ms per step: the first of close moves waits for an RCU
grace period, and begun right after the spawn it overlaps the shell's start); a shell whose move
failed leaves a marker file (``Placement.joined``).

What a step's cgroup costs (benchmarks/bench_step_start.py, docs/dask.md Speed): about 0.15 ms of
CPU per step here, 0.06-0.08 ms of it the engine's (mkdir and rmdir) and the rest the kernel's own
threads after the rmdir; being born in a new cgroup costs no more than in an existing one. No
controller is enabled in a step's cgroup unless the base's ``cgroup.subtree_control`` enables one
(none here: the controllers are on cgroup v1), so no memory cgroup is made per step. A pool of
cgroups made ahead would move the mkdir and rmdir off the step's path but not out of the process,
so it is not done. The larger cost was the spawner's fork of itself (a Python process: ``_spawnd.py``), hence the helper in C (``_spawnd.c``). Where there is no writable cgroup v2 hierarchy (cgroup v1 only, a container without
it, no permission), ``prepare`` returns None and the step token (``orphans.py``) is all there is;
the first failure turns cgroups off for the life of the process.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import signal
import time
from pathlib import Path

# False (or ORCHEST_JLAB_STEP_CGROUPS=0 in the environment): steps never get a cgroup.
ENABLED = os.environ.get("ORCHEST_JLAB_STEP_CGROUPS", "1") != "0"
PREFIX = "orchest-step-"
log = logging.getLogger(__name__)
_base: Path | None | bool = False  # False: not looked for yet; None: none usable


def _own_cgroup() -> Path | None:
    """This process's folder in the cgroup v2 hierarchy, when one is mounted."""
    try:
        mounts = Path("/proc/self/mountinfo").read_text().splitlines()
        entries = Path("/proc/self/cgroup").read_text().splitlines()
    except OSError:
        return None
    mount = next((line.split()[4] for line in mounts if " - cgroup2 " in line), None)
    path = next((line[3:] for line in entries if line.startswith("0::")), None)
    if mount is None or path is None:
        return None
    folder = Path(mount) / path.lstrip("/")
    return folder if (folder / "cgroup.procs").exists() else None


def base() -> Path | None:
    global _base
    if _base is False:
        _base = _own_cgroup()
    return _base if ENABLED else None  # type: ignore[return-value]


def available() -> bool:
    return base() is not None


def _disable() -> None:
    global _base
    _base = None


# Run by /bin/sh in the step's process, which then execs the step's command: the process is in its
# cgroup before the step's first instruction. (Cheaper than a preexec_fn: that makes subprocess
# fork this whole process instead of vfork; measured in docs/benchmarks.md.) A move that fails
# creates the marker file ("$1"), the only trace of it the parent needs.
JOIN = 'echo 0 > "$0" 2>/dev/null || : > "$1" 2>/dev/null; shift; exec "$@"'


class Placement:
    """A new cgroup for a process about to start, and the moves of the process into it.

    ``marker``: the file a process that could not move itself creates (see ``joined``)."""

    def __init__(self, group: Path, marker: Path | None = None):
        self.group = group
        self.marker = marker

    def command(self, command: list[str]) -> list[str]:
        """``command`` started so that its process moves itself into the cgroup (writing "0" to
        ``cgroup.procs`` moves the writer) and only then execs, keeping its pid."""
        marker = str(self.marker) if self.marker is not None else os.devnull
        return ["/bin/sh", "-c", JOIN, str(self.group / "cgroup.procs"), marker, *command]

    def joined(self) -> Path | None:
        """Once the process has ended (or was killed): the cgroup, unless the process left the
        marker, having failed to move itself in (then None, the cgroup removed and cgroups off: its
        descendants are found by their token). Needs a ``marker``."""
        try:
            self.marker.unlink()  # type: ignore[union-attr]
        except FileNotFoundError:
            return self.group
        except OSError:
            pass
        self.give_up(OSError(f"the step's process could not move itself into {self.group}"))
        return None

    def placed(self, pid: int) -> Path | None:
        """After the start: the cgroup, once ``pid`` is surely in it (the parent writes it too: a
        no-op when the process did; it fails the same way if the process could not); None, with the
        cgroup removed and cgroups off, when it cannot be moved. Blocks: a step's runner calls it
        from a thread."""
        try:
            (self.group / "cgroup.procs").write_text(str(pid))
        except OSError as exc:
            if exc.errno != errno.ESRCH:  # not "the step has ended already": cgroups cannot be had here
                self.give_up(exc)
                return None
        return self.group

    def give_up(self, exc: OSError) -> None:
        with contextlib.suppress(OSError):
            self.group.rmdir()
        log.warning("steps get no cgroup of their own (%s); their token alone finds what they leave", exc)
        _disable()


def prepare(token: str, marker: Path | None = None) -> Placement | None:
    """A new cgroup of its own for the step of ``token``; None when that cannot be had here.
    ``marker``: see ``Placement`` (a marker left by an earlier attempt is removed)."""
    parent = base()
    if parent is None:
        return None
    placement = Placement(parent / f"{PREFIX}{token}", marker)
    if marker is not None:
        with contextlib.suppress(OSError):
            marker.unlink()
    try:
        placement.group.mkdir()
    except OSError as exc:
        placement.give_up(exc)
        return None
    return placement


def sigkill(pids: list[int]) -> int:
    """SIGKILL each pid that still exists (and may be signalled); returns how many were."""
    signalled = 0
    for pid in pids:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGKILL)
            signalled += 1
    return signalled


def remove_if_empty(group: Path) -> bool:
    """Removes the cgroup if nothing is left in it (the usual end of a step: no wait, no thread)."""
    try:
        group.rmdir()
    except FileNotFoundError:
        return True
    except OSError:  # busy: processes left
        return False
    return True


def kill(group: str | os.PathLike | None, rounds: int = 50) -> int:
    """Kill every process in the cgroup and remove it; returns how many pids were signalled."""
    if not group:
        return 0
    group = Path(group)
    if not group.name.startswith(PREFIX):  # only ever one of ours (the path comes from a record file)
        return 0
    signalled = 0
    with contextlib.suppress(OSError):
        (group / "cgroup.kill").write_text("1")
    for _ in range(rounds):
        try:
            pids = [int(p) for p in (group / "cgroup.procs").read_text().split()]
        except (OSError, ValueError):
            return signalled  # gone already
        if not pids:
            break
        signalled += sigkill(pids)
        time.sleep(0.01)  # dying processes leave the cgroup when they have exited
    for _ in range(rounds):
        try:
            group.rmdir()
            break
        except FileNotFoundError:
            break
        except OSError:  # exiting processes, or zombies not reaped yet
            time.sleep(0.01)
    return signalled


def sweep(older_than: float = 900.0) -> int:
    """Removes the steps' cgroups that are empty and were made more than ``older_than`` seconds ago;
    returns how many. They are what a process killed between a step's end and the removal of its
    cgroup left (its run's recovery removes them only when that project's store is opened again).
    A step's or a kernel's cgroup is made just before its process starts (a kernel's start takes
    seconds), so an empty one that old is a leftover; one with processes in it is never removed
    (``rmdir`` refuses)."""
    parent = base()
    if parent is None:
        return 0
    made_before = time.time() - older_than
    removed = 0
    try:
        entries = list(os.scandir(parent))
    except OSError:
        return 0
    for entry in entries:
        if not entry.name.startswith(PREFIX):
            continue
        try:
            if entry.stat(follow_symlinks=False).st_mtime > made_before:  # a cgroup's time is its making
                continue
            os.rmdir(entry.path)
            removed += 1
        except OSError:  # processes in it, or removed meanwhile
            continue
    return removed

