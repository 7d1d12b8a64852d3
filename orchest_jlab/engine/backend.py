"""Backends: where a step runs. All share ``run_step``; the engine does not know which it has.

``LocalBackend`` runs steps as host processes and notebooks with host kernels: the embedded default,
which needs no container engine. Other backends (Docker containers, a Dask cluster) are plug-ins
(``orchest_jlab/backends/``) with the same interface. Which backend runs a run is decided when it
starts, by a ``BackendChooser`` (``backends/selection.py`` is the configurable one).
"""

from __future__ import annotations

import asyncio
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from .context import StepContext
from .datamount import DataFolders, mentions_no_data
from . import spawner
from .runners.process import run_process
from .steplog import StepLog

if TYPE_CHECKING:
    from .runners.kernels import KernelPool


class Backend(Protocol):
    name: str

    async def run_step(self, ctx: StepContext, log: StepLog) -> None:
        """Run one step; raise runners.StepFailed when it fails. Cancelling the call must stop
        everything the step started before it returns."""

    async def close(self) -> None: ...

    # Optional: ``refusal(request) -> str | None``, why a run cannot start on this backend (checked
    # before it starts; the run is refused with that message).
    # Optional: ``async cache_platform(ctx) -> str``, what the step runs on (an image's id, an
    # interpreter), part of its key in the step cache; a backend without it has no cached steps.


@dataclass(frozen=True)
class BackendChoice:
    """The backend a run (or a session's runs) will use, and why when it is not the one preferred."""

    name: str
    needs_images: bool = False  # steps run in their environments' images
    note: str | None = None  # said once before the run (e.g. why ``auto`` runs on the host)
    warning: bool = False  # the note is a surprise worth keeping in the run's warnings


class BackendChooser(Protocol):
    default: str  # the name (or ``auto``) used when a run asks for none

    def choose_for(self, project_dir: Path, environments: set[str], asked: str | None = None) -> BackendChoice:
        """The backend for steps of ``project_dir`` using ``environments``; ``asked``: a backend's name,
        None for the configured default. Raises BadRequest when the one asked for cannot be used."""

    def instance(self, name: str) -> Backend: ...

    async def close(self) -> None: ...


class OneBackend:
    """Every run on one backend (tests, and programs that embed the engine)."""

    def __init__(self, backend: Backend):
        self.backend = backend
        self.default = backend.name

    def choose_for(self, project_dir: Path, environments: set[str], asked: str | None = None) -> BackendChoice:
        return BackendChoice(self.backend.name)

    def instance(self, name: str) -> Backend:
        return self.backend

    async def close(self) -> None:
        await self.backend.close()


class LocalBackend:
    name = "local"

    def __init__(self, python: str = sys.executable, kernel_spares: int = 1, data: DataFolders | None = None):
        """``data``: the project data folders steps that use ``/data`` find there (None: no ``/data``)."""
        self.python = python
        self.kernel_spares = kernel_spares
        self.data = data
        self._kernels: KernelPool | None = None

    def refusal(self, request: Any) -> str | None:  # a RunRequest (run.py imports this module)
        """Steps that use ``/data`` on a machine where they cannot have it are refused up front."""
        if self.data is None:
            return None
        steps = request.pipeline["steps"]
        files = {steps[u].get("title") or u: request.pipeline_path.parent / steps[u].get("file_path", "")
                 for u in request.steps}
        return self.data.refusal(request.project_dir, files)

    @property
    def kernels(self) -> KernelPool:
        """Made at the first notebook step: runs of scripts never import Jupyter's kernel machinery
        (nbclient, jupyter_client, zmq), which would cost every ``orchest-jlab run`` a start-up."""
        if self._kernels is None:
            from .runners.kernels import KernelPool

            self._kernels = KernelPool(spares=self.kernel_spares)
        return self._kernels

    async def cache_platform(self, ctx: StepContext) -> str:
        """What the step runs on, for its key in the step cache: this host's interpreter."""
        import platform

        return f"local {self.python} {platform.python_implementation()} {platform.python_version()} {platform.platform()}"

    async def run_step(self, ctx: StepContext, log: StepLog) -> None:
        prefix = []
        if self.data is not None and not mentions_no_data(ctx.file):  # most steps: no thread hop
            prefix = self.data.prefix(await asyncio.to_thread(self.data.folder, ctx))
        if ctx.kind == ".ipynb":
            from .runners.notebook import run_notebook

            await run_notebook(ctx, log, self.kernels.with_prefix(prefix) if prefix else self.kernels)
        else:
            await run_process(ctx, log, self.python, prefix)

    async def close(self) -> None:
        spawner.close()
        if self._kernels is not None:
            await self._kernels.close()
