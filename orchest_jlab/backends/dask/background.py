"""A worker process's one thread for work that no step waits for: removals of copies and run
folders, spare copies put back (``spares.py``). A thread per removal cost more than the removal of a
small run's copy.
"""

from __future__ import annotations

import queue
import shutil
import threading
from collections.abc import Callable
from pathlib import Path

_work: queue.SimpleQueue[Callable[[], object]] = queue.SimpleQueue()
_thread: threading.Thread | None = None
_thread_lock = threading.Lock()


def later(work: Callable[[], object]) -> None:
    """Done by this process's background thread: neither a step nor the worker's event loop waits."""
    global _thread
    _work.put(work)
    with _thread_lock:
        if _thread is None or not _thread.is_alive():
            _thread = threading.Thread(target=_do, name="orchest-jlab-background", daemon=True)
            _thread.start()


def remove_later(*folders: Path) -> None:
    if folders:
        later(lambda: [shutil.rmtree(folder, ignore_errors=True) for folder in folders])


def _do() -> None:
    while True:
        try:
            _work.get()()
        except Exception:  # noqa: BLE001 - one failure must not stop the others
            pass
