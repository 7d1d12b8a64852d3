"""Job-run rows the database could not take (a full disk, a lock): kept in memory, in order, and
retried until written, as the stores keep run states (``pending.py``). Readers see them applied."""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable
from typing import Any

from ..engine.states import UNFINISHED_STATUSES
from .pending import disk_problem, transient

log = logging.getLogger(__name__)

# (job uuid, run indices, only while unfinished, fields)
Write = tuple[str, tuple[int, ...], bool, dict[str, Any]]


class KeptJobRunWrites:
    """``write`` (``JobStore._set_runs``) through a queue that keeps what fails for a reason that may pass."""

    RETRY_SECONDS = (0.5, 5.0)  # the first retry, and the longest wait between two

    def __init__(self, write: Callable[[str, list[int], bool, dict[str, Any]], int]):
        self._write = write
        self._lock = threading.Lock()
        self._kept: deque[Write] = deque()
        self._delay = self.RETRY_SECONDS[0]
        self._timer: threading.Timer | None = None

    def __bool__(self) -> bool:
        return bool(self._kept)

    def set_runs(self, job_uuid: str, indices: list[int], only_unfinished: bool, fields: dict[str, Any]) -> int:
        """Write now (after what is kept, in order); when that fails for a reason that may pass, keep
        it and retry later. Returns the rows written, or those kept."""
        write: Write = (job_uuid, tuple(indices), only_unfinished, dict(fields))
        with self._lock:
            if self._flush() and not self._kept:
                try:
                    return self._write(job_uuid, indices, only_unfinished, fields)
                except Exception as exc:
                    if not transient(exc):
                        raise
                    self._keep_failing(exc)
            self._kept.append(write)
            return len(indices)

    def applied(self, job_uuid: str, runs: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """A job's runs as read from the database, with the kept writes applied."""
        with self._lock:
            kept = [w for w in self._kept if w[0] == job_uuid]
        if not kept:
            return runs
        by_index = {run["index"]: dict(run) for run in runs}
        for _, indices, only_unfinished, fields in kept:
            for index in indices:
                run = by_index.get(index)
                if run is not None and (not only_unfinished or run["status"] in UNFINISHED_STATUSES):
                    run.update(fields)
        return [by_index[run["index"]] for run in runs]

    def jobs(self) -> set[str]:
        with self._lock:
            return {w[0] for w in self._kept}

    def _flush(self) -> bool:
        """Write what is kept, in order, stopping at the first failure; False if one failed."""
        while self._kept:
            job_uuid, indices, only_unfinished, fields = self._kept[0]
            try:
                self._write(job_uuid, list(indices), only_unfinished, fields)
            except Exception as exc:
                if transient(exc):
                    self._keep_failing(exc)
                    return False
                log.exception("could not record the runs %s of job %s; dropped", list(indices), job_uuid)
            self._kept.popleft()
        if self._delay != self.RETRY_SECONDS[0]:
            log.warning("the runs of jobs are recorded again")
        self._delay = self.RETRY_SECONDS[0]
        return True

    def _keep_failing(self, exc: BaseException) -> None:
        if self._delay == self.RETRY_SECONDS[0] and not self._kept:
            log.warning("could not record the runs of a job (%s); kept in memory and retried until written",
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
