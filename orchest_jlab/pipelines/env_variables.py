"""Environment variables of a project and of its pipelines, merged as Orchest merges them.

Orchest kept them in its database, never in the project's files. Here they are in one file of the
project, ``.orchest/env_variables.json`` (mode 0600, listed in ``.orchest/.gitignore``, left out of
snapshots): ``{"project": {name: value}, "pipelines": {pipeline uuid: {name: value}}}``. A pipeline's
variables override the project's; a job starts from both (job over pipeline over project).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .document import write_text_atomic
from .gitignore import ensure_gitignore

FILE_NAME = "env_variables.json"
RELATIVE_PATH = f".orchest/{FILE_NAME}"
# Shell names (what every shell and `env` accept; Orchest also took "-" and a leading digit, which
# no shell can read back), without ORCHEST_: those are the steps' context.
NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
RESERVED_PREFIX = "ORCHEST_"
# In a session kernel's environment: the names of the user's variables, so that the orchest-docker
# provisioner passes them (and ORCHEST_*, JPY_*) into the container, not the server's environment.
KERNEL_NAMES_VARIABLE = "ORCHEST_JLAB_USER_VARIABLES"


class EnvVariablesError(ValueError):
    def __init__(self, message: str, pointer: str = ""):
        super().__init__(message)
        self.pointer = pointer  # JSON pointer of what is wrong, e.g. /pipeline/MY-NAME


def check_env_variables(value: Any, field: str = "env_variables") -> dict[str, str]:
    """``value`` as ``{name: text}``, or EnvVariablesError naming the first problem."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise EnvVariablesError(f'"{field}" must be an object of names and text values.', f"/{field}")
    for name, text in value.items():
        pointer = f"/{field}/{name.replace('~', '~0').replace('/', '~1')}"
        if not NAME.fullmatch(name):
            raise EnvVariablesError(f'"{field}": {name!r} is not a valid environment variable name (letters, digits '
                                    "and _, not starting with a digit).", pointer)
        if name.startswith(RESERVED_PREFIX):
            raise EnvVariablesError(f'"{field}": {name!r}: names starting with ORCHEST_ are reserved for the '
                                    "steps' context.", pointer)
        if not isinstance(text, str):
            raise EnvVariablesError(f'"{field}": the value of environment variable "{name}" must be text.', pointer)
    return dict(value)


def variables_file(project_dir: Path) -> Path:
    return Path(project_dir) / ".orchest" / FILE_NAME


def read_env_variables(project_dir: Path) -> dict[str, Any]:
    """``{"project": {...}, "pipelines": {uuid: {...}}}``; empty when there is no file. A file that is
    not of that shape raises EnvVariablesError (never ignored: a step would run without them)."""
    path = variables_file(project_dir)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {"project": {}, "pipelines": {}}
    except (OSError, ValueError) as exc:
        raise EnvVariablesError(f"{RELATIVE_PATH} cannot be read: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("pipelines", {}), dict):
        raise EnvVariablesError(f'{RELATIVE_PATH} must be {{"project": {{...}}, "pipelines": {{...}}}}.')
    pipelines = {}
    for key, values in data.get("pipelines", {}).items():
        pipelines[key] = check_env_variables(values, f"{RELATIVE_PATH}: pipelines/{key}")
    return {"project": check_env_variables(data.get("project"), f"{RELATIVE_PATH}: project"), "pipelines": pipelines}


def environment_variables(project_dir: Path, pipeline_uuid: str | None = None,
                          job: Mapping[str, str] | None = None) -> dict[str, str]:
    """The variables every step of a run gets: the project's, overridden by the pipeline's,
    overridden by ``job``'s (the one function the rest of the code asks)."""
    stored = read_env_variables(project_dir)
    pipeline = stored["pipelines"].get(pipeline_uuid, {}) if pipeline_uuid else {}
    return {**stored["project"], **pipeline, **(job or {})}


def write_env_variables(project_dir: Path, *, project: Mapping[str, str] | None = None,
                        pipeline_uuid: str | None = None, pipeline: Mapping[str, str] | None = None) -> None:
    """Replace the project's variables and/or one pipeline's (checked), atomically, readable by the
    owner only. A pipeline without variables is dropped from the file."""
    stored = read_env_variables(project_dir)
    if project is not None:
        stored["project"] = check_env_variables(dict(project), "project")
    if pipeline_uuid is not None:
        values = check_env_variables(dict(pipeline or {}), "pipeline")
        if values:
            stored["pipelines"][pipeline_uuid] = values
        else:
            stored["pipelines"].pop(pipeline_uuid, None)
    path = variables_file(project_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    ensure_gitignore(project_dir)
    write_text_atomic(path, json.dumps(stored, indent=4, sort_keys=True) + "\n", mode=0o600)
