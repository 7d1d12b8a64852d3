"""The sessions service: start, status and stop of the interactive session of a pipeline.

Starting checks the pipeline and the backend its runs get, then (LAUNCHING) builds the images of
the environments its steps use that are missing or out of date, when that backend needs images (or
environment kernels are served and the images can be had); then the session is RUNNING. Otherwise
steps run on the host: the images are NOT_NEEDED and the session is RUNNING at once.

A session owns the Jupyter kernels opened on its step files (``kernels.py``) and the pipeline's
interactive run in progress; stopping it cancels that run and shuts those kernels down. Interactive
runs need a RUNNING session (``require_running``). Each change of a session is an event
``{"type": "session", "session": ...}`` on the bus.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from ..engine import BackendChoice
from ..engine.run import now
from ..errors import BadRequest, Conflict, NotFound
from ..pipelines import (
    PipelineFileError,
    StepPathError,
    check_pipeline_file,
    find_project_root,
    list_environments,
    read_pipeline,
    resolve_step_file,
)
from ..pipelines.env_variables import EnvVariablesError, environment_variables
from .kernels import KernelDirectory, OpenKernel
from .session import ACTIVE, Session, SessionEnvironment, SessionStatus

if TYPE_CHECKING:
    from ..engine import Engine, EventBus
    from ..environments.builds import Builder
    from ..workspace import Workspace

log = logging.getLogger(__name__)


def _steps(data: Any) -> list[tuple[str, dict]]:
    steps = data.get("steps") if isinstance(data, dict) else None
    return [(u, s) for u, s in steps.items() if isinstance(s, dict)] if isinstance(steps, dict) else []


def _names(environments: list[SessionEnvironment]) -> str:
    return ", ".join(f'"{e.name}"' for e in environments)


class SessionService:
    def __init__(self, workspace: Workspace, engine: Engine, bus: EventBus, builder: Builder | None = None,
                 kernels: KernelDirectory | None = None, refresh_kernelspecs: Callable[[], None] | None = None,
                 kernel_images: bool = False, services=None):
        self.workspace = workspace
        self.engine = engine
        self.bus = bus
        self.builder = builder
        # Environment kernels (orchest-kernel-<uuid>) run in the images: sessions build them for those too.
        self.kernel_images = kernel_images
        self.kernels = kernels  # None: no Jupyter server (the session owns no kernels)
        # Environments added outside the API (a git pull) get their kernelspecs when a session starts.
        self.refresh_kernelspecs = refresh_kernelspecs or (lambda: None)
        self.services = services  # the pipelines' services (PipelineServices); None: sessions start none
        self._sessions: dict[Path, Session] = {}  # by pipeline file; never STOPPED

    # --- describing ---------------------------------------------------------------------------------------

    def _describe(self, path: Path, data: Any, strict: bool = False) -> Session:
        """A STOPPED session of the pipeline file at ``path`` whose document is ``data``. ``strict``:
        BadRequest when the backend its runs would use cannot be used."""
        project_dir = find_project_root(path, self.workspace.root)
        defined = list_environments(project_dir)
        environments: dict[str, SessionEnvironment] = {}
        for _, step in _steps(data):
            env_uuid = step.get("environment")
            if isinstance(env_uuid, str) and env_uuid in defined and env_uuid not in environments:
                environments[env_uuid] = SessionEnvironment(env_uuid, defined[env_uuid].name)
        try:
            choice = self.engine.backends.choose_for(project_dir, set(environments))
        except BadRequest:
            if strict:
                raise
            choice = BackendChoice(self.engine.backends.default)
        # Images are built for the steps (a backend that needs them) and for environment kernels,
        # unless ``auto`` runs on the host because they cannot be had.
        images_needed = self.builder is not None and (
            choice.needs_images or (self.kernel_images and not choice.warning))
        if strict and self.services is not None:
            self.services.check_session(path, data, choice)  # BadRequest naming them: no Docker, or steps on the host
        return Session(pipeline_path=path, project_dir=project_dir, api_path=self.workspace.api_path(path),
                       project_path=self.workspace.project_path(project_dir), backend=choice.name,
                       images_needed=images_needed, backend_note=choice.note if choice.warning else None,
                       environments=list(environments.values()),
                       step_files=self._step_files(path, data, project_dir),
                       services=self.services is not None and self.services.has_session_services(data))

    def _step_files(self, path: Path, data: Any, project_dir: Path) -> set[str]:
        """The API paths of the pipeline's step files (those that resolve inside the project)."""
        files = set()
        for _, step in _steps(data):
            with contextlib.suppress(StepPathError, TypeError):
                files.add(self.workspace.api_path(resolve_step_file(path, step.get("file_path") or "", project_dir)))
        return files

    def _checked(self, path: Path) -> Session:
        """The session to start, once the pipeline is valid and defines every environment it names."""
        document, report = check_pipeline_file(path, boundary=self.workspace.root)
        data = document.data if document is not None else None
        project_dir = find_project_root(path, self.workspace.root)
        defined = list_environments(project_dir)
        unknown = [{"step_uuid": u, "step_title": s.get("title") or u, "environment_uuid": s["environment"]}
                   for u, s in _steps(data) if isinstance(s.get("environment"), str) and s["environment"] not in defined]
        if unknown:
            first = unknown[0]
            where = self.workspace.project_path(project_dir) or "the server's root folder"
            more = f" ({len(unknown) - 1} more step(s) name undefined environments; see errors)" if len(unknown) > 1 else ""
            raise BadRequest(
                f'Step "{first["step_title"]}" of {path.name} uses the environment "{first["environment_uuid"]}", '
                f"which its project ({where}) does not define{more}; pick one of its environments for the step.",
                unknown)
        if data is None or not report.valid:
            raise BadRequest(f"{path.name} has errors; fix them before starting its session.",
                             [p.to_json() for p in report.errors])
        return self._describe(path, data, strict=True)

    async def _image_states(self, session: Session) -> None:
        """READY or MISSING for each environment (NOT_NEEDED without Docker). An image that cannot be
        checked (Docker stopped answering) is MISSING: building it says why."""
        if not session.images_needed:
            for env in session.environments:
                env.image = "NOT_NEEDED"
            return
        current = await asyncio.gather(*(asyncio.to_thread(self.builder.up_to_date, session.project_dir, e.uuid)
                                         for e in session.environments), return_exceptions=True)
        for env, ready in zip(session.environments, current):
            env.image = "READY" if ready is True else "MISSING"

    async def _open_kernels(self) -> list[OpenKernel]:
        return await self.kernels.list() if self.kernels is not None else []

    def _owned(self, session: Session, open_kernels: list[OpenKernel]) -> list[OpenKernel]:
        """The kernels opened on a step file of the session's pipeline (as it was started, or is now)."""
        files = set(session.step_files)
        with contextlib.suppress(PipelineFileError):
            files |= self._step_files(session.pipeline_path, read_pipeline(session.pipeline_path).data, session.project_dir)
        return [k for k in open_kernels if k.path in files]

    async def _present(self, session: Session, open_kernels: list[OpenKernel] | None = None) -> dict[str, Any]:
        if session.status == SessionStatus.STOPPED:
            return session.to_json([])
        if open_kernels is None:
            open_kernels = await self._open_kernels()
        services = self.services.session_services(session.pipeline_path) if session.services else []
        return session.to_json([k.to_json() for k in self._owned(session, open_kernels)], services)

    async def _set(self, session: Session, status: SessionStatus, message: str | None) -> None:
        session.status, session.message = status, message
        self.bus.publish("session", session=await self._present(session))

    async def _stopped(self, path: Path) -> dict[str, Any]:
        try:
            data = read_pipeline(path).data
        except PipelineFileError:  # an unreadable file has a session too: a stopped one, using nothing
            data = None
        session = self._describe(path, data)
        await self._image_states(session)
        return await self._present(session)

    # --- the API ------------------------------------------------------------------------------------------

    async def list(self) -> list[dict[str, Any]]:
        open_kernels = await self._open_kernels()
        return [await self._present(s, open_kernels) for s in sorted(self._sessions.values(), key=lambda s: s.api_path)]

    async def get(self, api_path: str) -> dict[str, Any]:
        path = self.workspace.resolve(api_path, must_exist=False)
        session = self._sessions.get(path)
        if session is not None:
            return await self._present(session)
        if not path.is_file():
            raise NotFound(f'There is no pipeline file "{api_path}".')
        return await self._stopped(path)

    async def start(self, body: Any) -> dict[str, Any]:
        if not isinstance(body, dict) or not isinstance(body.get("pipeline"), str):
            raise BadRequest('The body must be an object with "pipeline": the path of the .orchest file.')
        path = self.workspace.resolve(body["pipeline"])
        session = self._sessions.get(path)
        if session is not None and session.stopping is not None:
            await asyncio.shield(session.stopping)  # a stop in progress ends first
            session = self._sessions.get(path)
        if session is not None and session.status in ACTIVE:
            return await self._present(session)
        session = self._checked(path)
        session.started = now()
        self._sessions[path] = session  # from here on, a second start finds it
        await asyncio.to_thread(self.refresh_kernelspecs)  # it walks the root
        if self._stopped_meanwhile(session):
            return await self._present(session)
        if not session.images_needed and not session.services:
            await self._image_states(session)  # NOT_NEEDED, at once
            if not self._stopped_meanwhile(session):
                await self._set(session, SessionStatus.RUNNING, session.backend_note)
        else:
            await self._set(session, SessionStatus.LAUNCHING, "Checking the images of the pipeline's environments.")
            if not self._stopped_meanwhile(session):
                session.launching = asyncio.ensure_future(self._launch(session))
        return await self._present(session)

    def _stopped_meanwhile(self, session: Session) -> bool:
        """A stop came while a start waited: the start must not go on (launch, or say RUNNING)."""
        return session.stopping is not None or self._sessions.get(session.pipeline_path) is not session

    async def stop(self, api_path: str) -> dict[str, Any]:
        path = self.workspace.resolve(api_path, must_exist=False)
        session = self._sessions.get(path)
        if session is None:
            if not path.is_file():
                raise NotFound(f'There is no pipeline file "{api_path}".')
            return await self._stopped(path)
        if session.stopping is None:
            session.stopping = asyncio.ensure_future(self._stop(session))
        await asyncio.shield(session.stopping)
        return await self._present(session)

    def require_running(self, path: Path) -> None:
        """The gate of interactive runs: Conflict unless the pipeline's session is RUNNING."""
        session = self._sessions.get(path)
        status = session.status if session is not None else SessionStatus.STOPPED
        if status != SessionStatus.RUNNING:
            api_path = self.workspace.api_path(path)
            raise Conflict(f"The interactive session of {api_path} is not running; start it first.",
                           [{"pipeline_path": api_path, "session_status": status.value}])

    def pipelines_with_step_file(self, api_path: str) -> list[Path]:
        """The pipelines whose session is up and has the file as a step (a kernel opened on it is theirs)."""
        return sorted(s.pipeline_path for s in self._sessions.values() if s.status in ACTIVE and api_path in s.step_files)

    def using_environment(self, project_dir: Path, env_uuid: str) -> list[str]:
        """Sentences naming the sessions (launching or running) that use the environment."""
        return [f"the interactive session of pipeline {s.api_path} ({s.status.value.lower()})"
                for s in sorted(self._sessions.values(), key=lambda s: s.api_path)
                if s.status in ACTIVE and s.project_dir == project_dir and s.uses(env_uuid)
                and s.pipeline_path.is_file()]  # a renamed or deleted pipeline's session runs nothing new

    async def shutdown(self) -> None:
        """Stop every session (the server is stopping)."""
        await asyncio.gather(*(self.stop(s.api_path) for s in list(self._sessions.values())), return_exceptions=True)

    # --- launching and stopping ---------------------------------------------------------------------------

    async def _launch(self, session: Session) -> None:
        try:
            if session.images_needed:
                if not await self._build_images(session):
                    return
            else:
                await self._image_states(session)
            if session.services:
                await self._set(session, SessionStatus.LAUNCHING, "Starting the pipeline's services.")
                try:
                    data = read_pipeline(session.pipeline_path).data
                    # What a service with env_variables_inherit gets, as a run's services do.
                    inherited = environment_variables(session.project_dir, data.get("uuid"))
                    await self.services.start_session(session.pipeline_path, session.project_dir, data, inherited)
                except (RuntimeError, PipelineFileError, EnvVariablesError) as exc:
                    await self._set(session, SessionStatus.FAILURE, f"The session could not start: {exc}")
                    return
            await self._set(session, SessionStatus.RUNNING, session.backend_note)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.exception("launch of the session of %s", session.api_path)
            await self._set(session, SessionStatus.FAILURE, f"The session could not start: {type(exc).__name__}: {exc}")

    async def _build_images(self, session: Session) -> bool:
        builder = self.builder
        await self._image_states(session)
        missing = [e for e in session.environments if e.image == "MISSING"]
        if missing:
            for env in missing:
                if not builder.active(session.project_dir, env.uuid):  # a build in progress is joined, not owned
                    session.builds.add(env.uuid)
                builder.start(session.project_dir, env.uuid)
                env.image = "BUILDING"
            plural = "s" if len(missing) > 1 else ""
            await self._set(session, SessionStatus.LAUNCHING,
                            f"Building the image{plural} of environment{plural} {_names(missing)}.")
            records = await asyncio.gather(*(builder.wait(session.project_dir, e.uuid) for e in missing))
            session.builds.clear()
            failures = []
            for env, record in zip(missing, records):
                if record and record.get("status") == "SUCCESS":
                    env.image = "READY"
                else:
                    env.image = "FAILURE"
                    why = (record or {}).get("error") or "the build did not finish."
                    failures.append(f'The image of environment "{env.name}" could not be built: {why}')
            if failures:
                await self._set(session, SessionStatus.FAILURE, " ".join(failures))
                return False
        return True

    async def _stop(self, session: Session) -> None:
        try:
            await self._stop_owned(session)
        except Exception:  # the session ends STOPPED all the same; the log says what was left
            log.exception("stopping the session of %s", session.api_path)
        finally:
            if self._sessions.get(session.pipeline_path) is session:
                del self._sessions[session.pipeline_path]
            await self._set(session, SessionStatus.STOPPED, None)

    async def _stop_owned(self, session: Session) -> None:
        """Cancel the session's launch, builds and interactive run; shut its kernels down."""
        owned = self._owned(session, await self._open_kernels())
        run = self.engine.active_interactive_run(session.pipeline_path)
        doing = (["cancelling its interactive run"] if run else []) + (
            [f"shutting down {len(owned)} kernel{'s' if len(owned) > 1 else ''}"] if owned else [])
        await self._set(session, SessionStatus.STOPPING, f"Stopping: {' and '.join(doing)}." if doing else "Stopping.")
        if session.launching is not None and not session.launching.done():
            session.launching.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await session.launching
        for env_uuid in session.builds:  # builds this session started (not joined) and did not see end
            self.builder.cancel(session.project_dir, env_uuid)
        session.builds.clear()
        if run is not None and self.engine.cancel(run.uuid):
            with contextlib.suppress(asyncio.CancelledError):
                await self.engine.wait(run.uuid)  # its steps' processes and containers are gone
        if self.kernels is not None:
            await asyncio.gather(*(self.kernels.shut_down(k) for k in owned))
        if session.services:
            await self.services.stop_session(session.pipeline_path)
