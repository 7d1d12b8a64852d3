"""The engine's state writes to a project's SQLite database through the standard library's sqlite3.

They are on every run's path, also a command's: SQLAlchemy takes longer to import than many steps
take to run, and on two busy cores that import competes with the steps. So the stores' writer
thread writes runs and their states with sqlite3 (same rows as ``models.py``, same pragmas as
``store.py``: WAL, synchronous NORMAL, a busy timeout), and leaves to ``RunStore`` (SQLAlchemy)
what is rare: making a database and adding columns an older version lacks, and recovering runs
whose owner died. ``open_direct`` says None when one of those is needed first.
"""

from __future__ import annotations

import contextlib
import json
import socket
import sqlite3
from pathlib import Path
from typing import Any

from ..engine.states import UNFINISHED_STATUSES
from ..identity import ProcessIdentity
from .numbers import next_number_sqlite

# The columns written here; tests/test_store_direct.py checks them against models.py.
RUN_COLUMNS = ("uuid", "project_dir", "pipeline_file", "pipeline_uuid", "pipeline_name", "run_type", "selection",
               "interactive", "cache", "parameters", "backend", "status", "created", "started", "finished", "error",
               "warnings", "snapshot_dir", "labels", "owner_pid", "owner_started", "owner_host", "number")
STEP_COLUMNS = ("run_uuid", "step_uuid", "position", "title", "file_path", "state", "started", "finished", "error",
                "log_path", "attempts", "cache_key", "cached_from", "worker",
                "runtime", "image")
JSON_COLUMNS = frozenset({"selection", "parameters", "warnings", "labels"})  # SQLAlchemy's JSON: json.dumps text


def _value(column: str, value: Any) -> Any:
    return json.dumps(value) if column in JSON_COLUMNS else value


def _columns(connection: sqlite3.Connection, table: str) -> set[str]:
    return {row[1] for row in connection.execute(f"PRAGMA table_info({table})")}


class DirectWrites:
    """The writes of one SQLite database, on one connection used by one thread at a time."""

    def __init__(self, connection: sqlite3.Connection, owner: ProcessIdentity):
        self._connection = connection
        self._owner = owner
        self._batch = False  # in a transaction begun by begin(): each write is not one of its own

    def begin(self) -> None:
        """A transaction for the writes until commit() or rollback() (one commit for many events)."""
        self._connection.execute("BEGIN IMMEDIATE")
        self._batch = True

    def commit(self) -> None:
        try:
            self._connection.execute("COMMIT")
        except BaseException:
            self.rollback()
            raise
        self._batch = False

    def rollback(self) -> None:
        self._batch = False
        if self._connection.in_transaction:
            self._connection.execute("ROLLBACK")

    def _transaction(self, begin: str | None = None) -> contextlib.AbstractContextManager:
        """Each write's own transaction (``begin``: how it begins; None: one statement's own), or
        nothing within a batch."""
        if self._batch:
            return contextlib.nullcontext()
        if begin:
            self._connection.execute(begin)
        return self._connection

    def insert_run(self, run: dict[str, Any]) -> None:
        row = {**run, "labels": run.get("labels") or {}, "cache": bool(run.get("cache")), "owner_pid": self._owner.pid,
               "owner_started": self._owner.started, "owner_host": socket.gethostname()}
        steps = [(run["uuid"], step_uuid, position, *(step.get(c) for c in STEP_COLUMNS[3:]))
                 for position, (step_uuid, step) in enumerate(run["steps"].items())]
        with self._transaction("BEGIN IMMEDIATE"):  # the run with its steps, or nothing
            if row.get("number") is None:  # not numbered when it started (numbers.py): now
                row["number"] = next_number_sqlite(self._connection, row)
            self._connection.execute(
                f"INSERT INTO runs ({', '.join(RUN_COLUMNS)}) VALUES ({', '.join('?' * len(RUN_COLUMNS))})",
                [_value(c, row[c]) for c in RUN_COLUMNS])
            self._connection.executemany(
                f"INSERT INTO run_steps ({', '.join(STEP_COLUMNS)}) VALUES ({', '.join('?' * len(STEP_COLUMNS))})",
                steps)

    def update_run(self, run_uuid: str, **fields: Any) -> None:
        self._update("runs", fields, "uuid = ?", (run_uuid,))

    def update_step(self, run_uuid: str, step_uuid: str, **fields: Any) -> None:
        self._update("run_steps", fields, "run_uuid = ? AND step_uuid = ?", (run_uuid, step_uuid))

    def _update(self, table: str, fields: dict[str, Any], where: str, keys: tuple) -> None:
        assignments = ", ".join(f'"{column}" = ?' for column in fields)
        with self._transaction():
            self._connection.execute(f"UPDATE {table} SET {assignments} WHERE {where}",
                                     [*(_value(c, v) for c, v in fields.items()), *keys])

    def close(self) -> None:
        self._connection.close()


def open_direct(database: Path, owner: ProcessIdentity) -> DirectWrites | None:
    """Direct writes to ``database``; None when it does not exist yet, lacks a table or column, or
    holds runs in flight whose owner (a process of this host) is gone: ``RunStore`` deals with those
    first (it makes, migrates and recovers)."""
    if not database.is_file():
        return None
    connection = sqlite3.connect(database, timeout=5.0, isolation_level=None, check_same_thread=False)
    try:
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=NORMAL")
        connection.execute("PRAGMA foreign_keys=ON")
        if not (set(RUN_COLUMNS) <= _columns(connection, "runs") and set(STEP_COLUMNS) <= _columns(connection, "run_steps")
                and _columns(connection, "run_numbers")):
            connection.close()
            return None
        host = socket.gethostname()
        unfinished = ", ".join("?" * len(UNFINISHED_STATUSES))
        in_flight = connection.execute(
            f"SELECT owner_pid, owner_started, owner_host FROM runs WHERE status IN ({unfinished})",
            list(UNFINISHED_STATUSES)).fetchall()
    except BaseException:
        connection.close()
        raise
    if any((owner_host is None or owner_host == host) and (pid, started) != (owner.pid, owner.started)
           and not ProcessIdentity(pid, started).alive() for pid, started, owner_host in in_flight):
        connection.close()
        return None
    return DirectWrites(connection, owner)
