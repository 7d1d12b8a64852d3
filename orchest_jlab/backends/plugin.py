"""What a backend plug-in is: a name, a description, its capabilities, whether it can be used here,
and how to make the backend (``engine.Backend``) from what the composition root offers.

A plug-in is registered under the entry-point group ``orchest_jlab.backends`` (docs/backends.md);
the entry point names the plug-in object, or a class made with no arguments.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from ..docker import ContainerSettings
    from ..engine import Backend, EventBus
    from ..environments import Builder
    from ..settings import Settings


@dataclass(frozen=True)
class Capabilities:
    """What a backend can do (the sessions and ``auto`` read it)."""
    # Steps run in their environments' images: sessions build them before RUNNING, and ``auto``
    # takes the backend for a run only when the images it needs can be had.
    needs_images: bool = False
    # ``auto`` tries the backends that have a rank, highest first; None: used only when named.
    auto_rank: int | None = None


class BackendSetup(Protocol):
    """What a plug-in may use to make its backend (the composition root, ``services.py``)."""

    settings: Settings
    bus: EventBus

    @property
    def builder(self) -> Builder | None:
        """The environments' image builder; None when no Docker engine answers."""

    @property
    def docker_problem(self) -> str | None:
        """Why Docker cannot be used here (None when an engine answers)."""

    def container_settings(self) -> ContainerSettings:
        """Step and kernel containers as configured (data folder, limits)."""


class BackendPlugin(Protocol):
    name: str
    description: str  # one line: where steps run (the CLI's help and docs/backends.md show it)
    where: str  # how messages say it: "on the host", "in containers"
    capabilities: Capabilities

    def unavailable(self, setup: BackendSetup) -> str | None:
        """None when the backend can be used here, else why not (a sentence's end)."""

    def create(self, setup: BackendSetup) -> Backend:
        """The backend; called once per process, when a run first needs it."""
