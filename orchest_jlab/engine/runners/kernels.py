"""Kernels for notebook steps: each step gets a fresh kernel, started ahead of time when possible.

Starting a kernel takes about a second; a chain of notebook steps would pay it at every step. The
pool keeps one started, unused Python kernel per kernel name, so the next step takes it at once
while a new spare starts in the background. A pooled kernel learns its step (working folder,
ORCHEST_* variables) from a first silent cell; kernels of other languages start on demand with
their step's folder and environment.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import uuid
from pathlib import Path
from typing import Protocol

from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel
from jupyter_client.manager import AsyncKernelManager
from jupyter_core.paths import jupyter_runtime_dir

from ...sdk import SDK_PATH
from ..context import StepContext
from . import StepFailed

log = logging.getLogger(__name__)

FALLBACK_KERNEL = "python3"


def resolve_kernel_name(candidates: list[str | None], specs: KernelSpecManager | None = None,
                        language: str | None = None) -> str:
    """The first candidate that is an installed kernel (the step's kernel, then the notebook's), else
    an installed kernel of the notebook's ``language``, else for Python notebooks the host's Python
    kernel (Orchest's notebooks say ``python`` or ``orchest-kernel-<uuid>``; the host has
    ``python3``). Else the first candidate, which the host does not have (``KernelPool`` says so)."""
    specs = specs or KernelSpecManager()
    installed = specs.find_kernel_specs()
    for name in candidates:
        if name and name in installed:
            return name
    if not language or language.lower() == "python":
        return FALLBACK_KERNEL
    for name in sorted(installed):
        with contextlib.suppress(Exception):
            if specs.get_kernel_spec(name).language.lower() == language.lower():
                return name
    return next((name for name in candidates if name), f"{language} kernel")


def _base_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(SDK_PATH), env.get("PYTHONPATH")]))
    env["PYTHONUNBUFFERED"] = "1"
    return env


def _python_setup_code(ctx: StepContext) -> str:
    # Silent: neither the notebook nor the step's log sees it (a job's variables may be secrets).
    env = {**ctx.orchest_env(), **ctx.extra_env}
    return (
        "import os as _os\n"
        f"_os.chdir({json.dumps(str(ctx.cwd))})\n"
        f"_os.environ.update({json.dumps(env)})\n"
        + ("" if "ORCHEST_PARAMETERS" in env else "_os.environ.pop('ORCHEST_PARAMETERS', None)\n")
        + "del _os\n"
    )


class KernelSource(Protocol):
    """Where a notebook step gets its kernel: a pool of host kernels, or a container's (docker)."""

    async def take(self, kernel_name: str, ctx: StepContext) -> tuple[AsyncKernelManager, str | None]:
        """A started kernel for the step, and code to run silently first (or None)."""


class KernelPool:
    def __init__(self, spares: int = 1):
        self.spares = spares
        self._specs = KernelSpecManager()
        self._idle: dict[str, list[asyncio.Task[AsyncKernelManager]]] = {}
        self._closed = False

    def _is_python(self, kernel_name: str) -> bool:
        try:
            return self._specs.get_kernel_spec(kernel_name).language.lower() == "python"
        except NoSuchKernel:
            return False

    async def _start(self, kernel_name: str, prefix: list[str] | None = None, **kwargs) -> AsyncKernelManager:
        # IPC sockets in the runtime folder: no TCP port is opened for a step's kernel.
        runtime = Path(jupyter_runtime_dir())
        runtime.mkdir(parents=True, exist_ok=True)
        manager = (_PrefixedKernelManager if prefix else AsyncKernelManager)(
            kernel_name=kernel_name, transport="ipc", ip=str(runtime / f"orchest-step-{uuid.uuid4().hex[:12]}"))
        if prefix:
            manager.prefix = list(prefix)
        await manager.start_kernel(**kwargs)
        return manager

    def _replenish(self, kernel_name: str) -> None:
        idle = self._idle.setdefault(kernel_name, [])
        while not self._closed and len(idle) < self.spares:
            idle.append(asyncio.ensure_future(self._start(kernel_name, env=_base_env())))

    def with_prefix(self, prefix: list[str]) -> KernelSource:
        """The kernels of steps whose kernel runs under ``prefix`` (started for them, not pooled)."""
        pool = self

        class Prefixed:
            async def take(self, kernel_name: str, ctx: StepContext) -> tuple[AsyncKernelManager, str | None]:
                return await pool.take(kernel_name, ctx, prefix)

        return Prefixed()

    async def take(self, kernel_name: str, ctx: StepContext,
                   prefix: list[str] | None = None) -> tuple[AsyncKernelManager, str | None]:
        """A fresh kernel for ``ctx`` and the code that must run first in it (or None)."""
        if kernel_name not in self._specs.find_kernel_specs():
            language = ctx.language or "matching"
            raise StepFailed(f'Step "{ctx.title}": {ctx.file.name} needs a {language} kernel ("{kernel_name}"), '
                             "which is not installed on this machine; install one (e.g. IJulia for Julia, "
                             "IRkernel for R), or run on the docker backend.")
        if prefix or not self.spares or not self._is_python(kernel_name):
            manager = await self._start(kernel_name, prefix, env=ctx.process_env(), cwd=str(ctx.cwd))
            return manager, None
        idle = self._idle.setdefault(kernel_name, [])
        starting = idle.pop(0) if idle else asyncio.ensure_future(self._start(kernel_name, env=_base_env()))
        self._replenish(kernel_name)
        manager = await starting
        return manager, _python_setup_code(ctx)

    async def close(self) -> None:
        self._closed = True
        tasks = [task for idle in self._idle.values() for task in idle]
        self._idle.clear()
        for task in tasks:
            with contextlib.suppress(Exception, asyncio.CancelledError):
                await shutdown_kernel(await task)


class _PrefixedKernelManager(AsyncKernelManager):
    """A kernel whose command runs under a prefix command (which execs it: the same process)."""

    prefix: list[str] = []

    def format_kernel_cmd(self, extra_arguments=None):
        return [*self.prefix, *super().format_kernel_cmd(extra_arguments)]


async def shutdown_kernel(manager: AsyncKernelManager) -> None:
    try:
        await manager.shutdown_kernel(now=True)
    except Exception:
        log.debug("kernel shutdown failed", exc_info=True)
    with contextlib.suppress(Exception):
        await manager.cleanup_resources()
