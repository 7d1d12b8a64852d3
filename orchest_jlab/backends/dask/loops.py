"""Event loops that live as long as a worker process, each in a thread of its own."""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor

_loops: dict[str, asyncio.AbstractEventLoop] = {}
_lock = threading.Lock()


def loop_thread(name: str) -> asyncio.AbstractEventLoop:
    """This process's loop called ``name``, started at its first use."""
    with _lock:
        if name not in _loops:
            loop = _loops[name] = asyncio.new_event_loop()
            # Steps run on such a loop (notebooks, containers): asyncio's default pool (cores + 4 threads)
            # would make the worker's steps wait for each other's blocking calls.
            loop.set_default_executor(ThreadPoolExecutor(max_workers=64, thread_name_prefix=f"orchest-jlab-{name}"))
            threading.Thread(target=loop.run_forever, name=f"orchest-jlab-{name}", daemon=True).start()
        return _loops[name]
