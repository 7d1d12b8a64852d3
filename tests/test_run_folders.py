"""Runs' and jobs' folders (snapshots, logs) live outside the project (``snapshots_dir``); those
recorded inside its ``.orchest/runs/`` and ``.orchest/jobs/`` by earlier versions still open and
are deleted with their run or job."""

from __future__ import annotations

import os
import shutil
import sqlite3
from pathlib import Path

import pytest

from orchest_jlab.engine.folders import ProjectFolders
from orchest_jlab.engine.snapshots import make_snapshot

from .conftest import ProjectBuilder
from .jobs_helpers import grid_pipeline
from .session_helpers import start_session
from .test_jobs_api import ended
from .test_runs_api import api, api_error, chain, finished


@pytest.fixture
def jp_server_config(jp_server_config, tmp_path):
    settings = {**jp_server_config.get("OrchestApp", {}), "snapshots_dir": str(tmp_path / "kept")}
    return {**jp_server_config, "OrchestApp": settings}


@pytest.fixture
def root(jp_root_dir) -> ProjectBuilder:
    return ProjectBuilder(Path(jp_root_dir))


def pipeline_files(folder: Path) -> list[Path]:
    """What Orchest's pipeline discovery finds: every .orchest file under the project, hidden folders too."""
    return sorted(p for p in folder.rglob("*.orchest") if p.is_file())


def as_legacy(database: Path, run_uuid: str, old: Path, new: Path) -> None:
    """Move a run's folder where earlier versions kept it, and point its record there."""
    shutil.move(old, new)
    with sqlite3.connect(database) as db:
        db.execute("UPDATE runs SET snapshot_dir = replace(snapshot_dir, ?, ?) WHERE uuid = ?", (str(old), str(new), run_uuid))
        db.execute("UPDATE run_steps SET log_path = replace(log_path, ?, ?) WHERE run_uuid = ?", (str(old), str(new), run_uuid))
    db.close()


async def test_runs_keep_their_folders_outside_the_project(jp_fetch, root, tmp_path):
    chain(root)
    await start_session(jp_fetch)
    _, interactive = await api(jp_fetch, "POST", "runs", body={"pipeline": "p.orchest"})
    interactive = await finished(jp_fetch, interactive["uuid"])
    _, snapshot_run = await api(jp_fetch, "POST", "runs", body={"pipeline": "p.orchest", "interactive": False,
                                                                "cache": True})
    snapshot_run = await finished(jp_fetch, snapshot_run["uuid"])
    assert (interactive["status"], snapshot_run["status"]) == ("SUCCESS", "SUCCESS")
    entries = root.root / ".orchest" / "cache"
    assert snapshot_run["uuid"] in "".join(p.read_text() for p in entries.rglob("entry.json"))

    runs = ProjectFolders(tmp_path / "kept").runs(root.root)
    assert Path(snapshot_run["snapshot_dir"]) == runs / snapshot_run["uuid"] / "snapshot"
    assert (runs / interactive["uuid"] / "pipeline.orchest").is_file()
    assert all(Path(s["log_path"]).parent.parent == runs / interactive["uuid"] for s in interactive["steps"].values())
    assert pipeline_files(root.root) == [root.root / "p.orchest"]
    _, listed = await api(jp_fetch, "GET", "pipelines")
    assert [p["path"] for p in listed["pipelines"]] == ["p.orchest"]
    _, ran = await api(jp_fetch, "GET", "runs", snapshot_run["uuid"], "pipeline")
    assert ran["source"] == "snapshot"

    code, _ = await api(jp_fetch, "DELETE", "runs", "cleanup", snapshot_run["uuid"])
    assert code == 204 and not (runs / snapshot_run["uuid"]).exists()
    assert not list(entries.rglob("entry.json"))  # its step cache entries went with it
    assert (await api_error(jp_fetch, "GET", "runs", snapshot_run["uuid"]))[0] == 404
    assert (runs / interactive["uuid"]).is_dir()  # the other run's is kept
    assert (await api_error(jp_fetch, "DELETE", "runs", "cleanup", snapshot_run["uuid"]))[0] == 404


async def test_a_run_kept_in_the_project_by_an_earlier_version_opens_and_is_deleted(jp_fetch, root, tmp_path):
    a, _ = chain(root)
    root.file("n.ipynb", '{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}')
    _, run = await api(jp_fetch, "POST", "runs", body={"pipeline": "p.orchest", "interactive": False})
    run = await finished(jp_fetch, run["uuid"])
    legacy = root.root / ".orchest" / "runs"
    legacy.mkdir()
    old = ProjectFolders(tmp_path / "kept").runs(root.root) / run["uuid"]
    as_legacy(root.root / ".orchest" / "orchest-jlab.sqlite", run["uuid"], old, legacy / run["uuid"])

    _, record = await api(jp_fetch, "GET", "runs", run["uuid"])
    assert record["snapshot_dir"] == str(legacy / run["uuid"] / "snapshot")
    _, ran = await api(jp_fetch, "GET", "runs", run["uuid"], "pipeline")
    assert ran["source"] == "snapshot" and a in ran["pipeline"]["steps"]
    _, log = await api(jp_fetch, "GET", "runs", run["uuid"], "steps", a, "log")
    assert "a says hi" in log
    _, notebook = await api(jp_fetch, "GET", "runs", run["uuid"], "files", "n.ipynb")
    assert notebook["nbformat"] == 4
    _, listed = await api(jp_fetch, "GET", "pipelines")  # our discovery never lists a snapshot's pipeline
    assert [p["path"] for p in listed["pipelines"]] == ["p.orchest"]

    code, _ = await api(jp_fetch, "DELETE", "runs", "cleanup", run["uuid"])
    assert code == 204 and not legacy.exists()  # its folder, and the emptied .orchest/runs/
    assert (await api_error(jp_fetch, "GET", "runs", run["uuid"]))[0] == 404


async def test_runs_in_progress_and_jobs_runs_are_not_deleted_alone(jp_fetch, root, tmp_path):
    chain(root, sleep=30)
    _, run = await api(jp_fetch, "POST", "runs", body={"pipeline": "p.orchest", "interactive": False})
    code, error = await api_error(jp_fetch, "DELETE", "runs", "cleanup", run["uuid"])
    assert code == 409 and "cancel it first" in error["message"]
    await api(jp_fetch, "DELETE", "runs", run["uuid"])
    await finished(jp_fetch, run["uuid"])

    grid_pipeline(root, name="g.orchest")
    _, job = await api(jp_fetch, "POST", "jobs", body={"pipeline": "g.orchest"})
    await api(jp_fetch, "POST", "jobs", job["uuid"], "start", body={})
    job = await ended(jp_fetch, job["uuid"])
    code, error = await api_error(jp_fetch, "DELETE", "runs", "cleanup", job["runs"][0]["run_uuid"])
    assert code == 409 and job["uuid"] in error["message"]


async def test_jobs_keep_their_folders_outside_and_old_ones_are_deleted_from_the_project(jp_fetch, root, tmp_path):
    grid_pipeline(root)
    jobs = ProjectFolders(tmp_path / "kept").jobs(root.root)
    made = []
    for _ in range(2):
        _, job = await api(jp_fetch, "POST", "jobs", body={"pipeline": "p.orchest"})
        await api(jp_fetch, "POST", "jobs", job["uuid"], "start", body={})
        made.append(await ended(jp_fetch, job["uuid"]))
    new, old = made
    assert Path(new["snapshot_dir"]) == jobs / new["uuid"] / "snapshot"
    assert pipeline_files(root.root) == [root.root / "p.orchest"]

    legacy = root.root / ".orchest" / "jobs"
    legacy.mkdir()
    shutil.move(jobs / old["uuid"], legacy / old["uuid"])
    with sqlite3.connect(root.root / ".orchest" / "orchest-jlab.sqlite") as db:
        db.execute("UPDATE jobs SET snapshot_dir = ? WHERE uuid = ?", (str(legacy / old["uuid"] / "snapshot"), old["uuid"]))
    db.close()
    for uuid in (old["uuid"], new["uuid"]):
        code, _ = await api(jp_fetch, "DELETE", "jobs", uuid)
        assert code == 204
    assert not legacy.exists() and not (jobs / new["uuid"]).exists()


def test_runs_folders_configured_inside_the_project_are_never_copied_into_a_snapshot(tmp_path):
    project = tmp_path / "project"
    kept = project / ".runs"
    (kept / "old-run" / "snapshot").mkdir(parents=True)
    (kept / "old-run" / "snapshot" / "p.orchest").write_text("{}")
    (project / "p.orchest").write_text("{}")
    target = kept / "new-run" / "snapshot"
    make_snapshot(project, target, None, exclude=kept)
    assert sorted(p.relative_to(target).as_posix() for p in target.rglob("*")) == ["p.orchest"]


def test_a_command_keeps_its_runs_where_the_configuration_says(project, tmp_path):
    from click.testing import CliRunner

    from orchest_jlab.cli import main

    path, _ = project.chain(("A",), pipeline_name="p.orchest")
    config = tmp_path / "config.py"
    config.write_text(f"c.OrchestApp.snapshots_dir = {str(tmp_path / 'kept')!r}\n")
    done = CliRunner().invoke(main, ["run", str(path), "--snapshot", "--json", "--backend", "local",
                                     "--config", str(config)])
    assert done.exit_code == 0, done.output
    [snapshot] = ProjectFolders(tmp_path / "kept").runs(project.root).glob("*/snapshot")
    assert (snapshot / "p.orchest").is_file() and pipeline_files(project.root) == [path]


def test_a_snapshot_keeps_each_file_s_mode_and_modification_time(tmp_path):
    """Two snapshots of one folder list alike (names, sizes, times, modes): a job's runs share one
    packed project on the dask backend."""
    from orchest_jlab.backends.dask.project import Packs

    project = tmp_path / "project"
    (project / "sub").mkdir(parents=True)
    (project / "sub" / "run.sh").write_text("echo hi\n")
    (project / "sub" / "run.sh").chmod(0o750)
    os.utime(project / "sub" / "run.sh", ns=(1_000_000_000, 1_500_000_000_123))
    (project / "p.orchest").write_text("{}")
    first, second = tmp_path / "s1", tmp_path / "s2"
    make_snapshot(project, first, None)
    make_snapshot(project, second, None)
    copied = (first / "sub" / "run.sh").stat()
    assert copied.st_mode & 0o777 == 0o750 and copied.st_mtime_ns == 1_500_000_000_123
    packs = Packs()
    listed, project_hash, tar, _ = packs.pack(first)
    again = packs.pack(second)
    assert again[0] == listed and again[1] == project_hash and again[2] is tar  # not read and packed again
