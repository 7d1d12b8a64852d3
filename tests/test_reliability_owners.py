"""Reliability against a real server: runs whose owner process died, and processes that try to
outlive their step (setsid daemons), on cancel and on recovery."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from orchest_jlab.engine import cgroups, spawner
from orchest_jlab.engine.orphans import process_recorded

from .conftest import ProjectBuilder
from .reliability_helpers import api, until

# A step that starts a daemon in a session of its own (out of the step's process group), writes
# the daemon's pid, then works until it is killed. With "env -i", the daemon also drops the step's
# token: only a cgroup catches it.
DAEMON_STEP = """import os, subprocess, time
daemon = subprocess.Popen([*{prefix!r}, "setsid", "sleep", "600"])  # in the step's first milliseconds
with open({pidfile!r}, "w") as f:
    f.write(str(daemon.pid))
print("working", flush=True)
time.sleep(600)
"""


@pytest.fixture
def root(jp_root_dir) -> ProjectBuilder:
    return ProjectBuilder(Path(jp_root_dir))


@pytest.fixture(params=["cgroup", "token"])
def containment(request, monkeypatch):
    """How a step's descendants are found: its cgroup (where the machine allows), or the fallback,
    the token in their environment. Returns the command prefix of the daemon the step starts."""
    if request.param == "token":
        monkeypatch.setattr(cgroups, "ENABLED", False)
        monkeypatch.setenv("ORCHEST_JLAB_STEP_CGROUPS", "0")  # in command-line runs too
        return []
    if not cgroups.available():
        pytest.skip("no writable cgroup v2 hierarchy here: steps have the token only")
    return ["env", "-i", "PATH=/usr/bin:/bin"]  # a daemon without the token: the cgroup alone finds it


def daemon_pipeline(root: ProjectBuilder, pidfile: Path, prefix: list[str], name: str = "d.orchest") -> tuple[Path, str]:
    env = root.environment()
    root.file("daemon.py", DAEMON_STEP.format(pidfile=str(pidfile), prefix=prefix))
    step = root.step("daemon", "daemon.py", env)
    return root.write(name, root.pipeline(step)), step["uuid"]


def alive(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def step_processes(path_fragment: str) -> list[int]:
    """The processes whose command line mentions the fragment (a step's file)."""
    return [p.pid for p in psutil.process_iter(["cmdline", "status"]) if p.info["status"] != psutil.STATUS_ZOMBIE
            and any(path_fragment in part for part in p.info["cmdline"] or [])]


def cleanup(*pids: int) -> None:
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


async def test_a_killed_command_line_run_ends_failure_in_the_server_and_its_processes_die(jp_fetch, root, tmp_path,
                                                                                       containment):
    pidfile = tmp_path / "daemon.pid"
    path, step_uuid = daemon_pipeline(root, pidfile, containment)
    await api(jp_fetch, "GET", "runs")  # the server runs (and watches) before the command starts
    cli = subprocess.Popen([sys.executable, "-m", "orchest_jlab", "run", str(path), "-q"],
                           stdout=subprocess.DEVNULL, stderr=(tmp_path / "cli.err").open("w"))
    daemon = None
    try:
        async def running():
            runs = (await api(jp_fetch, "GET", "runs"))["runs"]
            # (the run and its steps are two reads of the database: wait until both say so; and until the
            # command has recorded the step's process, where the server finds its cgroup: killed before
            # that, a daemon that also dropped the token would escape, as runs.md says)
            step = runs[0]["steps"][step_uuid] if runs else None
            if runs and runs[0]["status"] == "STARTED" and step["state"] == "RUNNING" and step["log_path"] \
                    and process_recorded(step["log_path"]) and pidfile.exists() and pidfile.read_text():
                daemon = int(pidfile.read_text())
                return runs[0] if alive(daemon) and os.getsid(daemon) == daemon else None  # setsid has run
            return None

        run = await until(running, "the command's run to reach RUNNING")
        daemon = int(pidfile.read_text())
        assert run["status"] == "STARTED" and alive(daemon)
        steps = step_processes(str(root.root / "daemon.py"))
        assert steps

        cli.send_signal(signal.SIGKILL)
        cli.wait()

        async def ended():
            record = await api(jp_fetch, "GET", "runs", run["uuid"])
            return record if record["status"] != "STARTED" else None

        record = await until(ended, "the server to end the run of the killed command")
        assert record["status"] == "FAILURE"
        assert f"pid {cli.pid}" in record["error"] and "stopped" in record["error"]
        step = record["steps"][step_uuid]
        assert step["state"] == "FAILURE" and "vanished" in step["error"]

        async def gone():
            return not alive(daemon) and not any(alive(pid) for pid in steps)

        await until(gone, "the step's process and its setsid daemon to be killed")
        # Ended, so there is nothing left to cancel.
        with pytest.raises(Exception) as info:
            await api(jp_fetch, "DELETE", "runs", run["uuid"])
        assert getattr(info.value, "code", None) == 409
    finally:
        cli.kill()
        cli.wait()
        cleanup(*([daemon] if daemon else []))


async def test_a_setsid_daemon_of_a_step_dies_when_the_run_is_cancelled(jp_fetch, root, tmp_path, containment):
    pidfile = tmp_path / "daemon.pid"
    _, step_uuid = daemon_pipeline(root, pidfile, containment, "p.orchest")
    run = await api(jp_fetch, "POST", "runs", body={"pipeline": "p.orchest", "interactive": False})
    daemon = None
    try:
        async def running():
            record = await api(jp_fetch, "GET", "runs", run["uuid"])
            return (record["steps"][step_uuid]["state"] == "RUNNING" and pidfile.exists() and pidfile.read_text()
                    and alive(int(pidfile.read_text())) and os.getsid(int(pidfile.read_text())) == int(pidfile.read_text()))

        await until(running, "the step to start its daemon, in a session (and group) of its own")
        daemon = int(pidfile.read_text())
        await api(jp_fetch, "DELETE", "runs", run["uuid"])

        async def ended():
            record = await api(jp_fetch, "GET", "runs", run["uuid"])
            return record if record["status"] in ("ABORTED", "FAILURE", "SUCCESS") else None

        record = await until(ended, "the cancelled run to end")
        assert record["status"] == "ABORTED"

        async def gone():
            return not alive(daemon)

        await until(gone, "the daemon to die with its step")
    finally:
        cleanup(*([daemon] if daemon else []))


def test_a_step_process_is_in_its_cgroup_before_it_execs(tmp_path):
    """Nothing a step starts, however early, is outside its cgroup: the process moves itself in
    before it execs the step's command. Here the parent never moves it: that move is all there is."""
    if not cgroups.available():
        pytest.skip("no writable cgroup v2 hierarchy here: steps have the token only")
    placement = cgroups.prepare("test-" + os.urandom(8).hex())
    assert placement is not None
    try:
        seen = subprocess.run(placement.command(["cat", "/proc/self/cgroup"]), capture_output=True, text=True,
                              check=True).stdout
    finally:
        cgroups.kill(placement.group)
    assert any(line.startswith("0::") and line.endswith(placement.group.name) for line in seen.splitlines()), seen
    assert not placement.group.exists()


def test_the_watch_over_owners_removes_the_empty_cgroups_that_steps_left(tmp_path):
    """A process killed between its step's end and the removal of the step's cgroup leaves it empty;
    the server's watch removes such cgroups once they are old, never one with processes in it."""
    if not cgroups.available():
        pytest.skip("no writable cgroup v2 hierarchy here: steps get no cgroups")
    from orchest_jlab.engine import EventBus
    from orchest_jlab.runs.liveness import OwnerWatch
    from orchest_jlab.store import RunStores

    old, busy, new = (cgroups.base() / f"{cgroups.PREFIX}test-sweep-{os.getpid()}-{kind}" for kind in ("old", "busy", "new"))
    for group in (old, busy, new):
        group.mkdir()
    sleeper = subprocess.Popen(["sleep", "60"])
    stores = RunStores()
    try:
        (busy / "cgroup.procs").write_text(str(sleeper.pid))
        for group in (old, busy):  # made an hour ago (a cgroup's time is when it was made)
            os.utime(group, (0, time.time() - 3600))
        OwnerWatch(stores, EventBus())._check(discover=True)
        assert not old.exists()
        assert busy.exists() and new.exists()
        assert (busy / "cgroup.procs").read_text().split() == [str(sleeper.pid)]
    finally:
        stores.close()
        sleeper.kill()
        sleeper.wait()
        for group in (old, busy, new):
            cgroups.kill(group)


def test_a_step_process_that_joined_its_cgroup_leaves_no_marker(tmp_path):
    """A process that moved itself into its cgroup (here the parent never writes its pid) leaves
    no marker: the cgroup is what holds the step."""
    if not cgroups.available():
        pytest.skip("no writable cgroup v2 hierarchy here: steps have the token only")
    marker = tmp_path / "step.nocgroup"
    placement = cgroups.prepare("test-" + os.urandom(8).hex(), marker)
    try:
        subprocess.run(placement.command(["true"]), check=True)
        assert placement.joined() == placement.group and not marker.exists()
        assert cgroups.available()
    finally:
        cgroups.kill(placement.group)


async def test_a_step_that_cannot_join_its_cgroup_is_found_by_its_token(project, tmp_path, monkeypatch):
    """Where the move into the cgroup fails (here: its cgroup.procs is a folder), the step's process
    runs anyway, leaves the marker, and what it started is found by the token when it ends; the
    steps after it get no cgroup."""
    fake = tmp_path / "fake-cgroup"
    fake.mkdir()
    monkeypatch.setattr(spawner, "_broken", False)  # restored after: the spawner fails here, then is off
    monkeypatch.setattr(cgroups, "_base", fake)
    monkeypatch.setattr(cgroups, "ENABLED", True)
    made = []

    def prepare(token, marker=None):
        placement = cgroups.Placement(fake / f"{cgroups.PREFIX}{token}", marker)
        (placement.group / "cgroup.procs").mkdir(parents=True)
        made.append(placement)
        return placement

    monkeypatch.setattr(cgroups, "prepare", prepare)
    pidfile = tmp_path / "daemon.pid"
    env = project.environment()
    project.file("daemon.py", DAEMON_STEP.format(pidfile=str(pidfile), prefix=[]).replace("time.sleep(600)", "pass"))
    path = project.write("d.orchest", project.pipeline(project.step("daemon", "daemon.py", env)))
    await run_until_the_daemon_died(path, pidfile)
    assert made and not made[0].marker.exists()  # seen, and removed
    assert cgroups.base() is None  # turned off for the steps after it


async def test_a_script_step_is_born_in_its_cgroup_by_the_spawner(project, tmp_path, monkeypatch):
    """Where clone3(CLONE_INTO_CGROUP) works, the step's process is created in its cgroup by the
    spawner's helper (its parent), with no move and no shell in between; its output, exit code and
    session are those of any step."""
    from .engine_helpers import Harness

    if not cgroups.available():
        pytest.skip("no writable cgroup v2 hierarchy here: steps have the token only")
    monkeypatch.setattr(spawner, "_broken", False)
    seen = tmp_path / "seen.txt"
    env = project.environment()
    project.file("where.py", "import os, sys\nfds = len(os.listdir('/proc/self/fd'))\n"
                 f"open({str(seen)!r}, 'w').write(open('/proc/self/cgroup').read().splitlines()[-1] + '\\n'"
                 " + open(f'/proc/{os.getppid()}/cmdline').read() + '\\n' + str(os.getsid(0) == os.getpid())"
                 " + '\\n' + str(fds))\n"
                 "print('out'); print('err', file=sys.stderr); sys.exit(3)\n")
    step = project.step("where", "where.py", env)
    path = project.write("w.orchest", project.pipeline(step))
    harness = Harness()
    try:
        record = await harness.run(path)
        group, parent, own_session, fds = seen.read_text().splitlines()
        from orchest_jlab.engine.orphans import step_token

        assert group.endswith(f"/{cgroups.PREFIX}{step_token(record['uuid'], step['uuid'])}"), group
        assert "_spawnd" in parent, parent  # the C helper, or the Python one where it was not built
        assert own_session == "True"
        assert fds == "4"  # stdin, stdout, stderr and the listing's own: nothing of the engine's or the helper's
        assert record["steps"][step["uuid"]]["state"] == "FAILURE"
        assert "exited with code 3" in record["steps"][step["uuid"]]["error"]
        assert harness.log_lines(record["uuid"], step["uuid"])[:2] == ["out", "err"]
        assert not Path(group.partition("::")[2]).exists()  # the step's cgroup was removed
    finally:
        await harness.close()


async def test_a_step_started_by_the_spawner_ignores_no_signal(project, monkeypatch):
    """Python ignores SIGPIPE and SIGXFSZ, and an ignored signal stays ignored across exec: a shell
    step started by the (Python) helper must get them as any program does (``yes | head`` ends)."""
    from .engine_helpers import Harness

    if not cgroups.available():
        pytest.skip("no writable cgroup v2 hierarchy here: steps have the token only")
    monkeypatch.setattr(spawner, "_broken", False)
    env = project.environment()
    project.file("signals.sh", "grep SigIgn /proc/self/status\nyes | head -n 1\n")
    step = project.step("signals", "signals.sh", env)
    harness = Harness()
    try:
        record = await harness.run(project.write("s.orchest", project.pipeline(step)))
        assert record["status"] == "SUCCESS", record
        ignored, first = harness.log_lines(record["uuid"], step["uuid"])[:2]
        mask = int(ignored.split()[1], 16)
        assert not mask & (1 << (signal.SIGPIPE - 1)) and not mask & (1 << (signal.SIGXFSZ - 1)), ignored
        assert first == "y"
    finally:
        await harness.close()


async def test_a_step_whose_spawner_died_fails_and_its_processes_die(project, tmp_path, monkeypatch):
    """The spawner's helper killed while a step runs: the step ends FAILURE saying so, what it
    started is killed with its cgroup, and later steps move themselves into theirs."""
    from .engine_helpers import Harness

    if not cgroups.available():
        pytest.skip("no writable cgroup v2 hierarchy here: steps have the token only")
    monkeypatch.setattr(spawner, "_broken", False)
    pidfile = tmp_path / "daemon.pid"
    path, step_uuid = daemon_pipeline(project, pidfile, ["env", "-i", "PATH=/usr/bin:/bin"])
    harness = Harness()
    daemon = None
    try:
        from orchest_jlab.runs import prepare_run

        run = harness.engine.start(prepare_run(path))

        async def started():
            return pidfile.exists() and pidfile.read_text()

        daemon = int(await until(started, "the step's daemon"))
        spawner._spawners[asyncio.get_running_loop()].process.kill()
        await harness.engine.wait(run.uuid)
        step = run.to_json()["steps"][step_uuid]
        assert step["state"] == "FAILURE" and "was lost" in step["error"], step

        async def dead():
            return not alive(daemon)

        await until(dead, "the daemon's end")
        assert spawner.spawner() is None  # not tried again in this process
    finally:
        await harness.close()
        cleanup(*([daemon] if daemon else []))


async def test_a_daemon_started_by_a_notebook_cell_dies_with_its_step(project, tmp_path, containment):
    from .engine_helpers import notebook

    pidfile = tmp_path / "daemon.pid"
    env = project.environment()
    project.file("daemon.ipynb", notebook(
        "import subprocess\n"
        f"daemon = subprocess.Popen([*{containment!r}, 'setsid', 'sleep', '600'])\n"
        f"open({str(pidfile)!r}, 'w').write(str(daemon.pid))"))
    path = project.write("n.orchest", project.pipeline(project.step("daemon", "daemon.ipynb", env)))
    await run_until_the_daemon_died(path, pidfile)


async def run_until_the_daemon_died(path: Path, pidfile: Path) -> None:
    """Runs the pipeline on the engine; its step wrote the pid of the daemon it started, which must
    be dead once the run has ended."""
    from .engine_helpers import Harness

    harness = Harness()
    daemon = None
    try:
        record = await harness.run(path)
        assert record["status"] == "SUCCESS", record
        daemon = int(pidfile.read_text())
        for _ in range(100):  # killed when the step ended; gone once reaped by init
            if not alive(daemon):
                break
            await asyncio.sleep(0.05)
        assert not alive(daemon)
    finally:
        await harness.engine.shutdown()
        harness.stores.close()
        cleanup(*([daemon] if daemon else []))


async def test_a_server_closed_while_it_starts_never_starts_the_watch_over_owners(tmp_path):
    # A server stopped while its start restored the jobs (a short test's server) started the watch
    # after the close: its first check, a thread's coroutine, was never run by the closed loop.
    from orchest_jlab.services import Services
    from orchest_jlab.settings import OrchestSettings

    ProjectBuilder(tmp_path / "root").chain()
    services = Services(OrchestSettings(snapshots_dir=str(tmp_path / "snapshots")), tmp_path / "root")
    starting = asyncio.ensure_future(services.start())
    await asyncio.sleep(0)  # the jobs are being restored, in a thread
    assert not starting.done()
    await services.close()
    await starting
    assert "liveness" not in services.__dict__
    # Started, then closed: the watch stops with it.
    services = Services(OrchestSettings(snapshots_dir=str(tmp_path / "snapshots")), tmp_path / "root")
    await services.start()
    assert services.liveness._task is not None
    await services.close()
    assert services.liveness._task is None
