"""``.orchest/.gitignore``: every runtime file this project (and Orchest) writes under ``.orchest/``
stays out of version control; the user's own lines are kept as they are."""

from __future__ import annotations

import threading
from pathlib import Path

from .document import write_text_atomic

# Relative to .orchest/. Orchest's own three first (what Orchest writes into a new project).
RUNTIME_PATTERNS = (
    "pipelines/*/logs/",
    "pipelines/*/data/",
    "plasma.sock",
    "runs/",
    "jobs/",
    "builds/",
    "cache/",  # the step cache's entries
    "orchest-jlab.sqlite",
    "orchest-jlab.sqlite-*",
    "env_variables.json",  # the project's and pipelines' environment variables (secrets)
)
HEADER = "# orchest-jlab: runs, jobs, image builds, the runs' database and step outputs"

_done: set[Path] = set()
_lock = threading.Lock()


def ensure_gitignore(project_dir: Path) -> None:
    """Add the missing runtime patterns to ``<project>/.orchest/.gitignore`` (created if needed),
    once per project and process; an unwritable file is left alone (ignoring is a convenience)."""
    folder = Path(project_dir) / ".orchest"
    with _lock:
        if folder in _done:
            return
        _done.add(folder)
    path = folder / ".gitignore"
    try:
        text = path.read_text(encoding="utf-8") if path.is_file() else ""
        present = {line.strip() for line in text.splitlines()}
        missing = [p for p in RUNTIME_PATTERNS if p not in present]
        if not missing:
            return
        if text and not text.endswith("\n"):
            text += "\n"
        lines = ([HEADER] if HEADER not in present else []) + missing
        folder.mkdir(parents=True, exist_ok=True)
        write_text_atomic(path, text + "\n".join(lines) + "\n")
    except OSError:
        with _lock:
            _done.discard(folder)
