"""What a past run ran, for read-only mode: its pipeline document, its files, an editable copy.

A non-interactive run ran a snapshot (``snapshot_dir``): its pipeline file with the parameters
written in, and its executed notebooks. An interactive run ran the project's files in place; the
engine keeps the document it ran in the run's folder (``RECORDED_PIPELINE``), since the file
changes afterwards, and a copy of each notebook it executed (``EXECUTED_NOTEBOOKS``). Runs recorded
before those were kept fall back to the current files, and say so.
"""

from __future__ import annotations

import mimetypes
import os
import uuid as uuidlib
from pathlib import Path, PurePosixPath
from typing import Any

from ..engine.context import EXECUTED_NOTEBOOKS
from ..engine.folders import ProjectFolders
from ..engine.run import RECORDED_PIPELINE
from ..errors import BadRequest, Conflict, NotFound
from ..pipelines import PipelineFileError, find_project_root, read_pipeline, write_pipeline
from ..pipelines.project import is_within


MAX_SHOWN_FILE = 64 * 2**20  # an executed notebook with its outputs fits; a data file need not be served


def run_folder(record: dict[str, Any], folders: ProjectFolders) -> Path:
    """The folder of a run (logs, snapshot): found from a step's log or its snapshot (runs recorded
    before may have theirs in the project's ``.orchest/runs/``), else the default place."""
    for step in record["steps"].values():
        if step.get("log_path"):
            return Path(step["log_path"]).parent.parent
    if record.get("snapshot_dir"):
        return Path(record["snapshot_dir"]).parent
    return folders.runs(Path(record["project_dir"])) / record["uuid"]


def files_folder(record: dict[str, Any]) -> Path:
    """Where the run's files are: its snapshot, or the project for an interactive run."""
    return Path(record["snapshot_dir"] or record["project_dir"])


def run_pipeline(record: dict[str, Any], folders: ProjectFolders) -> tuple[dict[str, Any], str]:
    """The document the run ran and where it comes from: ``snapshot``, ``recorded`` or ``current``."""
    candidates = [(run_folder(record, folders) / RECORDED_PIPELINE, "recorded")]
    if record.get("snapshot_dir"):
        candidates.insert(0, (Path(record["snapshot_dir"]) / record["pipeline_file"], "snapshot"))
    candidates.append((Path(record["project_dir"]) / record["pipeline_file"], "current"))
    for path, source in candidates:
        try:
            return read_pipeline(path).data, source
        except FileNotFoundError:
            continue
        except PipelineFileError as exc:
            if source == "current":
                raise BadRequest(f"The run's pipeline was not kept and its file cannot be read: {exc}") from None
            raise BadRequest(f"The run's pipeline ({path}) cannot be read: {exc}") from None
    raise NotFound(f"The pipeline of run {record['uuid']} was not kept, and {record['pipeline_file']} is gone.")


def run_file(record: dict[str, Any], relative: str, folders: ProjectFolders) -> tuple[bytes, str]:
    """A file of the run (e.g. an executed notebook) and its content type. ``relative`` is a
    ``/``-separated path in the run's project folder (its snapshot for a non-interactive run)."""
    parts = PurePosixPath(relative).parts
    if not parts or relative.startswith("/") or any(p in ("..", "") for p in parts) or "\x00" in relative:
        raise BadRequest(f'"{relative}" is not a path inside the run\'s project folder.')
    folder = files_folder(record)
    if not record.get("snapshot_dir"):
        # An interactive run ran the project's notebook in place: its copy as the run left it.
        kept = run_folder(record, folders) / EXECUTED_NOTEBOOKS
        if kept.joinpath(*parts).is_file() and is_within(os.path.realpath(kept.joinpath(*parts)),
                                                          os.path.realpath(kept)):
            folder = kept
    path = folder.joinpath(*parts)
    if not is_within(os.path.realpath(path), os.path.realpath(folder)):
        raise BadRequest(f'"{relative}" leads outside the run\'s project folder.')
    try:
        size = path.stat().st_size
        if not path.is_file():
            raise IsADirectoryError(relative)
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        where = "snapshot" if record["snapshot_dir"] else "project"
        raise NotFound(f'The run\'s {where} has no file "{relative}".') from None
    if size > MAX_SHOWN_FILE:
        raise BadRequest(f'"{relative}" is {size / 2**20:.0f} MiB: too large to show here '
                         f"(at most {MAX_SHOWN_FILE // 2**20} MiB); open it from the run's folder.")
    data = path.read_bytes()
    content_type = "application/json" if path.suffix in (".ipynb", ".orchest") else (
        mimetypes.guess_type(path.name)[0] or "application/octet-stream")
    return data, content_type


def default_copy_name(record: dict[str, Any]) -> str:
    """``<stem>-run-<first 8 of the run uuid>.orchest`` next to the original pipeline file."""
    original = PurePosixPath(record["pipeline_file"])
    return str(original.with_name(f"{original.stem}-run-{record['uuid'][:8]}{original.suffix}"))


def copy_run_pipeline(record: dict[str, Any], target: Path, root: Path, folders: ProjectFolders) -> dict[str, Any]:
    """Write the run's pipeline to ``target`` (absolute, a new ``.orchest`` file of the same project
    under ``root``) as a new pipeline: a new uuid, a name saying which run, step files re-pointed
    from the new folder."""
    project = Path(record["project_dir"])
    original = project / record["pipeline_file"]
    if not target.parent.is_dir():
        raise NotFound(f'The folder of "{target.name}" does not exist.')
    if find_project_root(target, root) != project:
        raise BadRequest(f'The copy must be in the run\'s project folder "{project.name}", whose environments '
                         "its steps use.")
    try:  # claimed at once, so that a file made meanwhile is never replaced
        target.open("x").close()
    except FileExistsError:
        raise Conflict(f'"{target.name}" already exists; choose another name for the copy.') from None
    try:
        document, _ = run_pipeline(record, folders)
    except Exception:
        target.unlink()
        raise
    copy = dict(document)
    copy["uuid"] = str(uuidlib.uuid4())
    name = document.get("name") if isinstance(document.get("name"), str) else original.stem
    copy["name"] = f"{name} (run {record.get('number') or record['uuid'][:8]})"
    if target.parent != original.parent:
        copy["steps"] = {u: _repointed(step, original.parent, target.parent)
                         for u, step in (document.get("steps") or {}).items()}
    write_pipeline(target, copy)
    return copy


def _repointed(step: Any, old_folder: Path, new_folder: Path) -> Any:
    if not isinstance(step, dict) or not isinstance(step.get("file_path"), str) or not step["file_path"]:
        return step
    absolute = os.path.normpath(old_folder / step["file_path"])
    return {**step, "file_path": Path(os.path.relpath(absolute, new_folder)).as_posix()}
