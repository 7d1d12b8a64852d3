"""The jupyter_server extension: configuration and wiring, nothing else."""

from __future__ import annotations

import os

from jupyter_server.extension.application import ExtensionApp
from traitlets import Bool, Int, List, Unicode

from .engine import Engine, EventBus, LocalBackend
from .engine.context import SDK_PATH
from .handlers import routes
from .pipelines import DEFAULT_SKIP_DIRS
from .runs import RunService
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

    def initialize_settings(self) -> None:
        root = self.serverapp.root_dir
        workspace = Workspace(root, self.skip_directories)
        self.bus = EventBus()
        self.stores = RunStores(self.database_url or None)
        self.stores.listen(self.bus)
        self.engine = Engine(self.bus, LocalBackend(kernel_spares=self.kernel_spares))
        limit = self.snapshot_size_limit_mb * 2**20 or None
        self.settings.update(
            orchest_workspace=workspace,
            orchest_bus=self.bus,
            orchest_runs=RunService(workspace, self.engine, self.stores, limit),
        )
        paths = os.environ.get("PYTHONPATH", "").split(os.pathsep)
        if self.sdk_in_kernels and str(SDK_PATH) not in paths:
            # Kernels inherit the server's environment.
            os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(SDK_PATH), *paths]))
        self.log.info("Orchest pipelines served from %s", root)

    def initialize_handlers(self) -> None:
        self.handlers.extend(routes())

    async def stop_extension(self) -> None:
        # Runs in flight are cancelled (their steps killed and marked ABORTED) before the server exits.
        await self.engine.shutdown()
        self.stores.close()
