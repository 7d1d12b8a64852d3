"""Environments on a worker: where the worker's own Docker engine answers, a step runs in its
environment's image, built on this worker by the server's recipe (same tag and build hash as the
docker backend's) and run as the docker backend runs it (its container, mounts relative to the
worker's copy of the project, security defaults, a notebook's kernel in the container). Elsewhere
it runs on the worker's host. The worker decides, and the step's record says which (docs/dask.md).
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from pathlib import Path
from typing import Any

from ...docker import ContainerSettings, StepImage, engine_unavailable
from ...engine.context import StepContext
from ...engine.runners import StepFailed
from .loops import loop_thread

HOST, DOCKER = "host", "docker"
ENGINE_RECHECK = 30  # seconds a worker trusts its last look at its Docker engine

_lock = threading.Lock()
_engine: tuple[float, str | None] | None = None  # (when looked, why no engine answers)
_builders: dict[tuple, Any] = {}
_client = None  # the Docker engine's client, shared by the steps of this worker process


def options(settings) -> dict[str, Any]:
    """What the server's configuration says of steps' containers on workers (sent with each step)."""
    return {"mode": settings.dask_environments, "aliases": dict(settings.base_image_aliases),
            "build_network": settings.build_network, "cpus": settings.docker_cpus or None,
            "memory": settings.docker_memory or None, "pids_limit": settings.docker_pids_limit or None}


def _known_engine_problem() -> tuple[bool, str | None]:
    """(known, why no engine answers) from the last look, when it is recent (no thread needed)."""
    with _lock:
        if _engine is not None and time.monotonic() - _engine[0] < ENGINE_RECHECK:
            return True, _engine[1]
    return False, None


def _engine_problem() -> str | None:
    global _engine
    known, problem = _known_engine_problem()
    if known:
        return problem
    problem = engine_unavailable()
    with _lock:
        _engine = (time.monotonic(), problem)
    return problem


def _build_loop() -> asyncio.AbstractEventLoop:
    """Builds: one loop per worker process, so one lock per image."""
    return loop_thread("builds")


def _builder(given: dict[str, Any]):
    from ...environments.images import default_ca_bundle
    from ...environments.worker_builds import WorkerBuilder

    key = (tuple(sorted(given["aliases"].items())), given["build_network"])
    with _lock:
        if key not in _builders:
            _builders[key] = WorkerBuilder(aliases=given["aliases"], ca_bundle=default_ca_bundle(),
                                           network=given["build_network"])
        return _builders[key]


def _docker_client():
    """This worker process's client of its Docker engine (blocking). The first one removes the
    containers of a worker killed on this machine before it could remove them."""
    from ...docker import docker_client, remove_orphans

    global _client
    with _lock:
        if _client is not None:
            return _client
        _client = docker_client()
    with contextlib.suppress(Exception):
        remove_orphans(_client)
    return _client


def _backend(given: dict[str, Any], images, client) -> Any:
    """The docker backend for one step: it runs the step as it would on the server, its image
    coming from this worker's builds."""
    from ...kernels.containers import ContainerKernels
    from ..docker import DockerBackend

    # The worker's own uid:gid (ContainerSettings' default): the files belong to the worker.
    settings = ContainerSettings(cpus=given["cpus"], memory=given["memory"], pids_limit=given["pids_limit"])
    return DockerBackend(images, ContainerKernels, settings, client=client)


class _Images:
    """The docker backend's ImageResolver on a worker: the image built here (once per image and
    build hash, under the build loop's lock); what it used is kept for the step's record."""

    def __init__(self, builder, log, where: dict[str, Any], log_folder: Path):
        self.builder, self.log, self.where, self.log_folder = builder, log, where, log_folder

    async def __call__(self, project_dir: Path, env_uuid: str, note, owner: Path | None = None) -> StepImage:
        from ...environments.worker_builds import BuildError

        began = time.monotonic()
        work = self.builder.image_here(owner or project_dir, project_dir, env_uuid, self.log_folder, self.log.write)
        try:
            image, built = await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(work, _build_loop()))
        except BuildError as exc:
            raise StepFailed(f"The environment's image could not be built on this worker: {exc}") from None
        self.where["image"] = image.image
        self.log.note(f"Runs in {image.image}, " + (f"built on this worker in {time.monotonic() - began:.1f} s."
                                                   if built else "already built on this worker."))
        return image


def on_host(ctx: StepContext, given: dict[str, Any]) -> bool:
    """Whether the step runs on the worker's host, known without waiting (no environment, the host
    asked for, or this worker's engine known not to answer)."""
    if not ctx.environment or given.get("mode", "auto") == HOST:
        return True
    known, problem = _known_engine_problem()
    return known and problem is not None


async def run_in_environment(ctx: StepContext, log, given: dict[str, Any], where: dict[str, Any],
                             log_folder: Path) -> bool:
    """Run the step in its environment's image when this worker can (``where`` gets ``runtime``
    and ``image``); False: it cannot, the log says why, and the step is to run on the host."""
    if not ctx.environment:
        return False
    if given.get("mode", "auto") == HOST:
        log.note("Runs on the worker's host (c.OrchestApp.dask_environments = 'host').")
        return False
    known, problem = _known_engine_problem()
    if not known:
        problem = await asyncio.to_thread(_engine_problem)
    builder = client = None
    if problem is None:
        builder = _builder(given)
        problem = await asyncio.to_thread(builder.unobtainable, ctx.project_dir, ctx.environment)
    if problem is None:
        try:
            client = await asyncio.to_thread(_docker_client)
        except Exception as exc:
            problem = f"the Docker engine did not answer ({type(exc).__name__}: {exc})"
    if problem is not None:
        log.note(f"Runs on the worker's host: {problem}.")
        return False
    where["runtime"] = DOCKER
    await _backend(given, _Images(builder, log, where, log_folder), client).run_step(ctx, log)
    return True


__all__ = ["DOCKER", "HOST", "options", "run_in_environment"]
