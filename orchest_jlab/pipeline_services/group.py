"""The services of one interactive session or one non-interactive run: their private network, their
containers (started in order, stopped in reverse), their status and their output.

Each container's output is followed in a thread: lines go to the bus (``service-log``) and into a
bounded buffer (the REST log); when the container ends by itself the service is FAILURE, with its
exit code. Status changes are ``service`` events.
"""

from __future__ import annotations

import asyncio
import codecs
import collections
import contextlib
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Awaitable, Callable

from ..docker import (LABEL, ContainerSettings, create_network, data_folder, network_name, owner_gone, owner_labels,
                      remove_network)
from ..engine.run import now
from ..pipelines.services import ServiceLaunch, base_path, environment_of

log = logging.getLogger(__name__)

LOG_LIMIT = 256 * 1024  # characters of output kept per service for the REST log
READY_SECONDS = 20.0  # how long a service's ports are waited for before its steps start anyway

# Turns a service's image field into an image name, building an environment's first; raises with
# a sentence when it cannot.
ImageFor = Callable[[str], Awaitable[str]]


@dataclass
class RunningService:
    """A service of a group, as it runs."""
    launch: ServiceLaunch
    status: str = "PENDING"
    message: str | None = None
    image: str | None = None  # resolved
    started: str | None = None
    finished: str | None = None
    container: Any = None
    address: str | None = None  # its IP on the private network (the proxy's target)
    output: collections.deque = field(default_factory=collections.deque)
    output_size: int = 0
    dropped: bool = False

    def keep(self, text: str) -> None:
        self.output.append(text)
        self.output_size += len(text)
        while self.output_size > LOG_LIMIT and len(self.output) > 1:
            self.output_size -= len(self.output.popleft())
            self.dropped = True


@dataclass
class Owner:
    """Who a group of services belongs to: a session or a run."""
    kind: str  # "session" or "run"
    pipeline_path: str  # API path (or the file's path on the command line)
    run_uuid: str | None = None

    def to_json(self) -> dict[str, Any]:
        found = {"kind": self.kind, "pipeline_path": self.pipeline_path}
        if self.run_uuid:
            found["run_uuid"] = self.run_uuid
        return found


class ServiceGroup:
    def __init__(self, client, session_uuid: str, scope: str, owner: Owner, launches: list[ServiceLaunch],
                 project_dir: Path, data_project: Path, settings: ContainerSettings, image_for: ImageFor,
                 publish: Callable[..., None], origin: str | None, base_url: str):
        self.client = client
        self.session_uuid = session_uuid
        self.scope = scope
        self.owner = owner
        self.network = network_name(session_uuid)
        self.project_dir = project_dir
        self.data_project = data_project
        self.settings = settings
        self.image_for = image_for
        self.publish = publish
        self.origin = origin  # None: no server (no proxy, no external URLs)
        self.base_url = base_url
        self.services = [RunningService(launch) for launch in launches]
        self._followers: list[asyncio.Future] = []
        self.stopping = False
        self.network_made = False

    def by_name(self, name: str) -> RunningService | None:
        return next((s for s in self.services if s.launch.name == name), None)

    def labels(self) -> dict[str, str]:
        labels = {f"{LABEL}.session": self.session_uuid, f"{LABEL}.project": str(self.project_dir), **owner_labels()}
        if self.owner.run_uuid:
            labels[f"{LABEL}.run"] = self.owner.run_uuid
        return labels

    # --- presenting -------------------------------------------------------------------------------------

    def to_json(self, service: RunningService) -> dict[str, Any]:
        launch = self.launch_paths(service)
        return {
            "name": service.launch.name, "owner": self.owner.to_json(), "session_uuid": self.session_uuid,
            "scope": self.scope, "status": service.status, "message": service.message, "image": service.image,
            "image_spec": service.launch.image, "order": service.launch.order,
            "internal_hostname": f"{service.launch.name}-{self.session_uuid}",
            "hostnames": [service.launch.name, f"{service.launch.name}-{self.session_uuid}"],
            "ports": service.launch.ports,
            "external_urls": {str(p): url for p, url in launch["external_urls"].items()},
            "base_paths": {str(p): path for p, path in launch["base_paths"].items()},
            "started": service.started, "finished": service.finished,
        }

    def launch_paths(self, service: RunningService) -> dict[str, dict[int, str]]:
        launch = service.launch
        paths = {p: base_path(self.base_url, launch.name, self.session_uuid, p, launch.preserve_base_path)
                 for p in launch.ports}
        urls = {p: f"{self.origin.rstrip('/')}{path}/" for p, path in paths.items()} if self.origin else {}
        return {"base_paths": paths, "external_urls": urls}

    def _set(self, service: RunningService, status: str, message: str | None = None, **fields: Any) -> None:
        service.status, service.message = status, message
        for key, value in fields.items():
            setattr(service, key, value)
        self.publish("service", service=self.to_json(service))

    # --- starting ---------------------------------------------------------------------------------------

    async def start(self) -> None:
        """Start every service in order; raise RuntimeError naming the first that fails (the caller stops the group)."""
        for service in self.services:
            self.publish("service", service=self.to_json(service))
        await asyncio.to_thread(self._make_network)
        for service in self.services:
            if self.stopping:
                return
            await self._start_one(service)

    def _make_network(self) -> None:
        try:
            existing = self.client.networks.get(self.network)
        except Exception:
            existing = None
        if existing is not None:
            # Another live process's (a second server on this pipeline file): removing it would cut
            # its services off. A killed process's, or ours from an earlier start: removed.
            labels = existing.attrs.get("Labels") or {}
            mine = labels.get(f"{LABEL}.pid") == owner_labels()[f"{LABEL}.pid"]
            if not mine and not owner_gone(labels):
                raise RuntimeError(f"the network {self.network} of these services is in use by another process "
                                   f"(pid {labels.get(f'{LABEL}.pid', '?')}) that runs them for the same pipeline "
                                   "file: stop its session there first.")
            with contextlib.suppress(Exception):
                remove_network(self.client, self.network)
        create_network(self.client, self.network, self.labels())
        self.network_made = True

    async def _start_one(self, service: RunningService) -> None:
        name = service.launch.name
        try:
            service.image = await self.image_for(service.launch.image)
            self._set(service, "STARTING", None, started=now())
            service.container = await asyncio.to_thread(self._create, service)
            await asyncio.to_thread(service.container.start)
            await asyncio.to_thread(service.container.reload)
            networks = service.container.attrs.get("NetworkSettings", {}).get("Networks", {})
            service.address = (networks.get(self.network) or {}).get("IPAddress") or None
        except Exception as exc:
            why = str(exc) if isinstance(exc, RuntimeError) else f"{type(exc).__name__}: {exc}"
            self._set(service, "FAILURE", why, finished=now())
            raise RuntimeError(f'Service "{name}" could not start: {why}') from None
        self._followers.append(asyncio.get_running_loop().run_in_executor(None, self._follow, service,
                                                                          asyncio.get_running_loop()))
        message = await self._wait_ready(service)
        if service.status == "STARTING":
            self._set(service, "RUNNING", message)
        if service.status == "FAILURE":
            raise RuntimeError(f'Service "{name}": {service.message}')

    def _create(self, service: RunningService):
        from docker.types import EndpointConfig

        launch = service.launch
        volumes = {}
        if "/project-dir" in launch.binds:
            volumes[str(self.project_dir)] = {"bind": launch.binds["/project-dir"], "mode": "rw"}
        data = data_folder(self.settings, self.data_project)
        if "/data" in launch.binds and data is not None:
            data.mkdir(parents=True, exist_ok=True)
            volumes[str(data)] = {"bind": launch.binds["/data"], "mode": "rw"}
        aliases = [launch.name, f"{launch.name}-{self.session_uuid}"]
        options: dict[str, Any] = dict(
            image=service.image, environment=launch.env, volumes=volumes, hostname=launch.name,
            labels={**self.settings.labels, f"{LABEL}.kind": "service", f"{LABEL}.service": launch.name, **self.labels()},
            network=self.network,
            networking_config={self.network: EndpointConfig(self.client.api._version, aliases=aliases)},
            init=True, security_opt=["no-new-privileges"],
        )
        if launch.entrypoint is not None:
            options["entrypoint"] = launch.entrypoint
        if launch.command is not None:
            options["command"] = launch.command
        if self.settings.pids_limit:
            options["pids_limit"] = self.settings.pids_limit
        if self.settings.cpus:
            options["nano_cpus"] = int(self.settings.cpus * 1e9)
        if self.settings.memory:
            options["mem_limit"] = self.settings.memory
        return self.client.containers.create(**options)

    async def _wait_ready(self, service: RunningService) -> str | None:
        """Wait until each port accepts connections (from here, on its network address), so that the
        steps do not race the service; a service slower than READY_SECONDS runs on, with a note."""
        if not service.address or not service.launch.ports:
            return None
        loop = asyncio.get_running_loop()
        deadline = loop.time() + READY_SECONDS
        waiting = list(service.launch.ports)
        while waiting and loop.time() < deadline and service.status == "STARTING" and not self.stopping:
            port = waiting[0]
            try:
                _, writer = await asyncio.wait_for(asyncio.open_connection(service.address, port), 1.0)
                writer.close()
                waiting.pop(0)
            except (OSError, asyncio.TimeoutError):
                await asyncio.sleep(0.2)
        if waiting and service.status == "STARTING":
            return f"Port {waiting[0]} did not answer within {READY_SECONDS:.0f} s; the service may still be starting."
        return None

    def _follow(self, service: RunningService, loop: asyncio.AbstractEventLoop) -> None:
        """In a thread: the container's output to the bus and the buffer, then its end."""
        decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        partial = ""

        def deliver(text: str) -> None:
            nonlocal partial
            if not text:
                return
            service.keep(text)
            lines = (partial + text).split("\n")
            partial = lines.pop()
            for line in lines:
                loop.call_soon_threadsafe(self._line, service.launch.name, line)

        with contextlib.suppress(Exception):
            for chunk in service.container.logs(stream=True, follow=True, stdout=True, stderr=True):
                deliver(decoder.decode(chunk))
        deliver(decoder.decode(b"", final=True))
        if partial:
            loop.call_soon_threadsafe(self._line, service.launch.name, partial)
        code = None
        with contextlib.suppress(Exception):
            code = int(service.container.wait(timeout=5).get("StatusCode", -1))
        loop.call_soon_threadsafe(self._ended, service, code)

    def _line(self, name: str, line: str) -> None:
        self.publish("service-log", session_uuid=self.session_uuid, name=name, line=line)

    def _ended(self, service: RunningService, code: int | None) -> None:
        if self.stopping or service.status in ("STOPPING", "STOPPED"):
            return
        self._set(service, "FAILURE", f"Its container exited by itself (exit code {code})." if code is not None
                  else "Its container is gone.", finished=now())

    # --- stopping ---------------------------------------------------------------------------------------

    async def stop(self) -> None:
        """Stop the services in reverse order, then remove the network."""
        self.stopping = True
        for service in reversed(self.services):
            if service.container is None:
                if service.status not in ("FAILURE", "STOPPED"):
                    self._set(service, "STOPPED", None, finished=now())
                continue
            if service.status != "FAILURE":
                self._set(service, "STOPPING", None)
            with contextlib.suppress(Exception):
                await asyncio.to_thread(service.container.remove, force=True)
            if service.status != "FAILURE":
                self._set(service, "STOPPED", None, finished=now())
        for follower in self._followers:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(asyncio.shield(follower), 10)
        if self.network_made:  # never another process's, found in use
            await asyncio.to_thread(remove_network, self.client, self.network)

    def log(self, name: str) -> dict[str, Any] | None:
        service = self.by_name(name)
        if service is None:
            return None
        return {"name": name, "log": "".join(service.output), "truncated": service.dropped}


def plain_image(client, image: str, pull: bool) -> str:
    """An image that is not an environment: on the engine, or pulled when allowed."""
    import docker

    try:
        client.images.get(image)
        return image
    except docker.errors.ImageNotFound:
        if not pull:
            raise RuntimeError(f'the image "{image}" is not on this Docker engine, and images are not pulled here '
                               "(c.OrchestApp.pull_base_images); build or load it, or use one of the project's "
                               'environments as the image ("environment@<uuid>").') from None
        client.images.pull(image)
        return image


__all__ = ["ImageFor", "Owner", "RunningService", "ServiceGroup", "environment_of", "plain_image"]
