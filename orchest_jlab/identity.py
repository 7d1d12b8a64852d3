"""Which process owns something (a run, a step's process group, a container): its pid and start time.

A pid alone is reused, e.g. by a server restarted in a container; with the start time it is not.

The start time is psutil's ``create_time``. On Linux it is read here from ``/proc`` the way psutil
computes it (the same number: ``tests/test_identity.py``): every ``orchest-jlab run`` records its
own identity and each step's, and importing psutil cost the command about 20 ms of CPU.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass

_PROC = sys.platform.startswith("linux") and os.path.exists("/proc/self/stat")
_CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if _PROC else 100


def _boot_time() -> float:
    """Seconds since the epoch at boot (``btime`` of /proc/stat, read each time as psutil does:
    the kernel moves it with the wall clock)."""
    with open("/proc/stat", "rb") as f:
        for line in f:
            if line.startswith(b"btime"):
                return float(line.split()[1])
    raise OSError("no btime in /proc/stat")


def _started(pid: int) -> float:
    """The process's start time (ProcessLookupError when there is none)."""
    if not _PROC:
        import psutil

        try:
            return psutil.Process(pid).create_time()
        except psutil.Error as exc:
            raise ProcessLookupError(pid) from exc
    try:
        with open(f"/proc/{int(pid)}/stat", "rb") as f:
            data = f.read()
    except (FileNotFoundError, ProcessLookupError):
        raise ProcessLookupError(pid) from None
    # The command's name (field 2) may hold spaces and parentheses: fields are counted after its ")".
    fields = data[data.rfind(b")") + 2:].split()
    return int(fields[19]) / _CLOCK_TICKS + _boot_time()


@dataclass(frozen=True)
class ProcessIdentity:
    """A process: its pid and its start time."""
    pid: int
    started: float  # psutil's create_time: seconds since the epoch

    @classmethod
    def of(cls, pid: int) -> ProcessIdentity:
        """The identity of a running process (ProcessLookupError when there is none)."""
        return cls(pid, _started(pid))

    @classmethod
    def current(cls) -> ProcessIdentity:
        return cls.of(os.getpid())

    def alive(self) -> bool:
        """Whether this very process still runs (not another one that got its pid)."""
        try:
            return abs(_started(self.pid) - self.started) < 0.01
        except (OSError, ValueError, IndexError):
            return False
