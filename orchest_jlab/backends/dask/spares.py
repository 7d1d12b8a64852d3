"""Spare working copies of small projects on a worker.

A run's working copy (``copies.py``) of a small project, once its run ended, is put back to the
project's content in the background thread (``background.py``): whatever its steps wrote, changed or
deleted is undone, compared by content, not by times. It is kept for the next run of the same
content, whose copy is then a rename: a copy and a removal of a small project cost about 1.5 ms of
the worker's CPU on ext4, the largest part of a grid job's runs' cost on the workers beyond their
steps' processes.
"""

from __future__ import annotations

import os
import shutil
import stat
import threading
import uuid
from collections import OrderedDict
from pathlib import Path

from ...engine.tree import walk
from .background import later, remove_later

SMALL = 1 << 20  # bytes: a project at most this large (and of at most FILES files) gets spares
FILES = 256
PER_CONTENT = 32  # spares kept (or being put back) per project content
CONTENTS = 4  # contents whose files are kept in memory to put copies back (the oldest go)

# A project's content: {relative path: (bytes, mode)} of its files, and its folders.
Content = tuple[dict[str, tuple[bytes, int]], set[str]]


def content_of(project: Path) -> Content | None:
    """The unpacked project's files, or None when it is not small."""
    files: dict[str, tuple[bytes, int]] = {}
    folders: set[str] = set()
    size = 0

    def visit(entry: os.DirEntry, rel: str) -> bool:
        nonlocal size
        if entry.is_dir(follow_symlinks=False):
            folders.add(rel)
            return True
        status = entry.stat(follow_symlinks=False)
        size += status.st_size
        if size > SMALL or len(files) >= FILES or not stat.S_ISREG(status.st_mode):
            raise _TooLarge
        with open(entry.path, "rb") as f:
            files[rel] = (f.read(), stat.S_IMODE(status.st_mode))
        return False

    try:
        walk(project, visit, skip=())
    except (_TooLarge, OSError):
        return None
    return files, folders


class _TooLarge(Exception):
    pass


def put_back(copy: Path, content: Content) -> None:
    """``copy`` made the project's ``content`` again (OSError when it could not be)."""
    files, folders = content
    kept: set[str] = set()

    def visit(entry: os.DirEntry, rel: str) -> bool:
        if entry.is_dir(follow_symlinks=False):
            if rel in folders:
                return True
            shutil.rmtree(entry.path)
            return False
        wanted = files.get(rel)
        if wanted is not None:
            status = entry.stat(follow_symlinks=False)
            # A file with another link (made by a step) is replaced, not written through.
            if (stat.S_ISREG(status.st_mode) and status.st_nlink == 1 and status.st_size == len(wanted[0])
                    and stat.S_IMODE(status.st_mode) == wanted[1]):
                with open(entry.path, "rb") as f:
                    if f.read() == wanted[0]:
                        kept.add(rel)
                        return False
        os.unlink(entry.path)
        return False

    walk(copy, visit, skip=())  # any error: the copy is not used again
    for rel in sorted(folders):
        os.makedirs(os.path.join(copy, rel), exist_ok=True)
    for rel, (data, mode) in files.items():
        if rel not in kept:
            path = os.path.join(copy, rel)
            with open(path, "xb") as f:
                f.write(data)
            os.chmod(path, mode)


class Spares:
    """The spare copies under one worker's local directory (``root``); thread-safe."""

    def __init__(self, root: Path):
        self.folder = root / "spares"
        self._lock = threading.Lock()
        self._spares: dict[str, list[Path]] = {}  # content hash -> clean copies
        self._pending: dict[str, int] = {}  # content hash -> copies being put back
        self._contents: OrderedDict[str, Content | None] = OrderedDict()
        if self.folder.exists():  # left by an earlier process
            stale = root / f".stale-spares-{uuid.uuid4().hex}"
            self.folder.rename(stale)
            remove_later(stale)

    def take(self, project_hash: str, path: Path) -> bool:
        """Whether a spare copy of the content became ``path``."""
        with self._lock:
            found = self._spares.get(project_hash)
            spare = found.pop() if found else None
        if spare is None:
            return False
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            spare.rename(path)
        except OSError:
            remove_later(spare)
            return False
        return True

    def keep(self, copy: Path, project_hash: str, project: Path) -> bool:
        """Whether ``copy`` (no longer used) is taken to be put back and kept (moved out of its
        run's folder at once, put back in the background); False: remove it."""
        with self._lock:
            if project_hash in self._contents and self._contents[project_hash] is None:
                return False  # not small
            if len(self._spares.get(project_hash, ())) + self._pending.get(project_hash, 0) >= PER_CONTENT:
                return False
            self._pending[project_hash] = self._pending.get(project_hash, 0) + 1
        target = self.folder / project_hash / uuid.uuid4().hex
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            copy.rename(target)
        except OSError:
            self._done(project_hash, None)
            return False
        later(lambda: self._put_back(target, project_hash, project))
        return True

    def _put_back(self, copy: Path, project_hash: str, project: Path) -> None:
        with self._lock:
            known = project_hash in self._contents
            content = self._contents.get(project_hash)
        if not known:
            content = content_of(project)
            with self._lock:
                self._contents[project_hash] = content
                while len(self._contents) > CONTENTS:  # the oldest content's spares go too
                    old, _ = self._contents.popitem(last=False)
                    remove_later(*self._spares.pop(old, []))
        try:
            if content is None:
                raise OSError("not a small project")
            put_back(copy, content)
        except OSError:
            self._done(project_hash, None)
            shutil.rmtree(copy, ignore_errors=True)
            return
        self._done(project_hash, copy)

    def _done(self, project_hash: str, copy: Path | None) -> None:
        with self._lock:
            self._pending[project_hash] -= 1
            if copy is not None and project_hash in self._contents:
                self._spares.setdefault(project_hash, []).append(copy)
                copy = None
        if copy is not None:
            shutil.rmtree(copy, ignore_errors=True)
