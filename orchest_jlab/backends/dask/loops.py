"""Event loops that live as long as a worker process, each in a thread of its own."""

from __future__ import annotations

import asyncio
import threading

_loops: dict[str, asyncio.AbstractEventLoop] = {}
_lock = threading.Lock()


def loop_thread(name: str) -> asyncio.AbstractEventLoop:
    """This process's loop called ``name``, started at its first use."""
    with _lock:
        if name not in _loops:
            loop = _loops[name] = asyncio.new_event_loop()
            threading.Thread(target=loop.run_forever, name=f"orchest-jlab-{name}", daemon=True).start()
        return _loops[name]
