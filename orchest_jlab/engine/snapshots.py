"""Snapshots: a non-interactive run's own copy of its project.

Copies the project folder, respecting its ``.gitignore`` files, leaving out ``.git/``, the run data
under ``.orchest/`` (outputs, logs, runs, the database, the environment variables; environments are
kept) and files over a size limit, which are reported as warnings.

A symbolic link to something inside the project never points into the live project from the
snapshot: a link to a file is replaced by a copy of the file, a link to a folder by a link to the
snapshot's own copy of it. Links to what is outside the project (a dataset) are kept as they are.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imported by the first snapshot: a run in place (every command-line run) needs none
    import pathspec

# Relative to the project root; the snapshot keeps the rest of .orchest/ (environments).
EXCLUDED = {".git", ".orchest/pipelines", ".orchest/runs", ".orchest/jobs", ".orchest/builds", ".orchest/cache",
            ".orchest/notifications"}  # webhooks hold secrets
DATABASE_SUFFIXES = (".sqlite", ".sqlite-wal", ".sqlite-shm", ".sqlite-journal")
# The project's environment variables (secrets): a job keeps its own copy in its record.
EXCLUDED_FILES = {".orchest/env_variables.json"}


def _ignore_spec(folder: Path) -> pathspec.PathSpec | None:
    try:
        lines = (folder / ".gitignore").read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return None
    import pathspec

    return pathspec.GitIgnoreSpec.from_lines(lines)


def make_snapshot(project_dir: Path, target: Path, size_limit: int | None, exclude: Path | None = None) -> list[str]:
    """Copy ``project_dir`` into ``target`` (created); returns warnings about files left out.
    ``exclude``: a folder never copied (the runs' folders, should they be inside the project)."""
    warnings: list[str] = []
    left_out = {os.path.realpath(p) for p in (target, exclude) if p is not None}
    target.mkdir(parents=True)
    specs: list[tuple[Path, pathspec.PathSpec]] = []

    def ignored(path: Path, is_dir: bool) -> bool:
        for base, spec in specs:
            if base in path.parents:
                relative = path.relative_to(base).as_posix() + ("/" if is_dir else "")
                if spec.match_file(relative):
                    return True
        return False

    project_real = os.path.realpath(project_dir)

    def inside(real: str) -> bool:
        return real == project_real or real.startswith(project_real + os.sep)

    def copy_link(path: Path, relative: Path) -> None:
        real = os.path.realpath(path)
        if not inside(real):
            os.symlink(os.readlink(path), target / relative)
        elif os.path.isdir(real):
            copy = target / os.path.relpath(real, project_real)
            os.symlink(os.path.relpath(copy, (target / relative).parent), target / relative)
        else:
            copy_file(Path(real), relative)

    def copy_file(path: Path, relative: Path) -> None:
        size = path.stat().st_size
        if size_limit is not None and size > size_limit:
            warnings.append(f'"{relative.as_posix()}" ({size / 2**20:.1f} MiB) was left out of the '
                            f"snapshot: it is larger than the limit of {size_limit / 2**20:.0f} MiB.")
            return
        shutil.copy2(path, target / relative)

    for folder, dirnames, filenames in os.walk(project_dir):
        here = Path(folder)
        relative_here = here.relative_to(project_dir)
        spec = _ignore_spec(here)
        if spec is not None:
            specs.append((here, spec))
        (target / relative_here).mkdir(exist_ok=True)
        kept = []
        for name in sorted(dirnames):
            path = here / name
            relative = (relative_here / name).as_posix()
            if relative in EXCLUDED or ignored(path, True) or os.path.realpath(path) in left_out:
                continue
            if path.is_symlink():
                copy_link(path, relative_here / name)
                continue
            kept.append(name)
        dirnames[:] = kept
        for name in filenames:
            path = here / name
            relative = relative_here / name
            if ignored(path, False) or (relative.parts[0] == ".orchest" and (
                    name.endswith(DATABASE_SUFFIXES) or relative.as_posix() in EXCLUDED_FILES)):
                continue
            try:
                if path.is_symlink():
                    copy_link(path, relative)
                else:
                    copy_file(path, relative)
            except FileNotFoundError:
                continue  # deleted while we copied (a temporary file): it was not part of the project
    return warnings
