"""Jobs through the REST API and the events websocket of a real Jupyter server."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from orchest_jlab.engine.folders import ProjectFolders

from .conftest import ProjectBuilder
from .jobs_helpers import grid_pipeline
from .test_runs_api import api, api_error, next_message

MISSING = "00000000-0000-4000-8000-000000000000"


@pytest.fixture
def jp_server_config(jp_server_config):
    return {**jp_server_config, "OrchestApp": {**jp_server_config.get("OrchestApp", {}), "max_grid_size": 10}}


@pytest.fixture
def root(jp_root_dir) -> ProjectBuilder:
    return ProjectBuilder(Path(jp_root_dir))


async def ended(jp_fetch, job_uuid, timeout=30.0):
    for _ in range(int(timeout / 0.05)):
        _, job = await api(jp_fetch, "GET", "jobs", job_uuid)
        if job["status"] in ("SUCCESS", "FAILURE", "ABORTED") and not job["counts"].get("STARTED"):
            return job
        await asyncio.sleep(0.05)
    raise AssertionError(f"job {job_uuid} did not end: {job}")


async def test_create_start_and_follow_a_job(jp_fetch, jp_ws_fetch, root):
    _, data = grid_pipeline(root, name="sub/p.orchest")
    a = next(iter(data["steps"]))
    ws = await jp_ws_fetch("orchest", "api", "events")
    assert (await next_message(ws))["type"] == "hello"
    grid = {"pipeline_parameters": {"x": [1, 2]}, a: {"y": [3, 4]}}
    code, preview = await api(jp_fetch, "POST", "jobs", "grid", body={"pipeline": "sub/p.orchest", "parameters": grid,
                                                                     "deselected": [3]})
    assert code == 200 and preview["grid_size"] == 4 and preview["runs_per_fire"] == 3
    assert preview["combinations"][3] == {"index": 3, "parameters": {"pipeline_parameters": {"x": 2}, a: {"y": 4}},
                                          "selected": False}
    code, job = await api(jp_fetch, "POST", "jobs", body={"pipeline": "sub/p.orchest", "name": "sweep",
                                                          "parameters": grid, "deselected": [3]})
    assert code == 201 and job["status"] == "DRAFT" and job["pipeline_path"] == "sub/p.orchest" and job["runs"] == []
    code, job = await api(jp_fetch, "POST", "jobs", job["uuid"], "start", body={})
    assert code == 200 and job["status"] == "STARTED" and len(job["runs"]) == 3
    job = await ended(jp_fetch, job["uuid"])
    assert job["status"] == "SUCCESS" and job["counts"] == {"SUCCESS": 3}
    run = job["runs"][2]
    _, record = await api(jp_fetch, "GET", "runs", run["run_uuid"])  # a job's run opens read-only like any run
    assert record["labels"] == {"job_uuid": job["uuid"], "job_run_index": 2} and record["pipeline_path"] == "sub/p.orchest"
    assert json.loads((Path(record["snapshot_dir"]) / "sub" / "seen.json").read_text())["pipeline"] == {"x": 2}
    _, listed = await api(jp_fetch, "GET", "jobs")
    assert [j["uuid"] for j in listed["jobs"]] == [job["uuid"]] and "runs" not in listed["jobs"][0]
    assert listed["jobs"][0]["counts"] == {"SUCCESS": 3}
    _, listed = await api(jp_fetch, "GET", "jobs", params={"pipeline": "sub/p.orchest"})
    assert len(listed["jobs"]) == 1
    events = []
    while not (events and events[-1]["type"] == "job" and events[-1]["status"] == "SUCCESS"):
        message = await next_message(ws)
        if message["type"] in ("job", "job-run"):
            events.append(message)
    ws.close()
    assert [e["status"] for e in events if e["type"] == "job"] == ["DRAFT", "STARTED", "SUCCESS"]
    runs = [(e["index"], e["status"]) for e in events if e["type"] == "job-run"]
    assert sorted(runs) == sorted([(i, s) for i in range(3) for s in ("PENDING", "STARTED", "SUCCESS")])


async def test_a_cron_job_through_its_actions(jp_fetch, root):
    grid_pipeline(root)
    _, job = await api(jp_fetch, "POST", "jobs", body={"pipeline": "p.orchest", "schedule": {
        "kind": "cron", "cron": "0 0 1 1 *", "timezone": "Asia/Tokyo"}})
    uuid = job["uuid"]
    code, job = await api(jp_fetch, "PATCH", "jobs", uuid, body={"name": "yearly", "overlap": "queue"})
    assert code == 200 and job["name"] == "yearly" and job["overlap"] == "queue"
    _, job = await api(jp_fetch, "POST", "jobs", uuid, "start", body={})
    assert job["status"] == "PENDING" and job["next_fire"].endswith("T15:00:00.000+00:00")  # midnight in Tokyo
    code, error = await api_error(jp_fetch, "POST", "jobs", uuid, "start", body={})
    assert code == 409 and "started already" in error["message"]
    _, job = await api(jp_fetch, "POST", "jobs", uuid, "pause", body={})
    assert job["status"] == "PAUSED" and job["next_fire"] is None
    _, job = await api(jp_fetch, "POST", "jobs", uuid, "resume", body={})
    assert job["status"] == "PENDING" and job["next_fire"]
    _, job = await api(jp_fetch, "POST", "jobs", uuid, "trigger", body={})
    assert job["status"] == "STARTED" and job["fire_count"] == 1
    code, job = await api(jp_fetch, "PATCH", "jobs", uuid, body={"schedule": {"kind": "cron", "cron": "0 0 * * *"}})
    assert code == 200 and job["schedule"]["timezone"] == "UTC"
    code, error = await api_error(jp_fetch, "PATCH", "jobs", uuid, body={"schedule": {"kind": "now"}})
    assert code == 409
    _, job = await api(jp_fetch, "POST", "jobs", uuid, "cancel", body={})
    assert job["status"] == "ABORTED" and job["next_fire"] is None
    code, error = await api_error(jp_fetch, "POST", "jobs", uuid, "cancel", body={})
    assert code == 409 and set(error) == {"message", "errors"}
    code, copy = await api(jp_fetch, "POST", "jobs", uuid, "duplicate", body={})
    assert code == 201 and copy["status"] == "DRAFT" and copy["name"] == "yearly (copy)"
    await ended(jp_fetch, uuid)
    code, _ = await api(jp_fetch, "DELETE", "jobs", uuid)
    assert code == 204
    code, error = await api_error(jp_fetch, "GET", "jobs", uuid)
    assert code == 404 and uuid in error["message"]
    _, listed = await api(jp_fetch, "GET", "jobs")
    assert [j["uuid"] for j in listed["jobs"]] == [copy["uuid"]]


@pytest.mark.parametrize("change, words", [
    ({"schedule": {"kind": "cron", "cron": "every day"}}, "not a valid cron expression"),
    ({"parameters": {"pipeline_parameters": {"x": []}}}, "empty list of values"),
    ({"parameters": {"pipeline_parameters": {"x": "1, 2"}}}, "must be a list of values"),
    ({"schedule": {"kind": "once", "at": "2001-01-01T00:00:00+00:00"}}, "has passed"),
    ({"parameters": {"pipeline_parameters": {"x": list(range(11))}}}, "more than the limit of 10"),
    ({"parameters": {"pipeline_parameters": {"nope": [1]}}}, "no parameter(s) 'nope'"),
    ({"parameters": {MISSING: {"y": [1]}}}, "has no step"),
    ({"pipeline": "../p.orchest"}, "not a path inside"),
])
async def test_bad_jobs_are_refused_and_nothing_is_made(jp_fetch, root, change, words):
    grid_pipeline(root)
    code, error = await api_error(jp_fetch, "POST", "jobs", body={"pipeline": "p.orchest", **change})
    assert code == 400 and words in error["message"]
    _, listed = await api(jp_fetch, "GET", "jobs")
    assert listed["jobs"] == [] and not ProjectFolders().jobs(root.root).exists()


async def test_unknown_jobs_and_malformed_bodies(jp_fetch, root):
    grid_pipeline(root)
    for method, parts in [("GET", ()), ("PATCH", ()), ("DELETE", ()), ("POST", ("start",)), ("POST", ("duplicate",))]:
        code, error = await api_error(jp_fetch, method, "jobs", MISSING, *parts, body=None if method in ("GET", "DELETE") else {})
        assert code == 404, (method, parts)
    code, error = await api_error(jp_fetch, "POST", "jobs", raw="{nope")
    assert code == 400 and "not valid JSON" in error["message"]
    code, error = await api_error(jp_fetch, "POST", "jobs", body=[1])
    assert code == 400 and "JSON object" in error["message"]
    code, error = await api_error(jp_fetch, "POST", "jobs", "grid", body={"pipeline": "missing.orchest"})
    assert code == 404
