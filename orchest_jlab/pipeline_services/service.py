"""The pipelines' services: started with interactive sessions (scope ``interactive``) and with
non-interactive runs (scope ``noninteractive``), stopped with them; what the REST API, the proxy,
the engine (``engine.attached.RunServices``) and container kernels ask of them.

A group of services is keyed by its session uuid: derived from the pipeline's API path for an
interactive session, the run's uuid for a run. See docs/services.md.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import json
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any, AsyncIterator, Protocol

from ..docker import ContainerSettings
from ..engine import Attachment, ServicesFailed
from ..errors import BadRequest, NotFound
from ..pipelines.services import environment_of, in_scope, launch_of, sdk_view, session_uuid_of
from .group import Owner, ServiceGroup, plain_image

if TYPE_CHECKING:
    from ..engine import BackendChoice, EventBus, Run, RunRequest
    from ..environments.builds import Builder
    from ..workspace import Workspace

log = logging.getLogger(__name__)

class DockerSetup(Protocol):
    docker_problem: str | None  # None when a Docker engine answers
    builder: Builder | None  # the environments' image builder (None without Docker)

    def container_settings(self) -> ContainerSettings: ...


KEEP_FINISHED = 20  # stopped groups of runs kept for the API (their status and logs)


def _names(services: list[dict]) -> str:
    return ", ".join(f'"{s.get("name")}"' for s in services)


class PipelineServices:
    def __init__(self, workspace: Workspace, bus: EventBus, setup: DockerSetup, pull: bool = False):
        self.workspace = workspace
        self.bus = bus
        self.setup = setup  # asked only when a pipeline has services: a run of scripts never asks Docker
        self.pull = pull
        self._origin = None  # () -> the server as browsers reach it; None: no proxy (the command line)
        self.base_url = "/"
        self.groups: dict[str, ServiceGroup] = {}  # by session uuid: running, starting or stopping
        self.finished: collections.OrderedDict[str, ServiceGroup] = collections.OrderedDict()
        self._client = None

    def serve(self, origin, base_url: str) -> None:
        """Under a server: external URLs are ``origin()`` + the proxy's paths under ``base_url``."""
        self._origin, self.base_url = origin, base_url or "/"

    @property
    def origin(self) -> str | None:
        return self._origin().rstrip("/") if self._origin is not None else None

    @property
    def docker_problem(self) -> str | None:
        return self.setup.docker_problem

    @property
    def builder(self) -> Builder | None:
        return self.setup.builder

    @property
    def settings(self) -> ContainerSettings:
        return self.setup.container_settings()

    @property
    def client(self):
        if self._client is None:
            from ..docker import docker_client

            self._client = docker_client()
        return self._client

    # --- refusing ---------------------------------------------------------------------------------------

    def refusal(self, services: list[dict], scope: str, pipeline: str, backend: BackendChoice) -> str | None:
        """Why the services of ``pipeline`` cannot run with this backend, or None."""
        if not services:
            return None
        plural = "s" if len(services) > 1 else ""
        what = f"Service{plural} {_names(services)} of {pipeline}"
        fix = f"remove the service{plural} or {'their' if plural else 'its'} {scope} scope"
        if self.docker_problem is not None:
            return f"{what} need{'' if plural else 's'} a Docker engine, and none is reachable ({self.docker_problem}): start one, or {fix}."
        if not backend.needs_images:
            return (f"{what} need{'' if plural else 's'} the steps to run in containers, on the docker backend; "
                    f"these runs use the {backend.name} backend: choose the docker backend, or {fix}.")
        return None

    def check(self, request: RunRequest, choice: BackendChoice, own_session: bool = False) -> None:
        """RunServices: a non-interactive run's services (an interactive one's are its session's).
        ``own_session``: an interactive run starts its session's services itself (the command line)."""
        if request.interactive and not own_session:
            return
        scope = "interactive" if request.interactive else "noninteractive"
        problem = self.refusal(in_scope(request.pipeline, scope), scope, request.pipeline_path.name, choice)
        if problem:
            raise BadRequest(problem)

    def check_session(self, path: Path, data: Any, choice: BackendChoice) -> None:
        problem = self.refusal(in_scope(data, "interactive"), "interactive", path.name, choice)
        if problem:
            raise BadRequest(f"The session cannot start: {problem}")

    # --- groups -----------------------------------------------------------------------------------------

    @staticmethod
    def _session_uuid(path: Path) -> str:
        # The file itself, not its path under this server's root: two servers (other roots) each
        # with a "p.orchest" would share hostnames, network and URLs.
        return session_uuid_of(str(Path(path).resolve()))

    def _api_path(self, path: Path) -> str:
        try:
            return self.workspace.api_path(path)
        except ValueError:
            return str(path)

    def _group(self, session_uuid: str, scope: str, owner: Owner, data: dict, project_dir: Path, data_project: Path,
               inherited: dict[str, str]) -> ServiceGroup:
        orchest_env = {"ORCHEST_PIPELINE_UUID": str(data.get("uuid") or ""), "ORCHEST_PIPELINE_PATH": owner.pipeline_path,
                       "ORCHEST_SESSION_UUID": session_uuid, "ORCHEST_SESSION_TYPE": scope}
        launches = [launch_of(s, session_uuid, self.base_url, inherited, orchest_env) for s in in_scope(data, scope)]

        async def image_for(image: str) -> str:
            env_uuid = environment_of({"image": image})
            if env_uuid is None:
                return await asyncio.to_thread(plain_image, self.client, image, self.pull)
            try:
                return (await self.builder.image_for(project_dir, env_uuid, lambda _: None, data_project)).image
            except Exception as exc:
                raise RuntimeError(str(exc)) from None

        return ServiceGroup(self.client, session_uuid, scope, owner, launches, project_dir, data_project,
                            self.settings, image_for, self.bus.publish, self.origin, self.base_url)

    def attachment(self, group: ServiceGroup | None) -> Attachment:
        if group is None:
            return Attachment()
        views = {s.launch.name: sdk_view(s.launch, group.session_uuid, self.origin or "", self.base_url)
                 for s in group.services}
        if not self.origin:
            for view in views.values():
                view["external_urls"] = {}
        return Attachment(network=group.network, env={"ORCHEST_SERVICES": json.dumps(views)})

    async def _start(self, group: ServiceGroup) -> None:
        self.groups[group.session_uuid] = group
        try:
            await group.start()
        except BaseException:
            await self._stop(group)
            raise

    async def _stop(self, group: ServiceGroup) -> None:
        try:
            await group.stop()
        finally:
            if self.groups.get(group.session_uuid) is group:
                del self.groups[group.session_uuid]
            if group.owner.kind == "run":
                self.finished[group.session_uuid] = group
                while len(self.finished) > KEEP_FINISHED:
                    self.finished.popitem(last=False)

    # --- sessions ---------------------------------------------------------------------------------------

    def has_session_services(self, data: Any) -> bool:
        return bool(in_scope(data, "interactive"))

    async def start_session(self, path: Path, project_dir: Path, data: dict, inherited: dict[str, str] | None = None) -> None:
        """Start the interactive services of the pipeline at ``path``; RuntimeError saying which failed."""
        api_path = self._api_path(path)
        session_uuid = self._session_uuid(path)
        old = self.groups.get(session_uuid)
        if old is not None:
            await self._stop(old)
        group = self._group(session_uuid, "interactive", Owner("session", api_path), data, project_dir, project_dir,
                            dict(inherited or {}))
        await self._start(group)

    async def stop_session(self, path: Path) -> None:
        group = self.groups.get(self._session_uuid(path))
        if group is not None:
            await self._stop(group)

    def session_services(self, path: Path) -> list[dict[str, Any]]:
        group = self.groups.get(self._session_uuid(path))
        return [group.to_json(s) for s in group.services] if group is not None else []

    async def attach_kernel(self, project_dir: Path, notebook: str) -> Attachment | None:
        """The provisioner's question for a kernel a user opens: the running session whose pipeline
        has ``notebook`` (Jupyter's JPY_SESSION_NAME: a path, absolute or under the root) as a step
        file, if it has services."""
        from ..pipelines import read_pipeline, resolve_step_file

        if not notebook:
            return None
        target = (self.workspace.root / notebook).resolve()  # an absolute path stays itself
        for group in list(self.groups.values()):
            if group.owner.kind != "session" or group.stopping:
                continue
            with contextlib.suppress(Exception):
                pipeline = self.workspace.resolve(group.owner.pipeline_path)
                for step in (read_pipeline(pipeline).data.get("steps") or {}).values():
                    with contextlib.suppress(Exception):
                        if resolve_step_file(pipeline, step.get("file_path") or "", group.project_dir) == target:
                            return self.attachment(group)
        return None

    # --- runs (engine.attached.RunServices) -------------------------------------------------------------

    @contextlib.asynccontextmanager
    async def attach(self, run: Run, project_dir: Path, pipeline_path: Path,
                     own_session: bool = False) -> AsyncIterator[Attachment]:
        """``own_session``: an interactive run has no session to join (the command line), so it
        starts the interactive services itself, named after the run, as a run does its own."""
        request = run.request
        if request.interactive and not own_session:
            yield self.attachment(self.groups.get(self._session_uuid(request.pipeline_path)))
            return
        scope = "interactive" if request.interactive else "noninteractive"
        if not in_scope(request.pipeline, scope):
            yield Attachment()
            return
        owner = Owner("run", self._api_path(request.pipeline_path), run.uuid)
        group = self._group(run.uuid, scope, owner, request.pipeline, project_dir, request.project_dir,
                            dict(request.env))
        try:
            await self._start(group)
        except RuntimeError as exc:
            raise ServicesFailed(str(exc)) from None
        try:
            yield self.attachment(group)
        finally:
            await asyncio.shield(self._stop(group))

    # --- the REST API and the proxy -----------------------------------------------------------------------

    def _find(self, pipeline: str | None, run: str | None) -> list[ServiceGroup]:
        groups = [*self.groups.values(), *(g for k, g in self.finished.items() if k not in self.groups)]
        if pipeline is not None:
            path = self.workspace.resolve(pipeline, must_exist=False)
            wanted = self._session_uuid(path)
            return [g for g in groups if g.session_uuid == wanted and g.owner.kind == "session"]
        if run is not None:
            return [g for g in groups if g.owner.run_uuid == run]
        return groups

    def list(self, pipeline: str | None = None, run: str | None = None) -> list[dict[str, Any]]:
        return [g.to_json(s) for g in self._find(pipeline, run) for s in g.services]

    def log(self, name: str, pipeline: str | None = None, run: str | None = None) -> dict[str, Any]:
        if pipeline is None and run is None:
            raise BadRequest('Say whose service: "pipeline" (its interactive session) or "run" (a run\'s uuid).')
        for group in self._find(pipeline, run):
            found = group.log(name)
            if found is not None:
                return found
        whose = f"the interactive session of {pipeline}" if pipeline is not None else f"run {run}"
        raise NotFound(f'{whose} has no service "{name}" (it is not running, or has no such service).')

    def target(self, key: str, port: int) -> tuple[str, bool]:
        """The proxy's target of ``[pbp-]service-<name>-<session uuid>`` and a port: the service's
        address on its network and whether it keeps the base path; NotFound naming it otherwise."""
        pbp = key.startswith("pbp-")
        rest = key[len("pbp-"):] if pbp else key
        for group in self.groups.values():
            for service in group.services:
                launch = service.launch
                if rest == f"service-{launch.name}-{group.session_uuid}" and launch.preserve_base_path == pbp:
                    if port not in launch.ports:
                        raise NotFound(f'Service "{launch.name}" does not list port {port} in its "ports".')
                    if service.status != "RUNNING" or not service.address:
                        raise NotFound(f'Service "{launch.name}" is not running ({service.status.lower()}).')
                    return service.address, pbp
        raise NotFound(f'No running service answers at "{key}_{port}": its session or run is not running.')

    async def shutdown(self) -> None:
        """Stop every group (the server or command is closing)."""
        await asyncio.gather(*(self._stop(g) for g in list(self.groups.values())), return_exceptions=True)
        if self._client is not None:
            with contextlib.suppress(Exception):
                self._client.close()
            self._client = None
