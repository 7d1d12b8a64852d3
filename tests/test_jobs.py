"""Jobs through the service with the real engine: grids, deselection, pre-fill, environment variables,
concurrency, cancel, retention, duplicate, and refused input that leaves nothing behind."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from orchest_jlab.engine.folders import ProjectFolders
from orchest_jlab.errors import BadRequest, Conflict, NotFound

from .jobs_helpers import WAIT, Jobs, grid_pipeline, until


@pytest.fixture
def jobs(jp_asyncio_loop, project):
    harness = Jobs(project.root)
    yield harness
    jp_asyncio_loop.run_until_complete(harness.close())


GRID_2x3 = {"pipeline_parameters": {"x": [1, 2]}}


async def test_a_2x3_grid_makes_six_runs_with_their_values(jobs, project):
    path, data = grid_pipeline(project)
    a = next(iter(data["steps"]))
    grid = {"pipeline_parameters": {"x": [1, 2]}, a: {"y": ["p", "q", "r"]}}
    job = await jobs.run_now({"pipeline": "p.orchest", "parameters": grid, "env_variables": {"SECRET": "s3cret"}})
    assert job["status"] == "SUCCESS" and job["counts"] == {"SUCCESS": 6} and job["grid_size"] == 6
    expected = [(x, y) for x in (1, 2) for y in ("p", "q", "r")]  # the last list varies fastest
    assert [(r["parameters"]["pipeline_parameters"]["x"], r["parameters"][a]["y"]) for r in job["runs"]] == expected
    for run, (x, y) in zip(job["runs"], expected):
        assert run["status"] == "SUCCESS" and run["index"] == run["combination"] and run["fire"] == 0
        seen = jobs.seen(run["run_uuid"])
        assert seen == {"pipeline": {"x": x}, "step": {"y": y}, "secret": "s3cret"}
        record = jobs.record(run["run_uuid"])
        assert record["labels"] == {"job_uuid": job["uuid"], "job_run_index": run["index"]}
        assert record["interactive"] is False and record["parameters"] == run["parameters"]
        # Each run has its own folder under the job's, with its snapshot and logs.
        assert Path(record["snapshot_dir"]).parent.parent == Path(job["snapshot_dir"]).parent / "runs"
    # The secret is in no file of the project, no run record, no log and no event.
    project_text = "".join(p.read_text(errors="replace") for p in project.root.rglob("*")
                           if p.is_file() and p.suffix in (".orchest", ".log", ".json") and p.name != "seen.json")
    assert "s3cret" not in project_text
    assert "s3cret" not in json.dumps(jobs.events)
    assert (project.root / "p.orchest").read_text() == json.dumps(data, indent=4, sort_keys=True) + "\n"
    kinds = [h["kind"] for h in job["history"]]
    assert kinds == ["created", "started", "finished"]
    assert [e["status"] for e in jobs.job_events(job["uuid"])][-1] == "SUCCESS"


async def test_deselected_combinations_do_not_run(jobs, project):
    path, data = grid_pipeline(project)
    a = next(iter(data["steps"]))
    grid = {"pipeline_parameters": {"x": [1, 2]}, a: {"y": [10, 20]}}
    job = await jobs.run_now({"pipeline": "p.orchest", "parameters": grid, "deselected": [0, 3]})
    assert job["runs_per_fire"] == 2 and job["deselected"] == [0, 3]
    assert [r["combination"] for r in job["runs"]] == [1, 2]
    assert [jobs.seen(r["run_uuid"])["step"]["y"] for r in job["runs"]] == [20, 10]
    assert [jobs.seen(r["run_uuid"])["pipeline"]["x"] for r in job["runs"]] == [1, 2]


async def test_the_parameters_file_prefills_the_grid(jobs, project):
    path, data = grid_pipeline(project, step_params={"y": 0, "z": "keep"})
    a = next(iter(data["steps"]))
    (project.root / "p.parameters.json").write_text(json.dumps({"pipeline_parameters": {"x": [5, 6, 7]}, a: {"y": [1]}}))
    job = await jobs.service.create({"pipeline": "p.orchest"})
    assert job["parameters"] == {"pipeline_parameters": {"x": [5, 6, 7]}, a: {"y": [1], "z": ["keep"]}}
    preview = jobs.service.preview({"pipeline": "p.orchest"})
    assert preview["grid_size"] == 3 and preview["parameters"] == job["parameters"]
    jobs.service.start(job["uuid"])
    job = await jobs.service.wait(job["uuid"])
    assert sorted(jobs.seen(r["run_uuid"])["pipeline"]["x"] for r in job["runs"]) == [5, 6, 7]
    # A parameters file that does not fit the pipeline is refused, naming the file.
    (project.root / "p.parameters.json").write_text(json.dumps({"pipeline_parameters": {"nope": [1]}}))
    with pytest.raises(BadRequest, match='"p.parameters.json".*no parameter'):
        await jobs.service.create({"pipeline": "p.orchest"})


async def test_at_most_max_concurrent_runs_at_once(jp_asyncio_loop, project):
    code = ("import os, time\nopen(f'{os.getpid()}.start', 'w').write(str(time.time()))\ntime.sleep(0.3)\n"
            "open(f'{os.getpid()}.end', 'w').write(str(time.time()))\n")
    grid_pipeline(project, code=code)
    jobs = Jobs(project.root, max_concurrent_runs=2)
    try:
        job = await jobs.run_now({"pipeline": "p.orchest", "parameters": {"pipeline_parameters": {"x": [1, 2, 3, 4, 5]}}})
        snapshots = [Path(jobs.record(run["run_uuid"])["snapshot_dir"]) for run in job["runs"]]
    finally:
        await jobs.close()
    assert job["counts"] == {"SUCCESS": 5}
    spans = []
    for snapshot in snapshots:
        [start] = snapshot.glob("*.start")
        spans.append((float(start.read_text()), float(start.with_suffix(".end").read_text())))
    most = max(sum(s <= t < e for s, e in spans) for t, _ in spans)
    assert most == 2


async def test_cancel_aborts_running_and_queued_runs(jobs, project, tmp_path):
    grid_pipeline(project, code=WAIT)
    jobs.service.dispatcher.max_concurrent = 2
    job = await jobs.service.create({"pipeline": "p.orchest", "parameters": {"pipeline_parameters": {"x": [1, 2, 3]}},
                                     "env_variables": {"RELEASE": str(tmp_path / "never")}})
    jobs.service.start(job["uuid"])
    await until(lambda: jobs.service.get(job["uuid"])["counts"].get("STARTED") == 2, message="two runs started")
    with pytest.raises(Conflict, match="cron"):
        jobs.service.trigger(job["uuid"])
    started = time.monotonic()
    cancelled = jobs.service.cancel(job["uuid"])
    assert cancelled["status"] == "ABORTED"
    job = await jobs.service.wait(job["uuid"])
    assert time.monotonic() - started < 5
    assert job["status"] == "ABORTED" and job["counts"] == {"ABORTED": 3}
    assert [r["run_uuid"] is None for r in job["runs"]] == [False, False, True]
    for run in job["runs"][:2]:
        assert jobs.record(run["run_uuid"])["status"] == "ABORTED"
    with pytest.raises(Conflict, match="Only a started job"):
        jobs.service.cancel(job["uuid"])
    assert [h["kind"] for h in job["history"]] == ["created", "started", "cancelled"]


async def test_retention_deletes_the_oldest_finished_runs(jobs, project):
    grid_pipeline(project)
    job = await jobs.run_now({"pipeline": "p.orchest", "max_retained_pipeline_runs": 2,
                              "parameters": {"pipeline_parameters": {"x": [1, 2, 3, 4, 5]}}})
    await until(lambda: len(jobs.service.get(job["uuid"])["runs"]) == 2, message="retention")
    job = jobs.service.get(job["uuid"])
    assert job["runs_deleted"] == 3 and job["run_count"] == 5
    kept = {r["run_uuid"] for r in job["runs"]}
    runs_dir = Path(job["snapshot_dir"]).parent / "runs"
    assert {p.name for p in runs_dir.iterdir()} == kept
    jobs.stores.flush()
    store = jobs.stores.for_project(project.root)
    assert {r["uuid"] for r in store.list_runs()} == kept
    deleted = [e for e in jobs.events if e["type"] == "job-run-deleted"]
    assert len(deleted) == 3 and not {e["run_uuid"] for e in deleted} & kept


async def test_duplicate_reconciles_the_grid_with_the_current_pipeline(jobs, project):
    path, data = grid_pipeline(project, step_params={"y": 0, "gone": 1})
    a = next(iter(data["steps"]))
    grid = {"pipeline_parameters": {"x": [1, 2]}, a: {"y": [3, 4], "gone": [1]}}
    job = await jobs.service.create({"pipeline": "p.orchest", "parameters": grid, "deselected": [1],
                                     "overlap": "queue", "env_variables": {"K": "v"}})
    # The pipeline changes: step A loses "gone" and gets "new"; the pipeline gets "w".
    data["steps"][a]["parameters"] = {"y": 0, "new": "n"}
    data["parameters"] = {"x": 1, "w": True}
    project.write("p.orchest", data)
    copy = await jobs.service.duplicate(job["uuid"])
    assert copy["status"] == "DRAFT" and copy["uuid"] != job["uuid"] and copy["name"].endswith("(copy)")
    assert copy["parameters"] == {"pipeline_parameters": {"x": [1, 2], "w": [True]}, a: {"y": [3, 4], "new": ["n"]}}
    assert copy["deselected"] == []  # a different grid: its combinations are numbered anew
    assert copy["overlap"] == "queue" and copy["env_variables"] == {"K": "v"}
    assert copy["snapshot_dir"] != job["snapshot_dir"] and copy["pipeline"]["parameters"] == {"x": 1, "w": True}
    message = copy["history"][0]["message"]
    assert f"Duplicated from job {job['uuid']}" in message and '"gone"' in message and '"new"' in message
    # Unchanged pipeline: the copy keeps the deselection.
    same = await jobs.service.duplicate(copy["uuid"])
    assert same["parameters"] == copy["parameters"] and same["deselected"] == []
    assert len(jobs.service.list()) == 3 and len(jobs.service.list("p.orchest")) == 3


async def test_updating_a_draft_and_refusing_to_update_a_started_job(jobs, project):
    grid_pipeline(project)
    job = await jobs.service.create({"pipeline": "p.orchest", "parameters": {"pipeline_parameters": {"x": [1, 2]}},
                                     "deselected": [0]})
    job = jobs.service.update(job["uuid"], {"name": "sweep", "parameters": {"pipeline_parameters": {"x": [7, 8, 9]}}})
    assert job["name"] == "sweep" and job["grid_size"] == 3 and job["deselected"] == []
    job = jobs.service.update(job["uuid"], {"deselected": [2]})
    assert job["runs_per_fire"] == 2
    with pytest.raises(BadRequest, match="Unknown field"):
        jobs.service.update(job["uuid"], {"pipeline": "other.orchest"})
    jobs.service.start(job["uuid"])
    job = await jobs.service.wait(job["uuid"])
    assert [jobs.seen(r["run_uuid"])["pipeline"]["x"] for r in job["runs"]] == [7, 8]
    with pytest.raises(Conflict, match="can no longer be changed"):
        jobs.service.update(job["uuid"], {"name": "late"})
    with pytest.raises(Conflict, match="started already"):
        jobs.service.start(job["uuid"])
    await jobs.service.delete(job["uuid"])
    with pytest.raises(NotFound):
        jobs.service.get(job["uuid"])
    assert not Path(job["snapshot_dir"]).parent.exists()
    assert jobs.stores.for_project(project.root).list_runs() == []
    [deleted] = [e for e in jobs.events if e["type"] == "job-deleted"]
    assert sorted(deleted["run_uuids"]) == sorted(r["run_uuid"] for r in job["runs"])  # what they kept elsewhere goes too


BAD = [
    ({"parameters": {"pipeline_parameters": {"x": 1}}}, "must be a list of values"),
    ({"parameters": {"pipeline_parameters": {"x": []}}}, "empty list of values"),
    ({"parameters": {"pipeline_parameters": {"nope": [1]}}}, "has no parameter(s) 'nope'"),
    ({"parameters": {"00000000-0000-4000-8000-000000000000": {"y": [1]}}}, "has no step"),
    ({"parameters": [1]}, "must be an object of objects"),
    ({"parameters": {"pipeline_parameters": {"x": [1, 2]}}, "deselected": [0, 1]}, "Every combination"),
    ({"deselected": [5]}, "numbered 0 to 0"),
    ({"parameters": {"pipeline_parameters": {"x": list(range(11))}}}, "more than the limit of 10"),
    ({"schedule": {"kind": "cron", "cron": "61 * * * *"}}, "not a valid cron expression"),
    ({"schedule": {"kind": "cron", "cron": "* * * * * *"}}, "five fields"),
    ({"schedule": {"kind": "cron", "cron": "0 0 30 2 *"}}, "never fires"),
    ({"schedule": {"kind": "cron", "cron": "* * * * *", "timezone": "Mars/Base"}}, "Unknown time zone"),
    ({"schedule": {"kind": "once", "at": "2020-01-01T00:00:00Z"}}, "has passed"),
    ({"schedule": {"kind": "once", "at": "tomorrow"}}, "ISO 8601"),
    ({"schedule": {"kind": "weekly"}}, '"schedule" must be'),
    ({"env_variables": {"1X": "v"}}, "not a valid environment variable name"),
    ({"env_variables": {"ORCHEST_RUN_UUID": "v"}}, "reserved"),
    ({"env_variables": {"K": 1}}, "must be text"),
    ({"overlap": "sometimes"}, '"overlap" must be one of'),
    ({"missed_fires": "all"}, '"missed_fires" must be one of'),
    ({"max_retained_pipeline_runs": 0}, "at least 1"),
    ({"name": ""}, '"name"'),
    ({"colour": "red"}, "Unknown field 'colour'"),
    ({"pipeline": "missing.orchest"}, "no pipeline file"),
    ({"pipeline": 3}, '"pipeline"'),
]


@pytest.mark.parametrize("change, words", BAD)
async def test_bad_input_is_refused_and_nothing_is_made(jp_asyncio_loop, project, change, words):
    grid_pipeline(project)
    jobs = Jobs(project.root, max_grid_size=10)
    try:
        with pytest.raises(BadRequest if "missing" not in str(change) else NotFound) as info:
            await jobs.service.create({"pipeline": "p.orchest", **change})
        assert words in info.value.message
        assert jobs.service.list() == [] and not ProjectFolders().jobs(project.root).exists()
    finally:
        await jobs.close()


async def test_a_pipeline_with_errors_is_refused_with_them(jobs, project):
    path, data = grid_pipeline(project)
    (project.root / "b.py").unlink()
    with pytest.raises(BadRequest) as info:
        await jobs.service.create({"pipeline": "p.orchest"})
    assert "has errors" in info.value.message and info.value.errors[0]["pointer"].endswith("/file_path")
    assert not ProjectFolders().jobs(project.root).exists()
