"""The step spawner's helper process (``spawner.py``): started once per event loop as
``python -I -S _spawnd.py FD`` (or forked by ``orchest-jlab run`` from itself at its start, where
``main`` runs with the same ``sys.argv``: ``prefork.py``), standard library only, single-threaded.

It starts each step's process with ``clone3(CLONE_INTO_CGROUP)``: born in its cgroup, so the
process never moves there (a move waits for an RCU grace period, 10-20 ms). glibc 2.36 has no
wrapper, hence the raw system call; it forks this small process (no ``CLONE_VM``), which is safe
only because nothing else runs here (no thread can hold a lock the child would need).

Its start is a cost of every command that runs a script step: 43 ms of CPU with ``json``, ``socket``
and ``signal`` (``re``, ``enum``, ``selectors`` behind them) against 13.5 ms for a bare ``python -I
-S``; with ``marshal`` and the C modules behind ``socket`` and ``signal`` (``_socket``, ``_signal``)
it is about 21 ms (docs/benchmarks.md). Messages come only from the engine's own process through a
socket pair, so ``marshal`` (of the same interpreter) is safe here.

Messages on the SEQPACKET socket FD, ``marshal``'ed dicts. In: ``{"argv", "env", "cwd", "cgroup"}`` with the
step's output pipe as an attached file descriptor. Out: ``{"pid"}`` or ``{"error", "errno"}`` for each
request in order, and ``{"exit": pid, "status": wait status}`` when a step's process has ended. At
the socket's end (the engine's process ended or closed it) it exits, leaving its children running:
the engine's recovery kills them by their cgroup.
"""

import _signal
import _socket
import ctypes
import marshal
import os
import select
import sys

SYS_CLONE3 = 435  # the same number on every architecture
CLONE_PIDFD = 0x1000
CLONE_INTO_CGROUP = 0x200000000


class CloneArgs(ctypes.Structure):
    _fields_ = [(name, ctypes.c_uint64) for name in (
        "flags", "pidfd", "child_tid", "parent_tid", "exit_signal", "stack", "stack_size", "tls",
        "set_tid", "set_tid_size", "cgroup")]


libc = ctypes.PyDLL(None, use_errno=True)  # PyDLL: the call keeps the GIL, so the child has it
libc.syscall.restype = ctypes.c_long


def child(request: dict, output: int, devnull: int) -> None:
    """In the new process: its own session (cancel kills its group), the step's folder and output,
    then the step's command. Never returns."""
    try:
        os.setsid()
        os.chdir(request["cwd"])
        os.dup2(devnull, 0)
        os.dup2(output, 1)
        os.dup2(output, 2)
        # A path: execve itself (what execvpe does for one, without its Python frames: each page the
        # child writes before exec is copied from this process's).
        (os.execve if "/" in request["argv"][0] else os.execvpe)(request["argv"][0], request["argv"], request["env"])
    except BaseException as exc:  # noqa: BLE001 - whatever it is, the step's log says it
        try:
            os.write(2, f"could not start {request['argv'][0]}: {exc}\n".encode())
        finally:
            os._exit(127)


def spawn(request: dict, output: int, devnull: int) -> tuple[int, int]:
    """The new process's pid and a pidfd for it."""
    group = os.open(request["cgroup"], os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        pidfd = ctypes.c_int(-1)
        args = CloneArgs(flags=CLONE_INTO_CGROUP | CLONE_PIDFD, pidfd=ctypes.addressof(pidfd),
                         exit_signal=_signal.SIGCHLD, cgroup=group)
        pid = libc.syscall(SYS_CLONE3, ctypes.byref(args), ctypes.sizeof(args))
        if pid == 0:
            child(request, output, devnull)
        if pid < 0:
            code = ctypes.get_errno()
            raise OSError(code, f"clone3 into {request['cgroup']}: {os.strerror(code)}")
        return pid, pidfd.value
    finally:
        os.close(group)


def main() -> None:
    for signum in (_signal.SIGPIPE, _signal.SIGXFSZ):  # ignored by Python, and exec would keep that
        _signal.signal(signum, _signal.SIG_DFL)  # for the steps (here, too: a dead engine ends this)
    sock = _socket.socket(fileno=int(sys.argv[1]))
    os.set_inheritable(sock.fileno(), False)  # steps must not keep it open: its end tells the engine this one died
    devnull = os.open(os.devnull, os.O_RDONLY | os.O_CLOEXEC)
    poll = select.poll()
    poll.register(sock, select.POLLIN)
    children: dict[int, int] = {}  # pidfd: pid
    while True:
        for fd, _ in poll.poll():
            if fd != sock.fileno():
                pid = children.pop(fd)
                poll.unregister(fd)
                os.close(fd)
                _, status = os.waitpid(pid, 0)
                sock.send(marshal.dumps({"exit": pid, "status": status}))
                continue
            message, ancillary, _, _ = sock.recvmsg(1 << 22, _socket.CMSG_LEN(4), _socket.MSG_CMSG_CLOEXEC)
            if not message:
                return
            fds = [int.from_bytes(data[:4], sys.byteorder) for _, _, data in ancillary]
            try:
                pid, pidfd = spawn(marshal.loads(message), fds[0], devnull)
            except OSError as exc:
                reply = {"error": str(exc), "errno": exc.errno}
            else:
                children[pidfd] = pid
                poll.register(pidfd, select.POLLIN)
                reply = {"pid": pid}
            finally:
                for received in fds:
                    os.close(received)
            sock.send(marshal.dumps(reply))


if __name__ == "__main__":
    main()
