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
        from ..docker.containers import data_folder

        settings = setup.container_settings()  # the docker backend's data folders, so both share them
        return LocalBackend(kernel_spares=setup.settings.kernel_spares,
                            data=DataFolders(lambda project: data_folder(settings, project)))


plugin = LocalPlugin()
