"""Script steps started already inside their cgroup, through a small helper process: ``_spawnd``
(``_spawnd.c``, compiled at install time where a C compiler answered: ``hatch_build.py``), else
``_spawnd.py`` (the same in Python; both speak the protocol ``_spawnd.c`` describes).

A process that moves into a cgroup after its start (``/bin/sh`` writing ``cgroup.procs``, then
exec) waits for an RCU grace period: 10-20 ms per step here, the bulk of a trivial step's cost
beyond its interpreter (docs/benchmarks.md). ``clone3(CLONE_INTO_CGROUP)`` creates it in its cgroup
instead, but Python has no such call and cannot safely fork this multi-threaded process to make
it; a single-threaded helper started once per event loop does (one message per step on a socket,
a fork of the helper: 0.1 MB of anonymous memory for the C one, 3.5 MB for Python's, whose copy
costs about 0.6-0.9 ms of CPU more per step). The step is then the helper's child: its exit status
comes back as a message. Where the helper cannot do it (no clone3, no cgroup v2), ``spawner``
answers None from then on and steps move themselves (``cgroups.Placement.command``).

A Python step (``python FILE``, the engine's own interpreter) is forked instead from a zygote:
``_spawnd.py --python`` started in the steps' environment, whose interpreter has done what the
step's would at its start, so the step skips it (12-15 ms of CPU, most of a trivial step's cost).
One zygote per event loop and environment (the ``ORCHEST_*`` variables aside: the step's own), at
most ``ZYGOTES`` of them; ``ORCHEST_JLAB_FORK_PYTHON_STEPS=0`` turns it off (a new interpreter per
step). What a forked step can tell apart from a new interpreter (docs/runs.md): the hash seed of
``str`` is its zygote's (``PYTHONHASHSEED`` is honoured), and its stack has two frames of the
zygote's below its file's. A zygote whose start is out of date (a package installed or removed
since: ``.pth`` files) answers ESTALE and is retired (``retire``); one that cannot fork safely (a
thread) or dies turns zygotes off (``no_zygotes``): the steps then start as new interpreters.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import logging
import os
import socket
import struct
import subprocess
import sys
import weakref
from pathlib import Path
from typing import Any

from . import cgroups

log = logging.getLogger(__name__)
HELPER = Path(__file__).with_name("_spawnd.py")
NATIVE = Path(__file__).with_name("_spawnd")  # the C helper, where it was built
REPLY = struct.Struct("=iii")  # (kind, pid, value): value is the errno of FAILED, the wait status of EXITED
STARTED, FAILED, EXITED = 1, 2, 3
_ENCODING, _ERRORS = sys.getfilesystemencoding(), sys.getfilesystemencodeerrors()  # os.fsencode's
_broken = False  # the helper failed once: not tried again in this process
_spawners: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Spawner] = weakref.WeakKeyDictionary()
_warm: Spawner | None = None  # started ahead, for the first loop that needs one
FORK_PYTHON = os.environ.get("ORCHEST_JLAB_FORK_PYTHON_STEPS", "1") != "0"
ZYGOTES = 4  # per event loop (the least recently used is retired: it ends once its steps have)
COMMAND_ROOM = 1024  # bytes of a forked step's command that ps shows
ENVIRONMENT_ROOM = 16384  # bytes of its environment beyond its zygote's that /proc/PID/environ shows
_zygotes: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[tuple, Spawner]] = weakref.WeakKeyDictionary()
_no_zygotes = False  # one failed to start a step: none from then on in this process


class Spawner:
    def __init__(self, started: tuple[Any, socket.socket] | None = None, native: bool | None = None,
                 zygote: dict[str, str] | None = None) -> None:
        """``started``: a helper started already (its process, as much of a Popen as ``close`` uses,
        and our end of its socket): the command forks the Python one at its start (``prefork.py``).
        ``native``: the C helper (True) or the Python one (False); None: the C one where it was built.
        ``zygote``: the Python one as a zygote of Python steps, started in this environment."""
        self.loop: asyncio.AbstractEventLoop | None = None
        self.zygote = zygote is not None
        self.retired = False  # (a zygote out of date or least recently used: it ends once its steps have)
        self._output: int | None = None
        if started is not None:
            self.process, self.sock = started
        else:
            self.sock, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
            with theirs:
                fd = str(theirs.fileno())
                if zygote is not None:  # (the room its children write their command into, for ps: _zygote.show_step)
                    commands = [[sys.executable, str(HELPER), fd, "--python", " " * COMMAND_ROOM]]
                else:
                    commands = [[sys.executable, "-I", "-S", str(HELPER), fd]]
                    if native_built() if native is None else native:
                        commands.insert(0, [str(NATIVE), fd])
                for command in commands:
                    try:
                        self.process = self._start(command, theirs.fileno(), zygote)
                        break
                    except OSError:  # (the C helper cannot run here, e.g. a noexec mount: the Python one)
                        if native is not None or command is commands[-1]:
                            raise
        self._replies: list[tuple[asyncio.Future, Path]] = []  # one per request, answered in order
        self._exits: dict[int, asyncio.Future] = {}
        self.closed = False

    def _start(self, command: list[str], fd: int, zygote: dict[str, str] | None) -> subprocess.Popen:
        if zygote is None:
            return subprocess.Popen(command, pass_fds=[fd], stdin=subprocess.DEVNULL,
                                    start_new_session=True)  # a terminal's ^C is not for it
        # A zygote's standard streams are its steps': /dev/null in, a pipe out (never a terminal,
        # which would make them line-buffered). What it writes there itself goes to our log (bind).
        self._output, write = os.pipe()
        try:  # (with room for its children's environments: _zygote.show_step)
            return subprocess.Popen(command, pass_fds=[fd], stdin=subprocess.DEVNULL, stdout=write, stderr=write,
                                    env={**zygote, "ORCHEST_JLAB_ZYGOTE_ROOM": " " * ENVIRONMENT_ROOM},
                                    start_new_session=True)
        finally:
            os.close(write)

    def bind(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        loop.add_reader(self.sock.fileno(), self._readable)
        if self._output is not None:  # what a zygote's start printed (a .pth file's warning): to our log
            os.set_blocking(self._output, False)
            loop.add_reader(self._output, self._said)
        weakref.finalize(loop, self.sock.close)  # the helper sees the socket's end and exits

    async def spawn(self, argv: list[str], env: dict[str, str], cwd: str, cgroup: Path, output: int) -> tuple[int, asyncio.Future]:
        """Starts ``argv`` in a session of its own, born in ``cgroup``, with stdin from /dev/null
        and stdout and stderr into ``output``; returns its pid and a future of its return code
        (as ``subprocess``'s: negative for a signal). OSError when it could not be started."""
        if self.closed:
            raise OSError("the step spawner has ended")
        assert self.loop is not None
        socket.send_fds(self.sock, [encode(argv, env, cwd, cgroup)], [output])
        reply = self.loop.create_future()  # (its answer is read on this loop: not before the await)
        self._replies.append((reply, cgroup))
        return await reply

    def _said(self) -> None:
        try:
            text = os.read(self._output, 1 << 16)  # type: ignore[arg-type]
        except BlockingIOError:
            return
        except OSError:
            text = b""
        if not text:
            self.loop.remove_reader(self._output)  # type: ignore[union-attr, arg-type]
            return
        log.warning("the zygote of Python steps (pid %s) wrote: %s", self.process.pid,
                    text.decode(errors="replace").rstrip())

    def _readable(self) -> None:
        while True:
            try:
                data = self.sock.recv(1 << 16, socket.MSG_DONTWAIT)
            except BlockingIOError:
                return
            except OSError:
                data = b""
            if not data:  # the helper died: what it started is lost to us (cgroups still find it)
                self.close()
                if not self.zygote:
                    disable()
                elif not self.retired:  # (a retired zygote ends once its children have)
                    no_zygotes()
                return
            kind, pid, value = REPLY.unpack(data)
            if kind == EXITED:
                exited = self._exits.pop(pid)
                if not exited.done():
                    exited.set_result(os.waitstatus_to_exitcode(value))
                if self.retired and not self._exits and not self._replies:
                    self.close()
                    return
                continue
            reply, cgroup = self._replies.pop(0)
            if kind == STARTED:
                code = self._exits[pid] = self.loop.create_future()  # type: ignore[union-attr]
                if not reply.done():
                    reply.set_result((pid, code))
            else:
                # (a zygote out of date ends once its steps have: its end is no failure)
                self.retired = self.retired or (self.zygote and value == errno.ESTALE)
                if not reply.done():
                    reply.set_exception(OSError(value, f"could not start a step's process in {cgroup}: {os.strerror(value)}"))

    def retire(self) -> None:
        """Starts no more steps, and ends once those it started have."""
        self.retired = True
        if not self._exits and not self._replies:
            self.close()

    def close(self) -> None:
        """Ends the helper (it exits at the socket's end; steps still running are left to their
        cgroups). Waiting for it counts its CPU time, and its children's, to this process's."""
        if self.closed:
            return
        self.closed = True
        with contextlib.suppress(Exception):
            self.loop.remove_reader(self.sock.fileno())  # type: ignore[union-attr]
        self.sock.close()
        if self._output is not None:
            with contextlib.suppress(Exception):
                self.loop.remove_reader(self._output)  # type: ignore[union-attr]
            os.close(self._output)
        lost = OSError("the step spawner ended")
        for future in [*(reply for reply, _ in self._replies), *self._exits.values()]:
            if not future.done():
                future.set_exception(lost)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(1)


def encode(argv: list[str], env: dict[str, str], cwd: str, cgroup: Path) -> bytes:
    """A request: "cwd\\0cgroup\\0argc\\0argv...\\0K=V...\\0", in the file system's encoding (as
    ``os.fsencode``); ValueError for a NUL inside a field (as ``subprocess``'s)."""
    fields = [str(cwd), str(cgroup), str(len(argv)), *argv, *[f"{key}={value}" for key, value in env.items()], ""]
    message = "\0".join(fields).encode(_ENCODING, _ERRORS)
    if message.count(b"\0") != len(fields) - 1:
        raise ValueError("embedded null byte in a step's command, folder or environment")
    return message


def native_built() -> bool:
    """Whether the C helper was built (at install time) and can run here: not older than its source
    where that is beside it (a checkout changed since its editable install speaks an older protocol)."""
    try:
        built = NATIVE.stat().st_mtime_ns
    except OSError:
        return False
    try:
        if NATIVE.with_suffix(".c").stat().st_mtime_ns > built:  # (a wheel has no source)
            return False
    except OSError:
        pass
    return os.access(NATIVE, os.X_OK)


def spawner() -> Spawner | None:
    """The running loop's spawner, started at its first use; None where there is none."""
    if _broken or sys.platform != "linux":
        return None
    global _warm
    loop = asyncio.get_running_loop()
    found = _spawners.get(loop)
    if found is None or found.closed:
        found, _warm = _warm, None
        try:
            found = found or Spawner()
        except OSError:
            disable()
            return None
        found.bind(loop)
        _spawners[loop] = found
    return found


def zygote(argv: list[str], env: dict[str, str]) -> Spawner | None:
    """The running loop's zygote for ``argv`` run in ``env`` where it is a Python step of this
    interpreter (``python FILE.py``), started at its first use; else None."""
    if (not FORK_PYTHON or _no_zygotes or _broken or sys.platform != "linux" or len(argv) != 2
            or argv[0] != sys.executable or not argv[1].endswith(".py")
            # (its start makes them absolute from its own folder, not the step's)
            or not all(os.path.isabs(entry) for entry in env.get("PYTHONPATH", "").split(os.pathsep) if entry)):
        return None
    start_env = {key: value for key, value in env.items() if not key.startswith("ORCHEST_")}
    key = tuple(sorted(start_env.items()))
    loop = asyncio.get_running_loop()
    zygotes = _zygotes.setdefault(loop, {})
    found = zygotes.pop(key, None)
    if found is None or found.closed:
        if len(zygotes) >= ZYGOTES:
            zygotes.pop(next(iter(zygotes))).retire()
        try:
            found = Spawner(zygote=start_env)
        except OSError:
            no_zygotes()
            return None
        found.bind(loop)
    zygotes[key] = found  # (the most recently used last)
    return found


def retire(zygote_: Spawner) -> None:
    """A zygote that answered ESTALE (a package was installed or removed since its start) starts
    no more steps: the next one starts another. It ends once the steps it started have."""
    for zygotes in _zygotes.values():
        for key, found in list(zygotes.items()):
            if found is zygote_:
                del zygotes[key]
    zygote_.retire()


def no_zygotes() -> None:
    """Python steps start as new interpreters from now on (a zygote could not start one)."""
    global _no_zygotes
    _no_zygotes = True
    for zygotes in list(_zygotes.values()):
        for found in zygotes.values():
            found.close()


def warm(started: tuple[Any, socket.socket] | None = None) -> bool:
    """Starts the helper now, so that its start (an interpreter's) overlaps a command's own instead
    of delaying its first step; only where steps get cgroups. ``started``: a helper started
    already, to use instead (see ``Spawner``); returns whether it was taken."""
    global _warm
    if _warm is not None or _broken or sys.platform != "linux" or not cgroups.available():
        return False
    try:
        _warm = Spawner(started)
    except OSError:
        disable()
        return False
    return started is not None


def close() -> None:
    """Ends the running loop's helper, if it has one (the engine's backend closing)."""
    loop = asyncio.get_running_loop()
    found = _spawners.pop(loop, None)
    if found is not None:
        found.close()
    for zygote_ in _zygotes.pop(loop, {}).values():
        zygote_.close()


def spawn_failed(helper: Spawner, error: OSError) -> None:
    """What a helper's failure to start a step turns off: a zygote out of date is retired (ESTALE),
    any other zygote failure turns zygotes off; the helper's turns it off (steps move themselves)."""
    if not helper.zygote:
        disable()
    elif error.errno == errno.ESTALE:
        retire(helper)
    else:
        no_zygotes()


def disable() -> None:
    """Steps move themselves into their cgroups from now on (the helper could not start one)."""
    global _broken
    _broken = True
    for found in list(_spawners.values()):
        found.close()
