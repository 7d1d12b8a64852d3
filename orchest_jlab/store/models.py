"""Tables of runs and their steps (SQLAlchemy 2.0)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    pass


class RunRow(Base):
    __tablename__ = "runs"

    uuid: Mapped[str] = mapped_column(String(36), primary_key=True)
    project_dir: Mapped[str] = mapped_column(Text)
    pipeline_file: Mapped[str] = mapped_column(Text, index=True)  # relative to the project folder
    pipeline_uuid: Mapped[str | None] = mapped_column(String(36), index=True)
    pipeline_name: Mapped[str | None] = mapped_column(Text)
    run_type: Mapped[str] = mapped_column(String(16))
    selection: Mapped[list] = mapped_column(JSON, default=list)
    interactive: Mapped[bool] = mapped_column(Boolean)
    cache: Mapped[bool | None] = mapped_column(Boolean)  # used the step cache (None: an older version's run)
    parameters: Mapped[dict] = mapped_column(JSON, default=dict)
    backend: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), index=True)
    created: Mapped[str] = mapped_column(String(40), index=True)
    started: Mapped[str | None] = mapped_column(String(40))
    finished: Mapped[str | None] = mapped_column(String(40))
    error: Mapped[str | None] = mapped_column(Text)
    warnings: Mapped[list] = mapped_column(JSON, default=list)
    snapshot_dir: Mapped[str | None] = mapped_column(Text)
    labels: Mapped[dict] = mapped_column(JSON, default=dict)  # what started it, e.g. {"job_uuid": ..}
    # The process that executes the run: a run whose process is gone can no longer be in flight.
    owner_pid: Mapped[int] = mapped_column(Integer)
    owner_started: Mapped[float] = mapped_column(Float)
    owner_host: Mapped[str | None] = mapped_column(Text)  # None: recorded by an older version
    # "Run 12": the run's number among its pipeline's runs, in start order (numbers.py).
    number: Mapped[int | None] = mapped_column(Integer)

    steps: Mapped[list[StepRow]] = relationship(
        back_populates="run", cascade="all, delete-orphan", order_by="StepRow.position", lazy="selectin")


class StepRow(Base):
    __tablename__ = "run_steps"

    run_uuid: Mapped[str] = mapped_column(ForeignKey("runs.uuid", ondelete="CASCADE"), primary_key=True)
    step_uuid: Mapped[str] = mapped_column(String(36), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)  # in the run's dependency order
    title: Mapped[str] = mapped_column(Text)
    file_path: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(16))
    started: Mapped[str | None] = mapped_column(String(40))
    finished: Mapped[str | None] = mapped_column(String(40))
    error: Mapped[str | None] = mapped_column(Text)
    log_path: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int | None] = mapped_column(Integer)  # started attempts (retries: more than one)
    cache_key: Mapped[str | None] = mapped_column(String(64))  # its key in the step cache
    cached_from: Mapped[str | None] = mapped_column(String(36))  # not run: output taken from this run's
    worker: Mapped[str | None] = mapped_column(Text)  # the worker that ran it, on a backend of several (dask)
    runtime: Mapped[str | None] = mapped_column(String(16))  # there: docker (in image) or host
    image: Mapped[str | None] = mapped_column(Text)

    run: Mapped[RunRow] = relationship(back_populates="steps")


class RunNumberRow(Base):
    """The last number given to a run of a pipeline (its uuid, else ``file:<path>``) in a project:
    numbers are handed out here when runs start, before their rows are written (numbers.py)."""

    __tablename__ = "run_numbers"

    project_dir: Mapped[str] = mapped_column(Text, primary_key=True)
    pipeline: Mapped[str] = mapped_column(Text, primary_key=True)
    last: Mapped[int] = mapped_column(Integer)


def run_to_json(row: RunRow) -> dict[str, Any]:
    return {
        "uuid": row.uuid, "project_dir": row.project_dir, "pipeline_file": row.pipeline_file, "pipeline_uuid": row.pipeline_uuid,
        "pipeline_name": row.pipeline_name, "run_type": row.run_type, "selection": row.selection,
        "interactive": row.interactive, "cache": bool(row.cache), "parameters": row.parameters, "backend": row.backend,
        "status": row.status, "created": row.created, "started": row.started, "finished": row.finished,
        "error": row.error, "warnings": row.warnings, "snapshot_dir": row.snapshot_dir, "labels": row.labels or {},
        "number": row.number,
        "steps": {
            s.step_uuid: {"title": s.title, "file_path": s.file_path, "state": s.state, "started": s.started,
                          "finished": s.finished, "error": s.error, "log_path": s.log_path,
                          "attempts": s.attempts or (1 if s.started else 0),
                          "cache_key": s.cache_key, "cached_from": s.cached_from,
                          **{k: v for k in ("worker", "runtime", "image") if (v := getattr(s, k))}}
            for s in row.steps
        },
    }
