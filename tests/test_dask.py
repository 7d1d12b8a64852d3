"""The dask backend against a real scheduler and two worker processes on loopback (docs/dask.md)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from tornado.httpclient import HTTPClientError

from orchest_jlab.engine.context import project_uuid
from orchest_jlab.engine.folders import ProjectFolders

from .dask_helpers import NO_DOCKER, Cluster

ORCHEST_JLAB = str(Path(sys.executable).with_name("orchest-jlab"))

A = """import orchest
print("a starts", flush=True)
orchest.output({"x": 41}, name="x")
open("made-by-a.txt", "w").write("written on a worker")
"""
B = """import orchest
inputs = orchest.get_inputs()
print("b got", inputs["x"], inputs["unnamed"], orchest.get_step_param("k"), orchest.get_pipeline_param("p"))
orchest.output(inputs["x"]["x"] + orchest.get_step_param("k"), name="y")
"""


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    cluster = Cluster(tmp_path_factory.mktemp("dask"), resources={0: "GPU=1"}, dashboard=True)
    yield cluster
    cluster.close()


def run_cli(*args, timeout=120, env=None):
    env = {**{k: v for k, v in os.environ.items() if k != "ORCHEST_JLAB_BACKEND"}, **(env or {})}
    return subprocess.run([ORCHEST_JLAB, *map(str, args)], capture_output=True, text=True, timeout=timeout, env=env)


def data_passing_project(project):
    """A, U → B (named and unnamed data, parameters), A → C (fails) → D (aborted)."""
    env = project.environment()
    project.file("u.py", "import orchest\norchest.output('unnamed from u')\n")
    u = project.step("U", "u.py", env)
    project.file("a.py", A)
    project.file("b.py", B)
    project.file("c.py", "raise SystemExit(3)\n")
    project.file("d.py", "print('never')\n")
    a = project.step("A", "a.py", env)
    b = project.step("B", "b.py", env, incoming=[a["uuid"], u["uuid"]])
    b["parameters"] = {"k": 1}
    c = project.step("C", "c.py", env, incoming=[a["uuid"]])
    d = project.step("D", "d.py", env, incoming=[c["uuid"]])
    data = project.pipeline(a, u, b, c, d, parameters={"p": "pipeline value"})
    return project.write("p.orchest", data), data, (a, b, c, d)


def states(record):
    return {s["title"]: (s["state"], s["error"]) for s in record["steps"].values()}


def test_full_run_same_as_local_with_each_step_worker_and_files_back(cluster, project):
    path, data, (a, b, c, d) = data_passing_project(project)
    done = run_cli("run", path, "--backend", "local", "--json", "--param", 'p="pipeline value"')
    local = json.loads(done.stdout)
    (project.root / "made-by-a.txt").unlink()

    done = run_cli("run", path, "--backend", "dask", "--dask-scheduler", cluster.address, "--json")
    assert done.returncode == 1, done.stderr
    record = json.loads(done.stdout)
    assert record["backend"] == "dask" and record["status"] == "FAILURE"
    assert states(local) == states(record), done.stderr
    assert states(record) == {
        "A": ("COMPUTED", None), "U": ("COMPUTED", None), "B": ("COMPUTED", None), "C": ("FAILURE", "c.py exited with code 3"),
        "D": ("ABORTED", "Not run: 'C' did not complete.")}
    workers = set(cluster.worker_addresses())
    assert all(record["steps"][s["uuid"]]["worker"] in workers for s in (a, b, c))
    # no Docker engine on these workers: on their host, and the record says so
    assert {record["steps"][s["uuid"]].get("runtime") for s in (a, b, c, d)} == {"host", None}
    assert "runtime" not in record["steps"][d["uuid"]] and "image" not in record["steps"][a["uuid"]]
    assert "Runs on the worker's host: no Docker engine is reachable" in done.stderr
    assert "worker" not in record["steps"][d["uuid"]] and "worker" not in local["steps"][a["uuid"]]
    # B's output went through the cluster, its log streamed back
    assert "b got {'x': 41} ['unnamed from u'] 1 pipeline value" in done.stderr
    # An interactive run: what A wrote, and the outputs, are in the project afterwards
    assert (project.root / "made-by-a.txt").read_text() == "written on a worker"
    outputs = project.root / ".orchest" / "pipelines" / data["uuid"] / "data"
    assert (outputs / f"{b['uuid']}.meta.json").exists()
    # a selection run of B reads A's output of the last run from the project
    done = run_cli("run", path, "--backend", "dask", "--dask-scheduler", cluster.address, "--type", "selection",
                   "--step", "B", "--step-param", "B:k=2", "--json")
    assert done.returncode == 0, done.stderr
    assert "b got {'x': 41} ['unnamed from u'] 2 pipeline value" in done.stderr


def test_snapshot_run_never_reads_the_live_project(cluster, project, tmp_path):
    env = project.environment()
    project.file("s.py", "import os, pathlib\nprint('cwd', os.getcwd())\n"
                 "print('content', pathlib.Path('input.txt').read_text())\n"
                 "pathlib.Path('snapshot-output.txt').write_text('x')\n")
    project.file("input.txt", "as it was")
    path = project.write("p.orchest", project.pipeline(project.step("S", "s.py", env)))
    config = tmp_path / "config.py"
    config.write_text(f"c.OrchestApp.backend = 'dask'\nc.OrchestApp.dask_scheduler = {cluster.address!r}\n")
    done = run_cli("run", path, "--snapshot", "--config", config)
    assert done.returncode == 0, done.stderr
    cwd = done.stderr.split("cwd ", 1)[1].split("\n", 1)[0]
    assert str(cluster.root) in cwd and str(project.root) not in cwd  # a worker's own directory
    assert "content as it was" in done.stderr
    assert not (project.root / "snapshot-output.txt").exists()


def test_a_step_s_output_goes_to_the_scheduler_at_most_every_tenth_of_a_second(cluster, project):
    """What a step prints meanwhile goes in one event, what is left with its end event (as does its
    start, when it ends within a tenth of a second): its log has everything, in order."""
    from distributed import Client

    from orchest_jlab.backends.dask.worker import LOG_TOPIC

    env = project.environment()
    project.file("q.py", "import time\nfor i in range(40):\n    print('line', i, flush=True)\n    time.sleep(0.02)\n")
    path = project.write("p.orchest", project.pipeline(project.step("Q", "q.py", env)))
    done = run_cli("run", path, "--backend", "dask", "--dask-scheduler", cluster.address, "--json")
    assert done.returncode == 0, done.stderr
    record = json.loads(done.stdout)
    shown = done.stderr  # the step's log, as the command streams it
    assert 0 <= shown.find("Runs on the worker's host") < shown.find("line 0")
    assert [line.split(" | ", 1)[-1] for line in shown.splitlines() if "line " in line] == [f"line {i}" for i in range(40)]
    with Client(cluster.address, timeout=10) as client:
        events = [m for _, m in client.get_events(LOG_TOPIC) if m.get("run") == record["uuid"]]
    kinds = [m["kind"] for m in events]
    assert kinds[-1] == "end" and kinds.count("start") + bool(events[-1].get("start")) == 1, kinds
    assert kinds.count("output") <= 20, kinds  # 40 lines (and a note) printed 20 ms apart: 41 events before
    [step] = record["steps"].values()
    assert step["worker"] in cluster.worker_addresses()


def test_a_step_on_a_workers_host_takes_no_thread_of_its_pool(cluster, project):
    """Its task is a coroutine on the worker's event loop (a thread per step waiting for a loop of
    its own cost about 1 ms of the worker's CPU per step, docs/dask.md): while it runs, the worker
    executes it and no thread of its pool is taken."""
    from distributed import Client

    env = project.environment()
    project.file("wait.py", "import time\nprint('waiting', flush=True)\ntime.sleep(1)\n")
    path = project.write("p.orchest", project.pipeline(project.step("Wait", "wait.py", env)))
    command = subprocess.Popen([ORCHEST_JLAB, "run", path, "--backend", "dask", "--dask-scheduler", cluster.address],
                               stderr=subprocess.PIPE, text=True)
    for line in command.stderr:
        if "waiting" in line:
            break
    with Client(cluster.address, timeout=10) as client:
        seen = client.run(lambda dask_worker: (len(dask_worker.state.executing), dict(dask_worker.active_threads)))
    command.stderr.read()
    assert command.wait(60) == 0
    assert sum(executing for executing, _ in seen.values()) == 1, seen
    assert all(threads == {} for _, threads in seen.values()), seen


def test_a_runs_steps_on_one_worker_share_its_copy_which_goes_with_the_run(cluster, project):
    """Steps of a run on one worker run in one copy of its project (as on the local backend, they see
    each other's files); siblings there read one placed input; the copy is gone when the run ends."""
    env = project.environment()
    gpu = {"orchest_jlab": {"resources": {"GPU": 1}}}  # only worker 0 has it
    project.file("w.py", "import orchest, pathlib\npathlib.Path('shared.txt').write_text('from W')\n"
                 "orchest.output(b'7' * (2 << 20), name='big')\n")
    project.file("r.py", "import pathlib\nprint('R saw', pathlib.Path('shared.txt').read_text())\n")
    project.file("s.py", "import orchest, time\nbig = orchest.get_inputs()['big']\n"
                 "time.sleep(0.3)\nprint('S got', len(big), set(big[:10]))\n")
    w = project.step("W", "w.py", env, **gpu)
    r = project.step("R", "r.py", env, incoming=[w["uuid"]], **gpu)
    siblings = [project.step(f"S{i}", "s.py", env, incoming=[w["uuid"]]) for i in range(4)]
    path = project.write("p.orchest", project.pipeline(w, r, *siblings))
    done = run_cli("run", path, "--backend", "dask", "--dask-scheduler", cluster.address, "--snapshot", "--json")
    assert done.returncode == 0, done.stderr
    assert "R saw from W" in done.stderr
    assert done.stderr.count("S got 2097152 {55}") == 4, done.stderr
    run_uuid = json.loads(done.stdout)["uuid"]
    deadline = time.monotonic() + 10
    while list(cluster.root.glob(f"worker-*/local/**/orchest-jlab/runs/{run_uuid}")) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not list(cluster.root.glob(f"worker-*/local/**/orchest-jlab/runs/{run_uuid}"))
    assert not list(cluster.root.glob("worker-*/local/**/orchest-jlab/runs/*/.*"))  # no copy half made or removed


def test_a_small_projects_copy_is_kept_for_the_next_run_with_nothing_of_the_last(cluster, project):
    """An ended run's copy of a small project is put back to the project's content and is the next
    run's copy on that worker (docs/dask.md): nothing its steps wrote, changed (same size, same
    second), deleted or linked is seen by the next run."""
    env = project.environment()
    project.file("data.txt", "original")
    project.file("keep.txt", "kept")
    project.file("gone.txt", "gone")
    project.file("m.py", "import os, pathlib, stat\np = pathlib.Path\n"
                 "names = ['.orchest', 'data.txt', 'gone.txt', 'keep.txt', 'm.py', 'p.orchest']\n"
                 "assert sorted(os.listdir('.')) == names, os.listdir('.')\n"
                 "assert [p(n).read_text() for n in names[1:4]] == ['original', 'gone', 'kept']\n"
                 "assert stat.S_IMODE(os.stat('keep.txt').st_mode) == 0o644\n"
                 "print('copy', os.stat('.').st_ino, flush=True)\n"
                 "p('data.txt').write_text('changed!'); os.chmod('keep.txt', 0o600); os.remove('gone.txt')\n"
                 "p('made.txt').write_text('x'); os.makedirs('sub'); p('sub/x').write_text('x'); os.symlink('/etc', 'link')\n")
    gpu = {"orchest_jlab": {"resources": {"GPU": 1}}}  # only worker 0 has it
    path = project.write("p.orchest", project.pipeline(project.step("M", "m.py", env, **gpu)))
    spares = cluster.root / "worker-0" / "local"

    def kept() -> set[int]:
        return {p.stat().st_ino for p in spares.glob("**/orchest-jlab/spares/*/*")}

    copies = []
    for _ in range(2):
        done = run_cli("run", path, "--backend", "dask", "--dask-scheduler", cluster.address, "--snapshot")
        assert done.returncode == 0, done.stderr
        copies.append(int(done.stderr.split("copy ", 1)[1].split()[0]))
        deadline = time.monotonic() + 10
        while copies[-1] not in kept() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert copies[-1] in kept()
    assert copies[1] == copies[0]  # the first run's copy, put back


def test_cancel_kills_the_step_on_the_worker(cluster, project):
    env = project.environment()
    project.file("slow.py", "import os, subprocess, time\n"
                 "child = subprocess.Popen(['sleep', '300'])\n"
                 "print('pids', os.getpid(), child.pid, flush=True)\ntime.sleep(300)\n")
    path = project.write("p.orchest", project.pipeline(project.step("Slow", "slow.py", env)))
    command = subprocess.Popen([ORCHEST_JLAB, "run", path, "--backend", "dask", "--dask-scheduler", cluster.address],
                               stderr=subprocess.PIPE, text=True)
    for line in command.stderr:
        if "pids" in line:
            pids = [int(p) for p in line.split("pids", 1)[1].split()]
            break
    command.send_signal(signal.SIGINT)
    rest = command.stderr.read()
    assert command.wait(60) != 0
    assert "ABORTED" in rest
    deadline = time.monotonic() + 10
    while any(Path(f"/proc/{pid}").exists() for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(Path(f"/proc/{pid}").exists() for pid in pids), pids


def test_a_step_that_timed_out_runs_again_on_its_worker(cluster, project, tmp_path):
    """A timeout stops the attempt on its worker (as a cancel does); the next attempt of the step
    there is a new one, not taken for the one that was stopped."""
    marker = tmp_path / "first-attempt"
    env = project.environment()
    project.file("t.py", f"import os, time\nif not os.path.exists({str(marker)!r}):\n"
                         f"    open({str(marker)!r}, 'w').close()\n    time.sleep(60)\nprint('second attempt')\n")
    step = project.step("T", "t.py", env, orchest_jlab={"timeout": 3, "retries": 1, "resources": {"GPU": 1}})
    path = project.write("t.orchest", project.pipeline(step))
    done = run_cli("run", path, "--backend", "dask", "--dask-scheduler", cluster.address, "--json")
    record = next(iter(json.loads(done.stdout)["steps"].values()))
    assert (record["state"], record["error"]) == ("COMPUTED", None), done.stderr
    assert "Attempt 2 of 2" in done.stderr and "second attempt" in done.stderr


def test_workers_forget_the_cancel_of_a_step_they_never_got(cluster, project, tmp_path):
    """A step cancelled before its start reached the server: every worker is told (its task may be
    on its way to one, which is to refuse it), and it never runs; the cancel is forgotten a while
    later on the workers that never got its task, where it stayed for the worker's life before."""
    from distributed import Client

    from orchest_jlab.backends.dask import worker as step_worker

    def cancels(keep=None):  # on a worker: the cancels it keeps (and how long it is to keep the next ones)
        if keep is not None:
            step_worker.CANCEL_KEPT = keep
        return set(step_worker._cancelled)

    def processing(dask_scheduler) -> int:
        return sum(task.state == "processing" for task in dask_scheduler.tasks.values())

    started = tmp_path / "started"  # a file per step's process
    started.mkdir()
    env = project.environment()
    project.file("hold.py", f"import os, time\nopen(os.path.join({str(started)!r}, str(os.getpid())), 'w')\n"
                            "print('holding', flush=True)\ntime.sleep(300)\n")
    gpu = {"resources": {"GPU": 1}}  # one worker has one: the step that gets it first holds it, the other waits
    path = project.write("p.orchest", project.pipeline(project.step("A", "hold.py", env, orchest_jlab=gpu),
                                                       project.step("B", "hold.py", env, orchest_jlab=gpu)))
    with Client(cluster.address, timeout=10) as client:
        kept = step_worker.CANCEL_KEPT
        before = client.run(cancels, 4.0)
        [other] = [a for a, w in client.scheduler_info(n_workers=-1)["workers"].items() if w["name"] == "worker-1"]
        try:
            command = subprocess.Popen([ORCHEST_JLAB, "run", path, "--backend", "dask", "--dask-scheduler",
                                        cluster.address], stderr=subprocess.PIPE, text=True)
            for line in command.stderr:
                if "holding" in line:
                    break
            deadline = time.monotonic() + 30
            while client.run_on_scheduler(processing) < 2 and time.monotonic() < deadline:
                time.sleep(0.1)
            assert client.run_on_scheduler(processing) == 2  # the other one is submitted and waits
            command.send_signal(signal.SIGINT)

            def new():  # the cancels each worker keeps that it did not before
                return {w: found - before[w] for w, found in client.run(cancels).items()}

            deadline = time.monotonic() + 4  # the waiting step's cancel reached the worker without a GPU
            while not (told := new()[other]) and time.monotonic() < deadline:
                time.sleep(0.05)
            assert len(told) == 1, told
            deadline = time.monotonic() + 20
            while any((left := new()).values()) and time.monotonic() < deadline:
                time.sleep(0.2)
            assert not any(left.values()), left
            rest = command.stderr.read()
            assert command.wait(60) != 0 and "ABORTED" in rest
            assert len(list(started.iterdir())) == 1  # the step that waited never ran
        finally:
            client.run(cancels, kept)


async def test_a_late_event_of_a_stopped_attempt_is_not_taken_for_the_next(tmp_path):
    """The end of an attempt stopped by its timeout can reach the server after the step's next attempt
    began (events come through the scheduler): it is not taken for the next attempt's end."""
    from orchest_jlab.backends.dask.cluster import DaskBackend, _Attempts
    from orchest_jlab.engine.events import EventBus
    from orchest_jlab.engine.steplog import StepLog

    backend = DaskBackend(None)
    log = StepLog(tmp_path / "s.log", EventBus(), "r", "s")
    attempt = backend._steps[("r", "s")] = _Attempts(log)
    stopped = {"run": "r", "step": "s", "attempt": "a stopped attempt", "kind": "end", "worker": "tcp://w1",
               "start": True, "text": "late\n", "result": {"failed": "The step was cancelled."}, "summary": None}
    backend._on_event((0.0, stopped))
    assert not attempt.ended.is_set() and attempt.workers == [] and attempt.result is None
    backend._on_event((0.0, {**stopped, "attempt": attempt.attempt, "text": "", "result": {"failed": None}}))
    assert attempt.ended.is_set() and attempt.workers == ["tcp://w1"] and attempt.result == {"failed": None}
    log.close()
    assert "late" not in (tmp_path / "s.log").read_text()


def test_a_worker_lost_mid_step_runs_it_again_on_the_other(cluster, project):
    env = project.environment()
    project.file("w.py", "import os, time\nprint('worker pid', os.getppid(), flush=True)\ntime.sleep(3)\n"
                 "print('done', flush=True)\n")
    path = project.write("p.orchest", project.pipeline(project.step("W", "w.py", env)))
    command = subprocess.Popen([ORCHEST_JLAB, "run", path, "--backend", "dask", "--dask-scheduler", cluster.address,
                                "--json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    for line in command.stderr:
        if "worker pid" in line:
            index = cluster.kill_worker_with_pid(cluster.worker_pid(int(line.split("worker pid", 1)[1])))
            break
    try:
        out, err = command.communicate(timeout=90)
        assert command.returncode == 0, err
        [step] = json.loads(out)["steps"].values()
        assert step["state"] == "COMPUTED" and step["worker"] in cluster.worker_addresses()
        assert "was lost while running this step; it runs again on" in err
    finally:
        cluster.start_worker(index)
        cluster.wait_for_workers(2)


def test_refused_runs_say_why(cluster, project, tmp_path):
    path, _ = project.chain(("A",))
    done = run_cli("run", path, "--backend", "dask", "--dask-scheduler", "tcp://127.0.0.1:9")
    assert done.returncode == 2
    assert "The dask backend cannot be used: the Dask scheduler at tcp://127.0.0.1:9 does not answer" in done.stderr
    done = run_cli("backends", "--json")
    [dask] = [b for b in json.loads(done.stdout)["backends"] if b["name"] == "dask"]
    assert dask["usable"]  # no scheduler configured: a local cluster
    done = run_cli("backends", "--json", env={"DASK_SCHEDULER_ADDRESS": "tcp://127.0.0.1:9"})  # Dask's configuration
    [dask] = [b for b in json.loads(done.stdout)["backends"] if b["name"] == "dask"]
    assert "the Dask scheduler at tcp://127.0.0.1:9 does not answer" in dask["problem"], dask
    config = tmp_path / "config.py"
    config.write_text("c.OrchestApp.dask_outputs_url = 'nosuchstore://bucket/outputs'\n")
    done = run_cli("run", path, "--backend", "dask", "--dask-scheduler", cluster.address, "--config", config)
    assert done.returncode == 2
    assert "dask_outputs_url 'nosuchstore://bucket/outputs' cannot be used: " in done.stderr, done.stderr


def test_a_notebook_step_runs_on_a_kernel_of_a_worker_and_comes_back(cluster, project):
    import nbformat

    from orchest_jlab.store import RunStore, default_url

    env = project.environment()
    cells = [nbformat.v4.new_code_cell("import orchest, os\nprint('kernel on', os.getcwd())\norchest.output(7, name='n')"),
             nbformat.v4.new_code_cell("6 * 7")]
    project.file("n.ipynb", nbformat.writes(nbformat.v4.new_notebook(cells=cells)))
    project.file("r.py", "import orchest\nprint('r got', orchest.get_inputs()['n'])\n")
    nb = project.step("Nb", "n.ipynb", env)
    r = project.step("R", "r.py", env, incoming=[nb["uuid"]])
    path = project.write("p.orchest", project.pipeline(nb, r))
    done = run_cli("run", path, "--backend", "dask", "--dask-scheduler", cluster.address, "--json")
    assert done.returncode == 0, done.stderr
    record = json.loads(done.stdout)
    assert f"kernel on {cluster.root}" in done.stderr and "r got 7" in done.stderr  # its log, live
    executed = nbformat.read(project.root / "n.ipynb", as_version=4)  # back in the project, outputs in
    assert executed.cells[1].outputs[0]["data"]["text/plain"] == "42"
    kept = ProjectFolders().runs(project.root) / record["uuid"] / "notebooks" / "n.ipynb"  # read-only mode's copy
    assert nbformat.read(kept, as_version=4).cells[1].outputs == executed.cells[1].outputs
    # Each step's worker is in the database too: past runs (runs API, read-only mode) show it.
    store = RunStore(default_url(project.root))
    stored = store.get_run(record["uuid"])["steps"]
    store.close()
    assert {u: s["worker"] for u, s in stored.items()} == {u: s["worker"] for u, s in record["steps"].items()}
    assert set(cluster.worker_addresses()) >= {s["worker"] for s in stored.values()}


def test_steps_get_the_resources_they_need_of_a_worker(cluster, project):
    env, gpu_env = project.environment(), project.environment("GPU")
    settings = project.root / ".orchest" / "environments" / env / "properties.json"
    settings.write_text(json.dumps({**json.loads(settings.read_text()), "orchest_jlab": {"resources": {"GPU": 1}}}))
    settings = project.root / ".orchest" / "environments" / gpu_env / "properties.json"
    settings.write_text(json.dumps({**json.loads(settings.read_text()), "gpu_support": True}))
    project.file("g.py", "import os, time\nstart = time.time()\ntime.sleep(0.5)\nprint('span', os.getppid(), start, time.time())\n")
    by_environment = project.step("ByEnvironment", "g.py", env)
    by_step = project.step("ByStep", "g.py", env, orchest_jlab={"resources": {"GPU": 1}})
    too_much = project.step("TooMuch", "g.py", env, orchest_jlab={"resources": {"GPU": 2}})
    by_gpu_support = project.step("ByGpuSupport", "g.py", gpu_env)
    no_gpu = project.step("NoGpu", "g.py", gpu_env, orchest_jlab={"resources": {"GPU": 0}})
    path = project.write("p.orchest", project.pipeline(by_environment, by_step, too_much, by_gpu_support, no_gpu))
    done = run_cli("run", path, "--backend", "dask", "--dask-scheduler", cluster.address, "--json")
    run = json.loads(done.stdout)
    record = states(run)
    assert record["ByEnvironment"] == record["ByStep"] == record["ByGpuSupport"] == ("COMPUTED", None), done.stderr
    assert record["NoGpu"] == ("COMPUTED", None)
    assert record["TooMuch"][0] == "FAILURE"
    assert "No worker of the cluster has the resources this step needs (GPU=2); the workers offer: GPU=1; none" \
        in record["TooMuch"][1]
    logs = [line.split(" | ", 1) for line in done.stderr.splitlines() if " | " in line]  # "title | line"
    assert ["ByGpuSupport", "Needs GPU=1 of a worker."] in [[t.strip(), text] for t, text in logs]
    assert not [text for title, text in logs if title.strip() == "NoGpu" and text.startswith("Needs")]
    spans = sorted((float(start), float(end), pid) for title, text in logs if text.startswith("span ")
                   and title.strip() != "NoGpu" for pid, start, end in [text.split()[1:]])
    assert len(spans) == 3 and {cluster.worker_pid(int(pid)) for _, _, pid in spans} == {cluster.workers[0].pid}
    assert all(later[0] >= earlier[1] for earlier, later in zip(spans, spans[1:]))  # one GPU: one step at a time


def test_scheduler_stopped_mid_run_fails_the_run(project, tmp_path):
    own = Cluster(tmp_path / "own", workers=1, threads=1)
    try:
        env = project.environment()
        project.file("s.py", "import time\nprint('started', flush=True)\ntime.sleep(60)\n")
        path = project.write("p.orchest", project.pipeline(project.step("S", "s.py", env)))
        command = subprocess.Popen([ORCHEST_JLAB, "run", path, "--backend", "dask", "--dask-scheduler", own.address,
                                    "--json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for line in command.stderr:
            if "started" in line:
                own.stop_scheduler()
                break
        out, err = command.communicate(timeout=60)
        record = json.loads(out)
        assert record["status"] == "FAILURE"
        [step] = record["steps"].values()
        assert step["state"] == "FAILURE" and "stopped answering" in step["error"], step
    finally:
        own.close()


def test_a_grid_job_spreads_over_both_workers(cluster, project):
    env = project.environment()
    project.file("g.py", "import os, time, orchest\n"
                 "print('worker pid', os.getppid(), orchest.get_pipeline_param('a'), orchest.get_pipeline_param('b'))\n"
                 "time.sleep(1)\n")
    path = project.write("g.orchest", project.pipeline(project.step("G", "g.py", env), parameters={"a": 0, "b": 0}))
    grid = project.write("grid.json", {"pipeline_parameters": {"a": [1, 2], "b": ["x", "y", "z"]}})
    unpacked = set(cluster.root.glob("worker-*/local/**/orchest-jlab/projects/*"))
    done = run_cli("job", "run", path, "--parameters", grid, "--max-concurrent", "6", "--json",
                   "--backend", "dask", "--dask-scheduler", cluster.address)
    assert done.returncode == 0, done.stderr
    # The runs' snapshots differ only in their pipeline file (each its parameters): one tar, unpacked
    # once per worker, the pipeline file sent with each step.
    unpacked = set(cluster.root.glob("worker-*/local/**/orchest-jlab/projects/*")) - unpacked
    assert len({p.name for p in unpacked}) == 1 and len(unpacked) <= 2, unpacked
    runs = json.loads(done.stdout)["runs"]
    assert len(runs) == 6 and {r["status"] for r in runs} == {"SUCCESS"}
    logs = [line for p in ProjectFolders().jobs(project.root).rglob("logs/*.log")
            for line in p.read_text().splitlines() if line.startswith("worker pid")]
    seen = {(int(text.split()[2]), text.split()[3], text.split()[4]) for text in logs}
    assert {(a, b) for _, a, b in {(p, int(a), b) for p, a, b in seen}} == {(a, b) for a in (1, 2) for b in "xyz"}
    assert {cluster.worker_pid(pid) for pid, _, _ in seen} == {p.pid for p in cluster.workers.values()}


def counted(counter: Path, name: str, body: str) -> str:
    """A step that appends its name to ``counter`` (outside the project: a side effect) and runs ``body``."""
    return f"import orchest\nwith open({str(counter)!r}, 'a') as f:\n    f.write({name!r} + '\\n')\n{body}\n"


def test_the_step_cache_on_dask_runs_nothing_the_second_time(cluster, project, tmp_path):
    counter = tmp_path / "count"
    env = project.environment()
    # "big": A's output is over outputs.SMALL, so it passes as a memory map and reaches B through /dev/shm.
    project.file("a.py", counted(counter, "a", "orchest.output({'v': [1, 2, 3], 'big': b'7' * (2 << 20)}, name='x')"))
    project.file("b.py", counted(counter, "b", "x = orchest.get_inputs()['x']\nassert x['big'] == b'7' * (2 << 20)\n"
                                 "orchest.output(x['v'] + [4], name='y')"))
    shared = set(Path("/dev/shm").glob("orchest-jlab-inputs-*"))
    project.file("c.py", counted(counter, "c", "print('c got', orchest.get_inputs()['y'], flush=True)"))
    a = project.step("A", "a.py", env)
    b = project.step("B", "b.py", env, [a["uuid"]])
    c = project.step("C", "c.py", env, [b["uuid"]], orchest_jlab={"cache": False})  # always runs: it reads the data
    path = project.write("p.orchest", project.pipeline(a, b, c))
    records = []
    for _ in range(2):  # snapshot runs: the outputs stay on the cluster unless the cache needs them
        done = run_cli("run", path, "--backend", "dask", "--dask-scheduler", cluster.address, "--cache", "--snapshot",
                       "--json")
        assert done.returncode == 0, done.stderr
        assert "c got [1, 2, 3, 4]" in done.stderr
        records.append(json.loads(done.stdout))
    first, second = records
    assert counter.read_text().split() == ["a", "b", "c", "c"]
    assert set(Path("/dev/shm").glob("orchest-jlab-inputs-*")) <= shared  # removed when the step ended
    assert [second["steps"][s["uuid"]].get("cached_from") for s in (a, b, c)] == [first["uuid"], first["uuid"], None]
    assert not second["warnings"] and second["steps"][a["uuid"]]["cache_key"] == first["steps"][a["uuid"]]["cache_key"]


def test_an_interactive_run_with_outputs_at_a_url(cluster, project, tmp_path):
    env = project.environment()
    project.file("x.py", "import orchest\norchest.output({'n': 5}, name='x')\n")
    project.file("y.py", "import orchest\nprint('y got', orchest.get_inputs()['x'], flush=True)\n")
    x = project.step("X", "x.py", env)
    y = project.step("Y", "y.py", env, [x["uuid"]])
    data = project.pipeline(x, y)
    path = project.write("p.orchest", data)
    config = tmp_path / "config.py"
    config.write_text(f"c.OrchestApp.dask_outputs_url = {(tmp_path / 'kept').as_uri()!r}\n")
    done = run_cli("run", path, "--backend", "dask", "--dask-scheduler", cluster.address, "--config", config, "--json")
    assert done.returncode == 0, done.stderr
    assert "y got {'n': 5}" in done.stderr
    run = json.loads(done.stdout)["uuid"]
    kept = tmp_path / "kept" / project_uuid(project.root) / run / x["uuid"]
    assert (kept / f"{x['uuid']}.meta.json").is_file()
    # An interactive run's outputs are in the project too (read from the URL by the command)
    written = project.root / ".orchest" / "pipelines" / data["uuid"] / "data" / f"{x['uuid']}.meta.json"
    assert written.read_bytes() == (kept / written.name).read_bytes()


def test_outputs_kept_at_a_url_go_with_their_runs_and_jobs(tmp_path):
    from orchest_jlab.backends.dask.plugin import _forget_outputs
    from orchest_jlab.engine import EventBus

    url = (tmp_path / "kept").as_uri()
    folders = {run: tmp_path / "kept" / project / run / "step" for project, run in
               [("p1", "r1"), ("p1", "r2"), ("p2", "r3"), ("p2", "r4")]}
    for folder in folders.values():
        folder.mkdir(parents=True)
        (folder / "step.meta.json").write_text("{}")
    bus = EventBus()
    bus.subscribe(lambda event: _forget_outputs(url, event))
    bus.publish("run-deleted", run_uuid="r1", pipeline_path="p.orchest")
    bus.publish("job-run-deleted", job_uuid="j", index=0, run_uuid="r3")
    bus.publish("job-deleted", job_uuid="j", run_uuids=["r4"])
    bus.publish("run", run_uuid="r2", status="SUCCESS")  # not a deletion
    deadline = time.monotonic() + 10
    while any(folders[r].exists() for r in ("r1", "r3", "r4")) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [r for r, folder in sorted(folders.items()) if folder.exists()] == ["r2"]


@pytest.fixture
def jp_server_config(cluster, tmp_path):
    return {"ServerApp": {"jpserver_extensions": {"orchest_jlab": True}},
            "OrchestApp": {"environment_kernels": False, "backend": "dask", "dask_scheduler": cluster.address,
                           "dask_outputs_url": (tmp_path / "kept-outputs").as_uri()}}


async def test_a_server_whose_backend_is_dask(jp_fetch, jp_root_dir, cluster, tmp_path):
    from .conftest import ProjectBuilder
    from .test_runs_api import api, chain, finished

    a, b = chain(ProjectBuilder(Path(jp_root_dir)))
    code, run = await api(jp_fetch, "POST", "runs", body={"pipeline": "p.orchest", "interactive": False})
    assert code == 201 and run["backend"] == "dask"
    run = await finished(jp_fetch, run["uuid"], timeout=90)
    assert run["status"] == "SUCCESS", run
    _, log = await api(jp_fetch, "GET", "runs", run["uuid"], "steps", a, "log")
    assert "a says hi" in log
    assert run["steps"][a]["worker"] in cluster.worker_addresses()

    # The sidebar's cluster section: the scheduler, its workers, the dashboard through this server.
    code, found = await api(jp_fetch, "GET", "cluster")
    assert code == 200 and found["backend"] == "dask" and found["problem"] is None
    assert found["cluster"]["scheduler"] == cluster.address and found["cluster"]["dashboard"]
    workers = {w["name"]: w for w in found["cluster"]["workers"]}
    assert set(workers) == {"worker-0", "worker-1"} and workers["worker-0"]["resources"] == {"GPU": 1}
    assert workers["worker-1"]["threads"] == 2 and workers["worker-1"]["status"] == "running"
    assert found["cluster"]["dashboard_url"].endswith("/orchest/cluster-dashboard/status")
    health = await jp_fetch("orchest", "cluster-dashboard", "health")
    assert health.body == b"ok"
    with pytest.raises(HTTPClientError) as refused:
        await jp_fetch("orchest", "cluster-dashboard", "health", headers={"Authorization": ""}, follow_redirects=False)
    assert refused.value.code in (302, 403) and b"ok" not in (refused.value.response.body or b"")  # to the login page

    # Outputs kept at c.OrchestApp.dask_outputs_url: the next step reads them there; they go with the run.
    root = ProjectBuilder(Path(jp_root_dir))
    env = root.environment()
    root.file("x.py", "import orchest\norchest.output([1, 2], name='x')\n")
    root.file("y.py", "import orchest\nprint('y got', orchest.get_inputs()['x'])\n")
    x = root.step("X", "x.py", env)
    y = root.step("Y", "y.py", env, [x["uuid"]])
    root.write("q.orchest", root.pipeline(x, y))
    code, run = await api(jp_fetch, "POST", "runs", body={"pipeline": "q.orchest", "interactive": False})
    run = await finished(jp_fetch, run["uuid"], timeout=90)
    assert run["status"] == "SUCCESS", run
    _, log = await api(jp_fetch, "GET", "runs", run["uuid"], "steps", y["uuid"], "log")
    assert "y got [1, 2]" in log
    kept = tmp_path / "kept-outputs"
    [project_folder] = kept.iterdir()
    assert project_folder.name == project_uuid(Path(jp_root_dir))
    assert {p.name for p in (project_folder / run["uuid"] / x["uuid"]).iterdir()} >= {f"{x['uuid']}.meta.json"}
    code, _ = await api(jp_fetch, "DELETE", "runs", "cleanup", run["uuid"])
    assert code in (200, 204)
    deadline = time.monotonic() + 10
    while (project_folder / run["uuid"]).exists() and time.monotonic() < deadline:
        await asyncio.sleep(0.1)
    assert not (project_folder / run["uuid"]).exists()


def test_no_scheduler_a_local_cluster_lives_as_long_as_the_command(project, tmp_path):
    import socket
    from urllib.parse import urlsplit

    path, data = project.chain(("A",))
    config = tmp_path / "config.py"
    config.write_text("c.OrchestApp.dask_local_workers = 1\n")
    done = run_cli("run", path, "--backend", "dask", "--config", config, "--json",
                   env={"DASK_SCHEDULER_ADDRESS": "", "DOCKER_HOST": NO_DOCKER})  # no image to build
    assert done.returncode == 0, done.stderr
    [step] = json.loads(done.stdout)["steps"].values()
    worker = urlsplit(step["worker"])
    assert worker.hostname == "127.0.0.1"
    with pytest.raises(OSError):  # stopped with the command
        socket.create_connection((worker.hostname, worker.port), timeout=2).close()


async def test_a_run_packs_its_project_again_only_when_its_files_changed(cluster, project):
    from orchest_jlab.backends.dask.cluster import DaskBackend, _Run

    project.file("s.py", "print('s')\n")
    data = ".orchest/pipelines/p/data"
    backend = DaskBackend(cluster.address)
    try:
        client, run = await backend.client(), _Run()
        first, manifest = await backend._tars.project(client, run, project.root, data)
        project.file(f"{data}/x.meta.json", "{}")  # the data folder is not sent with the project
        again, same = await backend._tars.project(client, run, project.root, data)
        assert (again, same) == (first, manifest) and same is manifest  # not packed again
        project.file("made.txt", "a step wrote this")
        changed, manifest = await backend._tars.project(client, run, project.root, data)
        assert changed != first and "made.txt" in manifest and len(run.projects) == 2
        # A snapshot run's project changes only when the server writes into it (an executed notebook).
        project.file("later.txt", "not seen: a snapshot is not listed again")
        assert (await backend._tars.project(client, run, project.root, data, fixed=True))[0] == changed
        run.written = True
        assert "later.txt" in (await backend._tars.project(client, run, project.root, data, fixed=True))[1]
    finally:
        for future in run.projects.values():
            if not isinstance(future, bytes):  # a small project goes inside its steps' tasks
                future.release()
        await backend.close()


async def test_a_worker_without_the_project_unpacked_gets_it_sent_again(cluster, project):
    """Once every worker has unpacked a small project, its tar is no longer sent with each step; a
    worker that lost it (its scratch space purged, a restart at its address) answers ProjectMissing,
    and the step is sent again with the tar."""
    import shutil

    from distributed import Client

    from orchest_jlab.backends.dask import worker
    from orchest_jlab.backends.dask.cluster import DaskBackend
    from orchest_jlab.engine import Engine, EventBus
    from orchest_jlab.runs import prepare_run

    env = project.environment()
    project.file("s.py", "print('ran')\n")
    path = project.write("p.orchest", project.pipeline(*[project.step(f"S{i}", "s.py", env) for i in range(2)]))
    addresses = cluster.worker_addresses()
    async with Client(cluster.address, asynchronous=True) as client:  # a worker without it says so at once
        with pytest.raises(worker.ProjectMissing, match=addresses[1]):
            await client.submit(worker.run_step, {"project_hash": "0" * 64}, None, {}, pure=False,
                                workers=[addresses[1]])
    backend = DaskBackend(cluster.address)
    engine = Engine(EventBus(), backend)

    async def run_once():
        run = engine.start(prepare_run(path, interactive=True))
        await engine.wait(run.uuid)
        assert run.status.value == "SUCCESS", run.to_json()
        return run

    try:
        await run_once()  # the tar goes with the steps
        [project_hash] = backend._unpacked._by_hash
        await backend._unpacked.ask(await backend.client())
        for address in addresses:
            backend._unpacked.add(project_hash, address)
        for folder in cluster.root.glob(f"worker-*/local/**/orchest-jlab/projects/{project_hash}"):
            shutil.rmtree(folder)
        run = await run_once()
        assert {s.worker for s in run.steps.values()} <= set(addresses)
    finally:
        await engine.shutdown()
    logs = [(cluster.root / f"worker-{i}" / "worker.log").read_text() for i in (0, 1)]
    assert sum(log.count('Exception: "ProjectMissing') for log in logs) == 3  # above, and each step's first try


@pytest.fixture(scope="module")
def docker_cluster(tmp_path_factory):
    cluster = Cluster(tmp_path_factory.mktemp("dask-docker"), workers=1, docker=True)
    yield cluster
    cluster.close()


def test_steps_run_in_their_environment_image_built_once_on_their_worker(needs_docker, docker_cluster, project,
                                                                          tmp_path):
    import docker

    from orchest_jlab.environments import image_tag

    env = project.environment("Marked")
    (project.root / ".orchest" / "environments" / env / "setup_script.sh").write_text(
        "#!/bin/bash\necho made-by-the-setup-script > /marker.txt\n")
    project.file("m.py", "import os, orchest\nprint('marker', open('/marker.txt').read().strip() "
                 "if os.path.exists('/marker.txt') else None, flush=True)\norchest.output(os.getuid(), name='uid')\n")
    project.file("n.py", "import orchest\nprint('n got', orchest.get_inputs()['uid'], flush=True)\n")
    m = project.step("M", "m.py", env)
    twin = project.step("Twin", "m.py", env)  # starts with M on the worker's 2 threads: one build for both
    n = project.step("N", "n.py", env, incoming=[m["uuid"]])
    missing = project.environment("No base here")  # its base image is not in the worker's engine: on the host
    properties = project.root / ".orchest" / "environments" / missing / "properties.json"
    properties.write_text(json.dumps({**json.loads(properties.read_text()), "base_image": "orchest-jlab/no-such-base:1"}))
    elsewhere = project.step("Elsewhere", "m.py", missing)
    path = project.write("p.orchest", project.pipeline(m, twin, n, elsewhere))
    tag = image_tag(project.root, env)  # the docker backend's tag for this environment
    try:
        done = run_cli("run", path, "--backend", "dask", "--dask-scheduler", docker_cluster.address, "--json")
        assert done.returncode == 0, done.stderr
        steps = json.loads(done.stdout)["steps"]
        assert {(s["runtime"], s["image"]) for u, s in steps.items() if u != elsewhere["uuid"]} == {("docker", tag)}
        assert steps[elsewhere["uuid"]]["runtime"] == "host" and "image" not in steps[elsewhere["uuid"]]
        assert 'Runs on the worker\'s host: the base image "orchest-jlab/no-such-base:1"' in done.stderr
        assert "marker None" in done.stderr
        assert done.stderr.count("marker made-by-the-setup-script") == 2  # in the image the worker built
        assert f"n got {os.getuid()}" in done.stderr  # as the worker's user; outputs pass as on the host
        assert done.stderr.count("Building environment") == 1, done.stderr  # the others waited for it
        assert done.stderr.count("already built on this worker") == 2

        config = tmp_path / "host.py"  # the server's choice: every step on its worker's host
        config.write_text("c.OrchestApp.dask_environments = 'host'\n")
        done = run_cli("run", path, "--backend", "dask", "--dask-scheduler", docker_cluster.address, "--json",
                       "--config", config, "--type", "selection", "--step", "M")
        assert done.returncode == 0, done.stderr
        [step] = json.loads(done.stdout)["steps"].values()
        assert step["runtime"] == "host" and "image" not in step
        assert "marker None" in done.stderr and "c.OrchestApp.dask_environments = 'host'" in done.stderr

        project.file("s.py", "import time\nprint('sleeping', flush=True)\ntime.sleep(300)\n")  # cancel: no container left
        s = project.step("S", "s.py", env)
        path = project.write("s.orchest", project.pipeline(s))
        command = subprocess.Popen([ORCHEST_JLAB, "run", path, "--backend", "dask", "--dask-scheduler",
                                    docker_cluster.address], stderr=subprocess.PIPE, text=True)
        next(line for line in command.stderr if "sleeping" in line)
        client = docker.from_env()
        label = {"label": f"orchest-jlab.step={s['uuid']}"}
        assert len(client.containers.list(filters=label, ignore_removed=True)) == 1
        command.send_signal(signal.SIGINT)
        assert "ABORTED" in command.stderr.read() and command.wait(60) != 0
        deadline = time.monotonic() + 15  # the worker removes it as the step's task ends
        while client.containers.list(all=True, ignore_removed=True, filters=label) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert client.containers.list(all=True, ignore_removed=True, filters=label) == []
        client.close()
    finally:
        client = docker.from_env()
        with contextlib.suppress(docker.errors.ImageNotFound):
            client.images.remove(tag, force=True)
        client.close()
