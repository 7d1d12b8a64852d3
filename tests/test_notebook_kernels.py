"""A step's notebook opened in JupyterLab where environment kernels are not served (no Docker, or
c.OrchestApp.environment_kernels False, as in these tests): it keeps a host kernel, started by the
Jupyter server as for any notebook, and `import orchest` there (sdk_in_kernels) knows its step from
the notebook's path: its parameters and the outputs of the last interactive run of its incoming
steps."""

from __future__ import annotations

import inspect
import json
from pathlib import Path

import nbformat
import pytest

from .conftest import ProjectBuilder
from .session_helpers import start_session
from .test_runs_api import api, finished


@pytest.fixture
def root(jp_root_dir) -> ProjectBuilder:
    return ProjectBuilder(Path(jp_root_dir))


async def _maybe(value):
    return await value if inspect.isawaitable(value) else value


async def test_a_step_notebook_on_a_host_kernel_gets_its_parameters_and_inputs(jp_fetch, jp_serverapp, root):
    env = root.environment()
    root.file("make.py", "import orchest\norchest.output([1, 2, 3], name='numbers')\n")
    root.file("nb.ipynb", nbformat.writes(nbformat.v4.new_notebook()))
    make = root.step("Make", "make.py", env)
    use = root.step("Use", "nb.ipynb", env, [make["uuid"]], parameters={"n": 4})
    root.write("p.orchest", root.pipeline(make, use))
    await start_session(jp_fetch)
    _, run = await api(jp_fetch, "POST", "runs", body={
        "pipeline": "p.orchest", "run_type": "selection", "steps": [make["uuid"]]})
    assert (await finished(jp_fetch, run["uuid"]))["status"] == "SUCCESS"

    # As JupyterLab opens a notebook: a session for its path, on the kernel its metadata names.
    response = await jp_fetch("api", "sessions", method="POST", body=json.dumps({
        "path": "nb.ipynb", "name": "nb.ipynb", "type": "notebook", "kernel": {"name": "python3"}}))
    kernel_id = json.loads(response.body)["kernel"]["id"]
    manager = jp_serverapp.kernel_manager.get_kernel(kernel_id)
    client = manager.client()
    client.start_channels()
    outputs: list[str] = []

    def keep(msg):
        if msg["msg_type"] == "stream":
            outputs.append(msg["content"]["text"])
        elif msg["msg_type"] == "error":
            outputs.append("\n".join(msg["content"]["traceback"]))

    try:
        await _maybe(client.wait_for_ready(timeout=60))
        reply = await _maybe(client.execute_interactive(
            "import orchest\nprint(orchest.get_step_param('n'), orchest.get_inputs())",
            timeout=60, output_hook=keep))
    finally:
        client.stop_channels()
        await jp_fetch("api", "kernels", kernel_id, method="DELETE")
    assert reply["content"]["status"] == "ok", outputs
    assert "".join(outputs) == "4 {'unnamed': [], 'numbers': [1, 2, 3]}\n"
