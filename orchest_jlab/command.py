"""The ``orchest-jlab`` command's entry point (``python -m orchest_jlab`` too).

A command's start is mostly imports: thousands of objects and no garbage, over which the cyclic
collector ran about 50 times (12-14 ms of CPU per command, docs/benchmarks.md). It is off from here
until the command runs something: ``cli.common.run_async`` freezes what the start made (never
scanned again) and turns it back on; the short commands that run nothing end before it matters.

asyncio imports ``ssl`` (OpenSSL's library, its enums and ``asyncio.sslproto``: about 5 ms of CPU)
for connections that a command running steps here never opens. Both are put in ``sys.modules`` as
placeholders (``OnFirstUse``) that import the real module at their first attribute (a TLS
connection to a Docker engine or a Dask scheduler, ``isinstance(x, ssl.SSLSocket)``), so nothing
that needs ssl goes without it.

When the command is done and only its main thread is left, the process ends at once
(``exit_now``: the ``atexit`` functions, stdout and stderr flushed, then ``os._exit``) instead of
tearing down every module and collecting all of them once more (about 14 ms of CPU): what a
command writes (the runs' database, step logs) is closed and on disk before it returns.

Not in ``cli/__init__.py``: a process that imports the command's modules (tests, a server) keeps
its collector, imports ssl as usual and ends as usual.
"""

from __future__ import annotations

import gc
import sys
import threading
import types

# Imported on first use by the command (what imports them before that gets a placeholder).
ON_FIRST_USE = ("ssl", "asyncio.sslproto")


class OnFirstUse(types.ModuleType):
    """A module not imported yet: its first attribute asked for imports it (in its place in
    ``sys.modules``) and copies its namespace here, for those that kept this placeholder."""

    _lock = threading.Lock()

    def __getattr__(self, attribute: str):
        import importlib

        with OnFirstUse._lock:
            name = self.__name__
            if sys.modules.get(name) is self:
                del sys.modules[name]
                try:
                    module = importlib.import_module(name)
                except BaseException:
                    sys.modules[name] = self
                    raise
                vars(self).update(vars(module))  # later lookups find it without this method
        return getattr(sys.modules[name], attribute)


def defer(names: tuple[str, ...] = ON_FIRST_USE) -> None:
    """Placeholders for ``names`` where they are not imported yet."""
    for name in names:
        if name not in sys.modules:
            sys.modules[name] = OnFirstUse(name)


def exit_now(code: object) -> None:
    """End the process as ``SystemExit(code)`` would, without the interpreter's teardown; only when
    no other thread runs (else Python would wait for it: then it does)."""
    import atexit
    import os

    if threading.active_count() > 1:
        raise SystemExit(code)
    if code is None:
        status = 0
    elif isinstance(code, int):
        status = code
    else:  # as Python prints a SystemExit's message
        print(code, file=sys.stderr)
        status = 1
    atexit._run_exitfuncs()  # what the interpreter runs first at its end (logging's flush, finalizers)
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe: as Python, nothing more to say
            pass
    os._exit(status & 0xFF)


def main(teardown: bool = False) -> None:
    """The command; ``teardown``: end with SystemExit and the interpreter's usual end (tests that
    look at the process afterwards)."""
    gc.disable()
    if sys.argv[1:2] == ["run"] and threading.active_count() == 1:  # the step spawner's helper, before any import
        from . import prefork

        prefork.start()
    defer()
    from .cli import main as command

    try:
        command()
        code: object = 0
    except SystemExit as exc:
        if teardown:
            raise
        code = exc.code
    exit_now(code)
