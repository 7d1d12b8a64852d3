"""Kernels in containers for the notebook steps of runs on the docker backend.

``runners/notebook.py`` takes a kernel from a pool (``take(kernel_name, ctx)``); on the docker
backend that pool starts, for each step, a kernel named ``orchest-kernel-<environment uuid>`` through
the ``orchest-docker`` provisioner, in the step's image, with the step's folder as working folder
and its ``ORCHEST_*`` variables. No spare kernels are kept: a container kernel starts in about a
second (benchmarks/bench_docker.py).
"""

from __future__ import annotations

import dataclasses

from jupyter_client.manager import AsyncKernelManager

from ..engine.context import StepContext
from ..docker import ContainerSettings, StepImage
from ..engine.runners import StepFailed
from .provisioner import ensure_registered
from .specs import KERNELS, kernel_name, kernel_spec


class ContainerKernels:
    """The kernel "pool" of one step: ``take`` starts the step's kernel in its image."""

    def __init__(self, settings: ContainerSettings, image: StepImage, labels: dict[str, str]):
        ensure_registered()
        self.settings = settings
        self.image = image
        self.labels = labels

    async def take(self, _kernel_name: str, ctx: StepContext) -> tuple[AsyncKernelManager, None]:
        if self.image.language not in KERNELS:
            raise StepFailed(f'Step "{ctx.title}": {ctx.file.name} needs a {self.image.language} kernel, and '
                             f"{self.image.language} environments get none in their images (docs/environments.md); "
                             "use a script step, or the local backend with that kernel installed.")
        name = kernel_name(ctx.environment or "")
        settings = dataclasses.asdict(self.settings)
        spec = kernel_spec(ctx.environment or "", name, {
            "image": self.image.image, "network": self.image.network, "gpu": self.image.gpu,
            "language": self.image.language,
            "project_dir": str(ctx.project_dir), "data_project": str(ctx.source_project_dir),
            "labels": self.labels, "container_settings": settings, "docker_network": ctx.network or "",
            # A job's variables: in this in-memory spec only, never in a file or a log.
            "extra_env": dict(ctx.extra_env)}, language=self.image.language)
        manager = AsyncKernelManager(kernel_name=name)
        manager._kernel_spec = spec  # not looked up: this spec is the step's own
        await manager.start_kernel(env=ctx.orchest_env(), cwd=str(ctx.cwd))
        return manager, None
