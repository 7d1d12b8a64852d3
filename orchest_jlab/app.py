"""The jupyter_server extension: its configuration (``OrchestSettings``) and routes, nothing else;
the services come from the composition root (``services.py``)."""

from __future__ import annotations

import asyncio
import os

from jupyter_server.extension.application import ExtensionApp

from .handlers import proxy_routes, routes
from .sdk import SDK_PATH
from .services import Services
from .settings import OrchestSettings


class OrchestApp(ExtensionApp, OrchestSettings):
    name = "orchest_jlab"
    description = "Orchest pipelines in JupyterLab"
    load_other_extensions = True

    def initialize_settings(self) -> None:
        self.services = services = Services(self, self.serverapp.root_dir, self.serverapp)
        self.settings.update(
            orchest_workspace=services.workspace,
            orchest_bus=services.bus,
            orchest_runs=services.runs,
            orchest_jobs=services.jobs,
            orchest_sessions=services.sessions,
            orchest_environments=services.environments,
            orchest_pipeline_services=services.pipeline_services,
            orchest_notifications=services.notifications,
            orchest_env_variables=services.env_variables,
            orchest_backends=services.backends,
            orchest_max_request_body=self.max_request_body_mb * 2**20,
        )
        paths = os.environ.get("PYTHONPATH", "").split(os.pathsep)
        if self.sdk_in_kernels and str(SDK_PATH) not in paths:
            # Kernels inherit the server's environment.
            os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(SDK_PATH), *paths]))
        self.log.info("Orchest pipelines served from %s; steps run on backend %s", services.root, self.backend)
        try:  # the background work starts with the event loop; some hosts (tests) initialize inside it
            self._starting = asyncio.get_running_loop().create_task(services.start())
        except RuntimeError:
            pass

    async def _start_jupyter_server_extension(self, serverapp) -> None:
        await self.services.start()  # restores the jobs, then fires them on time; watches runs' owners

    def initialize_handlers(self) -> None:
        self.handlers.extend(routes() + proxy_routes())

    _starting: asyncio.Task | None = None

    async def stop_extension(self) -> None:
        await self.services.close()
        if self._starting is not None:  # a start cut short by the close ends now, before the loop does
            [outcome] = await asyncio.gather(self._starting, return_exceptions=True)
            if isinstance(outcome, Exception):
                self.log.error("The background work of orchest_jlab did not start: %s", outcome)
