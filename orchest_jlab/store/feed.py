"""What the engine hands the stores' writer thread: events appended without waking the writer while
it writes (a job's runs publish many states at once; a queue.Queue woke it for each), taken all at
once when it is done."""

from __future__ import annotations

import threading
from collections import deque
from typing import Any


class Feed:
    def __init__(self) -> None:
        self._items: deque[Any] = deque()
        self._ready = threading.Condition()
        self._waiting = False  # the writer waits for items (set before it looks: no wake-up is lost)

    def put(self, item: Any) -> None:
        self._items.append(item)
        if self._waiting:
            with self._ready:
                self._ready.notify()

    def take(self, timeout: float | None = None) -> list[Any]:
        """Every item put so far, oldest first; waits up to ``timeout`` seconds for one (None: for ever)."""
        with self._ready:
            self._waiting = True
            try:
                if not self._items:
                    self._ready.wait(timeout)
            finally:
                self._waiting = False
        items = []
        while self._items:
            items.append(self._items.popleft())
        return items
