"""Environments as Orchest stores them, in the project:

    .orchest/environments/<uuid>/properties.json   uuid, name, language, base_image, gpu_support
    .orchest/environments/<uuid>/setup_script.sh   run in the base image to make the environment's image
    .orchest/environments/<uuid>/orchest-jlab.json our own settings ({"network": true}), which Orchest
                                                   never reads: its loader builds its model with
                                                   Environment(**properties), so an unknown key in
                                                   properties.json would stop it loading the project

properties.json is written as Orchest writes it (sorted keys, 4-space indent); fields this code does
not know are kept. Older Orchest versions kept the script in properties.json (``setup_script``); a
``setup_script.sh`` beside it wins. A ``"network"`` key in properties.json (written by earlier
versions of this project) is still read, and moved to orchest-jlab.json at the next save. Pure file
access: no server, no Docker.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid as uuidlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import BadRequest, NotFound
from ..pipelines.document import dumps, write_text_atomic
from ..pipelines.project import ENVIRONMENTS_DIR
from ..pipelines.schemas import conforms, validator

DEFAULT_NAME = "Python 3"
DEFAULT_LANGUAGE = "python"
DEFAULT_BASE_IMAGE = "orchest/base-kernel-py"
DEFAULT_SETUP_SCRIPT = """#!/bin/bash

# This script runs once, when the environment's image is built, in the base image with the project
# folder as working folder (mounted read-only at /project-dir). Install what your steps need, e.g.
#   pip install -r requirements.txt
#   apt-get install -y --no-install-recommends graphviz
"""
EDITABLE = ("name", "language", "base_image", "gpu_support", "network", "setup_script")
SCRIPT_NAME = "setup_script.sh"
PROPERTIES_NAME = "properties.json"
SETTINGS_NAME = "orchest-jlab.json"
OWN_SETTINGS = ("network",)  # kept in SETTINGS_NAME, never in properties.json


@dataclass
class EnvironmentFiles:
    """One environment as read from its folder."""

    uuid: str
    folder: Path
    properties: dict[str, Any]
    setup_script: str
    problems: list[str] = field(default_factory=list)  # why properties.json is not valid
    settings: dict[str, Any] = field(default_factory=dict)  # SETTINGS_NAME's

    @property
    def network(self) -> bool:
        """Steps and kernels get the host's network (the legacy key in properties.json counts)."""
        value = self.settings.get("network", self.properties.get("network"))
        return value is True

    @property
    def name(self) -> str:
        name = self.properties.get("name")
        return name if isinstance(name, str) and name else self.uuid

    @property
    def language(self) -> str:
        language = self.properties.get("language")
        return language if isinstance(language, str) else DEFAULT_LANGUAGE

    @property
    def base_image(self) -> str | None:
        image = self.properties.get("base_image")
        return image if isinstance(image, str) and image else None

    def to_json(self) -> dict[str, Any]:
        props = self.properties
        return {
            "uuid": self.uuid,
            "name": self.name,
            "language": self.language,
            "base_image": self.base_image,
            "gpu_support": bool(props.get("gpu_support", False)),
            "network": self.network,
            "setup_script": self.setup_script,
            "kernel_name": kernel_name(self.uuid),
            "valid": not self.problems,
            "problems": self.problems,
        }


def kernel_name(env_uuid: str) -> str:
    """The kernel name Orchest wrote into notebooks of steps in this environment."""
    return f"orchest-kernel-{env_uuid}"


def environments_dir(project_dir: Path) -> Path:
    return project_dir / ENVIRONMENTS_DIR


def schema_problems(properties: Any) -> list[str]:
    problems: list[str] = []
    if conforms("environment")(properties):
        return problems
    for error in sorted(validator("environment").iter_errors(properties), key=lambda e: list(e.path)):
        where = "/".join(str(p) for p in error.path)
        problems.append(f"{where}: {error.message}" if where else error.message)
    return problems


def read_environment(project_dir: Path, env_uuid: str) -> EnvironmentFiles:
    folder = environments_dir(project_dir) / env_uuid
    properties_path = folder / PROPERTIES_NAME
    if "/" in env_uuid or env_uuid in ("", ".", "..") or not properties_path.is_file():
        raise NotFound(f'The project has no environment "{env_uuid}".')
    problems: list[str] = []
    try:
        properties = json.loads(properties_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        properties, problems = {}, [f"{PROPERTIES_NAME} cannot be read: {exc}"]
    if not isinstance(properties, dict):
        properties, problems = {}, [f"{PROPERTIES_NAME} is not a JSON object."]
    if not problems:
        problems = schema_problems(properties)
        if properties.get("uuid") not in (None, env_uuid):
            problems.append(f'uuid: "{properties.get("uuid")}" differs from the folder\'s name "{env_uuid}".')
    script_path = folder / SCRIPT_NAME
    try:
        script = script_path.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        script = properties.get("setup_script") if isinstance(properties.get("setup_script"), str) else ""
    return EnvironmentFiles(env_uuid, folder, properties, script, problems, _read_settings(folder, problems))


def _read_settings(folder: Path, problems: list[str]) -> dict[str, Any]:
    try:
        settings = json.loads((folder / SETTINGS_NAME).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        problems.append(f"{SETTINGS_NAME} cannot be read: {exc}")
        return {}
    if not isinstance(settings, dict):
        problems.append(f"{SETTINGS_NAME} is not a JSON object.")
        return {}
    return settings


def list_environment_files(project_dir: Path) -> list[EnvironmentFiles]:
    """Every environment of the project, by name then uuid."""
    folder = environments_dir(project_dir)
    try:
        names = [e.name for e in os.scandir(folder) if e.is_dir() and (Path(e.path) / PROPERTIES_NAME).is_file()]
    except OSError:
        return []
    found = [read_environment(project_dir, name) for name in names]
    return sorted(found, key=lambda e: (e.name.lower(), e.uuid))


def _checked_changes(body: Any, *, creating: bool) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise BadRequest("The body must be a JSON object with the environment's fields.")
    unknown = sorted(set(body) - set(EDITABLE) - {"uuid"})
    if unknown:
        raise BadRequest(f"Unknown field(s): {', '.join(unknown)}; an environment has {', '.join(EDITABLE)}.")
    if not creating and "uuid" in body:
        raise BadRequest("An environment's uuid cannot be changed.")
    if "setup_script" in body and not isinstance(body["setup_script"], str):
        raise BadRequest('"setup_script" must be text.')
    if "network" in body and not isinstance(body["network"], bool):
        raise BadRequest('"network" must be true or false.')
    return {k: v for k, v in body.items() if k in EDITABLE}


def _write(project_dir: Path, env_uuid: str, properties: dict[str, Any], script: str,
           settings: dict[str, Any]) -> EnvironmentFiles:
    # Our own settings leave properties.json (Orchest's loader rejects unknown keys).
    settings = {**{k: properties[k] for k in OWN_SETTINGS if k in properties}, **settings}
    properties = {k: v for k, v in properties.items() if k != "setup_script" and k not in OWN_SETTINGS}
    problems = schema_problems(properties)
    if problems:
        raise BadRequest("The environment is not valid: " + "; ".join(problems) + ".",
                         [{"message": p} for p in problems])
    folder = environments_dir(project_dir) / env_uuid
    folder.mkdir(parents=True, exist_ok=True)
    write_text_atomic(folder / SCRIPT_NAME, script)
    if settings:
        write_text_atomic(folder / SETTINGS_NAME, dumps(settings))
    write_text_atomic(folder / PROPERTIES_NAME, dumps(properties))
    return read_environment(project_dir, env_uuid)


def create_environment(project_dir: Path, body: Any) -> EnvironmentFiles:
    changes = _checked_changes(body, creating=True)
    env_uuid = body.get("uuid") or str(uuidlib.uuid4())
    if (environments_dir(project_dir) / str(env_uuid)).exists():
        raise BadRequest(f'The project already has an environment "{env_uuid}".')
    script = changes.pop("setup_script", DEFAULT_SETUP_SCRIPT)
    properties = {"uuid": env_uuid, "name": DEFAULT_NAME, "language": DEFAULT_LANGUAGE,
                  "base_image": DEFAULT_BASE_IMAGE, "gpu_support": False, **changes}
    return _write(project_dir, env_uuid, properties, script, {})


def update_environment(project_dir: Path, env_uuid: str, body: Any) -> EnvironmentFiles:
    current = read_environment(project_dir, env_uuid)
    changes = _checked_changes(body, creating=False)
    script = changes.pop("setup_script", current.setup_script)
    properties = {**current.properties, **changes, "uuid": env_uuid}
    settings = {**current.settings, **{k: changes[k] for k in OWN_SETTINGS if k in changes}}
    return _write(project_dir, env_uuid, properties, script, settings)


def delete_environment_files(project_dir: Path, env_uuid: str) -> None:
    current = read_environment(project_dir, env_uuid)
    shutil.rmtree(current.folder)
