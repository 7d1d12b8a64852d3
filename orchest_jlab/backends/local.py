"""The ``local`` plug-in: steps as processes of this machine, notebooks on its kernels."""

from __future__ import annotations

from ..engine import LocalBackend
from .plugin import BackendSetup, Capabilities


class LocalPlugin:
    name = "local"
    description = "Steps run on this machine: scripts as processes, notebooks on its Jupyter kernels."
    where = "on the host"
    capabilities = Capabilities(needs_images=False, auto_rank=0)

    def unavailable(self, setup: BackendSetup) -> str | None:
        return None

    def create(self, setup: BackendSetup) -> LocalBackend:
        return LocalBackend(kernel_spares=setup.settings.kernel_spares)


plugin = LocalPlugin()
