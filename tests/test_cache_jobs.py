"""The step cache of a job's runs, turned on per job (``cache: true`` when it is created, the job
form's checkbox, ``orchest-jlab job run --cache``) while the pipeline's own setting is off: the runs
of its grid share the entries of the steps whose key matches, and the entries of runs its retention
deletes go with them. Steps count their runs in a folder outside the project (runs run in
snapshots), named by a job's environment variable."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from tornado.httpclient import HTTPClientError

from orchest_jlab.engine.cache import cache_root

from .conftest import ProjectBuilder
from .jobs_helpers import Jobs

COUNTING = """import os, orchest
open(os.path.join(os.environ["COUNTS"], "{title}"), "a").write("x")
orchest.output([{title!r}, orchest.get_step_param("y")], name={title!r})
"""


def two_steps(project) -> tuple[dict, dict]:
    """A (parameter y: the same in every run of the grid) → B (parameter y: one per run)."""
    env = project.environment()
    for title in "AB":
        project.file(f"{title.lower()}.py", COUNTING.format(title=title))
    a = project.step("A", "a.py", env, parameters={"y": 0})
    b = project.step("B", "b.py", env, [a["uuid"]], parameters={"y": 0})
    project.write("p.orchest", project.pipeline(a, b))  # no cache setting in the pipeline
    return a, b


def counts(folder: Path) -> dict[str, int]:
    return {p.name: len(p.read_text()) for p in folder.iterdir()}


def entries(project_dir: Path) -> list[dict]:
    return [json.loads(p.read_text()) for p in cache_root(project_dir).glob("*/*/*/entry.json")]


async def test_a_job_with_the_cache_runs_what_its_grid_runs_share_once(project, tmp_path):
    a, b = two_steps(project)
    grid = {b["uuid"]: {"y": [1, 2]}}
    jobs = Jobs(project.root)
    try:
        cached_counts, plain_counts = tmp_path / "cached", tmp_path / "plain"
        cached_counts.mkdir(), plain_counts.mkdir()
        job = await jobs.run_now({"pipeline": "p.orchest", "parameters": grid, "cache": True,
                                  "env_variables": {"COUNTS": str(cached_counts)}})
        assert job["status"] == "SUCCESS" and job["cache"] is True, job
        assert counts(cached_counts) == {"A": 1, "B": 2}  # A's key is the same in both runs
        records = [jobs.record(r["run_uuid"]) for r in job["runs"]]
        assert all(r["cache"] for r in records)
        sources = sorted(r["steps"][a["uuid"]]["cached_from"] or "" for r in records)
        assert sources[0] == "" and sources[1] in {r["uuid"] for r in records}
        assert len(entries(project.root)) == 3  # A once, B per value

        # The same grid in a job without the cache: every step of every run runs.
        job = await jobs.run_now({"pipeline": "p.orchest", "parameters": grid,
                                  "env_variables": {"COUNTS": str(plain_counts)}})
        assert job["status"] == "SUCCESS" and job["cache"] is False
        assert counts(plain_counts) == {"A": 2, "B": 2}
        assert not any(jobs.record(r["run_uuid"])["cache"] for r in job["runs"])
    finally:
        await jobs.close()


async def test_the_runs_retention_deletes_removes_their_cache_entries(project, tmp_path):
    _, b = two_steps(project)
    jobs = Jobs(project.root, max_concurrent_runs=1)  # one run after the other: the first is deleted
    try:
        job = await jobs.run_now({"pipeline": "p.orchest", "parameters": {b["uuid"]: {"y": [1, 2]}}, "cache": True,
                                  "env_variables": {"COUNTS": str(tmp_path)}, "max_retained_pipeline_runs": 1})
        assert job["status"] == "SUCCESS", job
        full = jobs.service.get(job["uuid"])
        kept = [r["run_uuid"] for r in full["runs"]]
        assert len(kept) == 1 and full["runs_deleted"] == 1
        made_by = {e["run_uuid"] for e in entries(project.root)}
        assert made_by == set(kept)  # the deleted run made A's and one B entry: gone with it
        assert len(entries(project.root)) == 1
    finally:
        await jobs.close()


async def test_the_job_api_takes_and_shows_the_cache_setting(jp_fetch, jp_root_dir):
    project = ProjectBuilder(Path(jp_root_dir))
    two_steps(project)
    response = await jp_fetch("orchest", "api", "jobs", method="POST",
                              body=json.dumps({"pipeline": "p.orchest", "cache": True}))
    job = json.loads(response.body)
    assert response.code == 201 and job["cache"] is True
    response = await jp_fetch("orchest", "api", "jobs", job["uuid"], method="PATCH", body=json.dumps({"cache": False}))
    assert json.loads(response.body)["cache"] is False
    response = await jp_fetch("orchest", "api", "jobs", method="POST", body=json.dumps({"pipeline": "p.orchest"}))
    assert json.loads(response.body)["cache"] is False  # off unless asked for
    for method, parts, body in [("POST", (), {"pipeline": "p.orchest", "cache": "yes"}),
                                ("PATCH", (job["uuid"],), {"cache": 1})]:
        with pytest.raises(HTTPClientError) as info:
            await jp_fetch("orchest", "api", "jobs", *parts, method=method, body=json.dumps(body))
        error = json.loads(info.value.response.body)
        assert info.value.code == 400 and '"cache" must be true or false' in error["message"]
        assert error["errors"][0]["pointer"] == "/cache"
    listed = json.loads((await jp_fetch("orchest", "api", "jobs", method="GET")).body)["jobs"]
    assert len(listed) == 2  # the refused requests made nothing


def test_job_run_cache_from_the_command_line(project, tmp_path):
    folder = tmp_path / "counts"
    folder.mkdir()
    two_steps(project)
    b = next(u for u, s in json.loads((project.root / "p.orchest").read_text())["steps"].items() if s["title"] == "B")
    (project.root / "grid.json").write_text(json.dumps({b: {"y": [1, 2]}}))
    done = subprocess.run([sys.executable, "-c", "from orchest_jlab.cli import main; main()", "job", "run", "--cache",
                           "--json", "--backend", "local", "--parameters", "grid.json", "--env", f"COUNTS={folder}",
                           "p.orchest"], cwd=project.root, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["status"] == "SUCCESS"
    assert counts(folder) == {"A": 1, "B": 2}
