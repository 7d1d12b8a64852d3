"""A jupyter_client kernel provisioner that starts the kernel in a container of an environment's image.

Registered as ``orchest-docker`` (entry point ``jupyter_client.kernel_provisioners``). A kernelspec
names it in ``metadata.kernel_provisioner``; its ``config`` gives ``environment_uuid`` and, when the
caller already knows them (notebook steps of a run), ``image``, ``network`` and ``project_dir``.
Otherwise (a user opening a step's notebook in JupyterLab) the project is the nearest folder above
the kernel's working folder that defines the environment, and the image comes from the resolver the
server registered (``set_image_resolver``), which builds it first when needed.

The kernel talks to the client over ZeroMQ IPC sockets in a private folder that is bind-mounted
into the container at the same path (no TCP port, no published port); the connection file lives
there too. The container is what ``containers.py``'s ``container_options`` describes for steps:
project at the same path, SDK read-only, /data, no network unless the environment asks (or, when
its run or its pipeline's running session has services, their private network: ``docker_network``,
else the server's session attacher), no Docker socket. Only ``ORCHEST_*`` and ``JPY_*`` variables of the server's environment go in.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
import sys
import tempfile
import uuid
from pathlib import Path
from typing import Any

from jupyter_client.provisioning import LocalProvisioner
from traitlets import Bool, Dict, Unicode

from ..engine.runners.tcp_bridge import BRIDGE, bridged, tcp_only
from ..pipelines.env_variables import KERNEL_NAMES_VARIABLE as USER_VARIABLES
from ..docker import (
    LABEL,
    ContainerSettings,
    StepImage,
    container_options,
    create_container,
    docker_client,
    docker_failure,
    owner_labels,
    remove_container,
)

PROVISIONER_NAME = "orchest-docker"
_state: dict[str, Any] = {"resolver": None, "settings": None, "client": None, "attach": None}


def set_image_resolver(resolver, settings: ContainerSettings | None = None) -> None:
    """What the server registers: ``resolver(project_dir, env_uuid, note)`` → StepImage."""
    _state["resolver"] = resolver
    _state["settings"] = settings


def set_session_attacher(attach) -> None:
    """What the server registers: ``await attach(project_dir, notebook api path)`` → the Attachment
    (network, variables) of the running session whose step file the notebook is, or None."""
    _state["attach"] = attach


def _client():
    if _state["client"] is None:
        _state["client"] = docker_client()
    return _state["client"]


def ipc_folder() -> Path:
    """A short private folder for one kernel's sockets (a socket path must fit in 107 bytes)."""
    base = Path(tempfile.gettempdir()) / f"orchest-ipc-{os.getuid()}"
    base.mkdir(mode=0o700, exist_ok=True)
    os.chmod(base, 0o700)
    folder = base / uuid.uuid4().hex[:10]
    folder.mkdir(mode=0o700)
    return folder


def find_environment_project(start: Path, env_uuid: str) -> Path | None:
    for folder in [start, *start.parents]:
        if (folder / ".orchest" / "environments" / env_uuid / "properties.json").is_file():
            return folder
    return None


def ensure_registered() -> None:
    """Make the provisioner known where the package's entry points are not installed (a source tree)."""
    from importlib.metadata import EntryPoint

    from jupyter_client.provisioning.factory import KernelProvisionerFactory

    KernelProvisionerFactory.provisioners.setdefault(PROVISIONER_NAME, EntryPoint(
        name=PROVISIONER_NAME, value=f"{__name__}:DockerKernelProvisioner", group=KernelProvisionerFactory.GROUP_NAME))


class DockerKernelProvisioner(LocalProvisioner):
    environment_uuid = Unicode("", config=True, help="The environment whose image runs the kernel.")
    image = Unicode("", config=True, help="The image; empty: resolved from the environment.")
    network = Bool(False, config=True, help="Give the kernel the host's network (with image).")
    gpu = Bool(False, config=True, help="Give the kernel the engine's GPUs (with image).")
    language = Unicode("python", config=True, help="The environment's language (with image).")
    extra_env = Dict(config=True, help="More variables of the kernel (a job's), besides ORCHEST_* and JPY_*.")
    project_dir = Unicode("", config=True, help="The project (or run snapshot) mounted in the container.")
    data_project = Unicode("", config=True, help="The project whose data folder is /data; empty: project_dir.")
    labels = Dict(config=True, help="Extra labels of the container.")
    docker_network = Unicode("", config=True, help="The private network of a session's or run's services; "
                                                   "empty: the one of the session whose step file this is.")
    container_settings = Dict(config=True, help="ContainerSettings fields; empty: the server's.")

    container: Any = None
    folder: Path | None = None

    async def pre_launch(self, **kwargs: Any) -> dict[str, Any]:
        cwd = Path(kwargs.get("cwd") or os.getcwd())
        project = Path(self.project_dir) if self.project_dir else find_environment_project(cwd, self.environment_uuid)
        if project is None:
            raise RuntimeError(f"No project above {cwd} defines the environment {self.environment_uuid}: "
                               "open the notebook from inside its project.")
        if self.image:
            self._image = StepImage(self.image, self.network, self.gpu, self.language)
        else:
            resolver = _state["resolver"]
            if resolver is None:
                raise RuntimeError("Environment kernels need the orchest_jlab server extension with Docker.")
            self._image = await resolver(project, self.environment_uuid, self.log.info)
        self._project = project
        km = self.parent
        if self.folder is not None:  # a restart: new sockets
            shutil.rmtree(self.folder, ignore_errors=True)
        self.folder = ipc_folder()
        km.transport = "ipc"
        km.ip = str(self.folder / "k")
        km.connection_file = str(self.folder / "connection.json")
        return await super().pre_launch(**kwargs)

    async def launch_kernel(self, cmd: list[str], **kwargs: Any) -> dict:
        if cmd and (cmd[0] == sys.executable or Path(cmd[0]).name.startswith("python")) and self._image.language == "python":
            cmd = ["python3", *cmd[1:]]  # jupyter_client swapped the spec's python3 for the server's
        if tcp_only(cmd):  # Deno's kernel: its IPC sockets served by a bridge in the container
            bridge = self.folder / BRIDGE.name
            shutil.copyfile(BRIDGE, bridge)
            cmd = bridged(cmd, self.parent.connection_file, bridge)
        given = dict(kwargs.get("env") or {})
        user = set(filter(None, given.pop(USER_VARIABLES, "").split(",")))  # the session's env variables
        env = {k: v for k, v in given.items() if k.startswith(("ORCHEST_", "JPY_")) or k in user}
        env.update(self.extra_env)
        settings = (ContainerSettings(**self.container_settings) if self.container_settings
                    else _state["settings"] or ContainerSettings())
        labels = {f"{LABEL}.kind": "kernel", f"{LABEL}.kernel": self.kernel_id or "",
                  f"{LABEL}.environment": self.environment_uuid, f"{LABEL}.project": str(self._project),
                  **owner_labels(), **self.labels}
        cwd = Path(kwargs.get("cwd") or self._project)
        network = self.docker_network
        if not network and _state["attach"] is not None:  # a user's kernel: its session's services
            attachment = await _state["attach"](self._project, (kwargs.get("env") or {}).get("JPY_SESSION_NAME", ""))
            if attachment is not None:
                network = attachment.network or ""
                env = {**attachment.env, **env}
        options = container_options(settings, self._image, self._project, cwd, env, labels,
                                    mounts={str(self.folder): {"bind": str(self.folder), "mode": "rw"}},
                                    project=Path(self.data_project) if self.data_project else None,
                                    network=network or None)
        options["command"] = cmd
        client = _client()
        self.container = await asyncio.to_thread(create_container, client, options)
        try:
            await asyncio.to_thread(self.container.start)
        except Exception as exc:
            await remove_container(self.container)
            self.container = None
            if type(exc).__name__ == "APIError":
                raise RuntimeError(docker_failure(exc, self._image, "the kernel")) from None
            raise
        self.pid = None
        self.cwd = str(cwd)
        return self.connection_info

    @property
    def has_process(self) -> bool:
        return self.container is not None

    async def poll(self) -> int | None:
        if self.container is None:
            return 0
        try:
            await asyncio.to_thread(self.container.reload)
        except Exception:
            return -1  # gone
        state = self.container.attrs.get("State", {})
        return None if state.get("Status") in ("created", "running", "restarting") else int(state.get("ExitCode", -1))

    async def wait(self) -> int | None:
        if self.container is None:
            return None
        try:
            result = await asyncio.to_thread(self.container.wait)
            return int(result.get("StatusCode", -1))
        except Exception:
            return -1

    async def send_signal(self, signum: int) -> None:
        if self.container is not None and signum:
            with contextlib.suppress(Exception):
                await asyncio.to_thread(self.container.kill, signal=int(signum))

    async def kill(self, restart: bool = False) -> None:
        await self.send_signal(signal.SIGKILL)

    async def terminate(self, restart: bool = False) -> None:
        await self.send_signal(signal.SIGTERM)

    async def cleanup(self, restart: bool = False) -> None:
        if self.container is not None:
            await remove_container(self.container)
            self.container = None
        if not restart and self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder = None

    def resolve_path(self, path_str: str) -> str | None:
        return LocalProvisioner.resolve_path(self, path_str)

    async def get_provisioner_info(self) -> dict:
        info = await super().get_provisioner_info()
        info["container_id"] = self.container.id if self.container is not None else None
        return info

    async def load_provisioner_info(self, provisioner_info: dict) -> None:
        await super().load_provisioner_info(provisioner_info)
        container_id = provisioner_info.get("container_id")
        if container_id:
            with contextlib.suppress(Exception):
                self.container = await asyncio.to_thread(_client().containers.get, container_id)
