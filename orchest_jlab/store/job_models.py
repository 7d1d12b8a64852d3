"""Tables of jobs, their pipeline runs and their history (in the same database as runs)."""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .models import Base


class JobRow(Base):
    __tablename__ = "jobs"

    uuid: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    project_dir: Mapped[str] = mapped_column(Text, index=True)
    pipeline_file: Mapped[str] = mapped_column(Text, index=True)  # relative to the project folder
    pipeline_uuid: Mapped[str | None] = mapped_column(String(36))
    pipeline_name: Mapped[str | None] = mapped_column(Text)
    pipeline: Mapped[dict] = mapped_column(JSON)  # the document in the job's snapshot
    status: Mapped[str] = mapped_column(String(16), index=True)
    parameters: Mapped[dict] = mapped_column(JSON, default=dict)  # the grid: {owner: {name: [values]}}
    deselected: Mapped[list] = mapped_column(JSON, default=list)  # combination indices
    env_variables: Mapped[dict] = mapped_column(JSON, default=dict)
    schedule: Mapped[dict] = mapped_column(JSON)  # {"kind", "at", "cron", "timezone"}
    overlap: Mapped[str] = mapped_column(String(8))  # skip | queue
    missed_fires: Mapped[str] = mapped_column(String(8))  # skip | run_once
    max_retained_runs: Mapped[int | None] = mapped_column(Integer)
    cache: Mapped[bool | None] = mapped_column(Boolean)  # every run uses the step cache (None: an older job)
    snapshot_dir: Mapped[str] = mapped_column(Text)
    warnings: Mapped[list] = mapped_column(JSON, default=list)
    created: Mapped[str] = mapped_column(String(40), index=True)
    updated: Mapped[str] = mapped_column(String(40))
    started: Mapped[str | None] = mapped_column(String(40))
    finished: Mapped[str | None] = mapped_column(String(40))
    next_fire: Mapped[str | None] = mapped_column(String(40))
    # The scheduled time of the last fire: a fire for a time not after it is refused (no double fire).
    last_fired: Mapped[str | None] = mapped_column(String(40))
    fire_count: Mapped[int] = mapped_column(Integer, default=0)
    run_count: Mapped[int] = mapped_column(Integer, default=0)  # runs made so far: the next run's index
    runs_deleted: Mapped[int] = mapped_column(Integer, default=0)  # by max_retained_runs
    error: Mapped[str | None] = mapped_column(Text)
    # The process whose scheduler drives the job, and its lease: it renews ``lease_until`` (seconds
    # since the epoch) while it lives. Another server takes the job over once its owner is gone: an
    # owner of the same host is judged by whether it lives, another machine's by its lease.
    owner_pid: Mapped[int] = mapped_column(Integer)
    owner_started: Mapped[float] = mapped_column(Float)
    owner_host: Mapped[str | None] = mapped_column(Text)  # None: made by an older version
    lease_until: Mapped[float | None] = mapped_column(Float)


class JobRunRow(Base):
    """One pipeline run of a job: queued (no run yet), then the engine's run."""

    __tablename__ = "job_runs"

    job_uuid: Mapped[str] = mapped_column(ForeignKey("jobs.uuid", ondelete="CASCADE"), primary_key=True)
    run_index: Mapped[int] = mapped_column(Integer, primary_key=True)  # 0, 1, ... over the job's life
    fire: Mapped[int] = mapped_column(Integer)  # which fire of the job made it (0 for the first)
    combination: Mapped[int] = mapped_column(Integer)  # index in the grid
    parameters: Mapped[dict] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), index=True)  # PENDING STARTED SUCCESS FAILURE ABORTED
    run_uuid: Mapped[str | None] = mapped_column(String(36), index=True)
    created: Mapped[str] = mapped_column(String(40))
    started: Mapped[str | None] = mapped_column(String(40))
    finished: Mapped[str | None] = mapped_column(String(40))
    error: Mapped[str | None] = mapped_column(Text)


class JobHistoryRow(Base):
    __tablename__ = "job_history"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    job_uuid: Mapped[str] = mapped_column(ForeignKey("jobs.uuid", ondelete="CASCADE"), index=True)
    time: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(24))
    message: Mapped[str] = mapped_column(Text)


JOB_TABLES = [JobRow.__table__, JobRunRow.__table__, JobHistoryRow.__table__]
