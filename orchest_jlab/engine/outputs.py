"""The engine's side of data passing: a step's previous output is cleared before it runs again."""

from __future__ import annotations

from pathlib import Path


def clear(data_dir: Path, step_uuid: str) -> None:
    # The layout is the step SDK's (docs/step-sdk.md): every file of a step's output starts with
    # its uuid.
    if not data_dir.is_dir():
        return
    for path in data_dir.glob(f"{step_uuid}*"):
        path.unlink(missing_ok=True)
