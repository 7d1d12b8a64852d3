"""Parameter forms' schemas (Orchest's ``<step file>.schema.json`` and ``<pipeline file>.schema.json``):
values are checked against them before a run and a job, with a 400 naming step, parameter and problem."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from tornado.httpclient import HTTPClientError

from orchest_jlab.cli import main
from orchest_jlab.engine.folders import ProjectFolders
from orchest_jlab.errors import BadRequest
from orchest_jlab.runs import prepare_run

from .jobs_helpers import grid_pipeline

STEP_SCHEMA = {"type": "object", "properties": {"y": {"type": "integer", "minimum": 0, "maximum": 10}},
               "required": ["y"]}
PIPELINE_SCHEMA = {"type": "object", "properties": {"x": {"enum": [1, 2, 3]}}}


def with_schemas(project, step_params=None, pipeline_params=None):
    path, data = grid_pipeline(project, step_params=step_params, pipeline_params=pipeline_params)
    project.file("a.py.schema.json", json.dumps(STEP_SCHEMA))
    project.file("a.py.uischema.json", json.dumps({"type": "VerticalLayout", "elements": []}))
    project.file("p.orchest.schema.json", json.dumps(PIPELINE_SCHEMA))
    return path, data, next(iter(data["steps"]))


def test_values_that_follow_their_schemas_run(project):
    path, _, a = with_schemas(project)
    request = prepare_run(path, parameters={a: {"y": 7}, "pipeline_parameters": {"x": 3}})
    assert request.parameters == {a: {"y": 7}, "pipeline_parameters": {"x": 3}}


def test_a_value_against_its_step_schema_is_refused_naming_step_and_parameter(project):
    path, _, a = with_schemas(project)
    with pytest.raises(BadRequest) as info:
        prepare_run(path, parameters={a: {"y": 11}})
    assert info.value.message == 'Step "A", parameter "y": 11 is greater than the maximum of 10 (schema a.py.schema.json).'
    assert info.value.errors[0]["pointer"] == f"/steps/{a}/parameters/y"
    assert info.value.errors[0]["step_uuid"] == a and info.value.errors[0]["parameter"] == "y"


def test_defaults_and_pipeline_parameters_are_checked_too(project):
    path, _, a = with_schemas(project, step_params={"y": "ten"}, pipeline_params={"x": 9})
    with pytest.raises(BadRequest) as info:
        prepare_run(path)
    messages = [e["message"] for e in info.value.errors]
    assert messages == ['The pipeline, parameter "x": 9 is not one of [1, 2, 3] (schema p.orchest.schema.json).',
                        "Step \"A\", parameter \"y\": 'ten' is not of type 'integer' (schema a.py.schema.json)."]
    assert info.value.message.endswith("(1 more in errors)")


def test_a_broken_schema_file_is_named(project):
    path, _, _ = with_schemas(project)
    project.file("a.py.schema.json", "{")
    with pytest.raises(BadRequest, match="a.py.schema.json is not a readable JSON file"):
        prepare_run(path)
    project.file("a.py.schema.json", json.dumps({"type": "no-such-type"}))
    with pytest.raises(BadRequest, match="a.py.schema.json is not a valid JSON Schema"):
        prepare_run(path)


def test_cli_run_refuses_before_anything_runs(project):
    path, _, _ = with_schemas(project)
    result = CliRunner().invoke(main, ["run", str(path), "--step-param", "A:y=-1"])
    assert result.exit_code == 2
    assert 'Step "A", parameter "y": -1 is less than the minimum of 0' in result.output
    assert not (project.root / "seen.json").exists() and not ProjectFolders().runs(project.root).exists()


async def test_rest_refuses_a_run_and_a_job_grid_with_a_bad_combination(jp_fetch, jp_root_dir):
    from .conftest import ProjectBuilder

    root = ProjectBuilder(jp_root_dir)
    _, _, a = with_schemas(root)
    with pytest.raises(HTTPClientError) as info:
        await jp_fetch("orchest", "api", "runs", method="POST", body=json.dumps(
            {"pipeline": "p.orchest", "interactive": False, "parameters": {a: {"y": 50}}}))
    error = json.loads(info.value.response.body)
    assert info.value.code == 400 and error["message"].startswith('Step "A", parameter "y": 50 is greater')
    grid = {"pipeline_parameters": {"x": [1, 5]}, a: {"y": [1, 2]}}
    for route in ("jobs/grid", "jobs"):
        with pytest.raises(HTTPClientError) as info:
            await jp_fetch("orchest", "api", *route.split("/"), method="POST",
                           body=json.dumps({"pipeline": "p.orchest", "parameters": grid}))
        error = json.loads(info.value.response.body)
        assert info.value.code == 400
        assert error["message"].startswith('The pipeline, parameter "x" (combination 2): 5 is not one of [1, 2, 3]')
    jobs = ProjectFolders().jobs(jp_root_dir)
    assert not jobs.exists() or not list(jobs.iterdir())
    response = await jp_fetch("orchest", "api", "jobs", method="POST", body=json.dumps(
        {"pipeline": "p.orchest", "parameters": {"pipeline_parameters": {"x": [1, 2]}, a: {"y": [1, 2]}}}))
    assert json.loads(response.body)["grid_size"] == 4
