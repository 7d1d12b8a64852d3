"""One walk of a project's folder for what copies or lists its files: a run's snapshot
(``snapshots.py``) and the dask backend's listing and tar of a project (``backends/dask/project.py``).

``os.scandir`` with relative paths as strings, not ``Path`` objects and a stat per name: a job copies
and lists its project for each run.
"""

from __future__ import annotations

import os
from collections.abc import Callable

# visit(entry, its path relative to the root) -> True to walk into it (a folder)
Visit = Callable[[os.DirEntry, str], bool]
# entered(folder, its relative path: "" or ending in "/") -> called when that folder's walk ends, or None
Entered = Callable[[str, str], Callable[[], None] | None]


def walk(root: str | os.PathLike, visit: Visit, *, entered: Entered | None = None, sort: bool = False,
         skip: type[BaseException] | tuple[type[BaseException], ...] = OSError) -> None:
    """Call ``visit`` for each entry under ``root``; a folder's entries are visited when ``visit``
    returned True for it. ``entered``: called as each folder's walk begins (the root's too).
    ``sort``: a folder's entries in the order of their names. A folder that cannot be read, or an
    entry whose visit raised, for an error of the ``skip`` kinds (gone meanwhile, a dangling link)
    is passed over."""

    def folder(path: str, relative: str) -> None:
        left = entered(path, relative) if entered is not None else None
        try:
            with os.scandir(path) as found:
                entries = sorted(found, key=lambda e: e.name) if sort else list(found)
        except skip:
            entries = []
        for entry in entries:
            rel = relative + entry.name
            try:
                inside = visit(entry, rel)
            except skip:
                continue
            if inside:
                folder(entry.path, rel + "/")
        if left is not None:
            left()

    folder(os.fspath(root), "")
