"""The step cache on disk: one entry per step and key, with the project's outputs under ``.orchest/``.

    <project>/.orchest/cache/<pipeline uuid>/<step uuid>/<key>/
        entry.json      the run that made it, the digest of its output (written last)
        outputs/        the step's data-passing files (hard links where the file system allows)
        notebook.ipynb  a notebook step's executed copy

An entry is made in a hidden folder beside it and renamed into place, and removed by renaming it
away first: a reader finds a whole entry or none, also after a crash or on a full disk. Entries are
never shared across projects (each project has its own folder) and go with the runs that made them.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import outputs

ENTRY = "entry.json"
NOTEBOOK = "notebook.ipynb"
OUTPUTS = "outputs"


def cache_root(project_dir: Path) -> Path:
    return Path(project_dir) / ".orchest" / "cache"


@dataclass(frozen=True)
class Entry:
    """A step's outputs kept in the step cache."""
    folder: Path
    key: str
    run_uuid: str
    output: str  # the digest of the step's output (what its children's keys use)

    @property
    def notebook(self) -> Path:
        return self.folder / NOTEBOOK


def output_digest(data_dir: Path, step_uuid: str) -> str:
    """The digest of a step's output as its children read it (name, serialization and payload
    bytes; not the payload's file name, which is new each time); ``none`` without output."""
    layout = outputs._sdk_layout()
    try:
        meta = layout.read_meta(data_dir, step_uuid)
        digest = hashlib.sha256(json.dumps([meta.get("name"), meta["serialization"]]).encode())
        with open(Path(data_dir) / meta["payload"], "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                digest.update(block)
        return digest.hexdigest()
    except layout.OutputMissing:
        return "none"
    except (layout.CorruptOutput, OSError):
        return "unreadable:" + uuid.uuid4().hex  # never matches: a child of it is run


def _link_or_copy(source: Path, target: Path) -> None:
    try:
        os.link(source, target)  # payloads are never rewritten in place (the SDK replaces them)
    except OSError:
        shutil.copy2(source, target)


def _remove(folder: Path) -> None:
    """Rename away, then delete: a half-deleted entry is never found."""
    doomed = folder.with_name(f".{folder.name}.{uuid.uuid4().hex[:8]}.deleting")
    try:
        os.rename(folder, doomed)
    except FileNotFoundError:
        return
    shutil.rmtree(doomed, ignore_errors=True)


class StepCache:
    """The entries of one pipeline of one project."""

    def __init__(self, project_dir: Path, pipeline_uuid: str):
        self.folder = cache_root(project_dir) / pipeline_uuid
        # Entries name their project: a copy of the project (its .orchest/ too) does not reuse them.
        self.project = str(Path(project_dir).resolve())

    def entry_dir(self, step_uuid: str, key: str) -> Path:
        return self.folder / step_uuid / key

    def lookup(self, step_uuid: str, key: str) -> Entry | None:
        folder = self.entry_dir(step_uuid, key)
        try:
            data = json.loads((folder / ENTRY).read_text(encoding="utf-8"))
            if data["project"] != self.project:
                return None
            return Entry(folder, key, str(data["run_uuid"]), str(data["output"]))
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def record(self, step_uuid: str, key: str, run_uuid: str, data_dir: Path, notebook: Path | None,
               created: str) -> Entry | None:
        """Keep a successful step's output (and executed notebook); None when an entry of this key
        exists already (another run made it first). Raises OSError (a full disk) with nothing left."""
        target = self.entry_dir(step_uuid, key)
        if self.lookup(step_uuid, key) is not None:
            return None
        _remove(target)  # an entry of another project (this one's copy): replaced
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{key}.{uuid.uuid4().hex[:8]}.tmp")
        try:
            (tmp / OUTPUTS).mkdir(parents=True)
            layout = outputs._sdk_layout()
            for path in map(Path, layout.step_files(data_dir, step_uuid)):
                if not path.name.endswith(layout.TMP_SUFFIX):
                    _link_or_copy(path, tmp / OUTPUTS / path.name)
            if notebook is not None:
                shutil.copy2(notebook, tmp / NOTEBOOK)
            digest = output_digest(tmp / OUTPUTS, step_uuid)
            (tmp / ENTRY).write_text(json.dumps({"key": key, "run_uuid": run_uuid, "step_uuid": step_uuid,
                                                  "project": self.project, "created": created, "output": digest}),
                                      encoding="utf-8")
            try:
                os.rename(tmp, target)
            except OSError:
                if self.lookup(step_uuid, key) is not None:  # made by another run meanwhile
                    shutil.rmtree(tmp, ignore_errors=True)
                    return None
                _remove(target)  # a leftover without its entry.json
                os.rename(tmp, target)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        return Entry(target, key, run_uuid, digest)

    def restore(self, entry: Entry, step_uuid: str, data_dir: Path) -> None:
        """Put the entry's output where the run's children read it: payloads first, the metadata
        (the SDK's commit point) last, each by rename. Raises OSError (the entry is incomplete)."""
        layout = outputs._sdk_layout()
        files = sorted((entry.folder / OUTPUTS).iterdir(), key=lambda p: p.name.endswith(layout.META_SUFFIX))
        outputs.clear(data_dir, step_uuid)
        data_dir.mkdir(parents=True, exist_ok=True)
        for source in files:
            tmp = data_dir / f"{source.name}.{uuid.uuid4().hex[:8]}{layout.TMP_SUFFIX}"
            try:
                _link_or_copy(source, tmp)
                os.replace(tmp, data_dir / source.name)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
                raise

    def clear(self, step_uuid: str | None = None) -> int:
        """Remove the entries of one step, or of every step of the pipeline; how many."""
        folders = [self.folder / step_uuid] if step_uuid else _subfolders(self.folder)
        removed = 0
        for folder in folders:
            entries = [e for e in _subfolders(folder) if not e.name.startswith(".")]
            removed += len(entries)
            for entry in entries:
                _remove(entry)
            with contextlib.suppress(OSError):
                folder.rmdir()
        return removed


def _subfolders(folder: Path) -> list[Path]:
    try:
        return [p for p in folder.iterdir() if p.is_dir()]
    except OSError:
        return []


def forget_runs(project_dir: Path, run_uuids: set[str]) -> int:
    """Remove the entries the runs made (their runs are being deleted); how many."""
    removed = 0
    for pipeline in _subfolders(cache_root(project_dir)):
        for step in _subfolders(pipeline):
            for folder in _subfolders(step):
                entry = _read(folder / ENTRY)
                if entry is not None and entry.get("run_uuid") in run_uuids:
                    _remove(folder)
                    removed += 1
    return removed


def _read(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def merge_notebook(current: str, executed: str) -> str:
    """The notebook as it is now with the executed copy's outputs and execution counts: code cells
    pair up in order (the key holds their sources, so they are the same cells); markdown and
    metadata stay as the user has them now."""
    notebook, ran = json.loads(current), json.loads(executed)
    done = [c for c in ran.get("cells", []) if c.get("cell_type") == "code"]
    code = [c for c in notebook.get("cells", []) if c.get("cell_type") == "code"]
    if len(done) != len(code):
        return executed
    for cell, source in zip(code, done):
        cell["outputs"] = source.get("outputs", [])
        cell["execution_count"] = source.get("execution_count")
    return json.dumps(notebook, indent=1, ensure_ascii=False) + "\n"
