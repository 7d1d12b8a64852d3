"""The run engine end to end: real processes, real kernels, real files."""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
from pathlib import Path

import psutil
import pytest

from orchest_jlab.identity import ProcessIdentity
from orchest_jlab.store import RunStore
from orchest_jlab.store import default_url

from .engine_helpers import Harness, notebook


@pytest.fixture
def harness(jp_asyncio_loop):
    h = Harness()
    yield h
    jp_asyncio_loop.run_until_complete(h.close())


def diamond(project, sleep=0.0):
    """top → left, right → bottom; each step appends its title to order.txt."""
    env = project.environment()
    code = "import time, pathlib\ntime.sleep({sleep})\nwith open('order.txt', 'a') as f: f.write('{title}\\n')\nprint('{title} ran')\n"
    steps = {}
    for title, parents in [("top", []), ("left", ["top"]), ("right", ["top"]), ("bottom", ["left", "right"])]:
        project.file(f"{title}.py", code.format(title=title, sleep=sleep))
        steps[title] = project.step(title, f"{title}.py", env, [steps[p]["uuid"] for p in parents])
    data = project.pipeline(*steps.values())
    return project.write("diamond.orchest", data), data, {t: s["uuid"] for t, s in steps.items()}


async def test_full_run_in_dependency_order(harness, project):
    path, _, ids = diamond(project)
    record = await harness.run(path)
    assert record["status"] == "SUCCESS"
    assert harness.states(record) == dict.fromkeys(["top", "left", "right", "bottom"], "COMPUTED")
    order = (project.root / "order.txt").read_text().split()
    assert order[0] == "top" and order[-1] == "bottom" and set(order[1:3]) == {"left", "right"}
    assert harness.log_lines(record["uuid"], ids["left"]) == ["left ran"]
    # Every step went PENDING → RUNNING → COMPUTED, in that order, on the bus.
    states = [e["state"] for e in harness.events if e["type"] == "step" and e["step_uuid"] == ids["bottom"]]
    assert states == ["RUNNING", "COMPUTED"]
    assert record["steps"][ids["top"]]["started"] <= record["steps"][ids["top"]]["finished"]


async def test_independent_steps_run_in_parallel(harness, project):
    env = project.environment()
    steps = []
    for i in range(4):
        project.file(f"s{i}.py", "import time\ntime.sleep(1)\n")
        steps.append(project.step(f"s{i}", f"s{i}.py", env))
    data = project.pipeline(*steps)
    data["settings"]["max_steps_parallelism"] = 4
    path = project.write("fan.orchest", data)
    start = time.monotonic()
    record = await harness.run(path)
    assert record["status"] == "SUCCESS" and time.monotonic() - start < 3.0


async def test_parallelism_limit(harness, project):
    env = project.environment()
    code = "import os, time\nopen(f'{os.getpid()}.start', 'w').write(str(time.time()))\ntime.sleep(0.4)\nopen(f'{os.getpid()}.end', 'w').write(str(time.time()))\n"
    steps = []
    for i in range(3):
        project.file(f"s{i}.py", code)
        steps.append(project.step(f"s{i}", f"s{i}.py", env))
    data = project.pipeline(*steps)
    data["settings"]["max_steps_parallelism"] = 1
    record = await harness.run(project.write("one.orchest", data))
    assert record["status"] == "SUCCESS"
    spans = sorted((float(p.read_text()), float(p.with_suffix(".end").read_text())) for p in project.root.glob("*.start"))
    assert all(a_end <= b_start for (_, a_end), (b_start, _) in zip(spans, spans[1:]))


async def test_a_failing_step_aborts_only_its_descendants(harness, project):
    path, data, ids = diamond(project)
    (project.root / "left.py").write_text("print('about to fail')\nraise SystemExit(4)\n")
    record = await harness.run(path)
    assert record["status"] == "FAILURE"
    assert harness.states(record) == {"top": "COMPUTED", "left": "FAILURE", "right": "COMPUTED", "bottom": "ABORTED"}
    assert "exited with code 4" in record["steps"][ids["left"]]["error"]
    assert "'left' did not complete" in record["steps"][ids["bottom"]]["error"]
    assert harness.log_lines(record["uuid"], ids["left"]) == ["about to fail", "left.py exited with code 4"]


async def test_selection_and_incoming_runs(harness, project):
    path, _, ids = diamond(project)
    record = await harness.run(path, run_type="selection", steps=[ids["left"], ids["bottom"]])
    assert list(harness.states(record)) == ["left", "bottom"]
    assert (project.root / "order.txt").read_text().split() == ["left", "bottom"]
    (project.root / "order.txt").unlink()
    record = await harness.run(path, run_type="incoming", steps=["bottom"])  # by title
    assert set(harness.states(record)) == {"top", "left", "right"}
    assert "bottom" not in (project.root / "order.txt").read_text()


async def test_cancel_kills_the_whole_process_group(harness, project):
    env = project.environment()
    project.file("long.py", (
        "import subprocess, time, pathlib\n"
        "child = subprocess.Popen(['sleep', '300'])\n"
        "pathlib.Path('child.pid').write_text(str(child.pid))\n"
        "print('started', flush=True)\n"
        "time.sleep(300)\n"))
    project.file("after.py")
    long = project.step("long", "long.py", env)
    after = project.step("after", "after.py", env, [long["uuid"]])
    path = project.write("long.orchest", project.pipeline(long, after))
    from orchest_jlab.runs import prepare_run

    run = harness.engine.start(prepare_run(path))
    pid_file = project.root / "child.pid"
    for _ in range(200):
        if pid_file.exists() and pid_file.read_text():
            break
        await asyncio.sleep(0.05)
    child = int(pid_file.read_text())
    assert psutil.pid_exists(child)
    assert harness.engine.cancel(run.uuid)
    await harness.engine.wait(run.uuid)
    record = run.to_json()
    assert record["status"] == "ABORTED"
    assert harness.states(record) == {"long": "ABORTED", "after": "ABORTED"}
    await asyncio.sleep(0.2)
    assert not psutil.pid_exists(child) or psutil.Process(child).status() == psutil.STATUS_ZOMBIE
    assert not harness.engine.cancel(run.uuid)  # nothing left to cancel


async def test_a_step_s_background_processes_end_with_it(harness, project):
    env = project.environment()
    project.file("bg.sh", "sleep 300 &\necho $! > bg.pid\n")
    path = project.write("bg.orchest", project.pipeline(project.step("bg", "bg.sh", env)))
    record = await harness.run(path)
    assert record["status"] == "SUCCESS"
    pid = int((project.root / "bg.pid").read_text())
    await asyncio.sleep(0.2)
    assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE


async def test_notebook_step_runs_and_its_outputs_are_written_back(harness, project):
    env = project.environment()
    project.file("nb.ipynb", notebook("import os\nprint('cwd', os.getcwd())", "21 * 2"))
    path = project.write("nb.orchest", project.pipeline(project.step("nb", "nb.ipynb", env)))
    record = await harness.run(path)
    assert record["status"] == "SUCCESS"
    saved = json.loads((project.root / "nb.ipynb").read_text())
    assert "".join(saved["cells"][1]["outputs"][0]["data"]["text/plain"]) == "42"
    step_uuid = next(iter(record["steps"]))
    assert harness.log_lines(record["uuid"], step_uuid) == [f"cwd {project.root}", "42"]


async def test_failing_notebook_cell(harness, project):
    env = project.environment()
    project.file("bad.ipynb", notebook("print('before')", "1 / 0", "print('never')"))
    path = project.write("bad.orchest", project.pipeline(project.step("bad", "bad.ipynb", env)))
    record = await harness.run(path)
    step = next(iter(record["steps"].values()))
    assert step["state"] == "FAILURE" and "ZeroDivisionError" in step["error"]
    saved = json.loads((project.root / "bad.ipynb").read_text())
    assert saved["cells"][1]["outputs"][0]["ename"] == "ZeroDivisionError"  # kept for the user to read
    assert saved["cells"][2]["outputs"] == []


def tree_digest(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file() and ".orchest" not in p.relative_to(root).parts}


async def test_non_interactive_run_leaves_the_project_untouched(harness, project):
    path, _, ids = diamond(project)
    project.file("nb.ipynb", notebook("print('hello')"))
    project.file(".gitignore", "ignored/\n*.tmp\n")
    project.file("ignored/big.csv", "x")
    project.file("scratch.tmp", "x")
    (project.root / "huge.bin").write_bytes(b"\0" * (2 * 2**20))
    data = json.loads(path.read_text())
    data["steps"][ids["top"]]["parameters"] = {"n": 1}
    nb = project.step("nb", "nb.ipynb", data["steps"][ids["top"]]["environment"])
    data["steps"][nb["uuid"]] = nb
    path.write_text(json.dumps(data))
    before = tree_digest(project.root)
    record = await harness.run(path, interactive=False, parameters={ids["top"]: {"n": 7}},
                               snapshot_size_limit=2**20)
    assert record["status"] == "SUCCESS"
    assert tree_digest(project.root) == before
    snapshot = Path(record["snapshot_dir"])
    assert (snapshot / "order.txt").is_file() and not (project.root / "order.txt").exists()
    assert not (snapshot / "ignored").exists() and not (snapshot / "scratch.tmp").exists()
    assert not (snapshot / "huge.bin").exists()
    assert any("huge.bin" in w and "larger than the limit" in w for w in record["warnings"])
    written = json.loads((snapshot / "diamond.orchest").read_text())
    assert written["steps"][ids["top"]]["parameters"] == {"n": 7}
    assert "".join(json.loads((snapshot / "nb.ipynb").read_text())["cells"][0]["outputs"][0]["text"]) == "hello\n"
    assert (snapshot / ".orchest" / "environments").is_dir()


async def test_runs_and_states_are_stored(harness, project):
    path, _, ids = diamond(project)
    (project.root / "right.py").write_text("raise SystemExit(1)\n")
    record = await harness.run(path)
    store = RunStore(default_url(project.root))
    stored = store.get_run(record["uuid"])
    store.close()
    assert stored["status"] == "FAILURE" and stored["pipeline_file"] == "diamond.orchest"
    assert {s["title"]: s["state"] for s in stored["steps"].values()} == harness.states(record)
    assert Path(stored["steps"][ids["top"]]["log_path"]).read_text() == "top ran\n"


def test_a_run_whose_process_died_is_marked_failed(project):
    store = RunStore(default_url(project.root))
    dead = psutil.Popen(["true"])
    dead.wait()
    run = {
        "uuid": "00000000-0000-4000-8000-00000000000a", "project_dir": str(project.root),
        "pipeline_file": "p.orchest", "pipeline_uuid": None, "pipeline_name": "p", "run_type": "full",
        "selection": [], "interactive": True, "parameters": {}, "backend": "local", "status": "STARTED",
        "created": "2026-01-01T00:00:00+00:00", "started": None, "finished": None, "error": None,
        "warnings": [], "snapshot_dir": None,
        "steps": {"00000000-0000-4000-8000-00000000000b": {"title": "a", "file_path": "a.py", "state": "RUNNING",
                  "started": None, "finished": None, "error": None, "log_path": None},
                  "00000000-0000-4000-8000-00000000000c": {"title": "b", "file_path": "b.py", "state": "COMPUTED",
                  "started": None, "finished": None, "error": None, "log_path": None}},
    }
    store._owner = ProcessIdentity(dead.pid, 12345.0)  # as if written by a process that has died since
    store.insert_run(run)
    live = dict(run, uuid="00000000-0000-4000-8000-00000000000d")
    store._owner = ProcessIdentity.current()
    store.insert_run(live)
    store.close()

    reopened = RunStore(default_url(project.root))  # what a server start does
    dead_run = reopened.get_run(run["uuid"])
    assert dead_run["status"] == "FAILURE" and "stopped" in dead_run["error"]
    # The running step's process vanished with its owner: FAILURE, saying so.
    assert {s["title"]: s["state"] for s in dead_run["steps"].values()} == {"a": "FAILURE", "b": "COMPUTED"}
    assert reopened.get_run(live["uuid"])["status"] == "STARTED"  # its process is alive: left alone
    reopened.close()


def test_a_run_whose_process_is_killed_is_marked_failed_and_its_steps_killed_on_the_next_start(project):
    """A real crash: the command-line run is killed with SIGKILL mid-step."""
    import signal
    import subprocess
    import sys

    env = project.environment()
    project.file("slow.py", "import time\nprint('working', flush=True)\ntime.sleep(120)\n")
    path = project.write("slow.orchest", project.pipeline(project.step("slow", "slow.py", env)))
    cli = subprocess.Popen([sys.executable, "-m", "orchest_jlab", "run", str(path), "-q"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    database = project.root / ".orchest" / "orchest-jlab.sqlite"

    def step_processes():
        return [p for p in psutil.process_iter(["cmdline", "status"])
                if str(project.root / "slow.py") in (p.info["cmdline"] or []) and p.info["status"] != "zombie"]

    try:
        for _ in range(400):
            if database.exists():
                store = RunStore(default_url(project.root))
                runs = store.list_runs()
                store.close()
                if runs and next(iter(runs[0]["steps"].values()))["state"] == "RUNNING":
                    break
            time.sleep(0.05)
        else:
            raise AssertionError("the run never reached RUNNING")
        cli.send_signal(signal.SIGKILL)
        cli.wait()
        store = RunStore(default_url(project.root))  # what the next server (or CLI) start does
        [run] = store.list_runs()
        store.close()
        assert run["status"] == "FAILURE" and "stopped" in run["error"]
        assert next(iter(run["steps"].values()))["state"] == "FAILURE"
        # The step's process outlived the killed CLI; recovery killed it.
        for _ in range(100):
            if not step_processes():
                break
            time.sleep(0.05)
        assert step_processes() == []
    finally:
        cli.kill()
        for process in step_processes():
            process.kill()


async def test_a_run_cancelled_before_it_starts_ends_aborted(harness, project):
    path, _, _ = diamond(project)
    from orchest_jlab.runs import prepare_run

    run = harness.engine.start(prepare_run(path))
    assert harness.engine.cancel(run.uuid)  # before the loop ever ran it
    await asyncio.sleep(0.05)
    assert run.status.value == "ABORTED" and run.uuid not in harness.engine.runs
    assert set(harness.states(run.to_json()).values()) == {"ABORTED"}
    assert not (project.root / "order.txt").exists()
