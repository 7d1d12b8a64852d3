"""Retries and timeouts per step (the step's ``orchest_jlab`` settings), on the local backend:
scripts and notebooks, attempts' logs kept, a timed-out step's whole process tree killed."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest
from tornado.httpclient import HTTPClientError

from orchest_jlab.engine.steplog import attempt_log_path
from orchest_jlab.pipelines import step_policy, validate_pipeline

from .conftest import ProjectBuilder
from .engine_helpers import Harness, notebook

# Fails the first two times it runs (a counter file beside it), then passes.
FLAKY_SCRIPT = """import pathlib
counter = pathlib.Path("count.txt")
n = int(counter.read_text()) + 1 if counter.exists() else 1
counter.write_text(str(n))
print(f"attempt {n}")
if n < 3:
    raise SystemExit(f"failing on attempt {n}")
print("passed")
"""

FLAKY_CELL = """import pathlib
counter = pathlib.Path("nb-count.txt")
n = int(counter.read_text()) + 1 if counter.exists() else 1
counter.write_text(str(n))
print(f"notebook attempt {n}")
assert n >= 3, f"failing on attempt {n}"
"""

# Starts a child in a session of its own (out of the step's process group), which records its pid,
# then sleeps far longer than the step's timeout.
SLEEPER = """import subprocess, sys, time
child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(300)"], start_new_session=True)
open("child.pid", "w").write(str(child.pid))
print("sleeping", flush=True)
time.sleep(300)
"""


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie waiting for its parent has ended too
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


@pytest.fixture
def harness(jp_asyncio_loop):
    h = Harness()
    yield h
    jp_asyncio_loop.run_until_complete(h.close())


def by_title(record: dict) -> dict[str, dict]:
    return {s["title"]: s for s in record["steps"].values()}


async def test_a_step_that_fails_twice_passes_on_its_third_attempt(harness: Harness, project: ProjectBuilder):
    env = project.environment()
    project.file("flaky.py", FLAKY_SCRIPT)
    project.file("flaky.ipynb", notebook(FLAKY_CELL))
    settings = {"orchest_jlab": {"retries": 2, "retry_delay": 0.2}}
    script = project.step("Script", "flaky.py", env, **settings)
    nb = project.step("Notebook", "flaky.ipynb", env, **settings)
    after = project.step("After", "after.py", env, incoming=[script["uuid"], nb["uuid"]])
    project.file("after.py", "print('after')\n")
    record = await harness.run(project.write("p.orchest", project.pipeline(script, nb, after)))

    steps = by_title(record)
    assert record["status"] == "SUCCESS", record
    assert {t: (s["state"], s["attempts"]) for t, s in steps.items()} == {
        "Script": ("COMPUTED", 3), "Notebook": ("COMPUTED", 3), "After": ("COMPUTED", 1)}
    log = Path(steps["Script"]["log_path"])
    first, second = attempt_log_path(log, 1).read_text(), attempt_log_path(log, 2).read_text()
    assert "attempt 1" in first and "failing on attempt 1" in first and "Retrying in 0.2 s (attempt 2 of 3)" in first
    assert "Attempt 2 of 3" in second and "failing on attempt 2" in second
    assert "Attempt 3 of 3" in log.read_text() and "passed" in log.read_text()
    nb_log = Path(steps["Notebook"]["log_path"])
    assert "failing on attempt 2" in attempt_log_path(nb_log, 2).read_text()
    assert "notebook attempt 3" in nb_log.read_text()

    harness.stores.flush()
    stored = harness.stores.for_project(project.root).get_run(record["uuid"])
    assert {s["title"]: s["attempts"] for s in stored["steps"].values()} == {"Script": 3, "Notebook": 3, "After": 1}


async def test_retries_run_out(harness: Harness, project: ProjectBuilder):
    env = project.environment()
    project.file("fail.py", "raise SystemExit(3)\n")
    step = project.step("Fail", "fail.py", env, orchest_jlab={"retries": 1})
    record = await harness.run(project.write("p.orchest", project.pipeline(step)))
    (only,) = record["steps"].values()
    assert (only["state"], only["attempts"]) == ("FAILURE", 2)
    assert only["error"] == "fail.py exited with code 3 (attempt 2 of 2)"


async def test_a_timed_out_script_is_killed_with_its_children(harness: Harness, project: ProjectBuilder):
    env = project.environment()
    project.file("sleeper.py", SLEEPER)
    step = project.step("Sleeper", "sleeper.py", env, orchest_jlab={"timeout": 1})
    started = time.monotonic()
    record = await harness.run(project.write("p.orchest", project.pipeline(step)))
    elapsed = time.monotonic() - started
    (only,) = record["steps"].values()
    assert only["state"] == "FAILURE" and only["error"] == "timed out after 1 s", only
    assert record["status"] == "FAILURE"
    assert elapsed < 15, "stopped at its timeout, not at its end"
    child = int((project.root / "child.pid").read_text())
    for _ in range(50):  # SIGKILL is delivered asynchronously
        if not alive(child):
            break
        time.sleep(0.1)
    assert not alive(child), "the child that left the step's process group was killed too"
    assert "timed out after 1 s" in Path(only["log_path"]).read_text()


async def test_a_timed_out_notebook_fails_and_a_retry_gets_a_new_attempt(harness: Harness, project: ProjectBuilder):
    env = project.environment()
    project.file("slow.ipynb", notebook("import time\nprint('cell started', flush=True)\ntime.sleep(300)"))
    step = project.step("Slow", "slow.ipynb", env, orchest_jlab={"timeout": 1.5, "retries": 1})
    started = time.monotonic()
    record = await harness.run(project.write("p.orchest", project.pipeline(step)))
    (only,) = record["steps"].values()
    assert (only["state"], only["attempts"]) == ("FAILURE", 2)
    assert only["error"] == "timed out after 1.5 s (attempt 2 of 2)"
    assert time.monotonic() - started < 30
    # The first attempt's log is kept (whether its cell printed within 1.5 s depends on the machine's load).
    assert "timed out after 1.5 s\nRetrying in 0 s (attempt 2 of 2)." in attempt_log_path(only["log_path"], 1).read_text()
    assert "Attempt 2 of 2" in Path(only["log_path"]).read_text()


def test_the_settings_are_validated_naming_the_step_and_the_field(project: ProjectBuilder):
    env = project.environment()
    step = project.step("Train", "train.py", env, orchest_jlab={"retries": -1, "timeout": 0, "retires": 2,
                                                                 "retry_delay": "5"})
    problems = validate_pipeline(project.pipeline(step)).problems
    found = {p.pointer.rsplit("/", 1)[-1]: p for p in problems}
    u = step["uuid"]
    assert {p.pointer for p in problems} == {f"/steps/{u}/orchest_jlab", f"/steps/{u}/orchest_jlab/retries",
                                             f"/steps/{u}/orchest_jlab/timeout", f"/steps/{u}/orchest_jlab/retry_delay"}
    assert all(p.step_title == "Train" for p in problems)
    assert found["retries"].message == "Should be at least 0, not -1."
    assert found["timeout"].message == "Should be more than 0, not 0."
    assert found["retry_delay"].message.startswith("Should be a number, not a string")
    assert found["orchest_jlab"].message.startswith('Unknown setting "retires"')
    ok = project.step("Train", "train.py", env, orchest_jlab={"retries": 2, "retry_delay": 1.5, "timeout": 60})
    assert validate_pipeline(project.pipeline(ok)).valid
    policy = step_policy(ok)
    assert (policy.attempts, policy.retry_delay, policy.timeout) == (3, 1.5, 60)
    assert step_policy(project.step("X", "x.py", env)).attempts == 1


async def test_the_log_endpoint_serves_each_attempt(jp_fetch, jp_root_dir):
    from .test_runs_api import api, finished

    root = ProjectBuilder(Path(jp_root_dir))
    env = root.environment()
    root.file("flaky.py", FLAKY_SCRIPT)
    step = root.step("Flaky", "flaky.py", env, orchest_jlab={"retries": 2})
    root.write("p.orchest", root.pipeline(step))
    _, run = await api(jp_fetch, "POST", "runs", body={"pipeline": "p.orchest", "interactive": False})
    run = await finished(jp_fetch, run["uuid"])
    assert run["status"] == "SUCCESS" and run["steps"][step["uuid"]]["attempts"] == 3
    logs = {}
    for attempt in (1, 2, 3):
        _, logs[attempt] = await api(jp_fetch, "GET", "runs", run["uuid"], "steps", step["uuid"], "log",
                                     params={"attempt": str(attempt)})
    _, last = await api(jp_fetch, "GET", "runs", run["uuid"], "steps", step["uuid"], "log")
    assert "failing on attempt 1" in logs[1] and "failing on attempt 2" in logs[2] and last == logs[3]
    assert "passed" in last and "failing" not in last
    with pytest.raises(HTTPClientError) as info:
        await jp_fetch("orchest", "api", "runs", run["uuid"], "steps", step["uuid"], "log", params={"attempt": "4"})
    code, error = info.value.code, json.loads(info.value.response.body)
    assert code == 400 and error["message"] == '"attempt" must be between 1 and 3: step "Flaky" has had 3 attempts.'


def test_resources_are_validated_and_the_step_s_override_its_environment_s(project: ProjectBuilder):
    from orchest_jlab.pipelines.policy import step_resources

    env = project.environment()
    bad = project.step("Train", "train.py", env, orchest_jlab={"resources": {"GPU": -1, "bad name": 1, "CPU": "2"}})
    problems = {p.pointer.rsplit("/", 1)[-1]: p.message for p in validate_pipeline(project.pipeline(bad)).problems}
    assert problems["GPU"].startswith("Should be at least 0") and problems["CPU"].startswith("Should be a number")
    assert problems["bad name"].startswith('"bad name" does not have the expected form')
    ok = project.step("Train", "train.py", env, orchest_jlab={"resources": {"GPU": 2, "MEMORY": 8e9}})
    assert validate_pipeline(project.pipeline(ok)).valid
    environment = {"orchest_jlab": {"resources": {"GPU": 1, "CPU": 4}}}
    assert step_resources(ok, environment) == {"GPU": 2, "MEMORY": 8e9, "CPU": 4}
    assert step_resources(project.step("X", "x.py", env)) == {}
    # An environment's gpu_support is a GPU, unless the environment or the step says otherwise (0: none).
    gpu = {"gpu_support": True}
    assert step_resources(project.step("X", "x.py", env), gpu) == {"GPU": 1}
    assert step_resources(ok, {**gpu, **environment}) == {"GPU": 2, "MEMORY": 8e9, "CPU": 4}
    no_gpu = project.step("X", "x.py", env, orchest_jlab={"resources": {"GPU": 0}})
    assert validate_pipeline(project.pipeline(no_gpu)).valid and step_resources(no_gpu, gpu) == {}
    assert step_resources(project.step("X", "x.py", env), {"gpu_support": False}) == {}
