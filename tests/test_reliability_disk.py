"""Reliability against a real server: a full disk during a run (a small tmpfs), and store writes
that fail and are retried until written."""

from __future__ import annotations

import os
import sqlite3
import subprocess
from pathlib import Path

import pytest

from .conftest import ProjectBuilder
from .reliability_helpers import api, until

# Fills the disk, then prints: the step's log can no longer be written. Then it waits to be stopped.
FILL_STEP = """import time
with open("fill", "wb") as f:
    for size in (2**20, 2**12, 1):
        try:
            while True:
                f.write(b"x" * size)
                f.flush()
        except OSError:
            pass
for i in range(500):
    print("line", i, "x" * 90, flush=True)
time.sleep(600)
"""


@pytest.fixture
def jp_server_config(jp_server_config, jp_root_dir):
    """The runs' folders (snapshots, logs) on the small disk too: a step fills the disk it runs on."""
    settings = {**jp_server_config.get("OrchestApp", {}), "snapshots_dir": str(Path(jp_root_dir) / "small" / ".runs")}
    return {**jp_server_config, "OrchestApp": settings}


@pytest.fixture
def small_disk(jp_root_dir):
    """A project folder on an 8 MiB tmpfs under the server's root."""
    folder = Path(jp_root_dir) / "small"
    folder.mkdir()
    try:
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(folder)],
                              capture_output=True, text=True)
        problem = done.stderr.strip() if done.returncode else None
    except OSError as exc:
        problem = str(exc)
    if problem:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI must run the full-disk test, but a tmpfs cannot be mounted: {problem}")
        pytest.skip(f"a tmpfs cannot be mounted here (needs root or CAP_SYS_ADMIN): {problem}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], capture_output=True)


def stored(database: Path, run_uuid: str) -> tuple[str, list[str]] | None:
    """The run's status and step states as its database has them (read directly)."""
    with sqlite3.connect(database, timeout=10) as connection:
        row = connection.execute("SELECT status FROM runs WHERE uuid = ?", (run_uuid,)).fetchone()
        states = [r[0] for r in connection.execute("SELECT state FROM run_steps WHERE run_uuid = ?", (run_uuid,))]
    connection.close()
    return (row[0], states) if row else None


async def test_a_full_disk_ends_the_run_failure_naming_it_and_the_record_is_written_once_there_is_room(
        jp_fetch, small_disk):
    project = ProjectBuilder(small_disk)
    env = project.environment()
    project.file("fill.py", FILL_STEP)
    step = project.step("fill", "fill.py", env)
    project.write("p.orchest", project.pipeline(step))
    run = await api(jp_fetch, "POST", "runs", body={"pipeline": "small/p.orchest", "interactive": False})

    async def ended():
        record = await api(jp_fetch, "GET", "runs", run["uuid"])
        return record if record["status"] not in ("PENDING", "STARTED") else None

    record = await until(ended, "the run on the full disk to end")
    assert record["status"] == "FAILURE"
    assert "disk is full" in record["error"] and "fill" in record["error"]
    [state] = [s for s in record["steps"].values()]
    assert state["state"] == "FAILURE" and "disk is full" in state["error"]
    listed = (await api(jp_fetch, "GET", "runs"))["runs"]
    assert [r["status"] for r in listed if r["uuid"] == run["uuid"]] == ["FAILURE"]
    assert not any(s["state"] == "RUNNING" for r in listed for s in r["steps"].values())

    # Room again: what was kept in memory reaches the database.
    fills = list(small_disk.rglob("fill"))
    assert fills
    for fill in fills:
        fill.unlink()
    database = small_disk / ".orchest" / "orchest-jlab.sqlite"

    async def written():
        return stored(database, run["uuid"]) == ("FAILURE", ["FAILURE"])

    await until(written, "the run's end to be written to its database")


def stored_job(database: Path, job_uuid: str) -> tuple[str, list[str], list[str]]:
    """The job's status, its runs' statuses and its history's kinds, as its database has them."""
    with sqlite3.connect(database, timeout=10) as connection:
        [status] = connection.execute("SELECT status FROM jobs WHERE uuid = ?", (job_uuid,)).fetchone()
        statuses = [r[0] for r in connection.execute(
            "SELECT status FROM job_runs WHERE job_uuid = ? ORDER BY run_index", (job_uuid,))]
        kinds = [r[0] for r in connection.execute("SELECT kind FROM job_history WHERE job_uuid = ? ORDER BY id",
                                                  (job_uuid,))]
    connection.close()
    return status, statuses, kinds


async def test_a_job_and_its_runs_rows_the_full_disk_refuses_are_kept_shown_and_written_once_there_is_room(
        jp_fetch, small_disk):
    project = ProjectBuilder(small_disk)
    env = project.environment()
    project.file("fill.py", FILL_STEP.replace("time.sleep(600)", "raise SystemExit(1)"))
    project.write("p.orchest", project.pipeline(project.step("fill", "fill.py", env)))
    job = await api(jp_fetch, "POST", "jobs", body={"pipeline": "small/p.orchest", "name": "full"})
    await api(jp_fetch, "POST", "jobs", job["uuid"], "start", body={})
    database = small_disk / ".orchest" / "orchest-jlab.sqlite"

    async def shown_ended():
        runs = (await api(jp_fetch, "GET", "jobs", job["uuid"]))["runs"]
        return runs if runs[0]["status"] not in ("PENDING", "STARTED") else None

    [run] = await until(shown_ended, "the job's run on the full disk to show its end")
    assert run["status"] == "FAILURE"

    async def shown_finished():  # the job's own end too, though its row cannot be written either
        shown = await api(jp_fetch, "GET", "jobs", job["uuid"])
        return shown if shown["status"] == "FAILURE" else None

    shown = await until(shown_finished, "the job on the full disk to show its end")
    assert shown["finished"] and any(entry["kind"] == "finished" for entry in shown["history"])
    listed = (await api(jp_fetch, "GET", "jobs"))["jobs"]
    assert [j["status"] for j in listed if j["uuid"] == job["uuid"]] == ["FAILURE"]
    # The database is behind: the disk is full.
    status, statuses, kinds = stored_job(database, job["uuid"])
    assert (status, statuses) == ("STARTED", ["STARTED"]) and "finished" not in kinds

    for fill in small_disk.rglob("fill"):
        fill.unlink()

    async def written():
        status, statuses, kinds = stored_job(database, job["uuid"])
        return status == "FAILURE" and statuses == ["FAILURE"] and kinds.count("finished") == 1

    await until(written, "the job's end and its run's to be written to its database")
    assert (await api(jp_fetch, "GET", "jobs", job["uuid"]))["status"] == "FAILURE"
