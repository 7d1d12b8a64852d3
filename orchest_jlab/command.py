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

Not in ``cli/__init__.py``: a process that imports the command's modules (tests, a server) keeps
its collector and imports ssl as usual.
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


def main() -> None:
    gc.disable()
    defer()
    from .cli import main as command

    command()
