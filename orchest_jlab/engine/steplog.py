"""A step's log: a file per step per run, each complete line also published as an event.

When the file cannot be written (a full disk), the log stops writing, keeps publishing, and tells
``on_error`` once: the engine then stops the step and says why.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from .events import EventBus


class StepLog:
    def __init__(self, path: Path, bus: EventBus, run_uuid: str, step_uuid: str):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._file = path.open("a", encoding="utf-8", errors="replace")
        self._bus = bus
        self._ids = {"run_uuid": run_uuid, "step_uuid": step_uuid}
        self._partial = ""
        self.error: OSError | None = None  # why the file could not be written
        self.on_error: Callable[[OSError], None] | None = None

    def _append(self, text: str) -> None:
        if self.error is not None:
            return
        try:
            self._file.write(text)
            self._file.flush()
        except OSError as exc:
            self.error = exc
            if self.on_error is not None:
                self.on_error(exc)

    def write(self, text: str) -> None:
        """Append output as it comes; lines are published once complete."""
        if not text:
            return
        self._append(text)
        *lines, self._partial = (self._partial + text).split("\n")
        for line in lines:
            self._bus.publish("log", **self._ids, line=line)

    def note(self, text: str) -> None:
        """A line of our own (why a step failed), on a line of its own."""
        self.write(("\n" if self._partial else "") + text + "\n")

    def close(self) -> None:
        if self._partial:
            self._append("\n")
            self._bus.publish("log", **self._ids, line=self._partial)
            self._partial = ""
        try:
            self._file.close()
        except OSError:  # what a full disk left in its buffer
            pass
