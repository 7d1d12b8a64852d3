"""The run engine: runs, step states, runners, backends, snapshots and the event bus."""

from .backends import Backend, LocalBackend
from .engine import Engine
from .events import EventBus
from .run import Run, RunRequest, StepRun
from .states import RunStatus, StepState

__all__ = ["Backend", "Engine", "EventBus", "LocalBackend", "Run", "RunRequest", "RunStatus", "StepRun", "StepState"]
