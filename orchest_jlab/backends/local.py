"""The ``local`` plug-in: steps as processes of this machine, notebooks on its kernels."""

from __future__ import annotations

from ..engine import LocalBackend
from ..engine.datamount import DataFolders
from .plugin import BackendSetup, Capabilities


class LocalPlugin:
    name = "local"
    description = "Steps run on this machine: scripts as processes, notebooks on its Jupyter kernels."
    where = "on the host"
    capabilities = Capabilities(needs_images=False, auto_rank=0)

    def unavailable(self, setup: BackendSetup) -> str | None:
        return None

    def create(self, setup: BackendSetup) -> LocalBackend:
        settings = []  # made for the first step that uses /data (Docker's modules are imported for it)

        def folder(project):
            from ..docker.containers import data_folder

            settings[:] = settings or [setup.container_settings()]  # the docker backend's, so both share them
            return data_folder(settings[0], project)

        return LocalBackend(kernel_spares=setup.settings.kernel_spares, data=DataFolders(folder))


plugin = LocalPlugin()
