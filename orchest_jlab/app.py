"""The jupyter_server extension: configuration and wiring, nothing else."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

from jupyter_server.extension.application import ExtensionApp
from traitlets import Bool, Dict, Float, Int, List, Unicode, default

from .engine import Engine, EventBus
from .engine.context import SDK_PATH
from .environments import DEFAULT_ALIASES, EnvironmentService
from .environments.runtime import DockerOptions, make_runtime, serve_environment_kernels
from .handlers import routes
from .jobs import JobService
from .pipelines import DEFAULT_SKIP_DIRS
from .runs import RunService
from .sessions import JupyterKernels, SessionService
from .store import RunStores
from .workspace import Workspace


class OrchestApp(ExtensionApp):
    name = "orchest_jlab"
    description = "Orchest pipelines in JupyterLab"
    load_other_extensions = True

    skip_directories = List(
        Unicode(),
        default_value=sorted(DEFAULT_SKIP_DIRS),
        help="Folder names that pipeline discovery never enters (besides hidden folders and virtual "
        "environments, which it always skips).",
    ).tag(config=True)

    database_url = Unicode(
        "",
        help="SQLAlchemy URL of the database of runs. Empty: a SQLite file in each project's .orchest/.",
    ).tag(config=True)

    snapshot_size_limit_mb = Int(
        50, help="Files larger than this (MiB) are left out of run snapshots, with a warning; 0: no limit."
    ).tag(config=True)

    kernel_spares = Int(
        1, help="Started, unused kernels kept per kernel name so that notebook steps start at once."
    ).tag(config=True)

    sdk_in_kernels = Bool(
        True, help="Make the step SDK (import orchest) importable in the kernels this server starts, so "
        "that a step's notebook opened in JupyterLab gets its inputs."
    ).tag(config=True)

    # Jobs (docs/jobs.md)
    max_concurrent_runs = Int(4, help="Pipeline runs of jobs that run at the same time, at most (others wait).").tag(config=True)
    max_grid_size = Int(
        1000, help="The most runs a job's parameter grid may make (a larger grid is refused); 0: no limit."
    ).tag(config=True)

    # Environments and Docker (docs/environments.md)
    backend = Unicode(
        help="Where steps run: auto (docker when a Docker engine answers, else local), local or docker. "
        "Default: $ORCHEST_JLAB_BACKEND, else auto."
    ).tag(config=True)

    @default("backend")
    def _default_backend(self) -> str:
        return os.environ.get("ORCHEST_JLAB_BACKEND") or "auto"

    base_image_aliases = Dict(
        Unicode(), default_value=DEFAULT_ALIASES,
        help="Base images of environments (e.g. Orchest's orchest/base-kernel-py) mapped to images available here.",
    ).tag(config=True)
    docker_data_dir = Unicode(
        "", help="Host folder mounted at /data in step containers; empty: <Jupyter data dir>/orchest-jlab/data."
    ).tag(config=True)
    docker_cpus = Float(0, help="CPU limit of each step container (0: no limit).").tag(config=True)
    docker_memory = Unicode("", help='Memory limit of each step container, e.g. "2g" (empty: no limit).').tag(config=True)
    build_network = Unicode("host", help="Network of environment builds: host, or none for offline builds.").tag(config=True)
    pull_base_images = Bool(False, help="Pull a base image that is not in the Docker engine.").tag(config=True)
    environment_kernels = Bool(
        True, help="Serve a kernel orchest-kernel-<uuid> per Python environment, run in its image (needs Docker)."
    ).tag(config=True)

    def initialize_settings(self) -> None:
        root = self.serverapp.root_dir
        workspace = Workspace(root, self.skip_directories)
        self.bus = EventBus()
        self.stores = RunStores(self.database_url or None)
        self.stores.listen(self.bus)
        docker = DockerOptions(aliases=dict(self.base_image_aliases), build_network=self.build_network,
                               pull=self.pull_base_images, cpus=self.docker_cpus, memory=self.docker_memory)
        if self.docker_data_dir:
            docker.data_dir = Path(self.docker_data_dir)
        self.runtime = make_runtime(self.bus, self.backend, docker, self.kernel_spares)
        self.engine = Engine(self.bus, self.runtime.backend)
        kernels = None
        if self.runtime.builder is not None and self.environment_kernels:
            kernels = serve_environment_kernels(self.serverapp, workspace.root, workspace.skip_dirs)
        limit = self.snapshot_size_limit_mb * 2**20 or None
        # Sessions build the images that something runs in: steps (docker backend) or environment kernels.
        images_used = self.runtime.backend.name == "docker" or kernels is not None
        self.sessions = SessionService(workspace, self.engine, self.bus, self.runtime.builder if images_used else None,
                                       JupyterKernels(self.serverapp.session_manager), refresh_kernelspecs=kernels)
        self.jobs = JobService(workspace, self.engine, self.stores, self.bus, max_concurrent_runs=self.max_concurrent_runs,
                               max_grid_size=self.max_grid_size, snapshot_size_limit=limit)
        self.settings.update(
            orchest_workspace=workspace,
            orchest_bus=self.bus,
            orchest_runs=RunService(workspace, self.engine, self.stores, limit, sessions=self.sessions),
            orchest_jobs=self.jobs,
            orchest_sessions=self.sessions,
            orchest_environments=EnvironmentService(workspace, self.engine, self.runtime.builder, kernels,
                                                    sessions=self.sessions),
        )
        paths = os.environ.get("PYTHONPATH", "").split(os.pathsep)
        if self.sdk_in_kernels and str(SDK_PATH) not in paths:
            # Kernels inherit the server's environment.
            os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(SDK_PATH), *paths]))
        self.log.info("Orchest pipelines served from %s", root)
        try:  # the scheduler starts with the event loop; some hosts (tests) initialize inside it
            self._jobs_starting = asyncio.get_running_loop().create_task(self.jobs.startup())
        except RuntimeError:
            pass

    async def _start_jupyter_server_extension(self, serverapp) -> None:
        await self.jobs.startup()  # restores the jobs, then fires them on time

    def initialize_handlers(self) -> None:
        self.handlers.extend(routes())

    async def stop_extension(self) -> None:
        # Runs in flight are cancelled (their steps killed and marked ABORTED) before the server exits;
        # the scheduler stops first, so that no job starts a run meanwhile. Sessions stop their
        # interactive runs and kernels (kernel containers included) before the engine closes.
        await self.jobs.shutdown()
        await self.sessions.shutdown()
        await self.engine.shutdown()
        self.stores.close()
