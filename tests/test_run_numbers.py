"""Runs are numbered per pipeline in start order ("Run 12"): the number is given when the run starts
(its first event and the start's answer carry it), unique however many runs start at once, stored
with the run by the writer thread's direct SQLite writes and by ``RunStore`` alike, and runs recorded
before runs had numbers get theirs when the database is opened."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from orchest_jlab.identity import ProcessIdentity
from orchest_jlab.store import RunStore, default_url
from orchest_jlab.store.direct import open_direct

from .conftest import ProjectBuilder, new_uuid
from .engine_helpers import Harness
from .test_runs_api import api, finished


@pytest.fixture
def root(jp_root_dir) -> ProjectBuilder:
    return ProjectBuilder(Path(jp_root_dir))


def record(project: Path, pipeline_uuid: str | None, created: str, pipeline_file: str = "p.orchest") -> dict:
    return {"uuid": new_uuid(), "project_dir": str(project), "pipeline_file": pipeline_file,
            "pipeline_uuid": pipeline_uuid, "pipeline_name": "p", "run_type": "full", "selection": [],
            "interactive": True, "parameters": {}, "backend": "local", "status": "SUCCESS", "created": created,
            "started": None, "finished": None, "error": None, "warnings": [], "snapshot_dir": None, "steps": {}}


async def test_runs_are_numbered_per_pipeline_in_start_order(jp_fetch, root):
    root.chain(pipeline_name="a.orchest")
    root.chain(pipeline_name="b.orchest")
    numbers = []
    for name in ("a", "a", "b", "a"):
        _, run = await api(jp_fetch, "POST", "runs", body={"pipeline": f"{name}.orchest", "interactive": False})
        started = run["number"]  # known from the start, before the run is recorded
        _, listed = await api(jp_fetch, "GET", "runs", params={"pipeline": f"{name}.orchest"})
        numbers.append([r["number"] for r in listed["runs"] if r["uuid"] == run["uuid"]][0])  # in flight too
        run = await finished(jp_fetch, run["uuid"])
        assert run["number"] == numbers[-1] == started
    assert numbers == [1, 2, 1, 3]
    _, listed = await api(jp_fetch, "GET", "runs", params={"pipeline": "a.orchest"})
    assert [r["number"] for r in listed["runs"]] == [3, 2, 1]  # newest first, numbers kept


def test_both_writers_number_alike_and_older_runs_are_numbered_on_opening(project):
    store = RunStore(default_url(project.root))
    one, other = new_uuid(), new_uuid()
    store.insert_run(record(project.root, one, "2026-01-01T00:00:01+00:00"))
    store.insert_run(record(project.root, other, "2026-01-01T00:00:02+00:00"))
    store.insert_run(record(project.root, None, "2026-01-01T00:00:03+00:00", "x.orchest"))
    store.close()
    writes = open_direct(project.root / ".orchest" / "orchest-jlab.sqlite", ProcessIdentity.current())
    for run in (record(project.root, one, "2026-01-01T00:00:04+00:00"),
                record(project.root, None, "2026-01-01T00:00:05+00:00", "x.orchest"),
                record(project.root, None, "2026-01-01T00:00:06+00:00", "y.orchest")):
        writes.insert_run(run)
    writes.close()
    store = RunStore(default_url(project.root))
    numbered = [(r["pipeline_uuid"] or r["pipeline_file"], r["number"]) for r in reversed(store.list_runs())]
    store.close()
    assert numbered == [(one, 1), (other, 1), ("x.orchest", 1), (one, 2), ("x.orchest", 2), ("y.orchest", 1)]

    # A database of a version without numbers: the column is added and its runs numbered in start order.
    database = project.root / ".orchest" / "orchest-jlab.sqlite"
    with sqlite3.connect(database) as db:
        db.execute("ALTER TABLE runs DROP COLUMN number")
    db.close()
    assert open_direct(database, ProcessIdentity.current()) is None  # RunStore migrates it first
    store = RunStore(default_url(project.root))
    assert [(r["pipeline_uuid"] or r["pipeline_file"], r["number"]) for r in reversed(store.list_runs())] == numbered
    store.insert_run(record(project.root, one, "2026-01-01T00:00:07+00:00"))
    assert store.list_runs(limit=1)[0]["number"] == 3
    store.close()


async def test_runs_started_at_once_get_distinct_numbers_from_their_first_event(jp_fetch, root):
    root.chain(pipeline_name="a.orchest")
    answers = await asyncio.gather(*(api(jp_fetch, "POST", "runs", body={"pipeline": "a.orchest", "interactive": False})
                                     for _ in range(4)))
    assert sorted(run["number"] for _, run in answers) == [1, 2, 3, 4]
    for _, run in answers:
        _, live = await api(jp_fetch, "GET", "runs", run["uuid"])
        assert live["number"] == run["number"]  # also while it runs, before or after it is recorded
        assert (await finished(jp_fetch, run["uuid"]))["number"] == run["number"]


async def test_the_run_created_event_carries_the_number(project):
    path, _ = project.chain(("A",))
    harness = Harness()
    try:
        first = await harness.run(path)
        second = await harness.run(path)
    finally:
        await harness.close()
    created = [e["run"]["number"] for e in harness.events if e["type"] == "run-created"]
    assert created == [1, 2] and (first["number"], second["number"]) == (1, 2)


NUMBERS = """
import json, sys
from orchest_jlab.store import RunStores
stores = RunStores()
run = {"project_dir": sys.argv[1], "pipeline_uuid": sys.argv[2], "pipeline_file": "p.orchest"}
print(json.dumps([stores.next_number(run) for _ in range(25)]))
stores.close()
"""


def test_processes_numbering_at_once_never_share_a_number(project):
    """Three processes (one database, its write lock) take 25 numbers each at the same time."""
    pipeline = new_uuid()
    RunStore(default_url(project.root)).close()  # the database exists: no process makes it
    processes = [subprocess.Popen([sys.executable, "-c", NUMBERS, str(project.root), pipeline], stdout=subprocess.PIPE)
                 for _ in range(3)]
    taken = [json.loads(p.communicate(timeout=60)[0]) for p in processes]
    assert all(p.returncode == 0 for p in processes)
    numbers = [n for part in taken for n in part]
    assert sorted(numbers) == list(range(1, 76))  # each once, none skipped
    assert all(part == sorted(part) for part in taken)  # in start order within each process


async def test_a_run_started_while_its_database_is_locked_is_numbered_when_recorded(project):
    """Numbering never holds a run up for long nor fails it: with the database locked by another
    process beyond the numbering's 2 s, the run starts without a number and gets the next one when
    the writer thread records it."""
    from orchest_jlab.runs import prepare_run

    path, _ = project.chain(("A",))
    harness = Harness()
    try:
        assert (await harness.run(path))["number"] == 1  # makes the database
        locker = sqlite3.connect(project.root / ".orchest" / "orchest-jlab.sqlite", isolation_level=None)
        locker.execute("BEGIN IMMEDIATE")
        try:
            run = harness.engine.start(prepare_run(path))
        finally:
            locker.execute("ROLLBACK")
            locker.close()
        assert run.number is None
        await harness.engine.wait(run.uuid)
        harness.stores.flush()
        assert harness.stores.for_project(project.root).get_run(run.uuid)["number"] == 2
        assert (await harness.run(path))["number"] == 3  # and the counter goes on from there
    finally:
        await harness.close()
