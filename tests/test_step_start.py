"""Shortcuts on every step's start and every recorded event (docs/benchmarks.md): they must give
what the plain way gives."""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path

import psutil
import pytest

from orchest_jlab.engine import cgroups, spawner
from orchest_jlab.engine.context import environ_copy
from orchest_jlab.engine.orphans import CGROUPS_RECORD, kill_orphaned_process, step_token
from orchest_jlab.runs import prepare_run
from orchest_jlab.store.text import storable

from .engine_helpers import Harness


def test_a_steps_environment_follows_every_change_of_this_processs(monkeypatch):
    assert environ_copy() == dict(os.environ)
    monkeypatch.setenv("ORCHEST_JLAB_TEST_VARIABLE", "one")
    assert environ_copy()["ORCHEST_JLAB_TEST_VARIABLE"] == "one"
    monkeypatch.setenv("ORCHEST_JLAB_TEST_VARIABLE", "two")  # the same number of variables, one changed
    assert environ_copy()["ORCHEST_JLAB_TEST_VARIABLE"] == "two"
    copy = environ_copy()
    copy["ORCHEST_JLAB_TEST_VARIABLE"] = "changed by a step's start"  # each start gets a copy of its own
    assert environ_copy()["ORCHEST_JLAB_TEST_VARIABLE"] == "two"
    monkeypatch.delenv("ORCHEST_JLAB_TEST_VARIABLE")
    assert "ORCHEST_JLAB_TEST_VARIABLE" not in environ_copy()
    assert environ_copy() == dict(os.environ)


def test_storable_keeps_an_encodable_event_and_replaces_lone_surrogates_anywhere():
    event = {"type": "step", "error": "é ✓", "attempts": 1, "finished": None, "warnings": ["a"]}
    assert storable(event) is event
    bad = {"type": "run", "error": "x\ud800", "steps": {"k\udfff": [{"title": "\ud800"}]}, "n": 1.5}
    assert storable(bad) == {"type": "run", "error": "x\ufffd", "steps": {"k\ufffd": [{"title": "\ufffd"}]}, "n": 1.5}
    assert storable(bad)["error"] != bad["error"]  # a copy: the event itself is left as it is
    assert bad["error"] == "x\ud800"


async def test_a_step_born_in_its_cgroup_is_recorded_once_per_run_and_recovery_finds_its_daemon(
        jp_asyncio_loop, project, tmp_path):
    """No record file made and removed per step (orphans.py): its run's cgroups.json and its token
    find its cgroup, where a daemon that left its session and dropped its token is killed."""
    if not cgroups.available() or spawner._broken:
        pytest.skip("no writable cgroup v2 hierarchy here: steps have a record of their own")
    pidfile = tmp_path / "daemon.pid"
    env = project.environment()
    project.file("d.py", "import subprocess, time\n"
                         "daemon = subprocess.Popen(['env', '-i', 'setsid', 'sleep', '600'])\n"
                         f"open({str(pidfile)!r}, 'w').write(str(daemon.pid))\ntime.sleep(600)\n")
    step = project.step("d", "d.py", env)
    path = project.write("d.orchest", project.pipeline(step))
    harness = Harness()
    daemon = None
    try:
        run = harness.engine.start(prepare_run(path))
        for _ in range(200):
            log_path = run.steps[step["uuid"]].log_path
            if log_path and pidfile.exists() and pidfile.read_text():
                break
            await asyncio.sleep(0.05)
        daemon = psutil.Process(int(pidfile.read_text()))
        log = Path(log_path)
        assert (log.parent / CGROUPS_RECORD).exists() and not log.with_suffix(".process").exists()
        # As recovery does when the run's owner died (here the owner lives: its engine is then cancelled).
        kill_orphaned_process(log, step_token(run.uuid, step["uuid"]))  # (cgroup.kill's kills are not counted)
        daemon.wait(10)  # psutil.TimeoutExpired if it was not killed
        await harness.engine.wait(run.uuid)
        assert run.steps[step["uuid"]].state.value == "FAILURE"
    finally:
        if daemon is not None and daemon.is_running():
            daemon.kill()
        await harness.close()


def test_the_run_command_starts_the_spawners_helper_without_a_new_interpreter(project):
    """The steps' parent is the C helper where it was built (an exec of a small program), else a
    fork of the command (prefork.py), never a new interpreter running _spawnd.py, when steps are
    born in their cgroups; no process of it is left afterwards."""
    import subprocess
    import sys

    if not cgroups.available() or spawner._broken:
        pytest.skip("no writable cgroup v2 hierarchy here: steps start without the helper")
    env = project.environment()
    project.file("a.py", "import os\nprint(open(f'/proc/{os.getppid()}/cmdline', 'rb').read().split(b'\\0'))\n")
    path = project.write("p.orchest", project.pipeline(project.step("a", "a.py", env)))
    # (a Python step as a new interpreter: forked from a zygote, its parent is that, test_zygote.py)
    done = subprocess.run([sys.executable, "-m", "orchest_jlab", "run", "--backend", "local", str(path)],
                          capture_output=True, text=True, cwd=project.root, timeout=120,
                          env={**os.environ, "ORCHEST_JLAB_FORK_PYTHON_STEPS": "0"})
    assert done.returncode == 0, done.stderr
    [parent] = [line for line in done.stderr.splitlines() if line.startswith("a | ")]
    if spawner.native_built():
        assert parent.startswith(f"a | [b{str(spawner.NATIVE)!r}, "), parent
    else:
        assert "orchest_jlab" in parent and "'run'" in parent and "_spawnd.py" not in parent

    def left() -> list[int]:
        return [p.pid for p in psutil.process_iter(["cmdline"]) if str(path) in (p.info["cmdline"] or [])]

    for _ in range(100):
        if not left():
            break
        time.sleep(0.05)
    assert left() == []
