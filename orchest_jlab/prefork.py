"""The step spawner's Python helper (``engine/_spawnd.py``) forked at the very start of ``orchest-jlab run``,
where the C helper (``engine/_spawnd``, an exec of about 1 ms) was not built.

Started as a new interpreter (``python -I -S _spawnd.py``) the Python helper costs about 21 ms of
CPU, an interpreter's start and ctypes; forked from the command before it imports anything else
(one thread, a few MB) it costs its ctypes import and the fork, a few ms. The command's ``run`` hands it
to the spawner (``spawner.warm``), or ends it when its run needs none (``end``). Only on Linux,
and only before any thread exists (``command.py`` calls ``start`` first thing).
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # (imported later by the command anyway: the helper is forked before)
    import socket

HELPER = os.path.join(os.path.dirname(__file__), "engine", "_spawnd.py")
NATIVE = os.path.join(os.path.dirname(__file__), "engine", "_spawnd")  # the C helper (spawner.NATIVE)


class Forked:
    """The helper's process, as much of ``subprocess.Popen`` as the spawner uses."""

    def __init__(self, pid: int):
        self.pid = pid
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        import subprocess
        import time

        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(HELPER, timeout)
            time.sleep(0.001)
        return self.returncode  # type: ignore[return-value]

    def kill(self) -> None:
        if self.returncode is None:
            try:
                os.kill(self.pid, 9)
            except ProcessLookupError:
                pass


_forked: tuple[Forked, int] | None = None  # the helper, and the file descriptor of our end of its socket


def start() -> None:
    """Forks the helper now (Linux, one thread only); ``take`` gets it."""
    global _forked
    if _forked is not None or sys.platform != "linux" or os.access(NATIVE, os.X_OK):
        return
    import _socket  # (socket.py would bring enum and more into the helper)
    from importlib.machinery import SourceFileLoader

    ours, theirs = _socket.socketpair(_socket.AF_UNIX, _socket.SOCK_SEQPACKET)
    pid = os.fork()
    if pid == 0:  # the helper: nothing of the command's runs here, and it never returns
        status = 1
        try:
            ours.close()
            os.setsid()  # as the spawner's own start: a terminal's ^C is not for it
            devnull = os.open(os.devnull, os.O_RDONLY)
            os.dup2(devnull, 0)
            os.close(devnull)
            sys.argv = [HELPER, str(theirs.detach())]
            helper = type(sys)("orchest_jlab_spawnd")
            SourceFileLoader(helper.__name__, HELPER).exec_module(helper)  # its bytecode from __pycache__
            helper.main()
            status = 0
        finally:
            os._exit(status)
    theirs.close()
    _forked = (Forked(pid), ours.detach())


def take() -> tuple[Forked, socket.socket] | None:
    """The forked helper and the command's end of its socket (once)."""
    global _forked
    if _forked is None:
        return None
    import socket

    (process, fd), _forked = _forked, None
    return process, socket.socket(fileno=fd)


def end(started: tuple[Forked, socket.socket] | None) -> None:
    """Ends a helper that was taken but not used (it exits at its socket's end)."""
    if started is not None:
        process, sock = started
        sock.close()
        try:
            process.wait(1)
        except Exception:  # noqa: BLE001 - stuck: killed
            process.kill()
            process.wait()
