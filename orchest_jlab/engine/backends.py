"""Backends: where a step runs. All share ``run_step``; the engine does not know which it has.

``local`` runs steps as host processes and notebooks with host kernels: the embedded default, which
needs no container engine. A Docker backend (one container per step) and a distributed one plug in
here with the same interface.
"""

from __future__ import annotations

import sys
from typing import Protocol

from .context import StepContext
from .runners.kernels import KernelPool
from .runners.notebook import run_notebook
from .runners.process import run_process
from .steplog import StepLog


class Backend(Protocol):
    name: str

    async def run_step(self, ctx: StepContext, log: StepLog) -> None:
        """Run one step; raise runners.StepFailed when it fails. Cancelling the call must stop
        everything the step started before it returns."""

    async def close(self) -> None: ...


class LocalBackend:
    name = "local"

    def __init__(self, python: str = sys.executable, kernel_spares: int = 1):
        self.python = python
        self.kernels = KernelPool(spares=kernel_spares)

    async def run_step(self, ctx: StepContext, log: StepLog) -> None:
        if ctx.kind == ".ipynb":
            await run_notebook(ctx, log, self.kernels)
        else:
            await run_process(ctx, log, self.python)

    async def close(self) -> None:
        await self.kernels.close()
