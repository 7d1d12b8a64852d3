"""Jobs: grid searches of a pipeline's parameters, run now, once at a time or on a cron schedule,
on a snapshot of the project (a service: no server code here)."""

from .schedule import Clock, ManualClock, Schedule, SystemClock
from .service import JobService

__all__ = ["Clock", "JobService", "ManualClock", "Schedule", "SystemClock"]
