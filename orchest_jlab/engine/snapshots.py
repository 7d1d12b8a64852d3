"""Snapshots: a non-interactive run's own copy of its project.

Copies the project folder, respecting its ``.gitignore`` files, leaving out ``.git/``, the run data
under ``.orchest/`` (outputs, logs, runs, the database, the environment variables; environments are
kept) and files over a size limit, which are reported as warnings.

A symbolic link to something inside the project never points into the live project from the
snapshot: a link to a file is replaced by a copy of the file, a link to a folder by a link to the
snapshot's own copy of it. Links to what is outside the project (a dataset) are kept as they are.
"""

from __future__ import annotations

import contextlib
import functools
import os
import shutil
import stat
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from .tree import walk

if TYPE_CHECKING:  # imported by the first snapshot: a run in place (every command-line run) needs none
    import pathspec

# Relative to the project root; the snapshot keeps the rest of .orchest/ (environments).
EXCLUDED = {".git", ".orchest/pipelines", ".orchest/runs", ".orchest/jobs", ".orchest/builds", ".orchest/cache",
            ".orchest/notifications"}  # webhooks hold secrets
DATABASE_SUFFIXES = (".sqlite", ".sqlite-wal", ".sqlite-shm", ".sqlite-journal")
# The project's environment variables (secrets): a job keeps its own copy in its record.
EXCLUDED_FILES = {".orchest/env_variables.json"}


@functools.lru_cache(maxsize=64)
def _compiled(path: str, mtime_ns: int, size: int) -> pathspec.PathSpec | None:
    """A ``.gitignore`` file's rules (kept by its path, time and size: a job's runs copy the same
    ones, and compiling them cost more than the copy of a small project)."""
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            lines = f.read().splitlines()
    except OSError:
        return None
    import pathspec

    return pathspec.GitIgnoreSpec.from_lines(lines)


def _ignore_spec(folder: str) -> pathspec.PathSpec | None:
    path = os.path.join(folder, ".gitignore")
    try:
        status = os.stat(path)
    except OSError:
        return None
    return _compiled(path, status.st_mtime_ns, status.st_size)


def make_snapshot(project_dir: Path, target: Path, size_limit: int | None, exclude: Path | None = None,
                  gitignore: bool = True, written: str | None = None) -> list[str]:
    """Copy ``project_dir`` into ``target`` (created); returns warnings about files left out.
    ``exclude``: a folder never copied (the runs' folders, should they be inside the project).
    ``gitignore``: respect ``.gitignore`` files (not needed again when ``project_dir`` is a snapshot).
    ``written``: a file (its path relative to the project, with "/") not copied: the caller writes
    its own (a run's pipeline file, its parameters in)."""
    warnings: list[str] = []
    target.mkdir(parents=True)
    left_out = set()  # (device, inode) of the folders never copied: cheaper than their real paths
    for folder in (target, exclude):
        with contextlib.suppress(OSError, TypeError):
            status = os.stat(folder)
            left_out.add((status.st_dev, status.st_ino))
    inodes = {ino for _, ino in left_out}
    root, into = os.fspath(project_dir), os.fspath(target)

    @functools.cache
    def project_real() -> str:  # for symbolic links only
        return os.path.realpath(root)

    def skipped(entry: os.DirEntry) -> bool:
        if entry.is_symlink():
            status = os.stat(entry.path)
            return (status.st_dev, status.st_ino) in left_out
        if entry.inode() not in inodes:  # known without a system call
            return False
        status = entry.stat(follow_symlinks=False)
        return (status.st_dev, status.st_ino) in left_out
    # Strings and scandir's entries, not Path objects and a stat per name: a job copies this for each run.
    specs: list[tuple[str, pathspec.PathSpec]] = []  # (folder relative to the project, ending in "/", its rules)

    def ignored(relative: str, is_dir: bool) -> bool:
        for base, spec in specs:
            if relative.startswith(base) and spec.match_file(relative[len(base):] + ("/" if is_dir else "")):
                return True
        return False

    def inside(real: str) -> bool:
        return real == project_real() or real.startswith(project_real() + os.sep)

    def copy_link(path: str, relative: str) -> None:
        real = os.path.realpath(path)
        if not inside(real):
            os.symlink(os.readlink(path), os.path.join(into, relative))
        elif os.path.isdir(real):
            copy = os.path.join(into, os.path.relpath(real, project_real()))
            os.symlink(os.path.relpath(copy, os.path.dirname(os.path.join(into, relative))), os.path.join(into, relative))
        else:
            copy_file(real, relative, os.stat(real))

    def copy_file(path: str, relative: str, status: os.stat_result) -> None:
        if size_limit is not None and status.st_size > size_limit:
            warnings.append(f'"{relative}" ({status.st_size / 2**20:.1f} MiB) was left out of the '
                            f"snapshot: it is larger than the limit of {size_limit / 2**20:.0f} MiB.")
            return
        copy = os.path.join(into, relative)
        shutil.copyfile(path, copy)  # content, mode and times: what copy2 keeps but extended attributes
        os.chmod(copy, stat.S_IMODE(status.st_mode))
        os.utime(copy, ns=(status.st_atime_ns, status.st_mtime_ns))

    def entered(folder: str, relative: str) -> Callable[[], None] | None:
        """``relative``: the folder's path in the project, "" or ending in "/"."""
        if not gitignore or (spec := _ignore_spec(folder)) is None:
            return None
        specs.append((relative, spec))
        return specs.pop

    def visit(entry: os.DirEntry, rel: str) -> bool:
        if entry.is_dir():  # as os.walk sorts them: a link to a folder is a folder
            if rel in EXCLUDED or (specs and ignored(rel, True)) or skipped(entry):
                return False
            if entry.is_symlink():
                copy_link(entry.path, rel)
                return False
            os.mkdir(os.path.join(into, rel))
            return True
        if rel == written or (specs and ignored(rel, False)) or (rel.startswith(".orchest/") and (
                entry.name.endswith(DATABASE_SUFFIXES) or rel in EXCLUDED_FILES)):
            return False
        if entry.is_symlink():
            copy_link(entry.path, rel)
        else:
            copy_file(entry.path, rel, entry.stat(follow_symlinks=False))
        return False

    # FileNotFoundError: deleted while we copied (a temporary file), so not part of the project.
    walk(root, visit, entered=entered, sort=True, skip=FileNotFoundError)
    return warnings
