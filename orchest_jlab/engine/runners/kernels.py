"""Kernels for notebook steps: each step gets a fresh kernel, started ahead of time when possible.

Starting a kernel takes about a second; a chain of notebook steps would pay it at every step. The
pool keeps one started, unused Python kernel per kernel name, so the next step takes it at once
while a new spare starts in the background. A pooled kernel learns its step (working folder,
ORCHEST_* variables) from a first silent cell; kernels of other languages start on demand with
their step's folder and environment.

Like a script step's process, each kernel gets a cgroup of its own where the machine allows (it
joins it before it execs: ``cgroups.Placement``) and a token in its environment otherwise
(``orphans.py``): when its step ends, whatever a cell started (a ``setsid`` daemon included) is
killed with the kernel (``end_kernel``).
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
from .. import cgroups
from ..context import StepContext
from ..orphans import TOKEN_VARIABLE, kill_step, record_process
from . import StepFailed
from .tcp_bridge import bridged, tcp_only

log = logging.getLogger(__name__)

FALLBACK_KERNEL = "python3"
# The kernel languages that run a notebook of a language: Deno's kernel says "typescript".
KERNEL_LANGUAGES = {"javascript": ("javascript", "typescript")}
# What to install on the host for a kernel of a language.
KERNEL_HINTS = {
    "javascript": "Deno's kernel: pip install deno && deno jupyter --install",
    "typescript": "Deno's kernel: pip install deno && deno jupyter --install",
    "julia": "IJulia",
    "r": "IRkernel",
}


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
    accepted = KERNEL_LANGUAGES.get(language.lower(), (language.lower(),))
    for name in sorted(installed):
        with contextlib.suppress(Exception):
            if specs.get_kernel_spec(name).language.lower() in accepted:
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

    async def _start(self, kernel_name: str, env: dict[str, str], prefix: list[str] | None = None,
                     **kwargs) -> AsyncKernelManager:
        # IPC sockets in the runtime folder: no TCP port is opened for a step's kernel.
        runtime = Path(jupyter_runtime_dir())
        runtime.mkdir(parents=True, exist_ok=True)
        token = f"kernel-{uuid.uuid4().hex}"
        placement = cgroups.prepare(token)
        manager = ContainedKernelManager(kernel_name=kernel_name, transport="ipc",
                                         ip=str(runtime / f"orchest-step-{uuid.uuid4().hex[:12]}"))
        manager.token, manager.placement, manager.prefix = token, placement, list(prefix or [])
        try:
            await manager.start_kernel(env={**env, TOKEN_VARIABLE: token}, **kwargs)
        except BaseException:
            await asyncio.shield(end_kernel(manager))
            raise
        process = getattr(manager.provisioner, "process", None)
        manager.cgroup = placement.placed(process.pid) if placement and process is not None else None
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
            hint = KERNEL_HINTS.get(language.lower(), "e.g. IJulia for Julia, IRkernel for R")
            raise StepFailed(f'Step "{ctx.title}": {ctx.file.name} needs a {language} kernel ("{kernel_name}"), '
                             f"which is not installed on this machine; install one ({hint}), "
                             "or run on the docker backend.")
        if prefix or not self.spares or not self._is_python(kernel_name):
            manager = await self._start(kernel_name, ctx.process_env(), prefix, cwd=str(ctx.cwd))
            setup = None
        else:
            idle = self._idle.setdefault(kernel_name, [])
            starting = idle.pop(0) if idle else asyncio.ensure_future(self._start(kernel_name, env=_base_env()))
            self._replenish(kernel_name)
            manager, setup = await starting, _python_setup_code(ctx)
        process = getattr(manager.provisioner, "process", None)
        if process is not None:  # for recovery, should this process die during the step
            record_process(ctx.log_path, process.pid, manager.token, manager.cgroup)
        return manager, setup

    async def close(self) -> None:
        self._closed = True
        tasks = [task for idle in self._idle.values() for task in idle]
        self._idle.clear()
        for task in tasks:
            with contextlib.suppress(Exception, asyncio.CancelledError):
                await end_kernel(await task)


async def shutdown_kernel(manager: AsyncKernelManager) -> None:
    try:
        await manager.shutdown_kernel(now=True)
    except Exception:
        log.debug("kernel shutdown failed", exc_info=True)
    with contextlib.suppress(Exception):
        await manager.cleanup_resources()


class ContainedKernelManager(AsyncKernelManager):
    """A kernel that joins its cgroup (``placement``) before it execs; ``token`` is in its environment;
    ``prefix`` a command its command runs under (which execs it: the same process, e.g. /data's)."""

    token: str | None = None
    placement: cgroups.Placement | None = None
    cgroup: Path | None = None
    prefix: list[str] = []

    def format_kernel_cmd(self, extra_arguments: list[str] | None = None) -> list[str]:
        command = super().format_kernel_cmd(extra_arguments)
        if self.transport == "ipc" and tcp_only(command):
            command = bridged(command, self.connection_file)
        command = [*self.prefix, *command]
        return self.placement.command(command) if self.placement is not None else command


async def end_kernel(manager: AsyncKernelManager) -> None:
    """Shut the kernel down, then kill whatever it started: its cgroup, or what carries its token."""
    await shutdown_kernel(manager)
    token, cgroup = getattr(manager, "token", None), getattr(manager, "cgroup", None)
    if cgroup is None and getattr(manager, "placement", None) is not None:
        cgroup = manager.placement.group  # it never started, or was never confirmed in it
    if token or cgroup:
        await asyncio.to_thread(kill_step, None, None if cgroup else token, cgroup)
