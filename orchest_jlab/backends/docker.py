"""The ``docker`` backend: each step in a container of its environment's image.

Scripts run as the container's command; notebooks through a kernel started in the container by the
kernels factory it is handed (``kernels/containers.py``). What a container gets from the host is in
``docker/containers.py``; which image a step uses is not decided here: an ``ImageResolver`` (the
environments' builder) turns a step's environment into an image, building it first when needed.
The container is removed when the step ends, fails or is cancelled.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from ..docker import (
    LABEL,
    ContainerSettings,
    StepImage,
    container_options,
    docker_client,
    docker_failure,
    owner_labels,
    remove_own_containers,
    run_container,
)
from ..engine.context import StepContext
from ..engine.runners import StepFailed
from ..engine.steplog import StepLog
from .plugin import BackendSetup, Capabilities

if TYPE_CHECKING:  # Jupyter's kernel machinery and nbformat: imported by the first notebook step
    from ..engine.runners.kernels import KernelSource

# Interpreters by file kind, found on the image's PATH.
INTERPRETERS = {".py": "python3", ".sh": "bash", ".r": "Rscript", ".jl": "julia", ".js": "node"}


class ImageResolver(Protocol):
    async def __call__(self, project_dir: Path, environment_uuid: str, note: Callable[[str], None],
                       owner: Path | None = None) -> StepImage:
        """The image of the environment defined in ``project_dir`` (a project or a run's snapshot of
        ``owner``), built first if needed; raise StepFailed when it cannot be."""


# Makes the kernel source of one notebook step: a kernel in the step's image, with these labels.
KernelsFactory = Callable[[ContainerSettings, StepImage, dict], "KernelSource"]


class DockerBackend:
    """Steps in containers: scripts directly, notebooks through a kernel in the container."""

    name = "docker"

    def __init__(self, image_for: ImageResolver, kernels: KernelsFactory, settings: ContainerSettings | None = None,
                 client=None):
        self.image_for = image_for
        self.kernels = kernels
        self.settings = settings or ContainerSettings()
        self._client = client

    @property
    def client(self):
        if self._client is None:
            self._client = docker_client()
        return self._client

    async def _image(self, ctx: StepContext, log_: StepLog) -> StepImage:
        if not ctx.environment:
            raise StepFailed(f'Step "{ctx.title}" has no environment; the docker backend needs one.')
        return await self.image_for(ctx.project_dir, ctx.environment, log_.note, ctx.source_project_dir)

    def step_labels(self, ctx: StepContext) -> dict[str, str]:
        return {f"{LABEL}.kind": "step", f"{LABEL}.run": ctx.run_uuid, f"{LABEL}.step": ctx.step_uuid,
                f"{LABEL}.project": str(ctx.project_dir), **owner_labels()}

    async def cache_platform(self, ctx: StepContext) -> str:
        """What the step runs on, for its key in the step cache: its image's id (a rebuild changes it)."""
        image = await self.image_for(ctx.project_dir, ctx.environment, lambda _: None, ctx.source_project_dir) \
            if ctx.environment else None
        if image is None:
            return "docker (no environment)"  # the step fails when it runs; its key never gets an entry
        found = await asyncio.to_thread(self.client.images.get, image.image)
        return f"docker {found.id} gpu={image.gpu}"

    async def run_step(self, ctx: StepContext, log_: StepLog) -> None:
        image = await self._image(ctx, log_)
        ctx.begin()  # a step's timeout does not count its image's build
        if ctx.kind == ".ipynb":
            from ..engine.runners.notebook import run_notebook

            await run_notebook(ctx, log_, self.kernels(self.settings, image, self.step_labels(ctx)))
            return
        interpreter = INTERPRETERS.get(ctx.kind)
        if interpreter is None:
            raise StepFailed(f"{ctx.file.name}: the docker backend cannot run {ctx.kind} files.")
        options = container_options(self.settings, image, ctx.project_dir, ctx.cwd, {**ctx.orchest_env(), **ctx.extra_env},
                                    self.step_labels(ctx), project=ctx.source_project_dir, network=ctx.network)
        options["command"] = [interpreter, str(ctx.file)]
        try:
            code = await run_container(self.client, options, log_.write)
        except Exception as exc:
            if type(exc).__name__ in ("APIError", "ImageNotFound", "DockerException"):
                raise StepFailed(docker_failure(exc, image)) from None
            raise
        if code == 127:
            raise StepFailed(f'Step "{ctx.title}": {interpreter} (to run {ctx.file.name}) was not found in the image '
                             f"{image.image} (exit code 127); install it in the environment's setup script.")
        if code != 0:
            raise StepFailed(f"{ctx.file.name} exited with code {code}" if code < 128
                             else f"{ctx.file.name} was killed by signal {code - 128}")

    async def close(self) -> None:
        if self._client is not None:
            await asyncio.to_thread(remove_own_containers, self._client)
            with contextlib.suppress(Exception):
                self._client.close()
            self._client = None


def container_kernels(settings: ContainerSettings, image: StepImage, labels: dict) -> KernelSource:
    """The kernels of a notebook step's container (Jupyter's kernel machinery is imported by the first)."""
    from ..kernels.containers import ContainerKernels

    return ContainerKernels(settings, image, labels)


class DockerPlugin:
    name = "docker"
    description = ("Each step runs in a container of its environment's image (built from the environment's "
                   "base image and setup script); needs a Docker engine.")
    where = "in containers"
    capabilities = Capabilities(needs_images=True, auto_rank=10)

    def unavailable(self, setup: BackendSetup) -> str | None:
        return setup.docker_problem

    def create(self, setup: BackendSetup) -> DockerBackend:
        builder = setup.builder
        if builder is None:
            raise RuntimeError(f"The docker backend cannot be used: {setup.docker_problem}.")
        return DockerBackend(builder.image_for, container_kernels, setup.container_settings())


plugin = DockerPlugin()
