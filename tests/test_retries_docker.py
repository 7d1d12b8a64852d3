"""Retries and timeouts on the docker backend: a step retried in new containers, a timed-out
step's container removed (with everything running in it)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from orchest_jlab.engine.steplog import attempt_log_path
from orchest_jlab.environments.files import create_environment

from .test_docker import client, docker_env, leftovers, ours  # noqa: F401 (fixtures)
from .test_retries import FLAKY_SCRIPT

pytestmark = pytest.mark.usefixtures("needs_docker")


async def test_retries_and_a_timeout_in_containers(docker_env, project, client):  # noqa: F811
    env = create_environment(project.root, {}).uuid
    project.file("flaky.py", FLAKY_SCRIPT)
    project.file("sleeper.sh", "sleep 300 &\necho $! > child.pid\necho sleeping\nsleep 300\n")
    flaky = project.step("Flaky", "flaky.py", env, orchest_jlab={"retries": 2})
    sleeper = project.step("Sleeper", "sleeper.sh", env, orchest_jlab={"timeout": 6})
    started = time.monotonic()
    record = await docker_env.run(project.write("p.orchest", project.pipeline(flaky, sleeper)))
    steps = {s["title"]: s for s in record["steps"].values()}
    assert (steps["Flaky"]["state"], steps["Flaky"]["attempts"]) == ("COMPUTED", 3)
    assert "failing on attempt 2" in attempt_log_path(steps["Flaky"]["log_path"], 2).read_text()
    assert "passed" in Path(steps["Flaky"]["log_path"]).read_text()
    assert (steps["Sleeper"]["state"], steps["Sleeper"]["error"]) == ("FAILURE", "timed out after 6 s")
    assert (project.root / "child.pid").exists()
    assert time.monotonic() - started < 120
    assert ours(client, run=record["uuid"]) == [] and leftovers(client, project.root) == []
