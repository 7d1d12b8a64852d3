"""Choosing the backend and wiring Docker (builder, backend, kernels) for the server and the CLI.

``auto`` is the docker backend when a Docker engine answers, else local. The builder exists
whenever an engine answers (environments can be built even when runs use the local backend).
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

from jupyter_core.paths import jupyter_data_dir

from ..engine import Backend, EventBus, LocalBackend
from ..engine.docker_backend import ContainerSettings, DockerBackend, docker_client, engine_unavailable, remove_orphans
from ..errors import BadRequest
from .builds import DEFAULT_ALIASES, Builder

log = logging.getLogger(__name__)

BACKENDS = ("auto", "local", "docker")
CA_BUNDLES = ("/etc/ssl/certs/ca-certificates.crt", "/etc/pki/tls/certs/ca-bundle.crt")


def default_ca_bundle() -> str | None:
    for candidate in (os.environ.get("SSL_CERT_FILE"), os.environ.get("REQUESTS_CA_BUNDLE"), *CA_BUNDLES):
        if candidate and os.path.isfile(candidate):
            return candidate
    return None


def default_data_dir() -> Path:
    return Path(jupyter_data_dir()) / "orchest-jlab" / "data"


@dataclass
class DockerOptions:
    aliases: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_ALIASES))
    ca_bundle: str | None = field(default_factory=default_ca_bundle)
    build_network: str = "host"
    pull: bool = False
    data_dir: Path | None = field(default_factory=default_data_dir)
    cpus: float | None = None
    memory: str | None = None

    def settings(self) -> ContainerSettings:
        return ContainerSettings(data_dir=self.data_dir, cpus=self.cpus or None, memory=self.memory or None)


@dataclass
class Runtime:
    backend: Backend
    builder: Builder | None
    docker_problem: str | None  # why Docker is not used (None when it is reachable)


def make_runtime(bus: EventBus, choice: str = "auto", options: DockerOptions | None = None,
                 kernel_spares: int = 1, builds: bool = True) -> Runtime:
    """The backend ``choice`` names (``auto``: $ORCHEST_JLAB_BACKEND if set, else docker when an engine
    answers, else local); BadRequest when it is ``docker`` and no engine answers. With ``builds``, a
    builder whenever an engine answers, also for the local backend."""
    if choice == "auto":  # a preference set in the environment (the tests set local)
        choice = os.environ.get("ORCHEST_JLAB_BACKEND") or "auto"
    if choice not in BACKENDS:
        raise BadRequest(f'Unknown backend "{choice}"; use one of {", ".join(BACKENDS)}.')
    options = options or DockerOptions()
    problem = engine_unavailable() if builds or choice != "local" else "the local backend was chosen"
    if choice == "docker" and problem:
        raise BadRequest(f"The docker backend cannot be used: {problem}.")
    builder = None
    if problem is None:
        _remove_orphaned_containers()
        builder = Builder(bus, aliases=options.aliases, ca_bundle=options.ca_bundle,
                          network=options.build_network, pull=options.pull)
    if builder is None or choice == "local":
        if choice == "auto":
            log.info("Runs use the local backend: %s", problem)
        return Runtime(_LocalBackend(builder, kernel_spares), builder, problem)
    from ..kernels.provisioner import ensure_registered, set_image_resolver

    ensure_registered()
    settings = options.settings()
    set_image_resolver(builder.image_for, settings)
    return Runtime(_DockerBackend(builder, settings), builder, None)


def _remove_orphaned_containers() -> None:
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


class _DockerBackend(DockerBackend):
    """The docker backend; closing it also stops the builds in progress."""

    def __init__(self, builder: Builder, settings: ContainerSettings):
        super().__init__(builder.image_for, settings)
        self.builder = builder

    async def close(self) -> None:
        await self.builder.close()
        await super().close()


class _LocalBackend(LocalBackend):
    """The local backend; closing it also stops the builds in progress, if there is a builder."""

    def __init__(self, builder: Builder | None, kernel_spares: int):
        super().__init__(kernel_spares=kernel_spares)
        self.builder = builder

    async def close(self) -> None:
        if self.builder is not None:
            await self.builder.close()
        await super().close()


def serve_environment_kernels(serverapp, root: Path, skip_dirs) -> object:
    """Add a kernelspec folder ``orchest-kernel-<uuid>`` per Python environment to the server's kernel
    spec manager (only the server's: the local backend keeps using host kernels). Returns the
    callable that refreshes it."""
    from ..kernels.specs import KernelspecSync

    import atexit
    import shutil
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="orchest-kernels-"))
    atexit.register(shutil.rmtree, folder, True)
    sync = KernelspecSync(folder, root, skip_dirs)
    sync()
    manager = serverapp.kernel_spec_manager
    if str(folder) not in manager.kernel_dirs:
        manager.kernel_dirs.append(str(folder))
    return sync
