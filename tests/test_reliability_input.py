"""Hostile input at the edge and files that point elsewhere (issue: reliability): a clear 400 naming
the field, nothing half-made, nothing recorded lost; snapshot runs never run the live project;
discovery never lists what lies outside the root."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from orchest_jlab.engine.folders import ProjectFolders
from orchest_jlab.pipelines import discover_pipelines

from .conftest import ProjectBuilder
from .engine_helpers import Harness
from .test_runs_api import api, api_error, finished

SURROGATE = "bad \ud800 name"


@pytest.fixture
def root(jp_root_dir) -> ProjectBuilder:
    return ProjectBuilder(Path(jp_root_dir))


def jobs_folder(root: ProjectBuilder) -> list[str]:
    folder = ProjectFolders().jobs(root.root)
    return sorted(os.listdir(folder)) if folder.is_dir() else []


async def test_a_lone_surrogate_in_a_request_is_a_400_naming_the_field_and_leaves_nothing(jp_fetch, root):
    root.chain(pipeline_name="p.orchest")
    code, error = await api_error(jp_fetch, "POST", "jobs", body={"pipeline": "p.orchest", "name": SURROGATE})
    assert code == 400 and "/name" in error["message"] and error["errors"] == [{"pointer": "/name"}]
    assert jobs_folder(root) == []
    code, run = await api(jp_fetch, "POST", "runs", body={"pipeline": "p.orchest", "interactive": False})
    await finished(jp_fetch, run["uuid"])
    code, error = await api_error(jp_fetch, "POST", "runs", run["uuid"], "copy-pipeline", body={"path": f"{SURROGATE}.orchest"})
    assert code == 400 and "/path" in error["message"]
    assert sorted(p.name for p in root.root.glob("*.orchest") if p.is_file()) == ["p.orchest"]


async def test_a_pipeline_named_with_a_lone_surrogate_runs_and_its_run_is_recorded(jp_fetch, root):
    path, data = root.chain(pipeline_name="p.orchest")
    path.write_text(json.dumps({**data, "name": SURROGATE}))  # json.dumps escapes it as \ud800, as a file can
    code, run = await api(jp_fetch, "POST", "runs", body={"pipeline": "p.orchest", "interactive": False})
    assert code == 201
    run = await finished(jp_fetch, run["uuid"])
    assert run["status"] == "SUCCESS"
    _, listed = await api(jp_fetch, "GET", "runs")
    assert run["uuid"] in [r["uuid"] for r in listed["runs"]]
    code, job = await api(jp_fetch, "POST", "jobs", body={"pipeline": "p.orchest"})
    assert code == 201 and job["pipeline_name"] == "bad \ufffd name"  # stored with a replacement character


@pytest.fixture
def jp_server_config(jp_server_config):
    return {**jp_server_config, "OrchestApp": {**jp_server_config["OrchestApp"], "max_request_body_mb": 1}}


async def test_an_oversize_body_is_a_400_naming_the_limit(jp_fetch, root):
    root.chain(pipeline_name="p.orchest")
    big = {"pipeline": "p.orchest", "name": "x" * (2 * 2**20)}
    code, error = await api_error(jp_fetch, "POST", "jobs", body=big)
    assert code == 400 and "max_request_body_mb" in error["message"] and "2.0 MiB" in error["message"]
    code, error = await api_error(jp_fetch, "POST", "validate", raw="{" + " " * (2 * 2**20) + "}")
    assert code == 400 and "max_request_body_mb" in error["message"]
    assert jobs_folder(root) == []
    code, _ = await api(jp_fetch, "POST", "validate", body={"name": "small"})
    assert code == 200


async def test_a_time_zone_that_cannot_exist_is_a_400_naming_the_field(jp_fetch, root):
    root.chain(pipeline_name="p.orchest")
    for zone in ("x" * 5000, "Mars/Olympus_Mons", "../../etc/passwd"):
        schedule = {"kind": "cron", "cron": "0 * * * *", "timezone": zone}
        code, error = await api_error(jp_fetch, "POST", "jobs", body={"pipeline": "p.orchest", "schedule": schedule})
        assert code == 400 and "schedule.timezone" in error["message"] and len(error["message"]) < 300, error
    assert jobs_folder(root) == []


async def test_a_snapshot_run_of_a_symlinked_step_file_runs_the_snapshot_not_the_live_project(project):
    env = project.environment()
    project.file("steps/real.py", "import os\nprint('cwd', os.getcwd())\nprint('file', __file__)\n")
    os.symlink(project.root / "steps" / "real.py", project.root / "link.py")  # absolute, inside the project
    os.symlink(project.root / "steps", project.root / "linked-steps")  # a folder, absolute, inside too
    step = project.step("Linked", "link.py", env)
    other = project.step("Through a folder link", "linked-steps/real.py", env)
    path = project.write("p.orchest", project.pipeline(step, other))
    harness = Harness()
    try:
        record = await harness.run(path, interactive=False)
        assert record["status"] == "SUCCESS", record
        snapshot = Path(record["snapshot_dir"])
        for step_uuid in (step["uuid"], other["uuid"]):
            lines = dict(line.split(" ", 1) for line in harness.log_lines(record["uuid"], step_uuid))
            assert Path(lines["cwd"]).is_relative_to(snapshot) and Path(lines["file"]).is_relative_to(snapshot), lines
        assert not (snapshot / "link.py").is_symlink()
        assert os.path.realpath(snapshot / "linked-steps") == str(snapshot / "steps")
    finally:
        await harness.close()


def test_discovery_never_lists_a_linked_pipeline_outside_the_root(tmp_path):
    outside = ProjectBuilder(tmp_path / "outside")
    secret, _ = outside.chain(pipeline_name="secret.orchest")
    root = ProjectBuilder(tmp_path / "root")
    root.chain(pipeline_name="mine.orchest")
    os.symlink(secret, root.root / "leak.orchest")
    os.symlink(root.root / "mine.orchest", root.root / "alias.orchest")  # inside the root: listed
    assert discover_pipelines(root.root) == [Path("alias.orchest"), Path("mine.orchest")]
