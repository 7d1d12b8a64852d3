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
(Not ``importlib.util.LazyLoader``: the import system reads ``__spec__`` of a module it finds in
``sys.modules``, which executes a lazy module at the first ``import ssl``, asyncio's own.)

jsonschema (nbformat's, for a notebook step or a document that does not conform) imports the
optional ``rfc3987_syntax`` where it is installed (jupyter_events asks for it), which builds 38
grammars at import: 1.1-1.3 s of CPU, most of a command's start, for the "iri" format checker that
no schema a command checks uses. The command runs no user code (steps and kernels are other
processes), so it finds that module absent (``NOT_IMPORTED``) and jsonschema goes without it.

When the command is done, the process ends without the interpreter's teardown of every module
and a last collection over all of them (about 14 ms of CPU): the command's first ``atexit``
function, so the last to run (after those of what it imported: logging's flush, the stores), flushes
stdout and stderr and calls ``os._exit`` with the command's status. What a command writes (the runs'
database, step logs) is closed and on disk before it returns.

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


# Optional modules a command never needs and that cost seconds to import (see above).
NOT_IMPORTED = ("rfc3987_syntax",)


def leave_out(names: tuple[str, ...] = NOT_IMPORTED) -> None:
    """``names`` found absent by this process's imports (an import of one raises ImportError)."""
    for name in names:
        sys.modules.setdefault(name, None)


def defer(names: tuple[str, ...] = ON_FIRST_USE) -> None:
    """Placeholders for ``names`` where they are not imported yet."""
    for name in names:
        if name not in sys.modules:
            sys.modules[name] = OnFirstUse(name)


class _Ending:
    """The command's end without the interpreter's teardown: armed with the exit status when the
    command is done; registered with ``atexit`` before the command imports anything, so it runs last."""

    status: int | None = None

    def __call__(self) -> None:
        if self.status is None:  # the command did not end through ``main`` (an uncaught error): as usual
            return
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (OSError, ValueError):  # a closed pipe: as Python, nothing more to say
                pass
        import os

        os._exit(self.status & 0xFF)


def exit_status(code: object) -> int:
    """The status ``SystemExit(code)`` ends a process with (Python prints a message that is not a number)."""
    if code is None:
        return 0
    return code if isinstance(code, int) else 1


def main(teardown: bool = False) -> None:
    """The command; ``teardown``: the interpreter's usual end (tests that look at the process
    afterwards)."""
    gc.disable()
    if sys.argv[1:2] == ["run"] and threading.active_count() == 1:  # the step spawner's helper, before any import
        from . import prefork

        prefork.start()
    ending = None
    if not teardown:
        import atexit

        ending = _Ending()
        atexit.register(ending)
    leave_out()
    defer()
    from .cli import main as command

    try:
        command()
        code: object = 0
    except SystemExit as exc:
        code = exc.code
    if ending is not None:
        ending.status = exit_status(code)
    raise SystemExit(code)
