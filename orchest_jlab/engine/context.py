"""What a step needs to run: its file, folder, environment variables and log."""

from __future__ import annotations

import json
import os
import time
import uuid
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..sdk import SDK_PATH


def data_dir(project_dir: Path, pipeline_uuid: str) -> Path:
    """Where the steps of a pipeline pass data to each other (Orchest's layout)."""
    return project_dir / ".orchest" / "pipelines" / pipeline_uuid / "data"


def project_uuid(project_dir: Path) -> str:
    """The project's ``ORCHEST_PROJECT_UUID``: Orchest kept one per project in its database; here
    it is derived from the project's path, so it is the same for every run of the project."""
    return _project_uuid(os.fspath(project_dir))


@lru_cache(maxsize=256)
def _project_uuid(project_dir: str) -> str:  # every step asks (its variables): one realpath per project
    return str(uuid.uuid5(uuid.NAMESPACE_URL, Path(project_dir).resolve().as_uri()))


_environ: tuple[dict[bytes, bytes], dict[str, str]] = ({}, {})


def environ_copy() -> dict[str, str]:
    """``dict(os.environ)``, decoded once while the environment stays the same: every step's start
    copies it, and decoding each variable through ``os.environ`` is most of that copy's cost."""
    global _environ
    data = os.environ._data  # type: ignore[attr-defined]  # the encoded variables, as os.environ keeps them
    if _environ[0] != data:  # compared in C: a variable changed since
        _environ = (dict(data), dict(os.environ))
    return dict(_environ[1])


# In a run's folder: a copy of each notebook an interactive run executed, at its path in the project
# (the project's own file changes afterwards; a non-interactive run's snapshot keeps its notebooks).
EXECUTED_NOTEBOOKS = "notebooks"


@dataclass
class StepContext:
    """One attempt of a step, as its backend runs it."""
    run_uuid: str
    step_uuid: str
    title: str
    file: Path  # absolute
    kernel_name: str | None  # the step's kernel, for notebooks
    project_dir: Path  # the project, or the run's snapshot of it
    pipeline_path: Path
    pipeline_uuid: str
    log_path: Path
    parameter_overrides: dict[str, Any] | None = None
    extra_env: dict[str, str] = field(default_factory=dict)
    environment: str | None = None  # the step's environment uuid (the docker backend's image)
    source_project_dir: Path | None = None  # the project itself when project_dir is a snapshot of it
    interactive: bool = False  # an interactive run (in the project) or not (a snapshot's run)
    # The run uses the step cache: a backend whose outputs stay elsewhere (a cluster) brings them back.
    cache: bool = False
    language: str | None = None  # a notebook's language, from its metadata (its kernel's)
    network: str | None = None  # the private network of the run's services (containers join it)
    # When the step's own work began (monotonic clock): its timeout counts from there. A backend that
    # prepares first (an image to build, a kernel to boot) calls begin() when that is done.
    began: float | None = None

    def begin(self) -> None:
        self.began = time.monotonic()

    @property
    def cwd(self) -> Path:
        return self.file.parent

    @property
    def kind(self) -> str:
        return self.file.suffix.lower()

    def orchest_env(self) -> dict[str, str]:
        """The ORCHEST_* variables the step SDK reads."""
        env = {
            "ORCHEST_PROJECT_DIR": str(self.project_dir),
            "ORCHEST_PIPELINE_PATH": str(self.pipeline_path),
            "ORCHEST_PIPELINE_UUID": self.pipeline_uuid,
            "ORCHEST_STEP_UUID": self.step_uuid,
            "ORCHEST_RUN_UUID": self.run_uuid,
            **self.session_env(),
        }
        if self.parameter_overrides:
            env["ORCHEST_PARAMETERS"] = json.dumps(self.parameter_overrides)
        return env

    def session_env(self) -> dict[str, str]:
        """Orchest's session variables: an interactive session's uuid is the first 18 characters of
        the project's and of the pipeline's uuids; a non-interactive run is a session of its own."""
        project = project_uuid(self.source_project_dir or self.project_dir)
        session = project[:18] + self.pipeline_uuid[:18] if self.interactive else self.run_uuid
        return {
            "ORCHEST_PROJECT_UUID": project,
            "ORCHEST_SESSION_UUID": session,
            "ORCHEST_SESSION_TYPE": "interactive" if self.interactive else "noninteractive",
        }

    def process_env(self) -> dict[str, str]:
        env = environ_copy()
        env.pop("ORCHEST_PARAMETERS", None)
        env.update(self.orchest_env())
        env.update(self.extra_env)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(SDK_PATH), env.get("PYTHONPATH")]))
        env["PYTHONUNBUFFERED"] = "1"
        return env
