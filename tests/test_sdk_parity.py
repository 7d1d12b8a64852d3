"""The step SDK against Orchest's SDK 0.3.x: what Orchest code relies on behaves the same (real step
processes, and runs of the real engine); docs/step-sdk.md's compatibility table names these tests."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

from .engine_helpers import Harness, notebook
from .sdk_helpers import SdkProject, base_env, error_of, result_of, run_code

REPO = Path(__file__).resolve().parents[1]


def test_missing_parameter_gives_none_as_in_orchest(tmp_path):
    p = SdkProject(tmp_path)
    p.doc["parameters"] = {"alpha": 1}
    step = p.step("Train", """
        import orchest
        report([orchest.get_step_param("absent"), orchest.get_pipeline_param("absent"),
                orchest.get_step_param("absent", 7), orchest.get_pipeline_param("alpha")])
    """, parameters={"n": 1})
    assert result_of(p.run(step)) == [None, None, 7, 1]


def test_strict_parameters(tmp_path):
    p = SdkProject(tmp_path)
    by_config = p.step("By config", """
        import orchest
        orchest.Config.strict_parameters = True
        orchest.get_pipeline_param("absent")
    """)
    message = error_of(p.run(by_config, check=False), "ParameterNotFoundError")
    assert '"absent"' in message and "default=" in message
    by_env = p.step("By env", "import orchest; orchest.get_step_param('absent')")
    error_of(p.run(by_env, check=False, ORCHEST_STRICT_PARAMETERS="1"), "ParameterNotFoundError")
    # The class attribute wins over the variable.
    relaxed = p.step("Relaxed", """
        import orchest
        orchest.Config.strict_parameters = False
        report(orchest.get_step_param("absent"))
    """)
    assert result_of(p.run(relaxed, ORCHEST_STRICT_PARAMETERS="1")) is None


def test_output_name_with_the_separator_is_invalid(tmp_path):
    p = SdkProject(tmp_path)
    step = p.step("Sep", "import orchest; orchest.output(1, name='a; b')")
    assert "'; ' cannot be part of the `name`" in error_of(p.run(step, check=False), "DataInvalidNameError")
    ok = p.step("Ok", "import orchest; orchest.output(1, name='a;b'); orchest.output_to_disk(2, name=None)")
    p.run(ok)


def test_pipeline_objects(tmp_path):
    p = SdkProject(tmp_path, name="objects")
    p.doc["parameters"] = {"alpha": 0.5}
    a = p.step("A", "", parameters={"k": 1})
    b = p.step("B", "", incoming=[a])
    c = p.step("C", """
        import json
        import orchest
        from orchest.pipeline import Pipeline, PipelineStep
        # Orchest's types of the definition, which annotated code imports.
        from orchest.pipeline import PipelineDefinition, PipelineSettings, PipelineStepProperties, ServiceDefinition
        from orchest.error import StepUUIDResolveError
        pipeline = orchest.utils.get_pipeline()
        step = pipeline.get_step_by_uuid(orchest.utils.get_step_uuid(pipeline))
        a = [s for s in pipeline.steps if s.properties["title"] == "A"][0]
        try:
            pipeline.get_step_by_uuid("nope")
            missing = None
        except StepUUIDResolveError as e:
            missing = str(e)
        with open(orchest.Config.PIPELINE_DEFINITION_PATH) as f:
            on_disk = json.load(f)
        again = Pipeline.from_json(pipeline.to_dict()).to_dict()
        report({
            "types": [type(pipeline).__name__, type(step).__name__, isinstance(step, PipelineStep)],
            "parents": [s.properties["title"] for s in step.parents],
            "children_of_a": sorted(s.properties["title"] for s in a.children),
            "a_params": a.get_params(), "pipeline_params": pipeline.get_params(),
            "name": pipeline.properties["name"], "str": str(a), "repr": repr(a),
            "missing": missing,
            "round_trip": again["steps"] == on_disk["steps"] and again["uuid"] == on_disk["uuid"],
            "typed": PipelineDefinition(**on_disk) == on_disk and
                     PipelineStepProperties(**step.properties) == step.properties and
                     PipelineSettings(**on_disk["settings"]) == on_disk["settings"] and
                     ServiceDefinition(name="web", image="redis", scope=["interactive"]) ==
                     {"name": "web", "image": "redis", "scope": ["interactive"]},
        })
    """, incoming=[a, b])
    overrides = json.dumps({"pipeline_parameters": {"alpha": 0.9}, a: {"k": 2}})
    assert result_of(p.run(c, ORCHEST_PARAMETERS=overrides)) == {
        "types": ["Pipeline", "PipelineStep", True],
        "parents": ["A", "B"], "children_of_a": ["B", "C"],
        "a_params": {"k": 2}, "pipeline_params": {"alpha": 0.9},  # the run's values, like get_params()
        "name": "objects", "str": "<PipelineStep: A>", "repr": "PipelineStep('A')",
        "missing": "Step does not exist in the pipeline with UUID: nope.",
        "round_trip": False,  # the overrides are in
        "typed": True,
    }
    assert result_of(p.run(c))["round_trip"] is True


def test_get_step_uuid_in_a_notebook_kernel(tmp_path):
    """No ORCHEST_STEP_UUID: the step whose file is the kernel's notebook (Orchest asked its Jupyter
    server which notebook the kernel has; Jupyter gives it in JPY_SESSION_NAME here)."""
    p = SdkProject(tmp_path / "proj")
    nb = p.step("Explore", "", file_path="explore.ipynb", write=False)
    (p.root / "explore.ipynb").write_text("{}")
    code = """
        from orchest.utils import get_pipeline, get_step_uuid
        report(get_step_uuid(get_pipeline()))
    """
    proc = run_code(code, cwd=p.root, env=base_env(JPY_SESSION_NAME=str(p.root / "explore.ipynb")))
    assert result_of(proc) == nb
    other = SdkProject(tmp_path / "other")
    other.step("Else", "")
    code = """
        import json
        import orchest
        from orchest.pipeline import Pipeline
        with open(%r) as f:
            orchest.utils.get_step_uuid(Pipeline.from_json(json.load(f)))
    """ % str(other.pipeline_path)
    proc = run_code(code, cwd=p.root, env=base_env(JPY_SESSION_NAME=str(p.root / "explore.ipynb")))
    assert nb in error_of(proc, "StepUUIDResolveError")
    proc = run_code("import orchest; orchest.utils.get_pipeline()", cwd=p.root, env=base_env())
    error_of(proc, "StepUUIDResolveError")


def test_config_step_data_dir(tmp_path):
    p = SdkProject(tmp_path)
    step = p.step("Dirs", """
        import orchest
        report([orchest.Config.STEP_DATA_DIR, orchest.Config.get_step_data_dir("abc")])
    """)
    assert result_of(p.run(step)) == [str(p.data_dir / "{step_uuid}"), str(p.data_dir / "abc")]
    proc = run_code("import orchest; print(orchest.Config.STEP_DATA_DIR); orchest.Config.get_step_data_dir('x')",
                    cwd=tmp_path, env=base_env())
    assert proc.stdout.startswith("None") and "not running as a pipeline step" in error_of(proc, "StepUUIDResolveError")


# Orchest 0.3.11's orchest.error: each class and its base.
ORCHEST_ERRORS = {
    "Error": "Exception", "PipelineDefinitionNotFoundError": "Error", "SerializationError": "Error",
    "DeserializationError": "Error", "ObjectNotFoundError": "Error", "OutputNotFoundError": "Error",
    "DiskOutputNotFoundError": "OutputNotFoundError", "MemoryOutputNotFoundError": "OutputNotFoundError",
    "OrchestNetworkError": "Error", "StepUUIDResolveError": "Error", "InputNameCollisionError": "Error",
    "DataInvalidNameError": "Error", "ServiceNotFound": "Error", "InvalidMetaDataError": "Error",
    "UnrecognizedSessionType": "Error", "SessionNotFound": "Error",
}


def test_services_of_the_other_scope_are_no_error(tmp_path):
    """A session (or run) whose pipeline has services only of the other scope runs none: get_services()
    is empty, not SessionNotFound; a process without the services of its own scope is told so."""
    p = SdkProject(tmp_path)
    p.doc["services"] = {"batch": {"name": "batch", "image": "redis", "scope": ["noninteractive"], "ports": [6379]}}
    step = p.step("S", "import orchest; report(orchest.get_services())")
    assert result_of(p.run(step, ORCHEST_SESSION_TYPE="interactive")) == {}
    message = error_of(p.run(step, check=False, ORCHEST_SESSION_TYPE="noninteractive"), "SessionNotFound")
    assert "noninteractive services" in message and "docker backend" in message
    p.doc["services"]["batch"]["scope"] = ["interactive"]  # added to a session that started without it
    p.save()
    message = error_of(p.run(step, check=False, ORCHEST_SESSION_TYPE="interactive"), "SessionNotFound")
    assert "restart it if its services changed" in message


def test_error_classes_as_in_orchest(tmp_path):
    proc = run_code("""
        import orchest.error as e
        report({n: c.__bases__[0].__name__ for n, c in vars(e).items()
                if isinstance(c, type) and issubclass(c, Exception)})
    """, cwd=tmp_path, env=base_env())
    found = result_of(proc)
    assert {k: found.get(k) for k in ORCHEST_ERRORS} == ORCHEST_ERRORS


SESSION_CODE = """import json, os, orchest
print("SESSION " + json.dumps([os.environ.get(k) for k in ("ORCHEST_PROJECT_UUID", "ORCHEST_SESSION_UUID")]
      + [orchest.Config.SESSION_TYPE, orchest.Config.PROJECT_UUID, orchest.Config.SESSION_UUID]))
"""


async def test_session_variables_of_interactive_and_noninteractive_runs(jp_asyncio_loop, project):
    env = project.environment()
    project.file("script.py", SESSION_CODE)
    project.file("nb.ipynb", notebook(SESSION_CODE))
    steps = [project.step("script", "script.py", env), project.step("nb", "nb.ipynb", env)]
    pipeline = project.pipeline(*steps)
    path = project.write("p.orchest", pipeline)
    harness = Harness()
    try:
        seen = {}
        for interactive in (True, False):
            record = await harness.run(path, interactive=interactive)
            assert record["status"] == "SUCCESS", record
            for step in steps:
                lines = [line for line in harness.log_lines(record["uuid"], step["uuid"]) if line.startswith("SESSION ")]
                seen[interactive, step["title"]] = (json.loads(lines[-1][8:]), record["uuid"])
    finally:
        await harness.close()
    project_uuid = seen[True, "script"][0][0]
    assert re.fullmatch(r"[0-9a-f-]{36}", project_uuid)
    for (interactive, _), (values, run_uuid) in seen.items():
        session = project_uuid[:18] + pipeline["uuid"][:18] if interactive else run_uuid
        kind = "interactive" if interactive else "noninteractive"
        # The same project uuid for the snapshot's run: it is the project's, not the snapshot's.
        assert values == [project_uuid, session, kind, project_uuid, session]


TABLE_TEST = re.compile(r"`(test_[a-z_]+\.py)::(test_\w+)`")


def test_compatibility_table_rows_name_existing_tests():
    text = (REPO / "docs" / "step-sdk.md").read_text()
    section = text.split("## Compatibility with Orchest's SDK", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| ") and not line.startswith("| Orchest")
            and not set(line) <= set("|- ")]
    assert len(rows) >= 15
    defined: dict[str, set[str]] = {}
    for row in rows:
        cells = [c.strip() for c in row.strip("|").split("|")]
        assert len(cells) == 5 and cells[2] in ("same", "different", "only here"), row
        named = TABLE_TEST.findall(cells[4])
        assert named, f"no test named in row: {row}"
        for file, name in named:
            if file not in defined:
                tree = ast.parse((REPO / "tests" / file).read_text())
                defined[file] = {n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}
            assert name in defined[file], f"{file}::{name} (row: {row}) does not exist"
