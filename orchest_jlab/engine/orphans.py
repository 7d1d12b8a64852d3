"""Step processes that outlive their step: left by a process killed with SIGKILL (or that crashed),
and daemons that left the step's process group (``setsid``, double forks).

Where the machine allows, every script step runs in a cgroup of its own (``cgroups.py``), which
nothing leaves. Everywhere, its process also gets a mark in its environment,
``ORCHEST_JLAB_STEP_TOKEN`` (random, one per step), that everything it starts inherits, in its own
process group or session or not: the fallback. When a step ends (done, failed or cancelled),
``kill_step`` kills its process group, its cgroup, then every process still carrying its token
(``kill_marked``: a scan of ``/proc``). Without a cgroup, a process that clears its whole
environment (``env -i``) escapes.

A step's process group, token and cgroup are written next to its log while it runs
(``<step>.process``: the group id, the leader's start time so that a reused pid is never mistaken
for it, the token and the cgroup) and removed when the step has ended. A step born in its cgroup
(the step spawner, ``spawner.py``) needs none of that: its cgroup is ``<base>/orchest-step-<token>``,
and the base is written once per run, next to its steps' logs (``cgroups.json``), before its first
such step starts (a file made and removed per step cost about 0.2 ms of every step's start). When
a run is found interrupted (its owner died), what is recorded is killed. Containers carry their
owner's identity in labels instead (see ``docker/owners.py``).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import signal
from functools import lru_cache
from pathlib import Path

from ..identity import ProcessIdentity
from . import cgroups

TOKEN_VARIABLE = "ORCHEST_JLAB_STEP_TOKEN"
PROC = Path("/proc")
CGROUPS_RECORD = "cgroups.json"  # next to a run's step logs: the base of its steps' cgroups


def step_token(run_uuid: str, step_uuid: str) -> str:
    """A step's token: known from its run and step alone, so that what a step left is found also
    when its owner died before it could record the step's process (right after starting it)."""
    return hashlib.sha256(f"orchest-jlab step {run_uuid} {step_uuid}".encode()).hexdigest()[:32]


def _record_path(log_path: str | os.PathLike) -> Path:
    return Path(log_path).with_suffix(".process")


def record_process(log_path: str | os.PathLike, pgid: int, token: str | None = None,
                   cgroup: os.PathLike | None = None) -> None:
    with contextlib.suppress(OSError):  # the step has ended already: nothing to record
        leader = ProcessIdentity.of(pgid)
        _record_path(log_path).write_text(json.dumps({"pgid": leader.pid, "started": leader.started, "token": token,
                                                      "cgroup": str(cgroup) if cgroup else None}))


def forget_process(log_path: str | os.PathLike) -> None:
    with contextlib.suppress(OSError):
        _record_path(log_path).unlink()


def record_cgroup(log_path: str | os.PathLike, cgroup: os.PathLike) -> None:
    """Where the step of ``log_path`` was born: ``cgroup`` is ``<base>/orchest-step-<token>``, and
    the base is recorded once for all the steps logged in the same folder (its run's)."""
    _record_cgroups(os.path.dirname(os.fspath(log_path)), os.path.dirname(os.fspath(cgroup)))


@lru_cache(maxsize=64)  # once per run (and base): a step after the first finds it written
def _record_cgroups(folder: str, base: str) -> None:
    path = Path(folder) / CGROUPS_RECORD
    with contextlib.suppress(OSError):  # as record_process: recovery still has the token
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps({"base": base}))
        os.replace(tmp, path)


def recorded_cgroup(log_path: str | os.PathLike, token: str) -> str | None:
    """The cgroup of a step born in one (``record_cgroup``), from its log's folder and its token."""
    try:
        base = json.loads((Path(log_path).parent / CGROUPS_RECORD).read_text())["base"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return os.path.join(base, f"{cgroups.PREFIX}{token}") if isinstance(base, str) else None


def process_recorded(log_path: str | os.PathLike) -> bool:
    """Whether recovery would find the running step of ``log_path`` by a record (its own, or its run's)."""
    return _record_path(log_path).exists() or (Path(log_path).parent / CGROUPS_RECORD).exists()


def marked_processes(token: str) -> list[int]:
    """The pids of the processes whose environment carries ``token`` (never this process)."""
    needle = f"{TOKEN_VARIABLE}={token}".encode() + b"\0"
    found = []
    try:
        names = os.listdir(PROC)
    except OSError:  # no /proc (not Linux): nothing can be found this way
        return found
    me = os.getpid()
    for name in names:
        if not name.isdigit() or int(name) == me:
            continue
        try:
            with open(PROC / name / "environ", "rb") as f:
                environ = f.read()
        except OSError:  # gone meanwhile, or not ours to read
            continue
        if (b"\0" + environ).find(b"\0" + needle) >= 0:
            found.append(int(name))
    return found


def kill_marked(token: str | None, rounds: int = 5) -> int:
    """SIGKILL every process carrying ``token``; repeated while new ones appear (a daemon forking
    while it is being killed). Returns how many were killed."""
    if not token:
        return 0
    killed = 0
    for _ in range(rounds):
        pids = marked_processes(token)
        if not pids:
            break
        killed += cgroups.sigkill(pids)
    return killed


def kill_step(pgid: int | None, token: str | None, cgroup: str | os.PathLike | None) -> int:
    """Kill what a step left: its process group, its cgroup, whatever carries its token."""
    killed = 0
    if pgid is not None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pgid, signal.SIGKILL)
            killed += 1
    return killed + cgroups.kill(cgroup) + kill_marked(token)


def kill_orphaned_process(log_path: str | os.PathLike | None, token: str | None = None) -> bool:
    """Kill what a step whose run was interrupted left: the process group and cgroup recorded next
    to its log, and every process carrying its token (``token`` when there is no record); True if
    something was."""
    record: dict = {}
    if log_path is not None:
        with contextlib.suppress(OSError, ValueError):
            record = json.loads(_record_path(log_path).read_text())
    pgid, cgroup = None, None
    if isinstance(record, dict) and record:
        try:
            leader = ProcessIdentity(int(record["pgid"]), float(record["started"]))
            pgid = leader.pid if leader.alive() else None
        except (KeyError, TypeError, ValueError):
            pass
        token = record.get("token") if isinstance(record.get("token"), str) else token
        cgroup = record.get("cgroup") if isinstance(record.get("cgroup"), str) else None
    elif log_path is not None and token:  # a step born in its cgroup, recorded with its run
        cgroup = recorded_cgroup(log_path, token)
    killed = kill_step(pgid, token, cgroup) > 0
    if log_path is not None:
        forget_process(log_path)
    return killed
