"""Step processes that outlive the process that ran them (it was killed with SIGKILL, or crashed).

A step's process group is written next to its log while it runs (``<step>.process``: the group id
and the leader's start time, so that a reused pid is never mistaken for it) and removed when the
group has been killed. When a run is found interrupted (store recovery), what is still recorded is
killed. Containers carry their owner's identity in labels instead (see ``docker/owners.py``).
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
from pathlib import Path

import psutil

from ..identity import ProcessIdentity


def _record_path(log_path: str | os.PathLike) -> Path:
    return Path(log_path).with_suffix(".process")


def record_process(log_path: str | os.PathLike, pgid: int) -> None:
    with contextlib.suppress(OSError, psutil.Error):
        leader = ProcessIdentity.of(pgid)
        _record_path(log_path).write_text(json.dumps({"pgid": leader.pid, "started": leader.started}))


def forget_process(log_path: str | os.PathLike) -> None:
    with contextlib.suppress(OSError):
        _record_path(log_path).unlink()


def kill_orphaned_process(log_path: str | os.PathLike) -> bool:
    """Kill the process group recorded for a step whose run was interrupted; True if one was."""
    path = _record_path(log_path)
    try:
        record = json.loads(path.read_text())
        leader = ProcessIdentity(int(record["pgid"]), float(record["started"]))
    except (OSError, ValueError, KeyError, TypeError):
        return False
    killed = False
    try:
        if leader.alive():
            os.killpg(leader.pid, signal.SIGKILL)
            killed = True
    except (ProcessLookupError, PermissionError):
        pass
    forget_process(log_path)
    return killed
