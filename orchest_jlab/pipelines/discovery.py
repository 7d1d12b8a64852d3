"""Finding every ``.orchest`` file under a folder."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from .document import PIPELINE_SUFFIX

# Folders that never hold a user's pipelines, besides hidden ones and virtual environments.
DEFAULT_SKIP_DIRS = frozenset({"node_modules", "__pycache__", "site-packages"})
_ENVIRONMENT_MARKERS = ("pyvenv.cfg", "conda-meta")


def _is_environment(folder: str) -> bool:
    return any(os.path.lexists(os.path.join(folder, marker)) for marker in _ENVIRONMENT_MARKERS)


def _within(real: str, real_root: str) -> bool:
    return real == real_root or real.startswith(real_root.rstrip(os.sep) + os.sep)


def discover_pipelines(root: str | os.PathLike, skip_dirs: Iterable[str] = DEFAULT_SKIP_DIRS) -> list[Path]:
    """Paths of the ``.orchest`` files under ``root``, relative to it, sorted.

    Skips hidden folders (``.orchest/`` and ``.git/`` among them), ``skip_dirs`` and virtual
    environments; does not follow symbolic links to folders (they could loop) nor list a linked file
    whose real path leaves ``root``; unreadable folders are passed over.
    """
    skip = frozenset(skip_dirs)
    real_root = os.path.realpath(root)
    found: list[str] = []
    stack = [os.fspath(root)]
    while stack:
        folder = stack.pop()
        try:
            with os.scandir(folder) as entries:
                for entry in entries:
                    name = entry.name
                    if name.startswith("."):
                        continue
                    try:
                        if entry.is_dir(follow_symlinks=False):
                            if name not in skip and not _is_environment(entry.path):
                                stack.append(entry.path)
                        elif name.endswith(PIPELINE_SUFFIX) and entry.is_file():
                            if not entry.is_symlink() or _within(os.path.realpath(entry.path), real_root):
                                found.append(entry.path)
                    except OSError:
                        continue
        except OSError:
            continue
    base = os.fspath(root)
    return sorted(Path(os.path.relpath(p, base)) for p in found)
