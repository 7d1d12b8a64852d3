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

Started as ``python _spawnd.py FD --python`` (no ``-I -S``, in the environment of the steps) it is
a zygote for the Python steps of that interpreter and environment (``spawner.zygote``): each child,
instead of an exec, becomes the step's interpreter where a new one would be after its start
(``_zygote.py``). The fork is ``os.fork``'s (``PyOS_BeforeFork``, ``PyOS_AfterFork_Child``) around
the same ``clone3``, so the child is born in its cgroup too. Before each fork it checks that the
site-packages folders are as at its start; if not, it answers ESTALE and ends once its children
have.
"""

import sys

PRELOADED = frozenset(sys.modules)  # what the interpreter's start imported: all a forked step keeps (_zygote.py)

import _signal  # noqa: E402
import _socket  # noqa: E402
import _struct  # noqa: E402
import ctypes  # noqa: E402
import errno  # noqa: E402
import os  # noqa: E402
import select  # noqa: E402

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


class Forked(Exception):
    """Raised in a zygote's child, with the step to run: out of the helper's frames to the top."""

    def __init__(self, argv: list[bytes], env: dict):
        super().__init__()
        self.argv, self.env = argv, env


def child(cwd: bytes, argv: list[bytes], env: dict, output: int, devnull: int, zygote: bool = False) -> None:
    """In the new process: its own session (cancel kills its group), the step's folder and output,
    then the step's command (or, in a zygote, ``Forked``). Never returns."""
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
        if zygote:  # what the step must not inherit: only 0, 1 and 2 are open in a new interpreter
            os.close(devnull)
            os.closerange(3, 2**31 - 1)
            raise Forked(argv, env)
        # A path: execve itself (what execvpe does for one, without its Python frames: each page the
        # child writes before exec is copied from this process's).
        (os.execve if b"/" in argv[0] else os.execvpe)(argv[0], argv, env)
    except Forked:
        raise
    except BaseException as exc:  # noqa: BLE001 - whatever it is, the step's log says it
        try:  # the C helper's words
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
            where = f"{os.fsdecode(failed)}: " if failed else ""
            os.write(output, f"could not start {os.fsdecode(argv[0])}: {where}{reason}\n".encode())
        finally:
            os._exit(127)


def spawn(message: bytes, output: int, devnull: int, zygote: bool = False) -> tuple[int, int]:
    """The new process's pid and a pidfd for it."""
    cwd, cgroup, argv, env = parse(message)
    group = os.open(cgroup, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    pidfd = ctypes.c_int(-1)
    args = CloneArgs(flags=CLONE_INTO_CGROUP | CLONE_PIDFD, pidfd=ctypes.addressof(pidfd),
                     exit_signal=_signal.SIGCHLD, cgroup=group)
    if zygote:  # as os.fork: the interpreter's locks and at-fork functions (random's reseed)
        ctypes.pythonapi.PyOS_BeforeFork()
    pid = libc.syscall(SYS_CLONE3, ctypes.byref(args), ctypes.sizeof(args))
    code = ctypes.get_errno()
    if zygote:
        (ctypes.pythonapi.PyOS_AfterFork_Child if pid == 0 else ctypes.pythonapi.PyOS_AfterFork_Parent)()
    if pid == 0:
        child(cwd, argv, env, output, devnull, zygote)
    os.close(group)
    if pid < 0:
        raise OSError(code, os.strerror(code))
    return pid, pidfd.value


def main(zygote=None) -> None:
    """``zygote``: the ``_zygote`` module, in a zygote."""
    if zygote is None:  # (a zygote's children are Python's, as it is)
        for signum in (_signal.SIGPIPE, _signal.SIGXFSZ):  # ignored by Python, and exec would keep that
            _signal.signal(signum, _signal.SIG_DFL)  # for the steps (here, too: a dead engine ends this)
    sock = _socket.socket(fileno=int(sys.argv[1]))
    os.set_inheritable(sock.fileno(), False)  # steps must not keep it open: its end tells the engine this one died
    if zygote is not None and len(os.listdir("/proc/self/task")) > 1:  # a thread (a .pth file's): no fork is safe
        return  # (at its end, the engine starts Python steps as new interpreters)
    devnull = os.open(os.devnull, os.O_RDONLY | os.O_CLOEXEC)
    poll = select.poll()
    poll.register(sock, select.POLLIN)
    children: dict[int, int] = {}  # pidfd: pid
    started = zygote.site_folders() if zygote is not None else None
    retiring = False  # (a zygote whose start is out of date: it ends once its children have)
    while True:
        for fd, _ in poll.poll():
            if fd != sock.fileno():
                pid = children.pop(fd)
                poll.unregister(fd)
                os.close(fd)
                _, status = os.waitpid(pid, 0)
                sock.send(_struct.pack("=iii", EXITED, pid, status))
                if retiring and not children:
                    return
                continue
            message, ancillary, _, _ = sock.recvmsg(1 << 22, _socket.CMSG_LEN(4), _socket.MSG_CMSG_CLOEXEC)
            if not message:
                return
            fds = [int.from_bytes(data[:4], sys.byteorder) for _, _, data in ancillary]
            if zygote is not None and (retiring or zygote.site_folders() != started):  # a package was installed or removed
                retiring = True
                for received in fds:
                    os.close(received)
                sock.send(_struct.pack("=iii", FAILED, 0, errno.ESTALE))  # (spawner.py starts another)
                if not children:
                    return
                continue
            try:
                pid, pidfd = spawn(message, fds[0], devnull, zygote is not None)
            except Forked:  # (in the child, where every file but 0, 1 and 2 is closed already)
                sock.detach()  # (its object closes no file of the step's)
                fds = []
                raise
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
    # A zygote's children become their steps with _zygote.py, beside this file (sys.path[0]).
    zygote_ = __import__("_zygote") if "--python" in sys.argv[2:] else None
    forked = None
    try:
        main(zygote_)
    except Forked as step:  # (run outside this block: the step's errors have no context of ours)
        forked = step
    if forked is not None:
        argv, env, forked = forked.argv, forked.env, None
        zygote_.run_script(argv, env, PRELOADED)
