"""A step's log: a file per step per run, each complete line also published as an event.

The file has everything the step printed. An event carries at most ``MAX_EVENT_LINE`` characters of
a line (a progress bar redrawn with carriage returns can make one line of many megabytes); the rest
stays in the file, where the log endpoint reads it.

When the file cannot be written (a full disk), the log stops writing, keeps publishing, and tells
``on_error`` once: the engine then stops the step and says why.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from .events import EventBus

MAX_EVENT_LINE = 16 * 1024


def attempt_log_path(log_path: str | Path, attempt: int) -> Path:
    """Where the log of an earlier attempt of a retried step is kept (the last one stays at
    ``log_path``)."""
    path = Path(log_path)
    return path.with_name(f"{path.stem}.attempt-{attempt}{path.suffix}")


def keep_attempt_log(log_path: Path, attempt: int) -> None:
    """Move the log of the attempt that just failed aside: the next attempt starts a new one."""
    if log_path.exists():
        log_path.replace(attempt_log_path(log_path, attempt))


def _shortened(line: str, dropped: int = 0) -> str:
    dropped += max(0, len(line) - MAX_EVENT_LINE)
    if not dropped:
        return line
    return f"{line[:MAX_EVENT_LINE]} … ({dropped} more characters in the log file)"


class StepLog:
    def __init__(self, path: Path, bus: EventBus, run_uuid: str, step_uuid: str):
        self.path = path
        try:
            self._file = open(path, "a", encoding="utf-8", errors="replace")
        except FileNotFoundError:  # the run's first log
            path.parent.mkdir(parents=True, exist_ok=True)
            self._file = open(path, "a", encoding="utf-8", errors="replace")
        self._bus = bus
        self._ids = {"run_uuid": run_uuid, "step_uuid": step_uuid}
        # The start of the line not yet complete (at most MAX_EVENT_LINE characters of it kept).
        self._partial = ""
        self._dropped = 0  # characters of that line not kept
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
        if "\n" not in text:
            self._extend(text)
            return
        first, *middle, last = text.split("\n")
        self._extend(first)
        lines = [_shortened(self._partial, self._dropped)]
        lines += middle if all(len(line) <= MAX_EVENT_LINE for line in middle) else map(_shortened, middle)
        self._bus.publish_many("log", "line", lines, **self._ids)  # one batch per chunk of output
        self._partial, self._dropped = "", 0
        self._extend(last)

    def _extend(self, text: str) -> None:
        room = MAX_EVENT_LINE + 1 - len(self._partial)  # one more: the event says it was shortened
        if len(text) > room:
            self._dropped += len(text) - max(room, 0)
            text = text[:max(room, 0)]
        self._partial += text

    def _publish(self, line: str, dropped: int = 0) -> None:
        self._bus.publish("log", **self._ids, line=_shortened(line, dropped))

    def note(self, text: str) -> None:
        """A line of our own (why a step failed), on a line of its own."""
        self.write(("\n" if self._partial or self._dropped else "") + text + "\n")

    def close(self) -> None:
        if self._partial or self._dropped:
            self._append("\n")
            self._publish(self._partial, self._dropped)
            self._partial, self._dropped = "", 0
        try:
            self._file.close()
        except OSError:  # what a full disk left in its buffer
            pass
