"""Run numbers ("Run 12"), handed out when a run starts, so that its first event carries its number.

One counter per pipeline of a project (the table ``run_numbers``), advanced in one statement under
the database's write lock: two runs started at once, by one process or by two sharing the database,
never get the same number. A counter starts after the highest number its pipeline's recorded runs
have (runs numbered before counters existed), and never goes back: a deleted run's number is not
given again. Standard library only for SQLite (a command's start imports no SQLAlchemy).
"""

from __future__ import annotations

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
