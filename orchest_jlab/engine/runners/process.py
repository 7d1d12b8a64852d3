"""Scripts (.py, .sh, .R, .jl, .js) as processes in their own process group, output streamed line by
line."""

from __future__ import annotations

import asyncio
import codecs
import contextlib
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

from ..context import StepContext
from .. import cgroups, spawner
from ..orphans import TOKEN_VARIABLE, forget_process, kill_step, record_cgroup, record_process, step_token
from ..steplog import StepLog
from . import StepFailed

# Time a cancelled step gets to end on SIGTERM before its whole process group gets SIGKILL.
TERMINATE_GRACE_SECONDS = 3.0


# Interpreters by file kind, found on the PATH (Python steps use the server's, or the one configured).
INTERPRETERS = {".sh": "bash", ".r": "Rscript", ".jl": "julia", ".js": "node"}


def command_for(ctx: StepContext, python: str = sys.executable) -> list[str]:
    interpreter = python if ctx.kind == ".py" else INTERPRETERS[ctx.kind]
    if shutil.which(interpreter) is None:
        raise StepFailed(f'Step "{ctx.title}": "{interpreter}" is needed to run {ctx.file.name} but is not '
                         "installed on this machine; install it, or run on the docker backend in an "
                         "environment whose image has it.")
    return [interpreter, str(ctx.file)]


def _signal_group(pgid: int, signum: int) -> None:
    try:
        os.killpg(pgid, signum)
    except (ProcessLookupError, PermissionError):
        pass


class _StepProtocol(asyncio.SubprocessProtocol):
    """Output straight into the step's log; ``exited`` resolves when the process ends, even while a
    background process it started still holds the output pipe open."""

    def __init__(self, log: StepLog):
        self.log = log
        self.decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self.exited = asyncio.get_running_loop().create_future()
        self.drained = asyncio.get_running_loop().create_future()  # the output pipe reached its end

    def pipe_data_received(self, fd: int, data: bytes) -> None:
        self.log.write(self.decoder.decode(data))

    def pipe_connection_lost(self, fd: int, exc: Exception | None) -> None:
        if not self.drained.done():
            self.drained.set_result(None)

    def process_exited(self) -> None:
        if not self.exited.done():
            self.exited.set_result(None)

    # The same for the read end of a pipe (a step started by the spawner, not by asyncio).
    def data_received(self, data: bytes) -> None:
        self.pipe_data_received(1, data)

    def eof_received(self) -> None:
        pass

    def connection_lost(self, exc: Exception | None) -> None:
        self.pipe_connection_lost(1, exc)


class _Started:
    """A step's running process, however it was started."""

    def __init__(self, pid: int, protocol: _StepProtocol, transport: asyncio.BaseTransport,
                 code: asyncio.Future | None = None, group: Path | None = None, confirming: asyncio.Future | None = None):
        self.pid, self.protocol, self.transport = pid, protocol, transport
        self.code = code  # the spawner's future of the return code; else the transport's
        self.group = group  # its cgroup when it was born there
        self.confirming = confirming  # the parent's own move of a process that moves itself

    async def ended(self) -> None:
        with contextlib.suppress(OSError):  # the spawner died: the step is lost, killed as it ends
            await (self.code if self.code is not None else self.protocol.exited)

    def returncode(self) -> int:
        if self.code is None:
            return self.transport.get_returncode()  # type: ignore[attr-defined]
        if self.code.exception() is not None:
            raise StepFailed(f"the step's process was lost ({self.code.exception()}); it was killed")
        return self.code.result()


async def _spawn(ctx: StepContext, log: StepLog, command: list[str], env: dict[str, str],
                 placement: cgroups.Placement | None, use_spawner: bool) -> _Started:
    """Born in its cgroup through the spawner where it can; else through asyncio, moving itself."""
    loop = asyncio.get_running_loop()
    # A Python step forked from its zygote, else any step through the helper.
    helpers = [spawner.zygote(command, env), spawner.spawner()] if placement is not None and use_spawner else []
    for helper in filter(None, helpers):
        read, write = os.pipe()
        try:
            pid, code = await helper.spawn(command, env, ctx.cwd, placement.group, write)  # type: ignore[union-attr]
        except OSError as exc:
            os.close(read)
            spawner.spawn_failed(helper, exc)
            if helper.zygote:  # then through the helper, as a new interpreter
                continue
            break  # this machine lets no process be born in a cgroup: as below
        else:
            transport, protocol = await loop.connect_read_pipe(lambda: _StepProtocol(log), open(read, "rb", 0))
            return _Started(pid, protocol, transport, code=code, group=placement.group)  # type: ignore[union-attr]
        finally:
            os.close(write)
    transport, protocol = await loop.subprocess_exec(
        lambda: _StepProtocol(log),
        *(placement.command(command) if placement else command),
        cwd=ctx.cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: cancel kills everything it started
    )
    pid = transport.get_pid()
    # The parent moves it too, from a thread: the first move into a cgroup waits for the kernel (an
    # RCU grace period), and begun now it overlaps the shell's start, whose own move then does not
    # wait (docs/benchmarks.md); off the event loop, which it held 5 ms per step.
    confirming = loop.run_in_executor(None, placement.placed, pid) if placement else None
    return _Started(pid, protocol, transport, confirming=confirming)


async def run_process(ctx: StepContext, log: StepLog, python: str = sys.executable,
                      prefix: list[str] | None = None, use_spawner: bool = True) -> None:
    """``prefix``: a command that runs the step's (e.g. with /data in a mount namespace).
    ``use_spawner``: False where the event loop lives for one step only (it would start a helper
    per step, slower than the move it saves)."""
    token = step_token(ctx.run_uuid, ctx.step_uuid)  # inherited by all the step starts, daemons included
    # Where the machine allows: nothing leaves it, from its first instant.
    placement = cgroups.prepare(token, Path(ctx.log_path).with_suffix(".nocgroup"))
    command = [*(prefix or []), *command_for(ctx, python)]
    spawning = asyncio.ensure_future(_spawn(ctx, log, command, {**ctx.process_env(), TOKEN_VARIABLE: token}, placement,
                                            use_spawner))
    try:
        started = await asyncio.shield(spawning)
    except BaseException:  # cancelled while it started (its group may run already), or it could not start
        with contextlib.suppress(Exception):
            started = await spawning
            _signal_group(started.pid, signal.SIGKILL)
            started.transport.close()
        await asyncio.shield(asyncio.to_thread(kill_step, None, token, placement.group if placement else None))
        raise
    pgid, protocol = started.pid, started.protocol
    if started.group is not None:  # born in its cgroup: recovery finds it from its run's record and its token
        record_cgroup(ctx.log_path, started.group)
    else:  # recorded before the move is known to have worked: recovery also kills by token
        record_process(ctx.log_path, pgid, token, placement.group if placement else None)
    try:
        await started.ended()
    except asyncio.CancelledError:
        _signal_group(pgid, signal.SIGTERM)
        try:
            await asyncio.wait_for(asyncio.shield(started.ended()), TERMINATE_GRACE_SECONDS)
        except asyncio.TimeoutError:
            pass
        raise
    finally:
        # Whatever the step left running ends with it: its group (background jobs), and its cgroup
        # (everything it started was in it from the first instant) or else whatever carries its
        # token (daemons that left the group: a scan of /proc, only without a cgroup).
        _signal_group(pgid, signal.SIGKILL)
        cgroup = started.group
        if started.confirming is not None:  # in its cgroup if both moves worked (else cgroups are off now)
            placed = await asyncio.shield(started.confirming)
            cgroup = placement.joined() and placed  # type: ignore[union-attr]
        if not (cgroup and cgroups.remove_if_empty(cgroup)):  # else on a thread: killing may wait
            await asyncio.shield(asyncio.to_thread(kill_step, None, None if cgroup else token, cgroup))
        if started.group is None:
            forget_process(ctx.log_path)
        if not protocol.drained.done():  # the last output may still be in the pipe
            try:
                await asyncio.wait_for(asyncio.shield(protocol.drained), 5)
            except asyncio.TimeoutError:
                pass
        log.write(protocol.decoder.decode(b"", final=True))
        started.transport.close()
    code = started.returncode()
    if code != 0:
        raise StepFailed(f"{ctx.file.name} exited with code {code}" if code > 0
                         else f"{ctx.file.name} was killed by signal {-code}")
