"""Writes of jobs the database could not take (a full disk, a lock): a job's own row (its status,
schedule, history) and its runs' rows, kept in memory in one queue, in order, and retried until
written, as the stores keep run states (``pending.py``). Readers see them applied."""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable
from typing import Any

from ..engine.states import UNFINISHED_STATUSES
from .pending import disk_problem, transient

log = logging.getLogger(__name__)

# ("runs", job uuid, (run indices, only while unfinished, fields))
# ("job", job uuid, (the statuses it must have or None, fields, history (time, kind, message) or None))
Write = tuple[str, str, tuple]


class KeptJobWrites:
    """``write_runs`` (``JobStore._set_runs``) and ``write_job`` (``JobStore._update_job``) through a
    queue that keeps what fails for a reason that may pass. ``read_job``: a job's row as written."""

    RETRY_SECONDS = (0.5, 5.0)  # the first retry, and the longest wait between two

    def __init__(self, write_runs: Callable[[str, list[int], bool, dict[str, Any]], int],
                 write_job: Callable[[str, list[str] | None, dict[str, Any], tuple | None], bool],
                 read_job: Callable[[str], dict[str, Any] | None]):
        self._writers = {"runs": write_runs, "job": write_job}
        self._read_job = read_job
        self._lock = threading.Lock()
        self._kept: deque[Write] = deque()
        self._delay = self.RETRY_SECONDS[0]
        self._timer: threading.Timer | None = None

    def __bool__(self) -> bool:
        return bool(self._kept)

    def set_runs(self, job_uuid: str, indices: list[int], only_unfinished: bool, fields: dict[str, Any]) -> int:
        """Write now (after what is kept, in order); when that fails for a reason that may pass, keep
        it and retry later. Returns the rows written, or those kept."""
        with self._lock:
            written, rows = self._write_now(("runs", job_uuid, (list(indices), only_unfinished, dict(fields))))
            return rows if written else len(indices)

    def update_job(self, job_uuid: str, statuses: list[str] | None, fields: dict[str, Any],
                   history: tuple | None) -> bool:
        """The same for a job's own row, a compare-and-set on its status: when the write is kept, the
        answer is that of the job as readers see it (``job``); the kept write is tried with the same
        condition when it is retried."""
        write: Write = ("job", job_uuid, (statuses, dict(fields), history))
        with self._lock:
            written, changed = self._write_now(write)
            if written:
                return bool(changed)
            self._kept.pop()  # kept only if its condition holds for the job as readers see it
            job = self._applied_job(self._read_job(job_uuid))
            if job is None or (statuses is not None and job["status"] not in statuses):
                return False
            self._kept.append(write)
            return True

    def _write_now(self, write: Write) -> tuple[bool, Any]:
        """(True, the writer's answer) when written; (False, None) when kept, at the end of the queue."""
        if self._flush() and not self._kept:
            try:
                return True, self._writers[write[0]](write[1], *write[2])
            except Exception as exc:
                if not transient(exc):
                    raise
                self._keep_failing(exc)
        self._kept.append(write)
        return False, None

    def applied(self, job_uuid: str, runs: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """A job's runs as read from the database, with the kept writes applied."""
        with self._lock:
            kept = [w[2] for w in self._kept if w[0] == "runs" and w[1] == job_uuid]
        if not kept:
            return runs
        by_index = {run["index"]: dict(run) for run in runs}
        for indices, only_unfinished, fields in kept:
            for index in indices:
                run = by_index.get(index)
                if run is not None and (not only_unfinished or run["status"] in UNFINISHED_STATUSES):
                    run.update(fields)
        return [by_index[run["index"]] for run in runs]

    def job(self, job: dict[str, Any] | None) -> dict[str, Any] | None:
        """A job's row as read from the database, with the kept writes applied."""
        with self._lock:
            return self._applied_job(job)

    def history(self, job_uuid: str) -> list[dict[str, Any]]:
        """The entries of a job's history that kept writes carry, in order."""
        with self._lock:
            return [{"time": p[2][0], "kind": p[2][1], "message": p[2][2]} for kind, uuid, p in self._kept
                    if kind == "job" and uuid == job_uuid and p[2]]

    def _applied_job(self, job: dict[str, Any] | None) -> dict[str, Any] | None:
        if job is None:
            return None
        for kind, job_uuid, payload in self._kept:
            if kind == "job" and job_uuid == job["uuid"] and (payload[0] is None or job["status"] in payload[0]):
                job = {**job, **payload[1]}
        return job

    def jobs(self) -> set[str]:
        with self._lock:
            return {w[1] for w in self._kept}

    def _flush(self) -> bool:
        """Write what is kept, in order, stopping at the first failure; False if one failed."""
        while self._kept:
            kind, job_uuid, payload = self._kept[0]
            try:
                self._writers[kind](job_uuid, *payload)
            except Exception as exc:
                if transient(exc):
                    self._keep_failing(exc)
                    return False
                log.exception("could not record a change of job %s (%s); dropped", job_uuid, kind)
            self._kept.popleft()
        if self._delay != self.RETRY_SECONDS[0]:
            log.warning("the changes of jobs are recorded again")
        self._delay = self.RETRY_SECONDS[0]
        return True

    def _keep_failing(self, exc: BaseException) -> None:
        if self._delay == self.RETRY_SECONDS[0] and not self._kept:
            log.warning("could not record a change of a job (%s); kept in memory and retried until written",
                        disk_problem(exc))
        if self._timer is None or not self._timer.is_alive():
            self._timer = threading.Timer(self._delay, self._retry)
            self._timer.daemon = True
            self._timer.start()
        self._delay = min(self._delay * 2, self.RETRY_SECONDS[1])

    def _retry(self) -> None:
        with self._lock:
            self._timer = None
            self._flush()
