"""Which process owns something (a run, a step's process group, a container): its pid and start time.

A pid alone is reused, e.g. by a server restarted in a container; with the start time it is not.
"""

from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass(frozen=True)
class ProcessIdentity:
    pid: int
    started: float  # psutil's create_time: seconds since the epoch

    @classmethod
    def of(cls, pid: int) -> ProcessIdentity:
        """The identity of a running process (psutil.Error when there is none)."""
        import psutil  # when first asked (a command's first step is already running): not at its start

        return cls(pid, psutil.Process(pid).create_time())

    @classmethod
    def current(cls) -> ProcessIdentity:
        return cls.of(os.getpid())

    def alive(self) -> bool:
        """Whether this very process still runs (not another one that got its pid)."""
        import psutil

        try:
            return abs(psutil.Process(self.pid).create_time() - self.started) < 0.01
        except psutil.Error:
            return False
