"""orchest-jlab job run / job list: grid searches from the command line, without a server."""

from __future__ import annotations

import json

from click.testing import CliRunner

from orchest_jlab.cli import main

from .jobs_helpers import grid_pipeline


def cli(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_job_run_prints_the_runs_as_json(project, tmp_path):
    path, data = grid_pipeline(project)
    a = next(iter(data["steps"]))
    grid = tmp_path / "grid.json"
    grid.write_text(json.dumps({"pipeline_parameters": {"x": [1, 2]}, a: {"y": ["p", "q"]}}))
    result = cli("job", "run", path, "--parameters", grid, "--max-concurrent", 2, "--json")
    assert result.exit_code == 0, result.output
    output = json.loads(result.stdout)
    assert set(output) == {"uuid", "status", "runs"} and output["status"] == "SUCCESS"
    assert [set(r) for r in output["runs"]] == [{"uuid", "index", "parameters", "status"}] * 4
    assert [r["parameters"] for r in output["runs"]] == [
        {"pipeline_parameters": {"x": x}, a: {"y": y}} for x in (1, 2) for y in ("p", "q")]
    assert [r["index"] for r in output["runs"]] == [0, 1, 2, 3]
    assert "run 4/4: SUCCESS" in result.stderr

    listed = cli("job", "list", project.root, "--json")
    assert [j["uuid"] for j in json.loads(listed.stdout)["jobs"]] == [output["uuid"]]
    table = cli("job", "list", path)
    assert output["uuid"] in table.stdout and "4 SUCCESS" in table.stdout


def test_job_run_uses_the_parameters_file_and_fails_with_a_failing_run(project):
    path, data = grid_pipeline(project, code="import orchest, sys\nsys.exit(orchest.get_pipeline_param('x'))\n")
    (project.root / "p.parameters.json").write_text(json.dumps({"pipeline_parameters": {"x": [0, 3]}}))
    result = cli("job", "run", path, "--json")
    assert result.exit_code == 1
    output = json.loads(result.stdout)
    assert output["status"] == "FAILURE" and [r["status"] for r in output["runs"]] == ["SUCCESS", "FAILURE"]


def test_job_run_refuses_bad_input_with_exit_code_2(project, tmp_path):
    path, _ = grid_pipeline(project)
    grid = tmp_path / "grid.json"
    grid.write_text(json.dumps({"pipeline_parameters": {"x": 5}}))
    result = cli("job", "run", path, "--parameters", grid)
    assert result.exit_code == 2 and "must be a list of values" in result.stderr
    grid.write_text("not json")
    assert cli("job", "run", path, "--parameters", grid).exit_code == 2
    assert json.loads(cli("job", "list", project.root, "--json").stdout) == {"jobs": []}
