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
a zygote for the Python steps of that interpreter and environment (``spawner.zygote``): its
interpreter has started as theirs would (``site``, ``.pth`` files, ``PYTHON*`` variables), so each
child, instead of an exec, becomes the step's interpreter where a new one would be after its start
and runs the step's file as ``__main__`` (``run_script``): a trivial step costs about 7 ms of CPU,
its interpreter's end and copy-on-write faults included, where a new interpreter costs 15. The fork
is ``os.fork``'s (``PyOS_BeforeFork``, ``PyOS_AfterFork_Child``) around the same ``clone3``, so the
child is born in its cgroup too. Before each fork it checks that the site-packages folders are as
at its start (``site_folders``); if not, it answers ESTALE and ends once its children have.
"""

import sys

PRELOADED = frozenset(sys.modules)  # what the interpreter's start imported: all a forked step keeps

import _signal  # noqa: E402
import _socket  # noqa: E402
import _struct  # noqa: E402
import ctypes  # noqa: E402
import os  # noqa: E402
import select  # noqa: E402

SYS_CLONE3 = 435  # the same number on every architecture
CLONE_PIDFD = 0x1000
CLONE_INTO_CGROUP = 0x200000000
STARTED, FAILED, EXITED = 1, 2, 3  # a reply's kind: (kind, pid, value) as three native int32
ESTALE = 116  # a zygote's FAILED: its start is out of date (spawner.py starts another)


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


def main(zygote: bool = False) -> None:
    if not zygote:  # (a zygote's children are Python's, as it is)
        for signum in (_signal.SIGPIPE, _signal.SIGXFSZ):  # ignored by Python, and exec would keep that
            _signal.signal(signum, _signal.SIG_DFL)  # for the steps (here, too: a dead engine ends this)
    sock = _socket.socket(fileno=int(sys.argv[1]))
    os.set_inheritable(sock.fileno(), False)  # steps must not keep it open: its end tells the engine this one died
    if zygote and len(os.listdir("/proc/self/task")) > 1:  # a thread (a .pth file's): no fork is safe
        return  # (at its end, the engine starts Python steps as new interpreters)
    devnull = os.open(os.devnull, os.O_RDONLY | os.O_CLOEXEC)
    poll = select.poll()
    poll.register(sock, select.POLLIN)
    children: dict[int, int] = {}  # pidfd: pid
    started = site_folders() if zygote else None
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
            if zygote and (retiring or site_folders() != started):  # a package was installed or removed
                retiring = True
                for received in fds:
                    os.close(received)
                sock.send(_struct.pack("=iii", FAILED, 0, ESTALE))
                if not children:
                    return
                continue
            try:
                pid, pidfd = spawn(message, fds[0], devnull, zygote)
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


def site_folders() -> list:
    """The state of the folders whose ``.pth`` files the interpreter's start read (``site``):
    a zygote whose start they changed since starts no step."""
    import site  # (imported by the interpreter's start)

    state = []
    for folder in [*site.getsitepackages(), site.getusersitepackages()]:
        try:
            state.append(os.stat(folder).st_mtime_ns)
        except OSError:
            state.append(None)
    return state


def run_script(argv: list[bytes], env: dict) -> None:
    """In a zygote's child: what ``python FILE ARGS...`` does once its interpreter has started."""
    for name in [name for name in sys.modules if name not in PRELOADED]:
        del sys.modules[name]  # (imported again by the step if it asks)
    os.environb.clear()
    os.environb.update(env)
    show_step(argv, env)
    file = os.fsdecode(argv[1])
    sys.argv = [file, *map(os.fsdecode, argv[2:])]
    sys.orig_argv = list(map(os.fsdecode, argv))
    if not sys.flags.safe_path:  # (else there is no script's folder in sys.path, nor was the zygote's)
        sys.path[0] = script_folder(file)
    main_module = type(sys)("__main__")
    main_module.__dict__.update(__annotations__={}, __file__=file, __cached__=None, __builtins__=sys.modules["builtins"],
                                __loader__=sys.modules["_frozen_importlib_external"].SourceFileLoader("__main__", file))
    sys.modules["__main__"] = main_module
    try:
        with open(file, "rb") as source:
            code = compile(source.read(), file, "exec", dont_inherit=True)
    except OSError as exc:
        sys.stderr.write(f"{sys.orig_argv[0]}: can't open file {file!r}: [Errno {exc.errno}] {exc.strerror}\n")
        sys.exit(2)
    except SyntaxError as exc:  # (shown with no traceback: there is no frame yet)
        sys.excepthook(type(exc), exc, exc.with_traceback(None).__traceback__)
        sys.exit(1)
    try:
        exec(code, main_module.__dict__)
    except SystemExit:
        raise
    except KeyboardInterrupt:  # the interpreter shows it (and ends by SIGINT): from the step's frame on
        hook = sys.excepthook
        sys.excepthook = lambda kind, value, _: hook(kind, value, _from_the_step(value, 2))
        raise
    except BaseException as exc:  # shown as the interpreter shows it
        sys.excepthook(type(exc), exc, _from_the_step(exc, 1))
        sys.exit(1)


def _from_the_step(exc: BaseException, ours: int):
    """``exc``'s traceback without its first ``ours`` frames (the zygote's)."""
    traceback = exc.__traceback__
    for _ in range(ours):
        traceback = traceback.tb_next if traceback is not None else None
    return exc.with_traceback(traceback).__traceback__


def show_step(argv: list[bytes], env: dict) -> None:
    """What others see of the step's process (``ps``, ``/proc/PID/cmdline`` and ``environ``): its
    command and environment, written over the zygote's (padded for them: ``spawner.py``) as
    setproctitle does. The command's area keeps its last byte not NUL (the kernel then reads it to
    its first NUL); the environment's ends in NULs (no one reads the zygote's any more: the C
    library's ``environ`` holds copies since ``os.environb`` was replaced)."""
    with open("/proc/self/stat", "rb") as stat:
        fields = stat.read().rsplit(b")", 1)[1].split()
    # proc(5) fields 48-51: arg_start, arg_end, env_start, env_end
    arg_start, arg_end, env_start, env_end = map(int, fields[45:49])
    if arg_end - arg_start >= 2:
        text = b" ".join(argv)[:arg_end - arg_start - 2] + b"\0"
        ctypes.memmove(arg_start, text.ljust(arg_end - arg_start, b" "), arg_end - arg_start)
    entries, room = [], env_end - env_start
    for key, value in env.items():  # (the whole entries that fit)
        entry = key + b"=" + value + b"\0"
        if len(entry) > room:
            continue
        entries.append(entry)
        room -= len(entry)
    ctypes.memmove(env_start, b"".join(entries).ljust(env_end - env_start, b"\0"), env_end - env_start)


def script_folder(file: str) -> str:
    """``sys.path[0]`` for ``python FILE``: the folder of the file its symbolic links lead to."""
    path = file
    for _ in range(40):
        try:
            link = os.readlink(path)
        except OSError:
            break
        path = link if os.path.isabs(link) else os.path.join(os.path.dirname(path), link)
    return os.path.dirname(path)


if __name__ == "__main__":
    forked = None
    try:
        main(zygote="--python" in sys.argv[2:])
    except Forked as step:  # (run outside this block: the step's errors have no context of ours)
        forked = step
    if forked is not None:
        argv, env, forked = forked.argv, forked.env, None
        run_script(argv, env)
