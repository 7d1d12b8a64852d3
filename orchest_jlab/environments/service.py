"""The environments service: the environments of a project, their builds, who uses them.

A project is addressed by an API path relative to the server's root: a project folder, or a
pipeline file (its project is the one the pipeline belongs to); empty for the root folder itself.
Reading never writes: a project with no environment gets the default one ("Python 3" on
``orchest/base-kernel-py``, a POST with an empty body) on an explicit action — creating it from the
environments panel, or adding a step to a pipeline of that project in the editor.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from ..errors import BadRequest, Conflict, NotFound
from ..pipelines import discover_pipelines, read_pipeline
from ..pipelines.project import is_within
from .files import (
    EnvironmentFiles,
    create_environment,
    delete_environment_files,
    list_environment_files,
    read_environment,
    update_environment,
)
from .images import source_hash

if TYPE_CHECKING:
    from ..engine import Engine
    from ..sessions import SessionService
    from ..workspace import Workspace
    from .builds import Builder


def environment_users(project_dir: Path, env_uuid: str, skip_dirs=()) -> list[str]:
    """Sentences naming the pipeline steps of the project that use the environment."""
    users = []
    for relative in discover_pipelines(project_dir, skip_dirs):
        try:
            steps = read_pipeline(project_dir / relative).data.get("steps")
        except Exception:
            continue
        if not isinstance(steps, dict):
            continue
        titles = sorted(str(s.get("title") or u) for u, s in steps.items()
                        if isinstance(s, dict) and s.get("environment") == env_uuid)
        if titles:
            names = ", ".join(f'"{t}"' for t in titles)
            users.append(f"step{'s' if len(titles) > 1 else ''} {names} of pipeline {relative.as_posix()}")
    return users


def runs_using(engine: Engine | None, project_dir: Path, env_uuid: str) -> list[str]:
    """The runs of this process in progress in the project with a step in the environment."""
    found = []
    for run in list(engine.runs.values()) if engine else []:
        request = run.request
        if request.project_dir != project_dir:
            continue
        steps = request.pipeline.get("steps", {})
        if any(steps.get(u, {}).get("environment") == env_uuid for u in request.steps):
            found.append(f"run {run.uuid} of {request.pipeline_path.name}")
    return found


class EnvironmentService:
    def __init__(self, workspace: Workspace, engine: Engine | None = None, builder: Builder | None = None,
                 on_change: Callable[[], None] | None = None, sessions: SessionService | None = None):
        self.workspace = workspace
        self.engine = engine
        self.builder = builder
        self.sessions = sessions
        self.on_change = on_change or (lambda: None)  # e.g. refresh the environments' kernelspecs
        if engine is not None:  # clients match build events to the project they show by its API path
            engine.bus.add_fields("build", self._build_event_fields)

    def _build_event_fields(self, event: dict[str, Any]) -> dict[str, Any]:
        project_dir = Path(event["project_dir"])
        return {"project_path": self.workspace.project_path(project_dir)} if is_within(project_dir, self.workspace.root) else {}

    # --- addressing -------------------------------------------------------------------------------

    def project_dir(self, api_path: str | None) -> Path:
        """The project folder an API path names (a folder, or a pipeline file of the project)."""
        return self.workspace.project_dir(api_path)

    def _changed(self, project_dir: Path, action: str, env_uuid: str) -> None:
        """Tell the kernelspecs and the clients (an open editor's environment list follows)."""
        self.on_change()
        if self.engine is not None:
            self.engine.bus.publish("environment", action=action, project_path=self.workspace.project_path(project_dir),
                                    environment_uuid=env_uuid)

    def _present(self, project_dir: Path, env: EnvironmentFiles) -> dict[str, Any]:
        data = env.to_json()
        data["project"] = self.workspace.project_path(project_dir)
        if self.builder is not None:
            data["build"] = self.builder.latest(project_dir, env.uuid)
            # Its last build is out of date when that build's source_hash differs (e.g. a new setup script).
            data["source_hash"] = source_hash(env.base_image, env.setup_script, env.language)
        return data

    # --- CRUD -------------------------------------------------------------------------------------

    def list(self, project: str | None) -> dict[str, Any]:
        project_dir = self.project_dir(project)
        envs = list_environment_files(project_dir)
        return {"project": self.workspace.project_path(project_dir),
                "environments": [self._present(project_dir, e) for e in envs]}

    def get(self, project: str | None, env_uuid: str) -> dict[str, Any]:
        project_dir = self.project_dir(project)
        return self._present(project_dir, read_environment(project_dir, env_uuid))

    def create(self, project: str | None, body: Any) -> dict[str, Any]:
        project_dir = self.project_dir(project)
        created = create_environment(project_dir, body)
        self._changed(project_dir, "created", created.uuid)
        return self._present(project_dir, created)

    def update(self, project: str | None, env_uuid: str, body: Any) -> dict[str, Any]:
        project_dir = self.project_dir(project)
        updated = update_environment(project_dir, env_uuid, body)
        self._changed(project_dir, "updated", env_uuid)
        return self._present(project_dir, updated)

    def delete(self, project: str | None, env_uuid: str) -> None:
        project_dir = self.project_dir(project)
        env = read_environment(project_dir, env_uuid)
        users = environment_users(project_dir, env_uuid, self.workspace.skip_dirs)
        users += runs_using(self.engine, project_dir, env_uuid)
        if self.sessions is not None:
            users += self.sessions.using_environment(project_dir, env_uuid)
        if self.builder is not None and self.builder.active(project_dir, env_uuid):
            users.append("a build in progress (cancel it first)")
        if users:
            raise Conflict(f'The environment "{env.name}" is in use by {"; ".join(users)}; '
                           "change those steps' environment, wait for the run to end or stop the session first.",
                           [{"message": u} for u in users])
        delete_environment_files(project_dir, env_uuid)
        self._changed(project_dir, "deleted", env_uuid)
        if self.builder is not None:
            self.builder.forget(project_dir, env_uuid)

    # --- builds -----------------------------------------------------------------------------------

    def _builder(self) -> Builder:
        if self.builder is None:
            raise Conflict("Environments cannot be built: no Docker engine is reachable from the server.")
        return self.builder

    def build(self, project: str | None, env_uuid: str, force: bool = False) -> dict[str, Any]:
        project_dir = self._project_with(project, env_uuid)
        return self._builder().start(project_dir, env_uuid, force=force)

    def _project_with(self, project: str | None, env_uuid: str) -> Path:
        """The project's folder, once it is known to define the environment (NotFound otherwise)."""
        project_dir = self.project_dir(project)
        read_environment(project_dir, env_uuid)
        return project_dir

    def cancel_build(self, project: str | None, env_uuid: str) -> dict[str, Any]:
        project_dir = self._project_with(project, env_uuid)
        build = self._builder().cancel(project_dir, env_uuid)
        if build is None:
            raise Conflict("No build of this environment is in progress.")
        return build

    def build_log(self, project: str | None, env_uuid: str) -> str:
        project_dir = self._project_with(project, env_uuid)
        text = self._builder().log(project_dir, env_uuid)
        if text is None:
            raise NotFound("The environment has not been built yet.")
        return text
