"""The environment variables service: the project's and a pipeline's variables as the API reads and
replaces them (``pipelines/env_variables.py`` keeps them), and those a session's kernels get."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..errors import BadRequest
from ..pipelines import find_project_root, pipeline_uuid
from ..pipelines.env_variables import (
    EnvVariablesError,
    check_env_variables,
    environment_variables,
    read_env_variables,
    write_env_variables,
)
from ..workspace import Workspace

LEVELS = ("project", "pipeline")


class EnvVariablesService:
    def __init__(self, workspace: Workspace):
        self.workspace = workspace

    def _where(self, pipeline_api_path: str | None) -> tuple[Path, str]:
        if not pipeline_api_path:
            raise BadRequest('Give the pipeline: "?pipeline=<path of the .orchest file>".')
        path = self.workspace.resolve(pipeline_api_path)
        uuid = pipeline_uuid(path)
        if uuid is None:
            raise BadRequest(f'{path.name} has no "uuid": its variables are kept by the pipeline\'s uuid.')
        return find_project_root(path, self.workspace.root), uuid

    def get(self, pipeline_api_path: str | None) -> dict[str, Any]:
        """``{"project", "pipeline", "merged"}``: the values in clear (the page masks them)."""
        project_dir, uuid = self._where(pipeline_api_path)
        try:
            stored = read_env_variables(project_dir)
        except EnvVariablesError as exc:
            raise BadRequest(str(exc)) from None
        pipeline = stored["pipelines"].get(uuid, {})
        return {"project": stored["project"], "pipeline": pipeline, "merged": {**stored["project"], **pipeline},
                "project_path": self.workspace.project_path(project_dir)}

    def put(self, pipeline_api_path: str | None, body: Any) -> dict[str, Any]:
        """Replace the levels the body gives (``project``, ``pipeline``); checked first, all or nothing."""
        project_dir, uuid = self._where(pipeline_api_path)
        if not isinstance(body, dict) or not body or set(body) - set(LEVELS):
            raise BadRequest('The body must be an object with "project" and/or "pipeline": each an object of '
                             "environment variable names and text values.")
        try:
            levels = {level: check_env_variables(body[level], level) for level in LEVELS if level in body}
            write_env_variables(project_dir, project=levels.get("project"),
                                pipeline_uuid=uuid if "pipeline" in levels else None, pipeline=levels.get("pipeline"))
        except EnvVariablesError as exc:
            raise BadRequest(str(exc), [{"pointer": exc.pointer, "message": str(exc)}]) from None
        return self.get(pipeline_api_path)

    def for_kernel(self, file: Path, pipelines: list[Path]) -> dict[str, str]:
        """What a kernel opened on ``file`` gets: its project's variables, and a pipeline's over them
        when exactly one of ``pipelines`` (those whose session runs and has the file as a step) is given."""
        project_dir = find_project_root(pipelines[0] if pipelines else file, self.workspace.root)
        uuid = pipeline_uuid(pipelines[0]) if len(pipelines) == 1 else None
        try:
            return environment_variables(project_dir, uuid)
        except EnvVariablesError:
            return {}
