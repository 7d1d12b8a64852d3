"""Run numbers ("Run 12"), handed out when a run starts, so that its first event carries its number.

One counter per pipeline of a project (the table ``run_numbers``), advanced in one statement under
the database's write lock: two runs started at once, by one process or by two sharing the database,
never get the same number. A counter starts after the highest number its pipeline's recorded runs
have (runs numbered before counters existed), and never goes back: a deleted run's number is not
given again. Standard library only for SQLite (a command's start imports no SQLAlchemy).
"""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path
from typing import Any

# The pipeline's runs: those of its uuid, else (a file without one) those of its file.
SAME_PIPELINE = "project_dir = ? AND pipeline_uuid IS ? AND (? IS NOT NULL OR pipeline_file = ?)"
SQLITE_NEXT = (
    "INSERT INTO run_numbers (project_dir, pipeline, last) "
    f"VALUES (?, ?, (SELECT COALESCE(MAX(number), 0) + 1 FROM runs WHERE {SAME_PIPELINE})) "
    "ON CONFLICT (project_dir, pipeline) DO UPDATE SET last = MAX(run_numbers.last + 1, excluded.last) "
    "RETURNING last")


def pipeline_key(run: dict[str, Any]) -> str:
    return run["pipeline_uuid"] or f"file:{run['pipeline_file']}"


def sqlite_parameters(run: dict[str, Any]) -> tuple:
    uuid = run["pipeline_uuid"] or None
    return (run["project_dir"], pipeline_key(run), run["project_dir"], uuid, uuid, run["pipeline_file"])


def next_number_sqlite(connection, run: dict[str, Any]) -> int:
    """The next number of ``run``'s pipeline, on a ``sqlite3`` connection (in its transaction if
    one is open). ``run`` needs ``project_dir``, ``pipeline_file`` and ``pipeline_uuid``."""
    [(number,)] = connection.execute(SQLITE_NEXT, sqlite_parameters(run)).fetchall()
    return number


def next_number(connection, run: dict[str, Any]) -> int | None:
    """The same on a SQLAlchemy connection: SQLite and PostgreSQL (None for another database: the
    run is numbered when it is recorded)."""
    dialect = connection.dialect.name
    if dialect == "sqlite":
        return connection.exec_driver_sql(SQLITE_NEXT, sqlite_parameters(run)).scalar_one()
    if dialect != "postgresql":
        return None
    from sqlalchemy import func, select
    from sqlalchemy.dialects.postgresql import insert

    from .models import RunNumberRow, RunRow

    uuid = run["pipeline_uuid"] or None
    same = (RunRow.pipeline_uuid == uuid,) if uuid else (RunRow.pipeline_uuid.is_(None),
                                                           RunRow.pipeline_file == run["pipeline_file"])
    seed = select(func.coalesce(func.max(RunRow.number), 0) + 1).where(
        RunRow.project_dir == run["project_dir"], *same).scalar_subquery()
    statement = insert(RunNumberRow).values(project_dir=run["project_dir"], pipeline=pipeline_key(run), last=seed)
    statement = statement.on_conflict_do_update(
        index_elements=["project_dir", "pipeline"],
        set_={"last": func.greatest(RunNumberRow.last + 1, statement.excluded.last)}).returning(RunNumberRow.last)
    return connection.execute(statement).scalar_one()


class SqliteNumbering:
    """Numbers from SQLite databases, on a connection of its own per database file (not the writer
    thread's: a starting run does not wait for the writes queued before it). A connection is opened
    again when its file was replaced (a project deleted and made again at the same path)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._connections: dict[Path, tuple[sqlite3.Connection, int]] = {}

    def next_number(self, database: Path, run: dict[str, Any]) -> int | None:
        """None when the file has no ``run_numbers`` table yet (the caller makes it first)."""
        inode = database.stat().st_ino
        with self._lock:
            connection, known = self._connections.get(database, (None, None))
            if connection is not None and known != inode:
                connection.close()
                connection = None
            if connection is None:
                connection = sqlite3.connect(database, timeout=2.0, isolation_level=None, check_same_thread=False)
                if not connection.execute("SELECT 1 FROM sqlite_master WHERE name = 'run_numbers'").fetchall():
                    connection.close()
                    return None
                self._connections[database] = (connection, inode)
            return next_number_sqlite(connection, run)

    def close(self) -> None:
        with self._lock:
            for connection, _ in self._connections.values():
                connection.close()
            self._connections.clear()
