"""Step and kernel containers: what they get from the host, and running one to its end.

What a container gets, and nothing else from the host:

* the project folder (or the run's snapshot of it) bind-mounted at the same path, read-write, so the
  paths in ``ORCHEST_*`` variables, the pipeline file and the data-passing folder are the same
  inside and outside; the step's folder is the working folder;
* the step SDK folder read-only at ``/orchest/sdk``, first on ``PYTHONPATH`` (never baked into
  the image);
* a data folder at ``/data`` (Orchest's convention): the project's own under the configured host
  folder, or that folder itself when it is configured shared between projects;
* the ``ORCHEST_*`` variables (parameter overrides included);
* no network (``network_mode="none"``) unless the environment sets ``"network": true`` (in its
  orchest-jlab.json); then the host's network;
* optional CPU and memory limits, and a limit on processes (a fork bomb stays in its container);
* the server's uid:gid, so files it writes in the project belong to the user;
* no new privileges (setuid binaries do not elevate) and only the capabilities a root process needs
  to install packages and manage its own files (``STEP_CAPABILITIES``);
* labels naming what it runs and which process owns it (``owners.py``), so leftovers can be removed.

No Docker socket, no other host path.
"""

from __future__ import annotations

import asyncio
import codecs
import contextlib
import hashlib
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..sdk import SDK_PATH

LABEL = "orchest-jlab"  # label prefix of every container and image made here
SDK_MOUNT = "/orchest/sdk"
DATA_MOUNT = "/data"
# What a root process in a step needs to install packages and own its files; everything else dropped.
STEP_CAPABILITIES = ("CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "SETGID", "SETUID")


def project_key(project_dir: Path) -> str:
    """A short, stable name of a project folder: ``<folder name>-<hash of its path>``."""
    slug = re.sub(r"[^a-z0-9]+", "-", project_dir.name.lower()).strip("-")[:40] or "project"
    return f"{slug}-{hashlib.sha256(str(project_dir).encode()).hexdigest()[:8]}"


@dataclass
class ContainerSettings:
    """Configuration shared by step containers and kernel containers."""

    data_dir: Path | None = None  # host folder of /data (one folder per project in it); None: no /data
    shared_data: bool = False  # every project gets data_dir itself at /data
    cpus: float | None = None
    memory: str | None = None  # docker's syntax: "2g", "512m"
    pids_limit: int | None = 4096
    user: str | None = field(default_factory=lambda: f"{os.getuid()}:{os.getgid()}")
    labels: dict[str, str] = field(default_factory=dict)


@dataclass
class StepImage:
    """What a step or kernel container of an environment is made from."""

    image: str
    network: bool = False
    gpu: bool = False  # the environment's gpu_support: every GPU of the engine is given to the container
    language: str = "python"  # the environment's: which kernel notebooks get


def data_folder(settings: ContainerSettings, project: Path) -> Path | None:
    """The host folder mounted at /data for steps and kernels of ``project`` (None: no /data)."""
    if settings.data_dir is None:
        return None
    return settings.data_dir if settings.shared_data else settings.data_dir / project_key(project)


def container_options(settings: ContainerSettings, image: StepImage, project_dir: Path, cwd: Path,
                      env: dict[str, str], labels: dict[str, str],
                      mounts: dict[str, dict[str, str]] | None = None, project: Path | None = None) -> dict[str, Any]:
    """``containers.create`` arguments for a step or kernel container (see the module's docstring).
    ``project_dir`` is mounted (a project or a run's snapshot); ``project`` owns the data folder
    (default: ``project_dir``)."""
    volumes = {str(project_dir): {"bind": str(project_dir), "mode": "rw"},
               str(SDK_PATH): {"bind": SDK_MOUNT, "mode": "ro"}}
    data = data_folder(settings, project or project_dir)
    if data is not None:
        data.mkdir(parents=True, exist_ok=True)
        volumes[str(data)] = {"bind": DATA_MOUNT, "mode": "rw"}
    volumes.update(mounts or {})
    environment = {"PYTHONPATH": SDK_MOUNT, "PYTHONUNBUFFERED": "1", **env}
    if settings.user and not settings.user.startswith("0:"):
        environment.setdefault("HOME", "/tmp")
    options: dict[str, Any] = dict(
        image=image.image, working_dir=str(cwd), environment=environment, volumes=volumes,
        network_mode="host" if image.network else "none",
        labels={**settings.labels, **labels}, init=True, stdin_open=False, tty=False,
        security_opt=["no-new-privileges"], cap_drop=["ALL"], cap_add=list(STEP_CAPABILITIES),
    )
    if settings.pids_limit:
        options["pids_limit"] = settings.pids_limit
    if image.gpu:
        from docker.types import DeviceRequest

        options["device_requests"] = [DeviceRequest(count=-1, capabilities=[["gpu"]])]
    if settings.user:
        options["user"] = settings.user
    if settings.cpus:
        options["nano_cpus"] = int(settings.cpus * 1e9)
    if settings.memory:
        options["mem_limit"] = settings.memory
    return options


def docker_failure(exc: Exception, image: StepImage, what: str = "the step") -> str:
    """Why Docker refused a step's or a kernel's container, in the user's terms."""
    if image.gpu and ("gpu" in str(exc).lower() or "device driver" in str(exc)):
        return ("The environment asks for GPU support, but this Docker engine cannot give containers a GPU "
                f"(is the NVIDIA container toolkit installed?); turn the environment's GPU support off to run "
                f"on the CPU. Docker said: {exc}")
    return f"Docker could not run {what}: {exc}"


def _stream_logs(container, on_text: Callable[[str], None]) -> None:
    """Blocking: pass the container's output to ``on_text`` until the container stops."""
    decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
    with contextlib.suppress(Exception):  # the container may be removed under us (cancel)
        for chunk in container.logs(stream=True, follow=True, stdout=True, stderr=True):
            on_text(decoder.decode(chunk))
    on_text(decoder.decode(b"", final=True))


async def remove_container(container) -> None:
    with contextlib.suppress(Exception):
        await asyncio.to_thread(container.remove, force=True)


async def run_container(client, options: dict[str, Any], on_text: Callable[[str], None],
                        on_created: Callable[[Any], None] | None = None,
                        after: Callable[[Any, int], None] | None = None) -> int:
    """Create, start and follow a container to its end; returns its exit code. ``after(container,
    code)`` runs (in a thread) before the container is removed, which happens in every case;
    cancelling the call kills it first."""
    loop = asyncio.get_running_loop()
    creating = asyncio.ensure_future(asyncio.to_thread(client.containers.create, **options))
    try:
        container = await asyncio.shield(creating)
    except asyncio.CancelledError:  # cancelled while Docker was creating it: remove it when it exists
        with contextlib.suppress(Exception):
            await remove_container(await creating)
        raise
    if on_created is not None:
        on_created(container)

    def deliver(text: str) -> None:
        if text:
            loop.call_soon_threadsafe(on_text, text)

    def follow() -> None:
        _stream_logs(container, deliver)

    try:
        await asyncio.to_thread(container.start)
        reader = loop.run_in_executor(None, follow)
        result = await asyncio.to_thread(container.wait)
        await asyncio.shield(reader)
        await asyncio.sleep(0)  # let the last call_soon_threadsafe deliveries run
        code = int(result.get("StatusCode", -1))
        if after is not None:
            await asyncio.to_thread(after, container, code)
        return code
    finally:
        await asyncio.shield(remove_container(container))
