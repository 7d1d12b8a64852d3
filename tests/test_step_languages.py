"""Julia (.jl) and JavaScript (.js) steps, as Orchest has them: scripts run with ``julia`` / ``node``,
notebooks with a kernel of their language; where the host lacks one, the step fails saying which
step and what is missing."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from orchest_jlab.pipelines import check_pipeline_file

from .engine_helpers import Harness, notebook

NODE = shutil.which("node")


@pytest.fixture
def harness(jp_asyncio_loop):
    h = Harness()
    yield h
    jp_asyncio_loop.run_until_complete(h.close())


@pytest.fixture
def only_node(tmp_path, monkeypatch):
    """A PATH with node and bash, and no julia, whatever the machine has."""
    folder = tmp_path / "bin"
    folder.mkdir()
    for tool in ("node", "bash"):
        if shutil.which(tool):
            (folder / tool).symlink_to(shutil.which(tool))
    monkeypatch.setenv("PATH", str(folder))
    return folder


@pytest.mark.skipif(NODE is None, reason="node is not installed")
async def test_js_and_jl_steps(harness, project, only_node):
    env = project.environment()
    project.file("load.js", "const fs = require('fs');\n"
                 "fs.writeFileSync('from-node.json', JSON.stringify({step: process.env.ORCHEST_STEP_UUID,"
                 " cwd: process.cwd()}));\nconsole.log('node says hi');\n")
    project.file("model.jl", 'println("never")\n')
    load = project.step("Load", "load.js", env)
    model = project.step("Fit model", "model.jl", env, incoming=[load["uuid"]])
    path = project.write("langs.orchest", project.pipeline(load, model))
    assert check_pipeline_file(path)[1].valid

    record = await harness.run(path)
    assert harness.states(record) == {"Load": "COMPUTED", "Fit model": "FAILURE"}
    assert harness.log_lines(record["uuid"], load["uuid"]) == ["node says hi"]
    written = json.loads((project.root / "from-node.json").read_text())
    assert written == {"step": load["uuid"], "cwd": str(project.root)}
    error = record["steps"][model["uuid"]]["error"]
    assert error.startswith('Step "Fit model": "julia" is needed to run model.jl but is not installed'), error
    assert "docker backend" in error


async def test_a_notebook_without_a_kernel_of_its_language(harness, project):
    env = project.environment()
    text = json.loads(notebook("console.log(1)", kernel="javascript"))
    text["metadata"]["kernelspec"]["language"] = "javascript"
    project.file("explore.ipynb", json.dumps(text))
    step = project.step("Explore", "explore.ipynb", env)
    step["kernel"] = {"name": "orchest-kernel-" + env, "display_name": "JavaScript"}
    path = project.write("nb.orchest", project.pipeline(step))
    record = await harness.run(path)
    error = record["steps"][step["uuid"]]["error"]
    assert record["steps"][step["uuid"]]["state"] == "FAILURE"
    assert error.startswith('Step "Explore": explore.ipynb needs a javascript kernel ("orchest-kernel-'), error
    assert "not installed on this machine" in error
