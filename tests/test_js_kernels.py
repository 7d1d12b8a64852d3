"""JavaScript notebook steps on Deno's Jupyter kernel: on the host when one is installed (the test
extras install Deno), else a failure naming the step and what to install. Containers: see
test_js_kernels_docker.py."""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

import pytest

from orchest_jlab.engine.runners.tcp_bridge import bridged, tcp_only

from .engine_helpers import Harness, notebook

# The test extras' deno is beside this Python, whether or not its folder is on PATH.
DENO = shutil.which("deno", path=os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]))


@pytest.fixture
def harness(jp_asyncio_loop):
    h = Harness()
    yield h
    jp_asyncio_loop.run_until_complete(h.close())


def js_notebook(*sources: str, kernel: str) -> str:
    """As Orchest's JavaScript notebooks are: language javascript, the environment's kernel."""
    text = json.loads(notebook(*sources, kernel=kernel))
    text["metadata"]["kernelspec"]["language"] = "javascript"
    return json.dumps(text)


def install_deno_kernel(data_dir: Path) -> None:
    """Deno's kernelspec as ``deno jupyter --install`` writes it (language typescript), in the test's
    own Jupyter data folder."""
    folder = data_dir / "kernels" / "deno"
    folder.mkdir(parents=True)
    (folder / "kernel.json").write_text(json.dumps({
        "argv": [DENO, "jupyter", "--kernel", "--conn", "{connection_file}"],
        "display_name": "Deno", "language": "typescript"}))


def test_only_denos_kernel_goes_through_the_bridge():
    assert tcp_only(["/usr/local/bin/deno", "jupyter", "--kernel", "--conn", "/r/c.json"])
    assert not tcp_only(["python3", "-m", "ipykernel_launcher", "-f", "/r/c.json"])
    assert not tcp_only(["deno", "run", "x.js"])
    command = bridged(["deno", "jupyter", "--kernel", "--conn", "/r/c.json"], "/r/c.json", "/b.js")
    assert command[:2] == ["sh", "-c"] and command[4:] == [
        "/b.js", "/r/c.json", "deno", "jupyter", "--kernel", "--conn", "/r/c.json.tcp"]


@pytest.mark.skipif(DENO is None, reason="deno is not installed (pip install deno)")
async def test_a_js_notebook_step_runs_on_a_host_deno_kernel_over_ipc(harness, project, tmp_path):
    install_deno_kernel(tmp_path / "jupyter-data")
    env = project.environment()
    project.file("data.json", '{"rows": 3}')
    project.file("explore.ipynb", js_notebook(
        'const data = JSON.parse(Deno.readTextFileSync("data.json"));\nconsole.log("rows", data.rows)',
        'console.log("step", Deno.env.get("ORCHEST_STEP_UUID"))',
        kernel=f"orchest-kernel-{env}"))
    project.file("fails.ipynb", js_notebook('throw new Error("no such table")', kernel=f"orchest-kernel-{env}"))
    step = project.step("Explore", "explore.ipynb", env, kernel={"name": f"orchest-kernel-{env}", "display_name": "JS"})
    failing = project.step("Fails", "fails.ipynb", env)
    record = await harness.run(project.write("js.orchest", project.pipeline(step, failing)))

    assert harness.states(record) == {"Explore": "COMPUTED", "Fails": "FAILURE"}, record
    assert harness.log_lines(record["uuid"], step["uuid"]) == ["rows 3", f"step {step['uuid']}"]
    executed = json.loads((project.root / "explore.ipynb").read_text())
    assert [o["text"] for c in executed["cells"] for o in c["outputs"]] == [["rows 3\n"], [f"step {step['uuid']}\n"]]
    assert record["steps"][failing["uuid"]]["error"] == "a cell of fails.ipynb raised Error: no such table"
    assert not list(Path(tmp_path).rglob("*.json.tcp"))  # the key is not left on disk


async def test_a_js_notebook_step_without_a_host_kernel_says_what_to_install(harness, project):
    env = project.environment()
    project.file("explore.ipynb", js_notebook("console.log(1)", kernel=f"orchest-kernel-{env}"))
    step = project.step("Explore", "explore.ipynb", env, kernel={"name": f"orchest-kernel-{env}", "display_name": "JS"})
    record = await harness.run(project.write("js.orchest", project.pipeline(step)))
    error = record["steps"][step["uuid"]]["error"]
    assert error == (f'Step "Explore": explore.ipynb needs a javascript kernel ("orchest-kernel-{env}"), which is '
                     "not installed on this machine; install one (Deno's kernel: pip install deno && deno jupyter "
                     "--install), or run on the docker backend.")

