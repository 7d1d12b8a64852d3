"""What a zygote's child (``_spawnd.py --python``, ``spawner.zygote``) does to become its step: the
interpreter has started as the step's would (``site``, ``.pth`` files, ``PYTHON*`` variables), so
the child takes the step's environment, arguments and ``__main__`` and runs the step's file where a
new interpreter would be after its start (``run_script``). A trivial step then costs about 7 ms of
CPU, its interpreter's end and copy-on-write faults included, where a new interpreter costs 15
(docs/benchmarks.md); docs/runs.md says what a step can still tell apart.

Standard library only, and only what the interpreter's start and ``_spawnd.py`` imported: a
forked step drops every module beyond ``PRELOADED`` (imported again if it asks).
"""

import ctypes
import os
import sys


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


def run_script(argv: list[bytes], env: dict, preloaded: frozenset) -> None:
    """In a zygote's child: what ``python FILE ARGS...`` does once its interpreter has started
    (``preloaded``: the modules that start imported)."""
    for name in [name for name in sys.modules if name not in preloaded]:
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
