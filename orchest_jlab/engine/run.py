"""A pipeline run: what was asked for, and the live state of it and its steps."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .states import RunStatus, StepState

if TYPE_CHECKING:
    from .backend import Backend


# In the run's folder: the document an interactive run ran (non-interactive runs have their snapshot).
RECORDED_PIPELINE = "pipeline.orchest"


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


@dataclass
class RunRequest:
    """A run to start. ``steps`` are the steps the run type resolved to, in dependency order."""

    pipeline_path: Path  # absolute, in the project
    project_dir: Path
    pipeline: dict[str, Any]  # the document as read when the run was asked for
    run_type: str
    selection: list[str]
    steps: list[str]
    interactive: bool
    parameters: dict[str, dict[str, Any]] = field(default_factory=dict)  # {"pipeline_parameters": .., uuid: ..}
    snapshot_size_limit: int | None = None
    # Jobs: copy the run's snapshot from the job's snapshot (a copy of the project made when the job
    # was created) instead of the project, and keep the run's folder under the job's.
    snapshot_source: Path | None = None
    runs_dir: Path | None = None  # default: the engine's (engine/folders.py), set when the run starts
    labels: dict[str, Any] = field(default_factory=dict)  # e.g. {"job_uuid": ..}; carried in events
    # Extra environment variables of the steps (a job's); never written to the run's record or events.
    env: dict[str, str] = field(default_factory=dict)
    backend: str | None = None  # the name of the backend asked for; None: the configured one
    cache: bool = False  # use the step cache (also when the pipeline's settings ask for it)

    def environments(self) -> set[str]:
        """The environments the run's steps use."""
        steps = self.pipeline["steps"]
        return {env for u in self.steps if isinstance(env := steps[u].get("environment"), str) and env}


@dataclass
class StepRun:
    """A step of a run: its live state."""
    uuid: str
    title: str
    file_path: str
    state: StepState = StepState.PENDING
    started: str | None = None
    finished: str | None = None
    error: str | None = None
    log_path: str | None = None
    attempts: int = 0  # attempts started (retries: more than one)
    worker: str | None = None  # the machine that ran it, on a backend of several (dask)
    runtime: str | None = None  # there: "docker" (in ``image``) or "host" (dask)
    image: str | None = None
    cache_key: str | None = None  # its key in the step cache (a run that uses the cache)
    cached_from: str | None = None  # not run: its output was taken from this run's (the cache)

    def to_json(self) -> dict[str, Any]:
        record = {"title": self.title, "file_path": self.file_path, "state": self.state.value,
                  "started": self.started, "finished": self.finished, "error": self.error,
                  "log_path": self.log_path, "attempts": self.attempts,
                  "cache_key": self.cache_key, "cached_from": self.cached_from}
        record.update({k: v for k in ("worker", "runtime", "image") if (v := getattr(self, k))})
        return record


@dataclass
class Run:
    """A run in flight: what was asked for, its state and its steps'."""
    uuid: str
    request: RunRequest
    backend: str
    steps: dict[str, StepRun]
    status: RunStatus = RunStatus.PENDING
    created: str = field(default_factory=now)
    started: str | None = None
    finished: str | None = None
    error: str | None = None
    warnings: list[str] = field(default_factory=list)
    workdir: Path | None = None  # the snapshot of a non-interactive run
    runner: Backend | None = field(default=None, repr=False)  # the instance of ``backend`` running it
    cache: bool = False  # the run uses the step cache (asked for, or the pipeline's setting)
    number: int | None = None  # "Run 12": given when it starts (store/numbers.py); None: when recorded

    @property
    def run_dir(self) -> Path:
        assert self.request.runs_dir is not None, "the engine sets it when the run starts"
        return self.request.runs_dir / self.uuid

    def to_json(self) -> dict[str, Any]:
        request = self.request
        name = request.pipeline.get("name")
        return {
            "uuid": self.uuid,
            "project_dir": str(request.project_dir),
            "pipeline_file": os.path.relpath(request.pipeline_path, request.project_dir),
            "pipeline_uuid": request.pipeline.get("uuid"),
            "pipeline_name": name if isinstance(name, str) else None,
            "run_type": request.run_type,
            "selection": request.selection,
            "interactive": request.interactive,
            "cache": self.cache,
            "parameters": request.parameters,
            "backend": self.backend,
            "status": self.status.value,
            "created": self.created,
            "started": self.started,
            "finished": self.finished,
            "error": self.error,
            "warnings": self.warnings,
            "snapshot_dir": str(self.workdir) if self.workdir else None,
            "labels": request.labels,
            "number": self.number,
            "steps": {uuid: step.to_json() for uuid, step in self.steps.items()},
        }
