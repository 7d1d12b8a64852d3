"""The run engine: runs, step states, runners, backends, snapshots and the event bus."""

from .attached import Attachment, RunServices, ServicesFailed
from .backend import Backend, BackendChoice, BackendChooser, LocalBackend, OneBackend
from .engine import Engine
from .events import EventBus
from .run import Run, RunRequest, StepRun
from .states import RunStatus, StepState

__all__ = ["Attachment", "RunServices", "ServicesFailed", "Backend", "BackendChoice", "BackendChooser", "Engine", "EventBus", "LocalBackend", "OneBackend", "Run",
           "RunRequest", "RunStatus", "StepRun", "StepState"]
