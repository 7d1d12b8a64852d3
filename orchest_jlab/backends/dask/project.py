"""A project as it reaches the workers: one tar of its files, named by the SHA-256 of its content.

Left out: what never belongs to a step's view of the project (``.git``, run records, logs, builds,
the database), and the pipeline's data folder (outputs pass through the cluster, or are sent with the
step that reads them). ``listing`` is cheap (names, sizes, times): a run packs again only when it
changed, and a tar is kept by its listing, so that the runs of a job (their snapshots list alike:
their pipeline file, which differs by its parameters, goes with each step instead) pack once.
"""

from __future__ import annotations

import hashlib
import io
import os
import stat
import tarfile
import threading
from collections import OrderedDict
from pathlib import Path

from ...engine.tree import walk

# Relative to the project root: never sent (a step reads the outputs of earlier runs in .orchest/pipelines).
EXCLUDED = {".git", ".orchest/runs", ".orchest/jobs", ".orchest/builds", ".ipynb_checkpoints", "__pycache__"}
DATABASE_SUFFIXES = (".sqlite", ".sqlite-wal", ".sqlite-shm", ".sqlite-journal")


def listing(project_dir: Path, skip_prefixes: tuple[str, ...] = ()) -> list[tuple[str, Path, tuple]]:
    """(relative path, path, (size, modification time, mode)) of every file sent, sorted; links to
    folders are not followed (the walk of snapshots, engine/tree.py)."""
    found: list[tuple[str, Path, tuple]] = []

    def visit(entry: os.DirEntry, rel: str) -> bool:
        if entry.is_dir(follow_symlinks=False):
            return entry.name not in EXCLUDED and rel not in EXCLUDED
        if entry.name.endswith(DATABASE_SUFFIXES) or rel.startswith(skip_prefixes):
            return False
        status = entry.stat()  # OSError: a dangling link, or gone meanwhile (passed over)
        if stat.S_ISREG(status.st_mode):
            found.append((rel, Path(entry.path), (status.st_size, status.st_mtime_ns, status.st_mode)))
        return False

    walk(project_dir, visit)
    return sorted(found)


def pack(files: list[tuple[str, Path, tuple]]) -> tuple[str, bytes, dict[str, str]]:
    """(content hash, tar, {relative path: file hash}) of the ``listing``'s files; the same content
    gives the same hash whatever the files' times."""
    buffer = io.BytesIO()
    manifest: dict[str, str] = {}
    whole = hashlib.sha256()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for rel, path, _ in files:
            data = path.read_bytes()
            digest = hashlib.sha256(data).hexdigest()
            manifest[rel] = digest
            whole.update(f"{rel}\0{digest}\0{os.access(path, os.X_OK)}\n".encode())
            info = tarfile.TarInfo(rel)
            info.size = len(data)
            info.mode = 0o755 if os.access(path, os.X_OK) else 0o644
            tar.addfile(info, io.BytesIO(data))
    return whole.hexdigest(), buffer.getvalue(), manifest


def file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


Listing = list[tuple[str, tuple]]  # (relative path, (size, modification time, mode)) of each file


class Packs:
    """The last few tars packed, by their project's listing: a project that lists alike (names, sizes,
    modification times and modes: what make and rsync trust too) is not read and packed again. The
    snapshots of a job's runs are copies of one folder (times kept) and list alike."""

    def __init__(self, entries: int = 8, size: int = 256 << 20):
        self._packed: OrderedDict[tuple, tuple[str, bytes, dict[str, str]]] = OrderedDict()
        self._entries, self._size = entries, size  # at most that many tars, of at most that many bytes
        self._lock = threading.Lock()

    def pack(self, project_dir: Path, skip_prefixes: tuple[str, ...] = (),
             leave_out: str | None = None) -> tuple[Listing, str, bytes, dict[str, str]]:
        """(the listing, content hash, tar, manifest) of the project's files (``leave_out``: one
        file not sent, e.g. a snapshot's pipeline file, which the step gets apart)."""
        files = [f for f in listing(project_dir, skip_prefixes) if f[0] != leave_out]
        names = [(rel, details) for rel, _, details in files]
        key = tuple(names)
        with self._lock:
            found = self._packed.get(key)
            if found is not None:
                self._packed.move_to_end(key)
                return (names, *found)
        found = pack(files)
        with self._lock:
            self._packed[key] = found
            while len(self._packed) > self._entries or sum(len(t) for _, t, _ in self._packed.values()) > self._size:
                self._packed.popitem(last=False)
        return (names, *found)
