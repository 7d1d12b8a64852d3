"""The ``docker`` backend: each step in a container of its environment's image.

What a step container gets, and nothing else from the host:

* the project folder (or the run's snapshot of it) bind-mounted at the same path, read-write, so the
  paths in ``ORCHEST_*`` variables, the pipeline file and the data-passing folder are the same
  inside and outside; the step's folder is the working folder;
* the step SDK folder read-only at ``/orchest/sdk``, first on ``PYTHONPATH`` (never baked into
  the image);
* a shared data folder at ``/data`` (Orchest's convention; host location configurable);
* the ``ORCHEST_*`` variables (parameter overrides included);
* no network (``network_mode="none"``) unless the environment sets ``"network": true`` in its
  properties.json; then the host's network;
* optional CPU and memory limits;
* the host user's uid:gid, so files it writes in the project belong to the user;
* labels naming the run and step, so that leftovers can be found and removed.

No Docker socket, no other host path. The container is removed when the step ends, fails or is
cancelled. Which image a step uses is not decided here: an ``ImageResolver`` (the environments'
builder) turns a step's environment into an image, building it first when needed.
"""

from __future__ import annotations

import asyncio
import codecs
import contextlib
import importlib.util
import logging
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from .context import SDK_PATH, StepContext
from .runners import StepFailed
from .steplog import StepLog

log = logging.getLogger(__name__)

LABEL = "orchest-jlab"  # label prefix of every container and image made here
SDK_MOUNT = "/orchest/sdk"
DATA_MOUNT = "/data"
# Interpreters by file kind, found on the image's PATH.
INTERPRETERS = {".py": "python3", ".sh": "bash", ".r": "Rscript"}


def docker_client(timeout: int = 120):
    """A client of the engine DOCKER_HOST names (default: the local socket), or raise."""
    import docker

    client = docker.from_env(timeout=timeout)
    client.ping()
    return client


def engine_unavailable() -> str | None:
    """None when a Docker engine answers, else why not (for messages and skipped tests)."""
    if importlib.util.find_spec("docker") is None:
        return "the docker Python package is not installed"
    try:
        docker_client(timeout=5).close()
    except Exception as exc:
        return f"no Docker engine is reachable ({type(exc).__name__}: {str(exc)[:200]})"
    return None


@dataclass
class ContainerSettings:
    """Configuration shared by step containers and kernel containers."""

    data_dir: Path | None = None  # host folder mounted at /data; None: no /data
    cpus: float | None = None
    memory: str | None = None  # docker's syntax: "2g", "512m"
    user: str | None = field(default_factory=lambda: f"{os.getuid()}:{os.getgid()}")
    labels: dict[str, str] = field(default_factory=dict)


@dataclass
class StepImage:
    image: str
    network: bool = False
    gpu: bool = False  # the environment's gpu_support: every GPU of the engine is given to the container
    language: str = "python"  # the environment's: which kernel notebooks get


class ImageResolver(Protocol):
    async def __call__(self, project_dir: Path, environment_uuid: str, note: Callable[[str], None],
                       owner: Path | None = None) -> StepImage:
        """The image of the environment defined in ``project_dir`` (a project or a run's snapshot of
        ``owner``), built first if needed; raise StepFailed when it cannot be."""


def container_options(settings: ContainerSettings, image: StepImage, project_dir: Path, cwd: Path,
                      env: dict[str, str], labels: dict[str, str],
                      mounts: dict[str, dict[str, str]] | None = None) -> dict[str, Any]:
    """``containers.create`` arguments for a step or kernel container (see the module's docstring)."""
    volumes = {str(project_dir): {"bind": str(project_dir), "mode": "rw"},
               str(SDK_PATH): {"bind": SDK_MOUNT, "mode": "ro"}}
    if settings.data_dir is not None:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        volumes[str(settings.data_dir)] = {"bind": DATA_MOUNT, "mode": "rw"}
    volumes.update(mounts or {})
    environment = {"PYTHONPATH": SDK_MOUNT, "PYTHONUNBUFFERED": "1", **env}
    if settings.user and not settings.user.startswith("0:"):
        environment.setdefault("HOME", "/tmp")
    options: dict[str, Any] = dict(
        image=image.image, working_dir=str(cwd), environment=environment, volumes=volumes,
        network_mode="host" if image.network else "none",
        labels={**settings.labels, **labels}, init=True, stdin_open=False, tty=False,
    )
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


class DockerBackend:
    """Steps in containers: scripts directly, notebooks through a kernel in the container."""

    name = "docker"

    def __init__(self, image_for: ImageResolver, settings: ContainerSettings | None = None, client=None):
        self.image_for = image_for
        self.settings = settings or ContainerSettings()
        self._client = client

    @property
    def client(self):
        if self._client is None:
            self._client = docker_client()
        return self._client

    async def _image(self, ctx: StepContext, log_: StepLog) -> StepImage:
        if not ctx.environment:
            raise StepFailed(f'Step "{ctx.title}" has no environment; the docker backend needs one.')
        return await self.image_for(ctx.project_dir, ctx.environment, log_.note, ctx.source_project_dir)

    def step_labels(self, ctx: StepContext) -> dict[str, str]:
        return {f"{LABEL}.kind": "step", f"{LABEL}.run": ctx.run_uuid, f"{LABEL}.step": ctx.step_uuid,
                f"{LABEL}.project": str(ctx.project_dir), **owner_labels()}

    async def run_step(self, ctx: StepContext, log_: StepLog) -> None:
        image = await self._image(ctx, log_)
        if ctx.kind == ".ipynb":
            from ..kernels.containers import ContainerKernels
            from .runners.notebook import run_notebook

            await run_notebook(ctx, log_, ContainerKernels(self.settings, image, self.step_labels(ctx)))
            return
        interpreter = INTERPRETERS.get(ctx.kind)
        if interpreter is None:
            raise StepFailed(f"{ctx.file.name}: the docker backend cannot run {ctx.kind} files.")
        options = container_options(self.settings, image, ctx.project_dir, ctx.cwd, {**ctx.orchest_env(), **ctx.extra_env},
                                    self.step_labels(ctx))
        options["command"] = [interpreter, str(ctx.file)]
        try:
            code = await run_container(self.client, options, log_.write)
        except Exception as exc:
            if type(exc).__name__ in ("APIError", "ImageNotFound", "DockerException"):
                raise StepFailed(docker_failure(exc, image)) from None
            raise
        if code == 127:
            raise StepFailed(f"{ctx.file.name}: {interpreter} was not found in the image {image.image} (exit code 127).")
        if code != 0:
            raise StepFailed(f"{ctx.file.name} exited with code {code}" if code < 128
                             else f"{ctx.file.name} was killed by signal {code - 128}")

    async def close(self) -> None:
        if self._client is not None:
            await asyncio.to_thread(remove_leftovers, self._client, {f"{LABEL}.pid": str(os.getpid())})
            with contextlib.suppress(Exception):
                self._client.close()
            self._client = None


def remove_leftovers(client, labels: dict[str, str] | None = None) -> int:
    """Remove the containers this code made that match ``labels`` (all of ours by default)."""
    filters = [f"{LABEL}.kind"] + [f"{k}={v}" for k, v in (labels or {}).items()]
    removed = 0
    for container in client.containers.list(all=True, filters={"label": filters}):
        with contextlib.suppress(Exception):
            container.remove(force=True)
            removed += 1
    return removed


def owner_labels() -> dict[str, str]:
    """Which process owns a container: its host, pid and start time (a pid alone is reused, e.g.
    by a server restarted in a container)."""
    import psutil

    return {f"{LABEL}.pid": str(os.getpid()), f"{LABEL}.host": socket.gethostname(),
            f"{LABEL}.pid-started": f"{psutil.Process().create_time():.2f}"}


def _owner_gone(labels: dict[str, str]) -> bool:
    import psutil

    if labels.get(f"{LABEL}.host", socket.gethostname()) != socket.gethostname():
        return False  # another machine's (or pid namespace's) server: not ours to judge
    pid, started = labels.get(f"{LABEL}.pid", ""), labels.get(f"{LABEL}.pid-started")
    if not pid.isdigit():
        return False
    try:
        process = psutil.Process(int(pid))
    except psutil.Error:
        return True
    return started is not None and f"{process.create_time():.2f}" != started


def remove_orphans(client) -> int:
    """Remove the containers of ours whose owning process is gone (killed before it could remove
    them): what a server or command-line run killed with SIGKILL leaves behind."""
    removed = 0
    for container in client.containers.list(all=True, filters={"label": [f"{LABEL}.kind", f"{LABEL}.pid"]}):
        if _owner_gone(container.labels):
            with contextlib.suppress(Exception):
                container.remove(force=True)
                removed += 1
    return removed
