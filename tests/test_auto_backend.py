"""The default backend, `auto`, on a server where a Docker engine runs: a pipeline whose images can
be had runs in containers; one whose base image is not here runs on the host, and its session and
its runs say why."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .conftest import ProjectBuilder
from .session_helpers import start_session, stop_session
from .test_runs_api import api, finished

pytestmark = pytest.mark.usefixtures("needs_docker")


@pytest.fixture
def jp_server_config(tmp_path):
    return {"ServerApp": {"jpserver_extensions": {"orchest_jlab": True}},
            "OrchestApp": {"backend": "auto", "environment_kernels": False, "build_network": "none",
                           "docker_data_dir": str(tmp_path / "data")}}


@pytest.fixture
def root(jp_root_dir) -> ProjectBuilder:
    return ProjectBuilder(Path(jp_root_dir))


async def test_a_missing_base_image_runs_on_the_host_and_the_session_and_run_say_why(jp_fetch, root):
    env = root.environment("Elsewhere")
    properties = root.root / ".orchest" / "environments" / env / "properties.json"
    properties.write_text(json.dumps({**json.loads(properties.read_text()), "base_image": "example.org/not-here:1"}))
    root.file("a.py", "import os\nprint('in a container:', os.path.isdir('/orchest/sdk'))\n")
    step = root.step("A", "a.py", env)
    root.write("p.orchest", root.pipeline(step))
    session = await start_session(jp_fetch)
    try:
        assert session["backend"] == "local" and session["environments"][0]["image"] == "NOT_NEEDED"
        assert "example.org/not-here:1" in session["message"] and "on the host" in session["message"]
        _, run = await api(jp_fetch, "POST", "runs", body={"pipeline": "p.orchest"})
        run = await finished(jp_fetch, run["uuid"])
        assert run["status"] == "SUCCESS" and run["backend"] == "local"
        assert len(run["warnings"]) == 1 and "example.org/not-here:1" in run["warnings"][0]
        _, log = await api(jp_fetch, "GET", "runs", run["uuid"], "steps", step["uuid"], "log")
        assert "in a container: False" in log
    finally:
        await stop_session(jp_fetch)
