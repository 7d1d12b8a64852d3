"""Validation of a pipeline document: JSON Schema errors, then checks the schema cannot express."""

from __future__ import annotations

import errno
import json
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .dag import find_cycle, graph_of
from .document import PipelineDocument, PipelineFileError, json_type, read_pipeline
from .problems import Problem, Report, json_pointer
from .project import (
    STEP_FILE_KINDS,
    StepFiles,
    StepPathError,
    find_project_root,
    list_environments,
    step_file_kind,
)
from .schemas import conforming, validator
from .services import environment_of, service_problem, service_problems

if TYPE_CHECKING:
    from jsonschema.exceptions import ValidationError


def validate_pipeline(
    data: Any,
    pipeline_path: str | os.PathLike | None = None,
    *,
    boundary: str | os.PathLike | None = None,
) -> Report:
    """Every problem in ``data``. Without ``pipeline_path`` the checks that need the project's files
    (step files, environments) are skipped."""
    if not isinstance(data, dict):
        return Report([Problem("", f"A pipeline must be a JSON object, not {json_type(data)}.")])
    problems = [] if conforming("pipeline", data) else [
        _schema_problem(data, e) for e in validator("pipeline").iter_errors(data)]
    problems += _graph_problems(data) + service_problems(data)
    if pipeline_path is not None:
        problems += _project_problems(data, Path(pipeline_path), boundary)
    return Report(sorted(problems, key=_document_order(data)))


def check_pipeline_file(
    path: str | os.PathLike, *, boundary: str | os.PathLike | None = None
) -> tuple[PipelineDocument | None, Report]:
    """Read and validate a pipeline file; the document is None when the file is not a JSON object."""
    try:
        document = read_pipeline(path)
    except PipelineFileError as exc:
        return None, Report([exc.problem])
    report = validate_pipeline(document.data, path, boundary=boundary)
    report.problems[:0] = document.parse_problems
    return document, report


# --- helpers -------------------------------------------------------------------------------------


def _steps(data: dict) -> Iterator[tuple[str, dict]]:
    steps = data.get("steps")
    if isinstance(steps, dict):
        for uuid, step in steps.items():
            if isinstance(step, dict):
                yield uuid, step


def _document_order(data: dict):
    """Sort key putting problems in the order a reader meets them: the pipeline's own fields, then
    each step in the order of the file."""
    steps = data.get("steps")
    rank = {uuid: i for i, uuid in enumerate(steps)} if isinstance(steps, dict) else {}

    def key(problem: Problem) -> tuple:
        parts = problem.pointer.split("/")
        in_step = len(parts) > 2 and parts[1] == "steps"
        step = parts[2].replace("~1", "/").replace("~0", "~") if in_step else None
        return (rank.get(step, -1) if in_step else -1, problem.pointer, problem.severity)

    return key


def _title(data: dict, uuid: str) -> str | None:
    steps = data.get("steps")
    step = steps.get(uuid) if isinstance(steps, dict) else None
    title = step.get("title") if isinstance(step, dict) else None
    return title if isinstance(title, str) and title else None


def _step_problem(data: dict, uuid: str, pointer: str, message: str, severity="error") -> Problem:
    return Problem(pointer, message, severity, step_uuid=uuid, step_title=_title(data, uuid) or uuid)


def _schema_problem(data: dict, error: ValidationError) -> Problem:
    path = list(error.absolute_path)
    if "propertyNames" in error.absolute_schema_path:
        path.append(error.instance)  # the offending key itself
    pointer = json_pointer(*path)
    if len(path) >= 2 and path[0] == "steps" and isinstance(path[1], str):
        return _step_problem(data, path[1], pointer, _schema_message(error))
    if len(path) >= 2 and path[0] == "services" and isinstance(path[1], str):
        where = f'"{path[2]}": ' if len(path) >= 3 else ""
        return service_problem(path[1], path[2:], where + _schema_message(error))
    return Problem(pointer, _schema_message(error))


def _shown(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "..."


def _schema_message(error: ValidationError) -> str:
    kind, expected, value = error.validator, error.validator_value, error.instance
    if kind == "required":
        missing = [name for name in expected if isinstance(value, dict) and name not in value]
        return f'The required field "{missing[0] if missing else expected}" is missing.'
    if kind == "type":
        names = expected if isinstance(expected, list) else [expected]
        wanted = " or ".join({"integer": "a whole number", "number": "a number", "string": "a string",
                              "boolean": "true or false", "array": "a list", "object": "an object",
                              "null": "null"}.get(n, n) for n in names)
        return f"Should be {wanted}, not {json_type(value)} ({_shown(value)})."
    if kind == "pattern":
        description = error.schema.get("description") if isinstance(error.schema, dict) else None
        if description:
            return f"{_shown(value)} is not valid here. Expected: {description}"
        return f"{_shown(value)} does not have the expected form ({expected})."
    if kind == "const":
        return f"Should be {_shown(expected)}, not {_shown(value)}."
    if kind == "enum":
        return f"Should be one of {', '.join(map(_shown, expected))}, not {_shown(value)}."
    if kind == "minimum":
        return f"Should be at least {expected}, not {_shown(value)}."
    if kind == "maximum":
        return f"Should be at most {expected}, not {_shown(value)}."
    if kind == "exclusiveMinimum":
        return f"Should be more than {expected}, not {_shown(value)}."
    if kind == "additionalProperties" and expected is False and isinstance(value, dict):
        known = sorted(error.schema.get("properties", {}))
        unknown = sorted(set(value) - set(known))
        return (f'Unknown setting {", ".join(map(_shown, unknown))}; the known ones are '
                f'{", ".join(map(_shown, known))}.')
    if kind == "minLength":
        return "Should not be empty."
    if kind in ("minItems", "maxItems") and error.schema.get("minItems") == error.schema.get("maxItems"):
        return f"Should have exactly {expected} items, not {len(value)}."
    return error.message[:1].upper() + error.message[1:] + "."


def _graph_problems(data: dict) -> list[Problem]:
    problems = []
    steps = data.get("steps") if isinstance(data.get("steps"), dict) else {}
    for uuid, step in _steps(data):
        if isinstance(step.get("uuid"), str) and step["uuid"] != uuid:
            problems.append(_step_problem(
                data, uuid, json_pointer("steps", uuid, "uuid"),
                f'The step\'s uuid "{step["uuid"]}" differs from its key "{uuid}" in "steps".'))
        incoming = step.get("incoming_connections")
        if not isinstance(incoming, list):
            continue
        seen: set[str] = set()
        for i, parent in enumerate(incoming):
            if not isinstance(parent, str):
                continue
            pointer = json_pointer("steps", uuid, "incoming_connections", i)
            if parent not in steps:
                problems.append(_step_problem(
                    data, uuid, pointer, f'Has a connection from step "{parent}", which does not exist.'))
            elif parent in seen:
                problems.append(_step_problem(
                    data, uuid, pointer, f'The connection from "{_title(data, parent) or parent}" is listed twice.'))
            seen.add(parent)
    cycle = find_cycle(graph_of(data))
    if cycle:
        last, first = cycle[-2], cycle[-1]
        incoming = steps[first]["incoming_connections"]
        names = " → ".join(f'"{_title(data, u) or u}"' for u in cycle)
        problems.append(_step_problem(
            data, first, json_pointer("steps", first, "incoming_connections", incoming.index(last)),
            f"These steps form a cycle: {names}. A pipeline cannot have cycles; remove one of these connections."))
    return problems


def _project_problems(data: dict, pipeline_path: Path, boundary) -> list[Problem]:
    problems = []
    root = find_project_root(pipeline_path, boundary)
    environments = list_environments(root)
    files = StepFiles(pipeline_path, root)
    for uuid, step in _steps(data):
        file_path = step.get("file_path")
        if isinstance(file_path, str) and file_path:
            pointer = json_pointer("steps", uuid, "file_path")
            problem = _file_problem(files, file_path)
            if problem:
                problems.append(_step_problem(data, uuid, pointer, problem))
        environment = step.get("environment")
        if isinstance(environment, str) and environment not in environments:
            pointer = json_pointer("steps", uuid, "environment")
            if not environments:
                problems.append(_step_problem(
                    data, uuid, pointer,
                    f'Environment "{environment}" is not defined: this project has no environments yet, '
                    "so the step will run in the default environment.", "warning"))
            else:
                known = ", ".join(f'"{e.name}"' for e in environments.values())
                problems.append(_step_problem(
                    data, uuid, pointer,
                    f'Environment "{environment}" is not defined in this project (it has {known}).'))
    services = data.get("services") if isinstance(data.get("services"), dict) else {}
    for key, service in services.items():
        env_uuid = environment_of(service) if isinstance(service, dict) else None
        if env_uuid is not None and env_uuid not in environments:
            problems.append(service_problem(key, ["image"], f'its image is the environment "{env_uuid}", '
                                                            "which this project does not define."))
    return problems


_MISSING = (errno.ENOENT, errno.ENOTDIR, errno.EBADF, errno.ELOOP)  # what pathlib's is_file() calls False


def _file_problem(files: StepFiles, file_path: str) -> str | None:
    kind = step_file_kind(file_path)
    if kind not in STEP_FILE_KINDS:
        what = f'files of kind "{kind}"' if kind else "files without an extension"
        return f'"{file_path}" cannot run as a step: {what} are not supported (use .ipynb, .py, .sh, .R, .jl or .js).'
    try:
        mode = os.stat(files.resolve(file_path)).st_mode
    except StepPathError as exc:
        return str(exc)
    except OSError as exc:
        if exc.errno in _MISSING:
            return f'The file "{file_path}" does not exist.'
        return f'The file "{file_path}" cannot be read: {exc.strerror or exc}.'  # e.g. a name too long
    if stat.S_ISDIR(mode):
        return f'"{file_path}" is a folder, not a file.'
    if not stat.S_ISREG(mode):
        return f'The file "{file_path}" does not exist.'
    return None
