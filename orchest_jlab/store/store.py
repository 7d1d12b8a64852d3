"""Persistence of runs: one database per project (SQLite under its ``.orchest/`` by default).

The store listens to the engine's events and writes every run and step state change; it never
polls. Opening a store marks the runs whose process died while they were in flight as failed,
with their unfinished steps aborted.
"""

from __future__ import annotations

import logging
import socket
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event, func, inspect, select, text, update
from sqlalchemy.engine import Engine as SqlEngine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from ..engine.orphans import kill_orphaned_process, step_token
from ..engine.states import UNFINISHED_STATUSES
from ..identity import ProcessIdentity
from .models import Base, RunRow, StepRow, run_to_json
from .numbers import next_number

log = logging.getLogger(__name__)

HOST = socket.gethostname()


def interrupted(pid: int | None) -> str:
    """Why a run whose owner died ended."""
    return (f"The process running this pipeline (pid {pid}) stopped before the run ended: it was killed, "
            "crashed or shut down.")


def vanished(pid: int | None) -> str:
    """Why a step that was running when its run's owner died ended."""
    return f"The step's process vanished: the process running its pipeline (pid {pid}) stopped."


def create_tables(engine: SqlEngine, metadata, tables=None) -> None:
    """``create_all``, safe when another process (a CLI run, a server) creates them at the same time:
    its check-then-create can lose that race, and then the tables exist, which is what we want."""
    for attempt in range(3):
        try:
            metadata.create_all(engine, tables=tables)
            return
        except OperationalError as exc:
            if "already exists" not in str(exc) or attempt == 2:
                raise


def add_missing_columns(engine: SqlEngine, table) -> None:
    """Add the nullable columns a table of an older database lacks (``create_all`` makes missing
    tables, never missing columns). Safe when another process adds them at the same time."""
    present = {c["name"] for c in inspect(engine).get_columns(table.name)}
    for column in table.columns:
        if column.name in present:
            continue
        kind = column.type.compile(dialect=engine.dialect)
        try:
            with engine.begin() as connection:
                connection.execute(text(f'ALTER TABLE {table.name} ADD COLUMN "{column.name}" {kind}'))
        except OperationalError as exc:
            if "duplicate column" not in str(exc).lower():
                raise
        except Exception as exc:  # PostgreSQL says "already exists"
            if "already exists" not in str(exc).lower():
                raise


def same_pipeline(run: dict[str, Any]) -> tuple:
    """The runs of ``run``'s pipeline (within a project): those of its uuid, else of its file."""
    if run["pipeline_uuid"]:
        return (RunRow.pipeline_uuid == run["pipeline_uuid"],)
    return RunRow.pipeline_uuid.is_(None), RunRow.pipeline_file == run["pipeline_file"]


def number_runs(engine: SqlEngine) -> None:
    """Number the runs recorded before runs had numbers (or by an older version since), in start
    order after the numbered ones of their pipeline."""
    with Session(engine) as session, session.begin():
        rows = session.scalars(select(RunRow).where(RunRow.number.is_(None)).order_by(RunRow.created, RunRow.uuid)).all()
        last: dict[tuple, int] = {}
        for row in rows:
            run = {"pipeline_uuid": row.pipeline_uuid, "pipeline_file": row.pipeline_file}
            key = (row.project_dir, row.pipeline_uuid or None, None if row.pipeline_uuid else row.pipeline_file)
            if key not in last:
                last[key] = session.scalar(select(func.coalesce(func.max(RunRow.number), 0)).where(
                    RunRow.project_dir == row.project_dir, *same_pipeline(run)))
            last[key] += 1
            row.number = last[key]


def _sqlite_pragmas(connection, _record) -> None:
    cursor = connection.cursor()
    # WAL: readers never block the writer; NORMAL: no fsync per commit (safe with WAL).
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


class RunStore:
    def __init__(self, url: str):
        if url.startswith("sqlite:///"):
            Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        self.url = url
        self.engine: SqlEngine = create_engine(url)
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
        create_tables(self.engine, Base.metadata)
        add_missing_columns(self.engine, RunRow.__table__)
        add_missing_columns(self.engine, StepRow.__table__)
        number_runs(self.engine)
        self._session = sessionmaker(self.engine, expire_on_commit=False)
        self._owner = ProcessIdentity.current()
        self.recover()

    def close(self) -> None:
        self.engine.dispose()

    # --- writes -----------------------------------------------------------------------------------

    def insert_run(self, run: dict[str, Any]) -> None:
        row = RunRow(
            uuid=run["uuid"], project_dir=run["project_dir"], pipeline_file=run["pipeline_file"], pipeline_uuid=run["pipeline_uuid"],
            pipeline_name=run["pipeline_name"], run_type=run["run_type"], selection=run["selection"],
            interactive=run["interactive"], cache=bool(run.get("cache")), parameters=run["parameters"],
            backend=run["backend"],
            status=run["status"], created=run["created"], started=run["started"], finished=run["finished"],
            error=run["error"], warnings=run["warnings"], snapshot_dir=run["snapshot_dir"],
            labels=run.get("labels") or {}, owner_pid=self._owner.pid, owner_started=self._owner.started,
            owner_host=HOST, number=run.get("number"),
            steps=[StepRow(step_uuid=u, position=i, **s) for i, (u, s) in enumerate(run["steps"].items())],
        )
        with self._session.begin() as session:
            if row.number is None:  # not numbered when it started (numbers.py): now
                row.number = next_number(session.connection(), run) or select(
                    func.coalesce(func.max(RunRow.number), 0) + 1).where(
                    RunRow.project_dir == run["project_dir"], *same_pipeline(run)).scalar_subquery()
            session.add(row)

    def next_number(self, run: dict[str, Any]) -> int | None:
        """A number for a run that starts now (numbers.py)."""
        with self.engine.begin() as connection:
            return next_number(connection, run)

    # State changes are written with SQLAlchemy Core: they are on every step's path, and the ORM's
    # unit of work costs more than the write itself.
    def update_run(self, run_uuid: str, **fields: Any) -> None:
        runs = RunRow.__table__
        with self.engine.begin() as connection:
            connection.execute(update(runs).where(runs.c.uuid == run_uuid).values(**fields))

    def update_step(self, run_uuid: str, step_uuid: str, **fields: Any) -> None:
        steps = StepRow.__table__
        with self.engine.begin() as connection:
            connection.execute(update(steps).where(steps.c.run_uuid == run_uuid, steps.c.step_uuid == step_uuid)
                               .values(**fields))

    def delete_run(self, run_uuid: str) -> bool:
        with self._session.begin() as session:
            row = session.get(RunRow, run_uuid)
            if row is None:
                return False
            session.delete(row)
            return True

    def orphaned(self) -> list[tuple[str, int]]:
        """The runs in flight whose owner (a process of this host) is gone: (uuid, owner pid)."""
        runs = RunRow.__table__
        query = select(runs.c.uuid, runs.c.owner_pid, runs.c.owner_started, runs.c.owner_host).where(
            runs.c.status.in_(UNFINISHED_STATUSES))
        with self.engine.connect() as connection:
            rows = connection.execute(query).all()
        return [(uuid, pid) for uuid, pid, started, host in rows
                if (host is None or host == HOST) and (pid, started) != (self._owner.pid, self._owner.started)
                and not ProcessIdentity(pid, started).alive()]

    def recover(self) -> list[str]:
        """Mark runs in flight whose process is gone as FAILURE (their running steps FAILURE, the
        others ABORTED), and kill the step processes that outlived it. Returns their uuids."""
        orphaned = dict(self.orphaned())
        if not orphaned:
            return []
        finished = datetime.now(timezone.utc).isoformat(timespec="milliseconds")
        recovered = []
        with self._session.begin() as session:
            rows = session.scalars(select(RunRow).where(RunRow.uuid.in_(list(orphaned)),
                                                        RunRow.status.in_(UNFINISHED_STATUSES))).all()
            for row in rows:
                row.status, row.finished, row.error = "FAILURE", finished, interrupted(row.owner_pid)
                for step in row.steps:
                    if step.state == "RUNNING":  # what it started dies (found by its token, even unrecorded)
                        kill_orphaned_process(step.log_path, step_token(row.uuid, step.step_uuid))
                    elif step.log_path:
                        kill_orphaned_process(step.log_path)
                    if step.state == "RUNNING":
                        step.state, step.finished, step.error = "FAILURE", finished, vanished(row.owner_pid)
                    elif step.state == "PENDING":
                        step.state, step.finished, step.error = "ABORTED", finished, interrupted(row.owner_pid)
                recovered.append(row.uuid)
        return recovered

    # --- reads ------------------------------------------------------------------------------------

    def get_run(self, run_uuid: str) -> dict[str, Any] | None:
        with Session(self.engine) as session:
            row = session.get(RunRow, run_uuid)
            return run_to_json(row) if row else None

    def run_number(self, run_uuid: str) -> int | None:
        with self.engine.connect() as connection:
            return connection.scalar(select(RunRow.number).where(RunRow.uuid == run_uuid))

    def list_runs(self, project_dir: str | None = None, pipeline_file: str | None = None,
                  limit: int = 100, pipeline_uuid: str | None = None) -> list[dict[str, Any]]:
        query = select(RunRow).order_by(RunRow.created.desc()).limit(limit)
        if project_dir is not None:
            query = query.where(RunRow.project_dir == project_dir)
        if pipeline_file is not None:
            query = query.where(RunRow.pipeline_file == pipeline_file)
        if pipeline_uuid is not None:
            query = query.where(RunRow.pipeline_uuid == pipeline_uuid)
        with Session(self.engine) as session:
            return [run_to_json(row) for row in session.scalars(query)]
