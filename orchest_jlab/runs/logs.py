"""Reading a part of a step's log file: from an offset, or its end; never more than a cap.

Offsets are in bytes of the file. A part ends at the end of a line unless one line alone is longer
than the limit; a tail starts at the beginning of a line. Reading is blocking (handlers run it off
the event loop).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

# The most a request gets, and what it gets without a limit: the end of the log (the editor shows the
# last few thousand lines; the rest is paged with offset/limit).
MAX_LOG_BYTES = 2 * 1024 * 1024


@dataclass
class LogPart:
    """A part of a step's log file."""
    text: str
    start: int  # byte offset of the first byte returned
    end: int  # byte offset after the last byte returned (where the next part starts)
    size: int  # the file's size when it was read

    def headers(self) -> dict[str, str]:
        return {"X-Orchest-Log-Start": str(self.start), "X-Orchest-Log-End": str(self.end),
                "X-Orchest-Log-Size": str(self.size)}


def read_log_part(path: Path, offset: int | None = None, limit: int | None = None) -> LogPart:
    """``limit`` bytes (at most MAX_LOG_BYTES) from ``offset``; without an offset, the last ones."""
    limit = MAX_LOG_BYTES if limit is None else max(0, min(limit, MAX_LOG_BYTES))
    with path.open("rb") as f:
        size = os.fstat(f.fileno()).st_size
        if offset is None:
            start = max(0, size - limit)
            f.seek(max(0, start - 1))
            data = f.read(size - max(0, start - 1))
            if start > 0:  # begin at a line's beginning: after the first newline (the byte before counts)
                newline = data.find(b"\n")
                cut = newline + 1 if 0 <= newline < len(data) - 1 else 1
                data, start = data[cut:], start - 1 + cut
            end = start + len(data)
        else:
            start = min(offset, size)
            f.seek(start)
            data = f.read(min(limit, size - start))
            end = start + len(data)
            if end < size:  # end at a line's end, unless a single line fills the part
                newline = data.rfind(b"\n")
                if newline >= 0:
                    data, end = data[:newline + 1], start + newline + 1
    return LogPart(data.decode("utf-8", errors="replace"), start, end, size)
