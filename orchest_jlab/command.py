"""The ``orchest-jlab`` command's entry point (``python -m orchest_jlab`` too).

A command's start is mostly imports: thousands of objects and no garbage, over which the cyclic
collector ran about 50 times (12-14 ms of CPU per command, docs/benchmarks.md). It is off from here
until the command runs something: ``cli.common.run_async`` freezes what the start made (never
scanned again) and turns it back on; the short commands that run nothing end before it matters.
Not in ``cli/__init__.py``: a process that imports the command's modules (tests, a server) keeps
its collector.
"""

from __future__ import annotations

import gc


def main() -> None:
    gc.disable()
    from .cli import main as command

    command()
