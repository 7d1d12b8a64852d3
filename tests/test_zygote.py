"""Python steps forked from a zygote (engine/spawner.py, engine/_spawnd.py --python) against the
same steps started as new interpreters (ORCHEST_JLAB_FORK_PYTHON_STEPS=0): what a step can see of
its process, its exit and its output is the same. Through the whole ``orchest-jlab run`` command."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from orchest_jlab.engine import cgroups

ORCHEST_JLAB = str(Path(sys.executable).with_name("orchest-jlab"))

pytestmark = pytest.mark.skipif(not cgroups.available(), reason="no writable cgroup v2 hierarchy: no zygote")

# What a step sees of its process, first thing (before its own imports) and then the rest.
PROBE = """\
import sys
names, modules = sorted(globals()), sorted(sys.modules)
import atexit, json, os, random, signal, threading

fds = sorted(os.listdir("/proc/self/fd"))
with open(f"/proc/{os.getppid()}/cmdline", "rb") as parent:
    parent_command = parent.read().split(b"\\0")
report = {
    "names": names, "modules": modules, "argv": sys.argv, "orig_argv": sys.orig_argv[1:],
    "name": __name__, "file": __file__, "spec": repr(__spec__), "loader": type(__loader__).__name__,
    "path": sys.path, "cwd": os.getcwd(), "environment": sorted(os.environ),
    "environment seen": sorted(e.split(b"=")[0].decode() for e in open("/proc/self/environ", "rb").read().split(b"\\0") if e),
    "step": os.environ["ORCHEST_STEP_UUID"], "parameters": os.environ.get("ORCHEST_PARAMETERS"),
    "streams": [[s.encoding, s.errors, s.line_buffering, s.write_through, s.isatty(), s.seekable()]
                for s in (sys.stdin, sys.stdout, sys.stderr)],
    "signals": {n: repr(signal.getsignal(getattr(signal, n))) for n in ("SIGINT", "SIGPIPE", "SIGXFSZ", "SIGTERM", "SIGCHLD")},
    "session": os.getsid(0) == os.getpid() == os.getpgrp(), "fds": len(fds) == 4 and fds[:3] == ["0", "1", "2"],
    "cgroup": "/orchest-step-" in open("/proc/self/cgroup").read(), "flags": repr(sys.flags),
    "threads": threading.active_count(), "main thread": threading.current_thread() is threading.main_thread(),
    "random": random.random(), "forked": b"--python" in parent_command,
}
with open(sys.argv[0] + ".json", "w") as out:
    json.dump(report, out)
print("printed", flush=True)
atexit.register(print, "atexit ran")
threading.Thread(target=lambda: (__import__("time").sleep(0.2), print("thread ended"))).start()
"""


def run(path: Path, fork: bool) -> subprocess.CompletedProcess:
    env = {**os.environ, "ORCHEST_JLAB_FORK_PYTHON_STEPS": "1" if fork else "0"}
    env.pop("ORCHEST_JLAB_BACKEND", None)
    return subprocess.run([ORCHEST_JLAB, "run", str(path), "--backend", "local", "--json"], capture_output=True,
                          text=True, timeout=120, env=env)


def logs(done: subprocess.CompletedProcess) -> dict[str, tuple]:
    """Each step's (state, error, log as the command printed it)."""
    lines = [line.partition(" | ") for line in done.stderr.splitlines(keepends=True)]
    return {step["title"]: (step["state"], step["error"],
                            "".join(text for title, bar, text in lines if bar and title.strip() == step["title"]))
            for step in json.loads(done.stdout)["steps"].values()}


def test_a_forked_python_step_sees_what_a_new_interpreter_sees(project):
    env = project.environment()
    project.file("sub/probe_a.py", PROBE)
    project.file("sub/probe_b.py", PROBE)
    a = project.step("A", "sub/probe_a.py", env, parameters={"k": 1})
    b = project.step("B", "sub/probe_b.py", env, incoming=[a["uuid"]])
    path = project.write("p.orchest", project.pipeline(a, b))
    reports = {}
    for fork in (True, False):
        done = run(path, fork)
        assert done.returncode == 0, done.stderr
        for title, (state, _, log) in logs(done).items():
            assert state == "COMPUTED" and log.splitlines() == ["printed", "thread ended", "atexit ran"], log
        reports[fork] = {title: json.loads((project.root / "sub" / f"probe_{title.lower()}.py.json").read_text())
                         for title in "AB"}
    forked, new = reports[True], reports[False]
    assert forked["A"]["forked"] and forked["B"]["forked"], "the steps were not forked from a zygote"
    assert not new["A"]["forked"]
    assert forked["A"]["random"] != forked["B"]["random"]  # (random's state is new in each)
    for title in "AB":
        assert forked[title]["path"][0] == str(project.root / "sub")
        assert forked[title]["session"] and forked[title]["fds"] and forked[title]["cgroup"]
        for key in ("random", "forked"):
            forked[title].pop(key), new[title].pop(key)
        assert forked[title] == new[title]


CASES = {
    "raises.py": "def f():\n    raise ValueError('boom')\n\nf()\n",
    "exits.py": "import sys\nprint('before', flush=True)\nsys.exit(3)\n",
    "says.py": "raise SystemExit('a message')\n",
    "syntax.py": "print('never')\nif True\n",
    "killed.py": "import os, signal\nos.kill(os.getpid(), signal.SIGTERM)\n",
    "interrupted.py": "import os, signal\ndef f():\n    os.kill(os.getpid(), signal.SIGINT)\nf()\n",
    "chained.py": "try:\n    {}['k']\nexcept KeyError as e:\n    raise RuntimeError('then') from e\n",
}


def test_a_forked_python_steps_failures_read_as_a_new_interpreters(project):
    env = project.environment()
    steps = []
    for name, text in CASES.items():
        project.file(name, text)
        steps.append(project.step(name, name, env))
    path = project.write("p.orchest", project.pipeline(*steps, settings={"max_steps_parallelism": 0}))
    forked, new = (logs(run(path, fork)) for fork in (True, False))
    for name in CASES:
        assert forked[name] == new[name]
    assert forked["exits.py"][:2] == ("FAILURE", "exits.py exited with code 3")
    assert forked["killed.py"][:2] == ("FAILURE", "killed.py was killed by signal 15")
    assert forked["interrupted.py"][:2] == ("FAILURE", "interrupted.py was killed by signal 2")
    assert "KeyboardInterrupt" in forked["interrupted.py"][2]
    assert forked["raises.py"][2].startswith("Traceback (most recent call last):\n  File "
                                             f'"{project.root / "raises.py"}", line 4, in <module>\n')
    assert "_spawnd" not in "".join(log for _, _, log in forked.values())


def test_a_cancelled_forked_step_leaves_no_process(project, tmp_path):
    """Cancel (here: the step's timeout) kills the forked step and what it started in its cgroup,
    a daemon of its own session included."""
    env = project.environment()
    pids = tmp_path / "pids"
    project.file("daemon.py", "import os, subprocess, sys, time\n"
                              "d = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'], start_new_session=True)\n"
                              f"open({str(pids)!r}, 'w').write(f'{{os.getpid()}} {{d.pid}}')\n"
                              "time.sleep(60)\n")
    step = project.step("D", "daemon.py", env, orchest_jlab={"timeout": 2})
    done = run(project.write("p.orchest", project.pipeline(step)), fork=True)
    [(state, error, _)] = logs(done).values()
    assert (state, error) == ("FAILURE", "timed out after 2 s")
    assert not any(map(alive, map(int, pids.read_text().split()))), pids.read_text()


def alive(pid: int) -> bool:
    try:  # (a zombie waiting for its parent has ended)
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


def test_a_package_installed_by_a_step_is_there_for_the_next(project, tmp_path):
    """A step that installs a package (here: a .pth file into site-packages, as pip does) changes
    what the next steps' interpreters start with: they are not forked from the zygote started before."""
    import site
    import uuid

    name = f"orchest_jlab_test_{uuid.uuid4().hex[:8]}"
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / f"{name}.py").write_text("FOUND = 'found'\n")
    pth = Path(site.getsitepackages()[0]) / f"{name}.pth"
    env = project.environment()
    project.file("before.py", "print('before')\n")
    project.file("install.py", f"open({str(pth)!r}, 'w').write({str(tmp_path / 'lib')!r} + '\\n')\n")
    project.file("use.py", f"import os\nfrom {name} import FOUND\n"
                           "print(FOUND, b'--python' in open(f'/proc/{os.getppid()}/cmdline', 'rb').read())\n")
    before = project.step("Before", "before.py", env)
    install = project.step("Install", "install.py", env, incoming=[before["uuid"]])
    use = project.step("Use", "use.py", env, incoming=[install["uuid"]])
    again = project.step("Again", "use.py", env, incoming=[use["uuid"]])
    try:
        done = run(project.write("p.orchest", project.pipeline(before, install, use, again)), fork=True)
    finally:
        pth.unlink(missing_ok=True)
    found = logs(done)
    assert {title: state for title, (state, _, _) in found.items()} == dict.fromkeys(found, "COMPUTED"), done.stderr
    assert found["Use"][2] == "found False\n"  # a new interpreter: the zygote was out of date
    assert found["Again"][2] == "found True\n"  # forked from a zygote started since


async def test_a_zygote_retired_for_another_environment_lets_its_steps_end(project, monkeypatch):
    """One zygote per environment, at most ZYGOTES: the least recently used is retired, not ended,
    so the steps it started still report their end."""
    from orchest_jlab.engine import spawner
    from orchest_jlab.pipelines.env_variables import write_env_variables

    from .engine_helpers import Harness

    monkeypatch.setattr(spawner, "ZYGOTES", 1)
    monkeypatch.setattr(spawner, "_no_zygotes", False)
    env = project.environment()
    project.file("slow.py", "import os, time\ntime.sleep(1.5)\n"
                            "print(os.environ['WHICH'], b'--python' in open(f'/proc/{os.getppid()}/cmdline', 'rb').read())\n")
    paths = []
    for which in ("one", "two"):
        data = project.pipeline(project.step(which, "slow.py", env))
        write_env_variables(project.root, pipeline_uuid=data["uuid"], pipeline={"WHICH": which})
        paths.append(project.write(f"{which}.orchest", data))
    harness = Harness()
    try:
        import asyncio

        first = asyncio.ensure_future(harness.run(paths[0]))
        await asyncio.sleep(0.5)  # its step runs, forked from the first zygote; the second retires it
        records = [await harness.run(paths[1]), await first]
        for record in records:
            [(step_uuid, step)] = record["steps"].items()
            assert step["state"] == "COMPUTED", step
            assert harness.log_lines(record["uuid"], step_uuid) == [f"{step['title']} True"]
    finally:
        await harness.close()
