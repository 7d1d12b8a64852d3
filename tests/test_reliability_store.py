"""The store when writes fail (kept in memory, retried in order until written) and on databases
made by an older version (columns added since are added)."""

from __future__ import annotations

import sqlite3

from orchest_jlab.identity import ProcessIdentity
from orchest_jlab.store.direct import DirectWrites
from orchest_jlab.store.jobs import JobStore
from orchest_jlab.store import RunStore, default_url

from .engine_helpers import Harness
from .jobs_helpers import until


class Flaky:
    """Makes the run state updates of the stores' writer thread fail like a full disk (sqlite3's own
    error) until ``heal()``."""

    def __init__(self, monkeypatch):
        self.failing = True
        self.failures = 0
        original = DirectWrites.update_run

        def update_run(writes, *args, **kwargs):
            if self.failing:
                self.failures += 1
                raise sqlite3.OperationalError("database or disk is full")
            return original(writes, *args, **kwargs)

        monkeypatch.setattr(DirectWrites, "update_run", update_run)

    def heal(self) -> None:
        self.failing = False


async def test_states_that_cannot_be_written_are_kept_in_memory_and_retried_until_written(project, monkeypatch):
    path, _ = project.chain(("A", "B"))
    harness = Harness()
    harness.stores.RETRY_SECONDS = (0.05, 0.2)
    flaky = Flaky(monkeypatch)
    try:
        record = await harness.run(path)
        assert record["status"] == "SUCCESS"
        harness.stores.flush()  # returns although the run's state could not be written
        assert list(harness.stores.unwritten()) == [record["uuid"]]
        shown = harness.stores.unwritten()[record["uuid"]]
        assert shown["status"] == "SUCCESS" and {s["state"] for s in shown["steps"].values()} == {"COMPUTED"}
        store = harness.stores.for_project(project.root)
        assert store.get_run(record["uuid"])["status"] in ("PENDING", "STARTED")  # the database is behind
        await until(lambda: flaky.failures >= 3, message="retries")
        flaky.heal()
        await until(lambda: not harness.stores.unwritten(), message="the kept states to be written")
        stored = store.get_run(record["uuid"])
        assert stored["status"] == "SUCCESS" and {s["state"] for s in stored["steps"].values()} == {"COMPUTED"}
    finally:
        await harness.engine.shutdown()
        harness.stores.close()


def test_a_database_of_an_older_version_gets_the_new_columns(project):
    url = default_url(project.root)
    store = RunStore(url)
    JobStore(store)
    store.close()
    database = project.root / ".orchest" / "orchest-jlab.sqlite"
    with sqlite3.connect(database) as connection:  # as an older version made it
        for table, column in (("runs", "owner_host"), ("jobs", "owner_host"), ("jobs", "lease_until")):
            connection.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
    connection.close()

    store = RunStore(url)  # twice: the second finds the columns there
    jobs = JobStore(RunStore(url))
    run = {"uuid": "00000000-0000-4000-8000-000000000001", "project_dir": str(project.root), "pipeline_file": "p.orchest",
           "pipeline_uuid": None, "pipeline_name": "p", "run_type": "full", "selection": [], "interactive": True,
           "parameters": {}, "backend": "local", "status": "STARTED", "created": "2026-01-01T00:00:00+00:00",
           "started": None, "finished": None, "error": None, "warnings": [], "snapshot_dir": None, "steps": {}}
    store.insert_run(run)
    assert store.recover() == [] and store.get_run(run["uuid"])["status"] == "STARTED"  # its owner (us) lives
    me = ProcessIdentity.current()
    assert jobs.renew(me) == set() and jobs.lapsed(me) == []
    store.close()
    jobs.runs.close()
