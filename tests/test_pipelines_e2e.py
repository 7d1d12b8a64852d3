"""Whole pipelines through the engine with the step SDK: data passing, parameters, the example
project on the command line, and a step's notebook opened in a real Jupyter server."""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import EXAMPLES, ProjectBuilder
from .engine_helpers import Harness, notebook
from .session_helpers import start_session


@pytest.fixture
def harness(jp_asyncio_loop):
    h = Harness()
    yield h
    jp_asyncio_loop.run_until_complete(h.close())


def data_diamond(project: ProjectBuilder):
    """top → (left: named output, right: unnamed) → bottom (a notebook) that checks its inputs."""
    env = project.environment()
    project.file("top.py", "import orchest\norchest.output([1, 2, 3], name='numbers')\n")
    project.file("left.py", (
        "import orchest\n"
        "numbers = orchest.get_inputs()['numbers']\n"
        "scale = orchest.get_step_param('scale')\n"
        "orchest.output([n * scale for n in numbers], name='scaled')\n"))
    project.file("right.py", (
        "import orchest\n"
        "orchest.output(orchest.get_pipeline_param('label'))\n"))
    project.file("bottom.ipynb", notebook(
        "import json, orchest\ninputs = orchest.get_inputs()",
        "print(json.dumps({'scaled': inputs['scaled'], 'unnamed': inputs['unnamed']}))"))
    top = project.step("top", "top.py", env)
    left = project.step("left", "left.py", env, [top["uuid"]], parameters={"scale": 10})
    right = project.step("right", "right.py", env, [top["uuid"]])
    bottom = project.step("bottom", "bottom.ipynb", env, [right["uuid"], left["uuid"]])
    data = project.pipeline(top, left, right, bottom, parameters={"label": "from the pipeline"})
    return project.write("data.orchest", data), {s["title"]: s["uuid"] for s in (top, left, right, bottom)}


def bottom_output(harness, record, ids) -> dict:
    [line] = [line for line in harness.log_lines(record["uuid"], ids["bottom"]) if line.startswith("{")]
    return json.loads(line)


async def test_data_passes_along_a_diamond(harness, project):
    path, ids = data_diamond(project)
    record = await harness.run(path)
    assert record["status"] == "SUCCESS", record
    assert bottom_output(harness, record, ids) == {"scaled": [10, 20, 30], "unnamed": ["from the pipeline"]}


async def test_parameter_overrides_in_interactive_and_non_interactive_runs(harness, project):
    path, ids = data_diamond(project)
    overrides = {"pipeline_parameters": {"label": "overridden"}, ids["left"]: {"scale": 2}}
    record = await harness.run(path, parameters=overrides)
    assert bottom_output(harness, record, ids) == {"scaled": [2, 4, 6], "unnamed": ["overridden"]}
    assert json.loads(path.read_text())["parameters"] == {"label": "from the pipeline"}  # file untouched
    record = await harness.run(path, parameters=overrides, interactive=False)
    assert bottom_output(harness, record, ids) == {"scaled": [2, 4, 6], "unnamed": ["overridden"]}


async def test_a_selection_run_reads_the_outputs_of_the_last_run(harness, project):
    path, ids = data_diamond(project)
    await harness.run(path)
    record = await harness.run(path, run_type="selection", steps=[ids["bottom"]])
    assert bottom_output(harness, record, ids) == {"scaled": [10, 20, 30], "unnamed": ["from the pipeline"]}


async def test_a_missing_parent_output_fails_the_child_with_the_parent_named(harness, project):
    path, ids = data_diamond(project)
    (project.root / "right.py").write_text("print('no output today')\n")
    record = await harness.run(path)
    assert harness.states(record)["bottom"] == "FAILURE"
    log = "\n".join(harness.log_lines(record["uuid"], ids["bottom"]))
    assert "right" in log and "Error" in log


async def test_numpy_pandas_and_arrow_between_steps(harness, project):
    pytest.importorskip("numpy")
    pytest.importorskip("pandas")
    pytest.importorskip("pyarrow")
    env = project.environment()
    project.file("make.py", (
        "import numpy as np, pandas as pd, pyarrow as pa, orchest\n"
        "array = np.arange(4_000_000, dtype=np.float64)\n"
        "frame = pd.DataFrame({'a': np.arange(5), 'b': list('vwxyz')})\n"
        "table = pa.table({'x': [1, 2, 3]})\n"
        "orchest.output({'array': array, 'frame': frame}, name='numpy_pandas')\n"))
    project.file("table.py", "import pyarrow as pa, orchest\norchest.output(pa.table({'x': [1, 2, 3]}), name='table')\n")
    project.file("check.py", (
        "import numpy as np, orchest\n"
        "inputs = orchest.get_inputs()\n"
        "data, table = inputs['numpy_pandas'], inputs['table']\n"
        "assert data['array'].sum() == np.arange(4_000_000, dtype=np.float64).sum()\n"
        "assert list(data['frame']['b']) == list('vwxyz')\n"
        "assert table.column('x').to_pylist() == [1, 2, 3]\n"
        "print('all good')\n"))
    make = project.step("make", "make.py", env)
    table = project.step("table", "table.py", env)
    check = project.step("check", "check.py", env, [make["uuid"], table["uuid"]])
    record = await harness.run(project.write("np.orchest", project.pipeline(make, table, check)))
    assert record["status"] == "SUCCESS", record
    assert harness.log_lines(record["uuid"], check["uuid"]) == ["all good"]


def test_the_example_project_runs_from_the_command_line(tmp_path):
    project = tmp_path / "examples"
    shutil.copytree(EXAMPLES, project)
    done = subprocess.run(
        [sys.executable, "-m", "orchest_jlab", "run", str(project / "quickstart.orchest"), "--json",
         "--step-param", "Make data:days=10", "--param", "unit=fahrenheit"],
        capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    record = json.loads(done.stdout)
    assert record["status"] == "SUCCESS" and record["backend"] == "local"
    assert [s["state"] for s in record["steps"].values()] == ["COMPUTED"] * 3
    assert "The 3 hottest days (fahrenheit):" in done.stderr
    assert "Make data : COMPUTED" in done.stderr
    # The interactive run wrote the executed notebook back, outputs included.
    executed = json.loads((project / "transform.ipynb").read_text())
    assert any(cell.get("outputs") for cell in executed["cells"])


def test_the_command_line_refuses_an_unknown_step(tmp_path):
    project = tmp_path / "examples"
    shutil.copytree(EXAMPLES, project)
    done = subprocess.run([sys.executable, "-m", "orchest_jlab", "run", str(project / "quickstart.orchest"),
                           "--type", "selection", "--step", "Nope"], capture_output=True, text=True)
    assert done.returncode == 2 and 'no step with the uuid or title "Nope"' in done.stderr


async def test_a_step_notebook_opened_in_jupyter_gets_its_inputs(jp_fetch, jp_serverapp, jp_root_dir):
    project = ProjectBuilder(Path(jp_root_dir))
    env = project.environment()
    project.file("make.py", "import orchest\norchest.output({'answer': 42}, name='made')\n")
    project.file("use.ipynb", notebook("print('editing')"))
    make = project.step("make", "make.py", env)
    use = project.step("use", "use.ipynb", env, [make["uuid"]])
    project.write("p.orchest", project.pipeline(make, use))
    await start_session(jp_fetch)
    response = await jp_fetch("orchest", "api", "runs", method="POST", body=json.dumps(
        {"pipeline": "p.orchest", "run_type": "selection", "steps": [make["uuid"]]}))
    run_uuid = json.loads(response.body)["uuid"]
    for _ in range(400):
        run = json.loads((await jp_fetch("orchest", "api", "runs", run_uuid)).body)
        if run["status"] == "SUCCESS":
            break
        await asyncio.sleep(0.05)
    assert run["status"] == "SUCCESS"

    # What JupyterLab does when the user opens the notebook: a session with a kernel.
    response = await jp_fetch("api", "sessions", method="POST", body=json.dumps(
        {"path": "use.ipynb", "name": "use.ipynb", "type": "notebook", "kernel": {"name": "python3"}}))
    kernel_id = json.loads(response.body)["kernel"]["id"]
    client = jp_serverapp.kernel_manager.get_kernel(kernel_id).client()
    client.start_channels()
    try:
        await client.wait_for_ready(timeout=60)
        outputs = []
        reply = await client.execute_interactive(
            "import orchest; print(orchest.get_inputs()['made']['answer'])",
            output_hook=lambda msg: outputs.append(msg["content"].get("text", "")), timeout=60)
        assert reply["content"]["status"] == "ok", reply
        assert "".join(outputs).strip() == "42"
    finally:
        client.stop_channels()
