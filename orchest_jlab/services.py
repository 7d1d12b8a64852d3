"""The composition root: the services of one process — the Jupyter server, or one command of
``orchest-jlab`` — built from one ``Settings`` and closed in order.

Each service is made on first use, so a command builds only what it needs (``run`` never opens
the jobs' scheduler; ``--backend local`` never asks Docker). The server calls ``start()`` for its
background work (the jobs' scheduler, the watch over runs' owners). ``close()`` stops what was
built: the watch over owners, the jobs' scheduler (no run starts meanwhile), notifications, then sessions (their interactive runs and kernels),
the engine (runs in flight cancelled, backends closed), builds, and the stores last.
"""

from __future__ import annotations

import contextlib
import logging
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .backends import BackendRegistry, BackendSelection
from .engine import Engine, EventBus
from .engine.attached import Attachment
from .engine.folders import ProjectFolders
from .store import RunStores
from .workspace import Workspace

if TYPE_CHECKING:
    from .defaults import SettingsValues as Settings  # either form: settings.Settings, defaults.Defaults
    from .docker import ContainerSettings

log = logging.getLogger(__name__)


class Services:
    def __init__(self, settings: Settings, root: Path, serverapp: Any = None):
        self.settings = settings
        self.root = Path(root).resolve()
        self.serverapp = serverapp  # None on the command line: no Jupyter kernels, no kernelspecs

    # --- the core ------------------------------------------------------------------------------------

    @cached_property
    def bus(self) -> EventBus:
        return EventBus()

    @cached_property
    def workspace(self) -> Workspace:
        return Workspace(self.root, self.settings.skip_directories, off_process=self.serverapp is not None)

    @cached_property
    def stores(self) -> RunStores:
        stores = RunStores(self.settings.database_url or None)
        stores.listen(self.bus)
        return stores

    @cached_property
    def backends(self) -> BackendSelection:
        selection = BackendSelection(BackendRegistry(), self, self.settings.backend)
        selection.check(self.settings.backend)
        return selection

    @cached_property
    def engine(self) -> Engine:
        self.stores  # noqa: B018 (every run is recorded: the stores listen before a run can start)
        engine = Engine(self.bus, self.backends, max_parallel_steps=self.settings.parallel_steps_cap,
                        folders=ProjectFolders(Path(self.settings.snapshots_dir) if self.settings.snapshots_dir else None))
        # A command makes the pipelines' services for a run that has some (they import Docker's modules).
        engine.services = self.pipeline_services if self.serverapp is not None else _ServicesOnDemand(self)
        engine.numbers = self.stores.next_number  # "Run 12" known from the run's first event
        return engine

    @cached_property
    def pipeline_services(self):
        """Orchest's services of pipelines (docs/services.md); Docker is asked only when a pipeline has some."""
        from .pipeline_services import PipelineServices

        services = PipelineServices(self.workspace, self.bus, self, pull=self.settings.pull_base_images)
        if self.serverapp is not None:  # the proxy serves their ports (handlers/proxy.py)
            app = self.serverapp
            services.serve(lambda: app.connection_url[:len(app.connection_url) - len(app.base_url)] + "/", app.base_url)
        return services

    # --- Docker (the plug-ins' BackendSetup) -------------------------------------------------------------

    @cached_property
    def docker_problem(self) -> str | None:
        from .docker import engine_unavailable

        return engine_unavailable()

    @cached_property
    def builder(self):
        """The environments' image builder, when a Docker engine answers (else None). Containers
        left by killed processes are removed first."""
        if self.docker_problem is not None:
            return None
        from .environments import Builder
        from .environments.images import default_ca_bundle

        _remove_orphaned_containers()
        s = self.settings
        return Builder(self.bus, aliases=dict(s.base_image_aliases), ca_bundle=default_ca_bundle(),
                       network=s.build_network, pull=s.pull_base_images)

    def container_settings(self) -> ContainerSettings:
        from .docker import ContainerSettings

        s = self.settings
        data_dir = Path(s.docker_data_dir) if s.docker_data_dir else _default_data_dir()
        return ContainerSettings(data_dir=data_dir, shared_data=s.docker_shared_data, cpus=s.docker_cpus or None,
                                 memory=s.docker_memory or None, pids_limit=s.docker_pids_limit or None)

    # --- the server's services ---------------------------------------------------------------------------

    @cached_property
    def kernelspecs(self):
        """The refresher of the kernelspecs orchest-kernel-<uuid> the server serves (None: none)."""
        if self.serverapp is None or not self.settings.environment_kernels or self.builder is None:
            return None
        from .kernels import serve_environment_kernels
        from .kernels.provisioner import set_session_attacher

        set_session_attacher(self.pipeline_services.attach_kernel)  # a user's kernel joins its session's services
        return serve_environment_kernels(self.serverapp.kernel_spec_manager, self.builder.image_for,
                                         self.container_settings(), self.workspace)

    @cached_property
    def sessions(self):
        from .sessions import JupyterKernels, SessionService

        kernels = None
        if self.serverapp is not None:
            kernels = JupyterKernels(self.serverapp.session_manager)
            kernels.give_env_variables(self._kernel_env_variables)
        return SessionService(self.workspace, self.engine, self.bus, self.builder, kernels,
                              refresh_kernelspecs=self.kernelspecs, kernel_images=self.kernelspecs is not None,
                              services=self.pipeline_services)

    @cached_property
    def env_variables(self):
        from .runs.variables import EnvVariablesService

        return EnvVariablesService(self.workspace)

    @cached_property
    def runs(self):
        from .runs import RunService

        return RunService(self.workspace, self.engine, self.stores, self.settings.snapshot_size_limit,
                          sessions=self.sessions if self.serverapp is not None else None)

    @cached_property
    def jobs(self):
        from .jobs import JobService

        s = self.settings
        return JobService(self.workspace, self.engine, self.stores, self.bus, max_concurrent_runs=s.max_concurrent_runs,
                          max_grid_size=s.max_grid_size, snapshot_size_limit=s.snapshot_size_limit,
                          lease_seconds=s.job_lease_seconds)

    @cached_property
    def environments(self):
        from .environments import EnvironmentService

        return EnvironmentService(self.workspace, self.engine, self.builder, self.kernelspecs,
                                  sessions=self.sessions if self.serverapp is not None else None)

    def _kernel_env_variables(self, file: Path) -> dict[str, str]:
        """The environment variables of a kernel opened on ``file``: those of its session's pipeline."""
        file = self.root / file  # relative: an API path
        pipelines = self.sessions.pipelines_with_step_file(self.workspace.api_path(file))
        return self.env_variables.for_kernel(file, pipelines)

    @cached_property
    def notifications(self):
        """Server only: job events delivered to the projects' webhooks."""
        from .notifications import NotificationService

        s = self.settings

        def find_job(job_uuid: str):
            found = self.jobs.jobs.find(job_uuid)
            return (found[1], Path(found[1]["project_dir"])) if found else None

        def find_run(project_dir: Path, run_uuid: str):
            unwritten = self.stores.unwritten().get(run_uuid)
            if unwritten is not None:
                return unwritten
            self.stores.flush()  # the run's last states are written (called from the notifications' thread)
            store = self.stores.existing(project_dir)
            return store.get_run(run_uuid) if store is not None else None

        service = NotificationService(self.workspace, find_job, find_run, attempts=s.webhook_attempts,
                                      retry_seconds=s.webhook_retry_seconds, timeout=s.webhook_timeout_seconds)
        service.listen(self.bus)
        return service

    @cached_property
    def liveness(self):
        """Server only: ends the runs whose owner process (a command, a dead server) is gone."""
        from .runs.liveness import OwnerWatch

        return OwnerWatch(self.stores, self.bus, self.workspace, remove_containers=self._remove_run_containers)

    def _remove_run_containers(self, run_uuids: list[str]) -> None:
        if self.docker_problem is not None:
            return
        from .docker import LABEL, docker_client, network_name, remove_leftovers, remove_network

        client = docker_client(timeout=30)
        try:
            for run_uuid in run_uuids:
                remove_leftovers(client, {f"{LABEL}.run": run_uuid})  # steps and services
                remove_network(client, network_name(run_uuid))
        finally:
            client.close()

    # --- starting and shutting down ----------------------------------------------------------------------

    async def start(self) -> None:
        """The server's background work: the jobs' scheduler (restores the jobs, then fires them on
        time), then the watch over runs' owners."""
        await self.jobs.startup()
        if not self._closing:  # closed while the jobs were restored: a watch started now would outlive it
            self.liveness.start()

    # --- shutting down -----------------------------------------------------------------------------------

    _closing = False

    async def close(self) -> None:
        self._closing = True
        built = self.__dict__
        if "liveness" in built:
            await self.liveness.stop()
        if "jobs" in built:
            await self.jobs.shutdown()
        if "notifications" in built:
            self.notifications.close()
        if "sessions" in built:
            await self.sessions.shutdown()  # their services too
        if "engine" in built:
            await self.engine.shutdown()  # closes the backends too (runs' services stop with their runs)
        if "pipeline_services" in built:
            await self.pipeline_services.shutdown()
        elif "backends" in built:
            await self.backends.close()
        if built.get("builder") is not None:
            await self.builder.close()
        if "stores" in built:
            self.stores.close()
        if "workspace" in built:
            self.workspace.close()


def _default_data_dir() -> Path:
    from jupyter_core.paths import jupyter_data_dir

    return Path(jupyter_data_dir()) / "orchest-jlab" / "data"


def _remove_orphaned_containers() -> None:
    from .docker import docker_client, remove_orphans

    try:
        client = docker_client(timeout=30)
        try:
            removed = remove_orphans(client)
        finally:
            client.close()
    except Exception as exc:  # cleaning up must never stop a start
        log.warning("Could not look for containers left by killed processes: %s", exc)
        return
    if removed:
        log.info("Removed %d containers left by processes that were killed", removed)


class _ServicesOnDemand:
    """The engine's RunServices in a command: ``Services.pipeline_services`` once a run has
    services; a run of a pipeline without any gets what those would give it. No session runs
    here, so an interactive run starts its pipeline's interactive services itself."""

    def __init__(self, services: Services):
        self._services = services

    def _for(self, request) -> Any:
        if request.pipeline.get("services") or "pipeline_services" in vars(self._services):
            return self._services.pipeline_services
        return None

    def check(self, request, choice) -> None:
        if (services := self._for(request)) is not None:
            services.check(request, choice, own_session=True)

    def attach(self, run, project_dir: Path, pipeline_path: Path) -> contextlib.AbstractAsyncContextManager:
        if (services := self._for(run.request)) is not None:
            return services.attach(run, project_dir, pipeline_path, own_session=True)
        return contextlib.nullcontext(Attachment())
