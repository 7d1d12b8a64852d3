"""The step spawner (engine/spawner.py) with each of its helpers: the C one (_spawnd.c, built at
install time) and the Python one (_spawnd.py, the fallback). Real processes in real cgroups."""

from __future__ import annotations

import asyncio
import errno
import os
import signal
import stat
from pathlib import Path

import pytest

from orchest_jlab.engine import cgroups, spawner

HELPERS = [pytest.param(True, id="C"), pytest.param(False, id="Python")]


def test_the_c_helper_was_built_at_install_time():
    """CI installs a C compiler: the C helper must be there (elsewhere its absence is allowed)."""
    if not spawner.native_built():
        if os.environ.get("CI", "").lower() in ("true", "1"):
            pytest.fail(f"CI must build the C step spawner's helper at install time: {spawner.NATIVE} is missing")
        pytest.skip(f"no C helper built here ({spawner.NATIVE}): steps start through the Python one")


@pytest.fixture(params=HELPERS)
def helper(request, jp_asyncio_loop, monkeypatch):
    """A started helper of each kind (bound to the test's loop at its first use, ended after)."""
    if not cgroups.available():
        pytest.skip("no writable cgroup v2 hierarchy here: no step is born in a cgroup")
    if request.param and not spawner.native_built():
        pytest.skip("the C helper was not built here")
    monkeypatch.setattr(spawner, "_broken", False)  # (a helper's death turns the spawner off: restored after)
    started = spawner.Spawner(native=request.param)
    assert (started.process.args[0] == str(spawner.NATIVE)) is request.param
    yield started
    started.close()


@pytest.fixture
def group():
    if not cgroups.available():
        pytest.skip("no writable cgroup v2 hierarchy here: no step is born in a cgroup")
    made = cgroups.base() / f"{cgroups.PREFIX}test-{os.urandom(6).hex()}"
    made.mkdir()
    yield made
    cgroups.kill(made)
    if made.exists():
        made.rmdir()


async def start(helper: spawner.Spawner, argv: list[str], group: Path, env: dict | None = None,
                cwd: str = "/") -> tuple[int, asyncio.Future, int]:
    """Started: its pid, its return code's future and the read end of its output."""
    if helper.loop is None:
        helper.bind(asyncio.get_running_loop())
    read, write = os.pipe()
    try:
        pid, code = await helper.spawn(argv, {"PATH": os.defpath} if env is None else env, cwd, group, write)
    except BaseException:
        os.close(read)
        raise
    finally:
        os.close(write)
    return pid, code, read


async def output(read: int) -> str:
    """What the process wrote, to its end (from a thread: the pipe blocks)."""
    def drain() -> bytes:
        with open(read, "rb") as pipe:
            return pipe.read()
    return (await asyncio.to_thread(drain)).decode()


async def test_a_step_is_born_in_its_cgroup_in_its_own_session_with_its_output_and_code(helper, group, tmp_path):
    script = ('read x; echo "session $(ps -o sid=,pgid= $$)"; echo "cgroup $(grep ^0:: /proc/self/cgroup)"; '
              'echo "folder $(pwd) $$"; echo err >&2; grep -E "^Sig(Ign|Blk)" /proc/self/status | tr -d :; exit 3')
    pid, code, read = await start(helper, ["sh", "-c", script], group, cwd=str(tmp_path))
    text = await output(read)
    assert await code == 3
    seen = dict(line.split(None, 1) for line in text.splitlines() if len(line.split()) > 1)
    assert seen["session"].split() == [str(pid), str(pid)]  # its own session and group: cancel kills the group
    assert seen["cgroup"] == f"0::/{group.relative_to(cgroups.base())}" or seen["cgroup"].endswith(f"/{group.name}")
    assert seen["folder"] == f"{tmp_path} {pid}" and "err\n" in text  # stdout and stderr into the output
    ignored, blocked = int(seen["SigIgn"], 16), int(seen["SigBlk"], 16)
    assert not ignored & (1 << (signal.SIGPIPE - 1) | 1 << (signal.SIGXFSZ - 1)) and blocked == 0, text


async def test_a_signal_gives_a_negative_code_and_the_groups_kill_ends_all_of_it(helper, group):
    pid, code, read = await start(helper, ["sh", "-c", "kill -TERM $$"], group)
    assert await code == -signal.SIGTERM
    os.close(read)
    # A step that starts a daemon in a session of its own: cancel (the cgroup's kill) ends both.
    pid, code, read = await start(helper, ["sh", "-c", "read x; setsid sleep 60 & echo $!; sleep 60"], group)
    # In its cgroup from its first instant: nothing moves it there (none but the kernel could).
    assert str(pid) in (group / "cgroup.procs").read_text().split()
    with open(read, "rb", 0) as pipe:
        daemon = int(pipe.readline())
        assert {pid, daemon} <= {int(p) for p in (group / "cgroup.procs").read_text().split()}
        cgroups.kill(group)
        assert await code == -signal.SIGKILL
    for _ in range(200):
        if not Path(f"/proc/{daemon}").exists():
            break
        await asyncio.sleep(0.01)
    assert not Path(f"/proc/{daemon}").exists()


async def test_a_bare_command_is_searched_on_the_requests_path(helper, group, tmp_path):
    folder = tmp_path / "bin"
    folder.mkdir()
    program = folder / "orchest-test-step"
    program.write_text("#!/bin/sh\necho \"found with $ONLY\"; env | sort\n")
    program.chmod(program.stat().st_mode | stat.S_IXUSR)
    env = {"PATH": f"{folder}:/usr/bin:/bin", "ONLY": "é ✓"}
    pid, code, read = await start(helper, ["orchest-test-step"], group, env)
    lines = (await output(read)).splitlines()
    assert await code == 0
    assert lines[0] == "found with é ✓"
    assert sorted(line.partition("=")[0] for line in lines[1:]) == ["ONLY", "PATH", "PWD"]  # (sh adds PWD)


async def test_a_missing_command_says_so_in_its_output_and_ends_127(helper, group, tmp_path):
    pid, code, read = await start(helper, ["orchest-no-such-command"], group, {"PATH": str(tmp_path)})
    assert await output(read) == "could not start orchest-no-such-command: No such file or directory\n"
    assert await code == 127
    pid, code, read = await start(helper, ["true"], group, cwd=str(tmp_path / "gone"))
    assert await output(read) == f"could not start true: {tmp_path / 'gone'}: No such file or directory\n"
    assert await code == 127


async def test_a_cgroup_that_does_not_exist_is_an_error_with_its_errno_and_path(helper, group):
    missing = group / "missing"
    with pytest.raises(OSError) as raised:
        await start(helper, ["true"], missing)
    assert raised.value.errno == errno.ENOENT and str(missing) in str(raised.value)
    with pytest.raises(ValueError, match="null byte"):  # refused before anything is sent
        await start(helper, ["echo", "a\0b"], group)
    pid, code, read = await start(helper, ["echo", "still here"], group)  # the helper goes on
    assert await output(read) == "still here\n" and await code == 0


async def test_the_helpers_death_fails_what_it_started_and_turns_the_spawner_off(helper, group):
    pid, code, read = await start(helper, ["sleep", "60"], group)
    os.close(read)
    helper.process.kill()
    with pytest.raises(OSError, match="ended"):
        await asyncio.wait_for(code, 10)
    assert helper.closed and spawner._broken and spawner.spawner() is None
    with pytest.raises(OSError):
        await start(helper, ["true"], group)


def test_the_python_helper_forked_at_a_commands_start_starts_steps(group):
    """prefork.py, where no C helper was built: the Python helper is a fork of the command (not a
    new interpreter), and the spawner uses it."""
    import subprocess
    import sys

    script = (
        "import asyncio, os\n"
        "from orchest_jlab import prefork\n"
        "prefork.NATIVE = '/no/such/helper'  # as where none was built\n"
        "prefork.start()\n"
        "from orchest_jlab.engine import spawner\n"
        "assert spawner.warm(prefork.take())\n"
        "async def main():\n"
        "    read, write = os.pipe()\n"
        f"    pid, code = await spawner.spawner().spawn(['sh', '-c', 'echo $PPID; cat /proc/$PPID/cmdline'], {{'PATH': os.defpath}}, '/', {str(group)!r}, write)\n"
        "    os.close(write)\n"
        "    print(await code, os.getpid(), os.read(read, 65536).decode().replace(chr(0), ' '))\n"
        "asyncio.run(main())\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    code, command, parent, cmdline = done.stdout.split(maxsplit=3)
    assert code == "0" and parent != command and "prefork.start()" in cmdline, done.stdout  # a fork of the command


def test_a_c_helper_that_cannot_run_here_leaves_the_python_one(tmp_path, monkeypatch):
    broken = tmp_path / "_spawnd"
    broken.write_bytes(b"\x7fELF not a program for this machine")
    broken.chmod(0o755)
    monkeypatch.setattr(spawner, "NATIVE", broken)
    assert spawner.native_built()
    started = spawner.Spawner()
    try:
        assert started.process.args[-2] == str(spawner.HELPER)
    finally:
        started.close()
    with pytest.raises(OSError):  # (asked for by name: no other)
        spawner.Spawner(native=True)
