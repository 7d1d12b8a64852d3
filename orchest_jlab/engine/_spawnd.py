"""The step spawner's helper process (``spawner.py``) in Python: the fallback where the C helper
(``_spawnd.c``, built at install time) is not there. Started once per event loop as ``python -I -S
_spawnd.py FD`` (or forked by ``orchest-jlab run`` from itself at its start, where ``main`` runs
with the same ``sys.argv``: ``prefork.py``), standard library only, single-threaded.

It starts each step's process with ``clone3(CLONE_INTO_CGROUP)``: born in its cgroup, so the
process never moves there (a move waits for an RCU grace period, 10-20 ms). glibc 2.36 has no
wrapper, hence the raw system call; it forks this small process (no ``CLONE_VM``), which is safe
only because nothing else runs here (no thread can hold a lock the child would need).

Its start is a cost of every command that runs a script step: with only C modules (``_socket``,
``_signal``, ``_struct``) and ``ctypes`` it is about 21 ms of CPU against 13.5 ms for a bare
``python -I -S`` (docs/benchmarks.md).

Messages on the SEQPACKET socket FD, the C helper's (``_spawnd.c`` says what they are; ``spawner.py``
writes and reads them). At the socket's end (the engine's process ended or closed it) it exits,
leaving its children running: the engine's recovery kills them by their cgroup.
"""

import _signal
import _socket
import _struct
import ctypes
import os
import select
import sys

SYS_CLONE3 = 435  # the same number on every architecture
CLONE_PIDFD = 0x1000
CLONE_INTO_CGROUP = 0x200000000
STARTED, FAILED, EXITED = 1, 2, 3  # a reply's kind: (kind, pid, value) as three native int32


class CloneArgs(ctypes.Structure):
    _fields_ = [(name, ctypes.c_uint64) for name in (
        "flags", "pidfd", "child_tid", "parent_tid", "exit_signal", "stack", "stack_size", "tls",
        "set_tid", "set_tid_size", "cgroup")]


libc = ctypes.PyDLL(None, use_errno=True)  # PyDLL: the call keeps the GIL, so the child has it
libc.syscall.restype = ctypes.c_long


def parse(message: bytes) -> tuple[bytes, bytes, list[bytes], dict[bytes, bytes]]:
    """A request: "cwd\\0cgroup\\0argc\\0argv...\\0K=V...\\0" (the step's folder, its cgroup, its
    command and its environment)."""
    fields = message.split(b"\0")
    if len(fields) < 5 or fields.pop():
        raise OSError(22, "not a request")
    argc = int(fields[2])
    if not 0 < argc <= len(fields) - 3:
        raise OSError(22, "not a request")
    return fields[0], fields[1], fields[3:3 + argc], dict(entry.split(b"=", 1) for entry in fields[3 + argc:])


def child(cwd: bytes, argv: list[bytes], env: dict, output: int, devnull: int) -> None:
    """In the new process: its own session (cancel kills its group), the step's folder and output,
    then the step's command. Never returns."""
    failed = b""  # where it failed, when not the exec
    try:
        os.setsid()
        failed = cwd
        os.chdir(cwd)
        failed = b"its output"
        os.dup2(devnull, 0)
        os.dup2(output, 1)
        os.dup2(output, 2)
        failed = b""
        # A path: execve itself (what execvpe does for one, without its Python frames: each page the
        # child writes before exec is copied from this process's).
        (os.execve if b"/" in argv[0] else os.execvpe)(argv[0], argv, env)
    except BaseException as exc:  # noqa: BLE001 - whatever it is, the step's log says it
        try:  # the C helper's words
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
            where = f"{os.fsdecode(failed)}: " if failed else ""
            os.write(output, f"could not start {os.fsdecode(argv[0])}: {where}{reason}\n".encode())
        finally:
            os._exit(127)


def spawn(message: bytes, output: int, devnull: int) -> tuple[int, int]:
    """The new process's pid and a pidfd for it."""
    cwd, cgroup, argv, env = parse(message)
    group = os.open(cgroup, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        pidfd = ctypes.c_int(-1)
        args = CloneArgs(flags=CLONE_INTO_CGROUP | CLONE_PIDFD, pidfd=ctypes.addressof(pidfd),
                         exit_signal=_signal.SIGCHLD, cgroup=group)
        pid = libc.syscall(SYS_CLONE3, ctypes.byref(args), ctypes.sizeof(args))
        if pid == 0:
            child(cwd, argv, env, output, devnull)
        if pid < 0:
            code = ctypes.get_errno()
            raise OSError(code, os.strerror(code))
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
                sock.send(_struct.pack("=iii", EXITED, pid, status))
                continue
            message, ancillary, _, _ = sock.recvmsg(1 << 22, _socket.CMSG_LEN(4), _socket.MSG_CMSG_CLOEXEC)
            if not message:
                return
            fds = [int.from_bytes(data[:4], sys.byteorder) for _, _, data in ancillary]
            try:
                pid, pidfd = spawn(message, fds[0], devnull)
            except (OSError, ValueError, IndexError) as exc:
                reply = _struct.pack("=iii", FAILED, 0, getattr(exc, "errno", None) or 22)
            else:
                children[pidfd] = pid
                poll.register(pidfd, select.POLLIN)
                reply = _struct.pack("=iii", STARTED, pid, 0)
            finally:
                for received in fds:
                    os.close(received)
            sock.send(reply)


if __name__ == "__main__":
    main()
