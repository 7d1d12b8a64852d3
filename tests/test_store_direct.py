"""The stores' writer thread writes SQLite with the standard library (``store/direct.py``): the same
rows SQLAlchemy would, no SQLAlchemy import once the database exists, and a database that must be
made, migrated or recovered first goes through ``RunStore``."""

from __future__ import annotations

import psutil

from orchest_jlab.identity import ProcessIdentity
from orchest_jlab.store import RunStore, default_url
from orchest_jlab.store.direct import RUN_COLUMNS, STEP_COLUMNS, open_direct
from orchest_jlab.store.models import RunRow, StepRow

from .engine_helpers import Harness
from .test_cli_startup import call_main, modules_after


def test_the_direct_writes_fill_every_column_of_the_tables():
    assert set(RUN_COLUMNS) == {c.name for c in RunRow.__table__.columns}
    assert set(STEP_COLUMNS) == {c.name for c in StepRow.__table__.columns}


async def test_a_run_written_directly_reads_back_as_the_engine_reported_it(project):
    path, data = project.chain(("A", "B"))
    project.write("chain.orchest", {**data, "parameters": {"x": 0}})
    harness = Harness()
    try:
        reported = await harness.run(path, parameters={"pipeline_parameters": {"x": [1, "ü"]}})
        harness.stores.flush()
        store = harness.stores.for_project(project.root)
        stored = store.get_run(reported["uuid"])
    finally:
        await harness.engine.shutdown()
        harness.stores.close()
    assert stored["status"] == "SUCCESS" and stored["parameters"] == {"pipeline_parameters": {"x": [1, "ü"]}}
    assert stored["interactive"] is True and stored["warnings"] == [] and stored["labels"] == {}
    for key in ("uuid", "pipeline_file", "pipeline_uuid", "run_type", "selection", "backend", "created", "started",
                "finished", "error", "steps"):
        assert stored[key] == reported[key], key


def test_a_command_run_imports_no_sqlalchemy_once_the_database_exists(project):
    env = project.environment()
    project.file("a.py", "print('a')\n")
    path = project.write("p.orchest", project.pipeline(project.step("a", "a.py", env)))
    command = call_main("run", "--backend", "local", "--quiet", str(path))
    assert "sqlalchemy" in modules_after(command, cwd=project.root)  # the first run makes the database
    assert "sqlalchemy" not in modules_after(command, cwd=project.root)
    store = RunStore(default_url(project.root))
    assert [r["status"] for r in store.list_runs()] == ["SUCCESS", "SUCCESS"]
    store.close()


def test_a_run_whose_owner_died_is_recovered_before_the_database_is_written_directly(project):
    store = RunStore(default_url(project.root))
    dead = psutil.Popen(["true"])
    dead.wait()
    store._owner = ProcessIdentity(dead.pid, 12345.0)  # as if written by a process that has died since
    store.insert_run({
        "uuid": "00000000-0000-4000-8000-00000000000a", "project_dir": str(project.root), "pipeline_file": "p.orchest",
        "pipeline_uuid": None, "pipeline_name": "p", "run_type": "full", "selection": [], "interactive": True,
        "parameters": {}, "backend": "local", "status": "STARTED", "created": "2026-01-01T00:00:00+00:00",
        "started": None, "finished": None, "error": None, "warnings": [], "snapshot_dir": None, "steps": {}})
    store.close()
    database = project.root / ".orchest" / "orchest-jlab.sqlite"
    assert open_direct(database, ProcessIdentity.current()) is None  # RunStore must recover it first

    env = project.environment()
    project.file("a.py", "print('a')\n")
    path = project.write("p.orchest", project.pipeline(project.step("a", "a.py", env)))
    assert "sqlalchemy" in modules_after(call_main("run", "--backend", "local", "--quiet", str(path)),
                                         cwd=project.root)
    store = RunStore(default_url(project.root))
    assert {r["uuid"]: r["status"] for r in store.list_runs()}["00000000-0000-4000-8000-00000000000a"] == "FAILURE"
    store.close()
    writes = open_direct(database, ProcessIdentity.current())
    assert writes is not None
    writes.close()


async def test_events_queued_together_are_written_in_one_transaction_or_none(project, monkeypatch):
    from orchest_jlab.store import RunStores
    from orchest_jlab.store.direct import DirectWrites

    path, _ = project.chain(("A", "B"))
    harness = Harness()
    try:  # the first run makes the database; the second one's events are replayed below
        await harness.run(path)
        harness.events.clear()
        reported = await harness.run(path)
    finally:
        await harness.engine.shutdown()
        harness.stores.close()
    events = [e for e in harness.events if e["type"] in ("run-created", "run", "step")]
    begun, failing = [], {"on": True}
    original_begin, original_update = DirectWrites.begin, DirectWrites.update_step
    monkeypatch.setattr(DirectWrites, "begin", lambda writes: (begun.append(1), original_begin(writes))[1])

    def update_step(writes, *args, **kwargs):  # the last step's end is refused: nothing of the batch is kept
        if failing["on"] and kwargs.get("state") == "COMPUTED" and args[1] == events[-2]["step_uuid"]:
            raise ValueError("refused")
        return original_update(writes, *args, **kwargs)

    monkeypatch.setattr(DirectWrites, "update_step", update_step)
    stores = RunStores()
    try:
        stores.for_project(project.root).delete_run(reported["uuid"])  # written again from its events
        for event in events:
            stores._pending.add(event)
        stores._write_pending()  # the batch fails and is rolled back; then one by one, the refused event dropped
        stored = stores.for_project(project.root).get_run(reported["uuid"])
        assert len(begun) == 1 and stored["status"] == "SUCCESS"
        assert [s["state"] for s in stored["steps"].values()] == ["COMPUTED", "RUNNING"]  # the refused one's
        stores.for_project(project.root).delete_run(reported["uuid"])
        failing["on"] = False
        for event in events:
            stores._pending.add(event)
        stores._write_pending()  # all in one transaction
        stored = stores.for_project(project.root).get_run(reported["uuid"])
        assert len(begun) == 2 and stored["status"] == "SUCCESS"
        assert [s["state"] for s in stored["steps"].values()] == ["COMPUTED", "COMPUTED"]
    finally:
        stores.close()
