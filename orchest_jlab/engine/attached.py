"""What a run's steps are attached to besides their backend: the services of the run (or of its
interactive session). The engine knows only this protocol; ``pipeline_services/`` implements it.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from .backend import BackendChoice
    from .run import Run, RunRequest


class ServicesFailed(Exception):
    """The run's services could not start: the run fails before its first step, saying why."""


@dataclass(frozen=True)
class Attachment:
    """What a run's steps get from its services."""
    network: str | None = None  # the private network the steps' containers join
    env: dict[str, str] = field(default_factory=dict)  # variables of every step (ORCHEST_SERVICES)


class RunServices(Protocol):
    def check(self, request: RunRequest, choice: BackendChoice) -> None:
        """Raise BadRequest when the run has services it cannot get on ``choice`` (no Docker)."""

    def attach(self, run: Run, project_dir: Path, pipeline_path: Path) -> contextlib.AbstractAsyncContextManager[Attachment]:
        """Start the run's services (a non-interactive run), or find its session's (an interactive
        run), for as long as the run's steps run; raise ServicesFailed when they cannot start."""
