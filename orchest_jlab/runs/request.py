"""A run request from what a user asked for: the pipeline file, the run type and its steps (by uuid
or title), parameter values; checked, and resolved to the steps to run in dependency order."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..engine import RunRequest
from ..errors import BadRequest
from ..pipelines import (
    RUN_TYPES,
    ParameterError,
    check_pipeline_file,
    find_project_root,
    graph_of,
    pipeline_parameters,
    resolve_run,
    step_parameters,
)
from ..pipelines.env_variables import EnvVariablesError, environment_variables
from ..pipelines.parameter_schemas import ParameterSchemaError, check_parameter_schemas


def parse_parameters(pipeline: dict, parameters: Any) -> dict[str, dict[str, Any]]:
    """Check overrides shaped like Orchest's job parameters: ``{"pipeline_parameters": {..},
    "<step uuid>": {..}}``; every name must have a default in the pipeline."""
    if parameters is None:
        return {}
    if not isinstance(parameters, dict) or not all(isinstance(v, dict) for v in parameters.values()):
        raise BadRequest('"parameters" must be an object of objects: {"pipeline_parameters": {...}, '
                         '"<step uuid>": {...}}.')
    try:
        for key, values in parameters.items():
            if key == "pipeline_parameters":
                pipeline_parameters(pipeline, values)
            else:
                step_parameters(pipeline, key, values)
    except ParameterError as exc:
        raise BadRequest(str(exc)) from None
    return {k: v for k, v in parameters.items() if v}


def check_schemas(path: Path, pipeline: dict, project_dir: Path, combinations: list[dict], steps) -> None:
    """BadRequest naming step, parameter and problem of each value its schema file refuses."""
    try:
        check_parameter_schemas(path, pipeline, project_dir, combinations, steps)
    except ParameterSchemaError as exc:
        raise BadRequest(str(exc), exc.problems) from None


def find_steps(pipeline: dict, names: list[str]) -> list[str]:
    """Step uuids from uuids or titles (titles must be unambiguous)."""
    steps = pipeline.get("steps", {})
    found = []
    for name in names:
        if name in steps:
            found.append(name)
            continue
        matches = [u for u, s in steps.items() if s.get("title") == name]
        if len(matches) != 1:
            what = "no step" if not matches else f"{len(matches)} steps"
            raise BadRequest(f'The pipeline has {what} with the uuid or title "{name}".')
        found.append(matches[0])
    return found


def prepare_run(path: Path, *, run_type: str = "full", steps: list[str] | None = None,
                parameters: Any = None, interactive: bool = True, boundary: Path | None = None,
                snapshot_size_limit: int | None = None, env: dict[str, str] | None = None,
                cache: bool = False) -> RunRequest:
    """A RunRequest for the pipeline file at ``path``, or BadRequest saying what is wrong. Its steps
    get the project's and the pipeline's environment variables, overridden by ``env``."""
    document, report = check_pipeline_file(path, boundary=boundary)
    if document is None or not report.valid:
        raise BadRequest(f"{path.name} has errors; fix them before running it.",
                         [p.to_json() for p in report.errors])
    pipeline = document.data
    if run_type not in RUN_TYPES:
        raise BadRequest(f'Unknown run type "{run_type}"; use one of {", ".join(RUN_TYPES)}.')
    if not pipeline.get("steps"):
        raise BadRequest(f"There is nothing to run: {path.name} has no steps yet.")
    selection = find_steps(pipeline, list(steps or []))
    try:
        order = resolve_run(graph_of(pipeline), run_type, selection)
    except ValueError as exc:
        raise BadRequest(f"{str(exc)[0].upper()}{str(exc)[1:]}.") from None
    if not order:
        raise BadRequest("There is nothing to run: the chosen steps have no incoming steps.")
    project_dir = find_project_root(path, boundary)
    checked = parse_parameters(pipeline, parameters)
    check_schemas(path, pipeline, project_dir, [checked], order)
    try:
        variables = environment_variables(project_dir, pipeline.get("uuid"), env)
    except EnvVariablesError as exc:
        raise BadRequest(str(exc)) from None
    return RunRequest(
        pipeline_path=path, project_dir=project_dir, pipeline=pipeline, env=variables,
        run_type=run_type, selection=selection, steps=order, interactive=interactive,
        parameters=checked, snapshot_size_limit=snapshot_size_limit, cache=cache,
    )
