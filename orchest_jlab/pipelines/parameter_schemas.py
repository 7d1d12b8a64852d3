"""Parameter forms, Orchest's convention: a JSON Schema of a step's parameters object in
``<step file>.schema.json`` (and a JSON Forms UI schema in ``<step file>.uischema.json``), of the
pipeline's in ``<pipeline file>.schema.json``. Values are checked against them before a run.

jsonschema is imported only when a pipeline has such a file (a plain run never pays for it).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from .parameters import pipeline_parameters, step_parameters
from .problems import json_pointer
from .project import StepFiles, StepPathError

SCHEMA_SUFFIX = ".schema.json"
UI_SCHEMA_SUFFIX = ".uischema.json"
PIPELINE_OWNER = "pipeline_parameters"


class ParameterSchemaError(ValueError):
    """Values that do not follow their schema, or a schema file that cannot be used."""

    def __init__(self, message: str, problems: list[dict[str, Any]]):
        super().__init__(message)
        self.problems = problems


def schema_path(pipeline_path: Path, pipeline: Mapping[str, Any], owner: str, files: StepFiles) -> Path | None:
    """Where the schema of ``owner``'s parameters would be (``owner``: a step uuid or
    ``pipeline_parameters``; ``files``: the pipeline's step files); None for a step whose file
    cannot be resolved."""
    if owner == PIPELINE_OWNER:
        return Path(f"{pipeline_path}{SCHEMA_SUFFIX}")
    step = (pipeline.get("steps") or {}).get(owner) or {}
    try:
        file = files.resolve(step.get("file_path") or "")
    except (StepPathError, TypeError):
        return None
    return Path(f"{file}{SCHEMA_SUFFIX}")


def read_schema(path: Path) -> Any:
    """The JSON in ``path`` (a schema or a UI schema); None when there is no such file."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        raise ParameterSchemaError(f"{path.name} is not a readable JSON file: {exc}",
                                   [{"file": str(path), "message": str(exc)}]) from None


def _describe(owner: str, pipeline: Mapping[str, Any]) -> tuple[str, str]:
    if owner == PIPELINE_OWNER:
        return "The pipeline", json_pointer("parameters")
    step = (pipeline.get("steps") or {}).get(owner) or {}
    return f'Step "{step.get("title") or owner}"', json_pointer("steps", owner, "parameters")


def check_parameter_schemas(pipeline_path: Path, pipeline: Mapping[str, Any], project_dir: Path,
                            combinations: Iterable[Mapping[str, Mapping[str, Any]]], steps: Iterable[str]) -> None:
    """Check the effective parameters (defaults with each combination's overrides) of the pipeline
    and of ``steps`` against their schema files; ParameterSchemaError names owner, parameter and
    problem of each value that does not follow (at most one per owner and parameter)."""
    schemas: dict[str, Any] = {}
    files = StepFiles(pipeline_path, project_dir)  # the project's real path found once, not per step
    for owner in (PIPELINE_OWNER, *steps):
        path = schema_path(pipeline_path, pipeline, owner, files)
        schema = read_schema(path) if path is not None else None
        if schema is not None:
            schemas[owner] = (path, schema)
    if not schemas:
        return
    import jsonschema

    validators = {}
    for owner, (path, schema) in schemas.items():
        try:
            cls = jsonschema.validators.validator_for(schema)
            cls.check_schema(schema)
        except jsonschema.SchemaError as exc:
            raise ParameterSchemaError(f"{path.name} is not a valid JSON Schema: {exc.message}",
                                       [{"file": str(path), "message": exc.message}]) from None
        validators[owner] = cls(schema, format_checker=cls.FORMAT_CHECKER)
    problems: list[dict[str, Any]] = []
    seen: set[tuple[str, str]] = set()
    combinations = list(combinations)
    for index, combination in enumerate(combinations):
        for owner, validator in validators.items():
            overrides = combination.get(owner)
            values = (pipeline_parameters(pipeline, overrides) if owner == PIPELINE_OWNER
                      else step_parameters(pipeline, owner, overrides))
            who, base = _describe(owner, pipeline)
            for error in sorted(validator.iter_errors(values), key=lambda e: list(e.absolute_path)):
                path = list(error.absolute_path)
                name = str(path[0]) if path else ""
                if (owner, name) in seen:
                    continue
                seen.add((owner, name))
                what = f'parameter "{name}"' if name else "parameters"
                run = f" (combination {index})" if len(combinations) > 1 else ""
                problems.append({
                    "pointer": base + json_pointer(*path), "step_uuid": None if owner == PIPELINE_OWNER else owner,
                    "parameter": name or None,
                    "message": f"{who}, {what}{run}: {error.message} (schema {schemas[owner][0].name}).",
                })
    if problems:
        more = f" ({len(problems) - 1} more in errors)" if len(problems) > 1 else ""
        raise ParameterSchemaError(problems[0]["message"] + more, problems)
