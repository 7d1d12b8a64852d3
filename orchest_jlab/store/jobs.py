"""Persistence of jobs, in the database of the project's runs (a ``RunStore``'s SQLAlchemy engine).

Written with SQLAlchemy Core: every state change is one short transaction. ``record_fire`` is the
guard against firing a schedule twice for the same time: it advances the job's ``last_fired`` only
if it is earlier than the time being fired, and inserts the fire's runs in the same transaction.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterable
from typing import Any

from sqlalchemy import delete, func, insert, or_, select, update

from ..engine.states import UNFINISHED_STATUSES
from ..identity import ProcessIdentity
from .job_models import JOB_TABLES, JobHistoryRow, JobRow, JobRunRow
from .job_pending import KeptJobWrites
from .store import HOST, RunStore, add_missing_columns, create_tables
from .stores import RunStores
from .text import storable

jobs_t = JobRow.__table__
runs_t = JobRunRow.__table__
history_t = JobHistoryRow.__table__
RUN_FIELDS = ["run_index", "fire", "combination", "parameters", "status", "run_uuid", "created", "started",
              "finished", "error"]
ACTIVE = ("PENDING", "STARTED", "PAUSED")
LEASE_SECONDS = 30.0  # how long a job's owner holds it without renewing (c.OrchestApp.job_lease_seconds)


def _run_json(row) -> dict[str, Any]:
    data = {name: getattr(row, name) for name in RUN_FIELDS}
    data["index"] = data.pop("run_index")
    return data


class JobStore:
    def __init__(self, runs: RunStore):
        self.runs = runs  # the run store of the same database: job runs' records are there
        self.engine = runs.engine
        create_tables(self.engine, JobRow.metadata, JOB_TABLES)
        add_missing_columns(self.engine, jobs_t)
        # Writes of jobs and their runs that a full disk kept from being written.
        self.kept = KeptJobWrites(self._set_runs, self._update_job, self._read_job)

    # --- ownership: a lease per job ----------------------------------------------------------------

    @staticmethod
    def _owned_by(owner: ProcessIdentity):
        return (jobs_t.c.owner_pid == owner.pid) & (jobs_t.c.owner_started == owner.started)

    def take(self, job_uuid: str, owner: ProcessIdentity, lease: float = LEASE_SECONDS,
             previous: dict[str, Any] | None = None) -> bool:
        """Make ``owner`` the job's owner; with ``previous`` (the job as read), only if its owner has
        not changed since (another server may take it at the same time: one wins)."""
        query = update(jobs_t).where(jobs_t.c.uuid == job_uuid).values(
            owner_pid=owner.pid, owner_started=owner.started, owner_host=HOST, lease_until=time.time() + lease)
        if previous is not None:
            query = query.where(jobs_t.c.owner_pid == previous["owner_pid"],
                                jobs_t.c.owner_started == previous["owner_started"])
        with self.engine.begin() as connection:
            return connection.execute(query).rowcount == 1

    def renew(self, owner: ProcessIdentity, lease: float = LEASE_SECONDS) -> set[str]:
        """Extend the lease of every active job ``owner`` holds; returns their uuids."""
        owned = self._owned_by(owner) & jobs_t.c.status.in_(ACTIVE)
        with self.engine.begin() as connection:
            connection.execute(update(jobs_t).where(owned).values(lease_until=time.time() + lease, owner_host=HOST))
            return set(connection.execute(select(jobs_t.c.uuid).where(owned)).scalars())

    def lapsed(self, owner: ProcessIdentity) -> list[dict[str, Any]]:
        """Active jobs of other owners whose lease has lapsed, or whose owner (of this host) is gone."""
        query = select(jobs_t).where(jobs_t.c.status.in_(ACTIVE), ~self._owned_by(owner))
        with self.engine.connect() as connection:
            jobs = [self.kept.job(dict(row._mapping)) for row in connection.execute(query)]
        return [job for job in jobs if job["status"] in ACTIVE and lease_lapsed(job)]

    # --- jobs -------------------------------------------------------------------------------------

    def insert_job(self, fields: dict[str, Any], history: tuple[str, str]) -> None:
        fields = storable({"owner_host": HOST, "lease_until": time.time() + LEASE_SECONDS, **fields})
        with self.engine.begin() as connection:
            connection.execute(insert(jobs_t).values(**fields))
            connection.execute(insert(history_t).values(job_uuid=fields["uuid"], time=fields["created"],
                                                        kind=history[0], message=history[1]))

    def get_job(self, job_uuid: str) -> dict[str, Any] | None:
        """The job, with its changes a full disk kept from being written."""
        return self.kept.job(self._read_job(job_uuid))

    def _read_job(self, job_uuid: str) -> dict[str, Any] | None:
        with self.engine.connect() as connection:
            row = connection.execute(select(jobs_t).where(jobs_t.c.uuid == job_uuid)).first()
        return dict(row._mapping) if row else None

    def list_jobs(self, project_dir: str | None = None, pipeline_file: str | None = None,
                  statuses: Iterable[str] | None = None, pipeline_uuid: str | None = None) -> list[dict[str, Any]]:
        query = select(jobs_t).order_by(jobs_t.c.created.desc())
        if project_dir is not None:
            query = query.where(jobs_t.c.project_dir == project_dir)
        if pipeline_file is not None:
            query = query.where(jobs_t.c.pipeline_file == pipeline_file)
        if pipeline_uuid is not None:
            query = query.where(jobs_t.c.pipeline_uuid == pipeline_uuid)
        if statuses is not None and not self.kept:
            query = query.where(jobs_t.c.status.in_(list(statuses)))
        with self.engine.connect() as connection:
            jobs = [self.kept.job(dict(row._mapping)) for row in connection.execute(query)]
        return jobs if statuses is None else [job for job in jobs if job["status"] in set(statuses)]

    def counts(self, job_uuids: list[str] | None = None) -> dict[str, dict[str, int]]:
        """Runs per status, per job."""
        query = select(runs_t.c.job_uuid, runs_t.c.status, func.count()).group_by(runs_t.c.job_uuid, runs_t.c.status)
        if job_uuids is not None:
            query = query.where(runs_t.c.job_uuid.in_(job_uuids))
        counts: dict[str, dict[str, int]] = {}
        with self.engine.connect() as connection:
            for job_uuid, status, count in connection.execute(query):
                counts.setdefault(job_uuid, {})[status] = count
        for job_uuid in self.kept.jobs() & set(counts):  # some of its runs are not written yet
            counts[job_uuid] = dict(Counter(run["status"] for run in self.job_runs(job_uuid)))
        return counts

    def update_job(self, job_uuid: str, statuses: Iterable[str] | None = None,
                   history: tuple[str, str, str] | None = None, **fields: Any) -> bool:
        """Set fields; with ``statuses``, only if the job's status is one of them (False if not).
        Kept and retried when the database cannot take it now (``job_pending.py``)."""
        return self.kept.update_job(job_uuid, list(statuses) if statuses is not None else None, fields, history)

    def _update_job(self, job_uuid: str, statuses: list[str] | None, fields: dict[str, Any],
                    history: tuple[str, str, str] | None) -> bool:
        query = update(jobs_t).where(jobs_t.c.uuid == job_uuid).values(**fields)
        if statuses is not None:
            query = query.where(jobs_t.c.status.in_(list(statuses)))
        with self.engine.begin() as connection:
            if connection.execute(query).rowcount != 1:
                return False
            if history:
                connection.execute(insert(history_t).values(job_uuid=job_uuid, time=history[0], kind=history[1],
                                                            message=history[2]))
        return True

    def add_history(self, job_uuid: str, time: str, kind: str, message: str) -> None:
        with self.engine.begin() as connection:
            connection.execute(insert(history_t).values(job_uuid=job_uuid, time=time, kind=kind, message=message))

    def history(self, job_uuid: str, limit: int = 500) -> list[dict[str, Any]]:
        query = (select(history_t.c.time, history_t.c.kind, history_t.c.message)
                 .where(history_t.c.job_uuid == job_uuid).order_by(history_t.c.id.desc()).limit(limit))
        with self.engine.connect() as connection:
            written = [dict(row._mapping) for row in reversed(connection.execute(query).all())]
        return (written + self.kept.history(job_uuid))[-limit:]

    def delete_job(self, job_uuid: str) -> None:
        with self.engine.begin() as connection:
            connection.execute(delete(runs_t).where(runs_t.c.job_uuid == job_uuid))
            connection.execute(delete(history_t).where(history_t.c.job_uuid == job_uuid))
            connection.execute(delete(jobs_t).where(jobs_t.c.uuid == job_uuid))

    # --- fires --------------------------------------------------------------------------------------

    def _advance(self, connection, job_uuid: str, scheduled: str | None, statuses: Iterable[str],
                 **fields: Any) -> bool:
        query = update(jobs_t).where(jobs_t.c.uuid == job_uuid, jobs_t.c.status.in_(list(statuses))).values(**fields)
        if scheduled is not None:
            query = query.where(or_(jobs_t.c.last_fired.is_(None), jobs_t.c.last_fired < scheduled))
        return connection.execute(query).rowcount == 1

    def record_fire(self, job_uuid: str, *, scheduled: str | None, statuses: Iterable[str], now: str,
                    runs: list[tuple[int, dict]], history: tuple[str, str], **fields: Any) -> list[dict] | None:
        """Record a fire and its runs (PENDING), atomically. ``scheduled``: the schedule's time being
        fired (None for a fire by hand); the fire is refused (None) when the job has fired for that
        time or a later one already, or its status is not one of ``statuses``."""
        values = dict(fields, fire_count=jobs_t.c.fire_count + 1, run_count=jobs_t.c.run_count + len(runs))
        if scheduled is not None:
            values["last_fired"] = scheduled
        with self.engine.begin() as connection:
            if not self._advance(connection, job_uuid, scheduled, statuses, **values):
                return None
            fire_count, run_count = connection.execute(
                select(jobs_t.c.fire_count, jobs_t.c.run_count).where(jobs_t.c.uuid == job_uuid)).one()
            first = run_count - len(runs)
            rows = [{"job_uuid": job_uuid, "run_index": first + i, "fire": fire_count - 1, "combination": c,
                     "parameters": p, "status": "PENDING", "run_uuid": None, "created": now, "started": None,
                     "finished": None, "error": None} for i, (c, p) in enumerate(runs)]
            if rows:
                connection.execute(insert(runs_t), rows)
            connection.execute(insert(history_t).values(job_uuid=job_uuid, time=now, kind=history[0],
                                                        message=history[1]))
        return [_run_json(_Row(r)) for r in rows]

    def skip_fire(self, job_uuid: str, *, scheduled: str, statuses: Iterable[str], now: str,
                  history: tuple[str, str], **fields: Any) -> bool:
        """Pass over a scheduled time without runs (overlap policy "skip"), with the same guard."""
        with self.engine.begin() as connection:
            if not self._advance(connection, job_uuid, scheduled, statuses, last_fired=scheduled, **fields):
                return False
            connection.execute(insert(history_t).values(job_uuid=job_uuid, time=now, kind=history[0],
                                                        message=history[1]))
        return True

    # --- the runs of a job ----------------------------------------------------------------------------

    def job_runs(self, job_uuid: str, statuses: Iterable[str] | None = None) -> list[dict[str, Any]]:
        """A job's runs, as written or, for those a full disk kept from being written, as kept."""
        query = select(runs_t).where(runs_t.c.job_uuid == job_uuid).order_by(runs_t.c.run_index)
        kept = job_uuid in self.kept.jobs()
        if statuses is not None and not kept:
            query = query.where(runs_t.c.status.in_(list(statuses)))
        with self.engine.connect() as connection:
            runs = self.kept.applied(job_uuid, [_run_json(row) for row in connection.execute(query)])
        return runs if statuses is None or not kept else [run for run in runs if run["status"] in set(statuses)]

    def set_runs(self, job_uuid: str, indices: list[int], only_unfinished: bool = False, **fields: Any) -> int:
        """Set fields of runs of a job; kept and retried when the database cannot take it now."""
        return self.kept.set_runs(job_uuid, indices, only_unfinished, fields)

    def _set_runs(self, job_uuid: str, indices: list[int], only_unfinished: bool, fields: dict[str, Any]) -> int:
        query = update(runs_t).where(runs_t.c.job_uuid == job_uuid, runs_t.c.run_index.in_(indices)).values(**fields)
        if only_unfinished:
            query = query.where(runs_t.c.status.in_(UNFINISHED_STATUSES))
        with self.engine.begin() as connection:
            return connection.execute(query).rowcount

    def claim_run(self, job_uuid: str, index: int, started: str) -> bool:
        """PENDING → STARTED, only if it is still PENDING and has no run."""
        query = (update(runs_t).where(runs_t.c.job_uuid == job_uuid, runs_t.c.run_index == index,
                                      runs_t.c.status == "PENDING", runs_t.c.run_uuid.is_(None))
                 .values(status="STARTED", started=started))
        with self.engine.begin() as connection:
            return connection.execute(query).rowcount == 1

    def delete_job_runs(self, job_uuid: str, indices: list[int]) -> None:
        with self.engine.begin() as connection:
            connection.execute(delete(runs_t).where(runs_t.c.job_uuid == job_uuid, runs_t.c.run_index.in_(indices)))
            connection.execute(update(jobs_t).where(jobs_t.c.uuid == job_uuid)
                               .values(runs_deleted=jobs_t.c.runs_deleted + len(indices)))


def lease_lapsed(job: dict[str, Any], now: float | None = None) -> bool:
    """Whether another process may take the job over. An owner of this host (or of an older version,
    which wrote no host) is judged exactly, by whether it lives: a live ``orchest-jlab job run``
    renews no lease and keeps its job. Another machine's owner only by its lease."""
    if job.get("owner_host") in (None, HOST):
        return not ProcessIdentity(job["owner_pid"], job["owner_started"]).alive()
    lease = job.get("lease_until")
    return lease is not None and lease < (time.time() if now is None else now)


class _Row:
    def __init__(self, data: dict[str, Any]):
        self.__dict__.update(data)


class JobStores:
    """The job store of each run store (one per project database, or one for ``database_url``)."""

    def __init__(self, runs: RunStores):
        self.runs = runs
        self._stores: dict[int, JobStore] = {}
        self._lock = threading.Lock()

    def _wrap(self, run_store: RunStore) -> JobStore:
        with self._lock:
            store = self._stores.get(id(run_store))
            if store is None or store.runs is not run_store:
                store = self._stores[id(run_store)] = JobStore(run_store)
            return store

    def for_project(self, project_dir) -> JobStore:
        return self._wrap(self.runs.for_project(project_dir))

    def existing(self, project_dir) -> JobStore | None:
        run_store = self.runs.existing(project_dir)
        return self._wrap(run_store) if run_store is not None else None

    def opened(self) -> list[JobStore]:
        return [self._wrap(s) for s in self.runs.opened()]

    def find(self, job_uuid: str) -> tuple[JobStore, dict[str, Any]] | None:
        for store in self.opened():
            job = store.get_job(job_uuid)
            if job is not None:
                return store, job
        return None


__all__ = ["ACTIVE", "LEASE_SECONDS", "JobStore", "JobStores", "lease_lapsed"]
