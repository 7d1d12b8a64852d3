"""What the store could not write yet (a full disk, a locked or unreachable database): the events,
kept in order in memory and retried, and the records of their runs as the events say they are, so
that readers see a run's real state (FAILURE, not STARTED) until the database has it too."""

from __future__ import annotations

import copy
import errno
import itertools
import sys
import threading
from collections import Counter, deque
from typing import Any

from ..engine.disk import disk_problem
from ..engine.states import RunStatus

__all__ = ["Pending", "disk_problem", "transient"]

RUN_FIELDS = ("status", "started", "finished", "error", "warnings", "snapshot_dir")
STEP_FIELDS = ("state", "started", "finished", "error", "log_path", "attempts", "cache_key", "cached_from", "worker",
               "runtime", "image")


def transient(exc: BaseException) -> bool:
    """Whether a failed write may succeed later (full disk, lock, unreachable database) rather than
    never (a value the database refuses): only the first kind is retried."""
    import sqlite3

    operational: tuple[type, ...] = (sqlite3.OperationalError,)
    if "sqlalchemy" in sys.modules:  # else none of its errors can have been raised
        from sqlalchemy.exc import OperationalError

        operational += (OperationalError,)
    if isinstance(exc, operational):  # not a schema the database lacks: that will not pass
        return not any(word in str(exc).lower() for word in ("no such", "syntax error", "has no column"))
    return isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EIO, errno.EAGAIN,
                                                       errno.EROFS, errno.EACCES)


class Pending:
    """Records of the runs in flight as their events say (all runs, written or not), and the
    events not written yet, in order. Used by the store's writer thread and read by others."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._known: dict[str, dict[str, Any]] = {}
        self._events: deque[dict[str, Any]] = deque()
        self._per_run: Counter[str] = Counter()

    def __bool__(self) -> bool:
        return bool(self._events)

    def add(self, event: dict[str, Any]) -> None:
        """A new event: remembered in its run's record, queued to be written."""
        run_uuid = event["run_uuid"]
        with self._lock:
            record = self._known.get(run_uuid)
            # Copies of what is changed here (the record and its steps); values are replaced whole,
            # never changed in place, so they are shared with the events (no one changes an event).
            if event["type"] == "run-created":
                run = event["run"]
                self._known[run_uuid] = {**run, "steps": {u: dict(s) for u, s in (run.get("steps") or {}).items()}}
            elif record is not None and event["type"] == "run":
                record.update({k: event[k] for k in RUN_FIELDS if k in event})
            elif record is not None and event["type"] == "step":
                step = record["steps"].setdefault(event["step_uuid"], {})
                step.update({k: event[k] for k in STEP_FIELDS if k in event})
            self._events.append(event)
            self._per_run[run_uuid] += 1

    def first(self) -> dict[str, Any] | None:
        with self._lock:
            return self._events[0] if self._events else None

    def first_many(self, count: int) -> list[dict[str, Any]]:
        """The first ``count`` events (fewer when fewer are kept), oldest first."""
        with self._lock:
            return list(itertools.islice(self._events, count))

    def done(self, event: dict[str, Any]) -> None:
        """The first event was written (or dropped for good)."""
        run_uuid = event["run_uuid"]
        with self._lock:
            self._events.popleft()
            self._per_run[run_uuid] -= 1
            if not self._per_run[run_uuid]:
                del self._per_run[run_uuid]
                record = self._known.get(run_uuid)
                if record is not None and RunStatus(record["status"]).finished:
                    del self._known[run_uuid]

    def unwritten_runs(self) -> list[str]:
        with self._lock:
            return list(self._per_run)

    def record(self, run_uuid: str) -> dict[str, Any] | None:
        """The run as its events say, when some of them are not written yet (else None)."""
        with self._lock:
            if run_uuid not in self._per_run or run_uuid not in self._known:
                return None
            return copy.deepcopy(self._known[run_uuid])

    def records(self) -> list[dict[str, Any]]:
        """Every run with events not written yet."""
        with self._lock:
            return [copy.deepcopy(self._known[u]) for u in self._per_run if u in self._known]
