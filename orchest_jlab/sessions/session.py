"""One interactive session: its pipeline, its status and the images of the environments it uses."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any


class SessionStatus(str, Enum):
    STOPPED = "STOPPED"
    LAUNCHING = "LAUNCHING"
    RUNNING = "RUNNING"
    STOPPING = "STOPPING"
    FAILURE = "FAILURE"


# What a session's environment image is: READY (built and up to date), BUILDING, MISSING (not built
# yet, or stale), FAILURE (its build failed) or NOT_NEEDED (no Docker: steps run on the host).
IMAGE_STATES = ("READY", "BUILDING", "MISSING", "FAILURE", "NOT_NEEDED")
ACTIVE = (SessionStatus.LAUNCHING, SessionStatus.RUNNING)


@dataclass
class SessionEnvironment:
    uuid: str
    name: str
    image: str = "MISSING"

    def to_json(self) -> dict[str, Any]:
        return {"uuid": self.uuid, "name": self.name, "image": self.image}


@dataclass
class Session:
    pipeline_path: Path  # absolute
    project_dir: Path
    api_path: str  # the pipeline, relative to the server's root
    project_path: str  # the project, relative to the server's root ("" for the root itself)
    backend: str
    images_needed: bool = False  # its environments' images are built before it is RUNNING
    backend_note: str | None = None  # why its runs do not get the preferred backend (auto's fallback)
    environments: list[SessionEnvironment] = field(default_factory=list)
    step_files: set[str] = field(default_factory=set)  # API paths of the step files at start
    status: SessionStatus = SessionStatus.STOPPED
    message: str | None = None
    started: str | None = None
    launching: asyncio.Task | None = None
    stopping: asyncio.Task | None = None
    builds: set[str] = field(default_factory=set)  # environments whose build this session started
    services: bool = False  # its pipeline has services of scope interactive (started before RUNNING)

    def uses(self, env_uuid: str) -> bool:
        return any(e.uuid == env_uuid for e in self.environments)

    def to_json(self, kernels: list[dict[str, Any]], services: list[dict[str, Any]] | None = None) -> dict[str, Any]:
        return {
            "pipeline_path": self.api_path,
            "project_path": self.project_path,
            "status": self.status.value,
            "message": self.message,
            "started": self.started,
            "backend": self.backend,
            "environments": [e.to_json() for e in self.environments],
            "kernels": kernels,
            "services": services or [],
        }
