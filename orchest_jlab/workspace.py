"""The pipelines under one root folder (the Jupyter server's root), addressed by API paths.

An API path is a ``/``-separated path relative to the root, as in Jupyter's contents API. Nothing
outside the root can be reached through one.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterable
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from .errors import BadRequest, NotFound
from .pipelines import (
    DEFAULT_SKIP_DIRS,
    PIPELINE_SUFFIX,
    PipelineFileError,
    StepPathError,
    check_pipeline_file,
    discover_pipelines,
    find_project_root,
    read_pipeline,
    resolve_step_file,
    validate_pipeline,
)
from .pipelines.document import parse
from .pipelines.project import is_within

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor

# A file modified less than this long ago is not cached: another write in the same clock tick would
# leave its stamp unchanged.
RACY_NS = 2_000_000_000
# A pipeline file this big is summarized in a worker process: parsing and validating it in a thread
# of the server held the GIL against the event loop (a 3.6 MB file: the loop up to 115 ms late).
OFF_PROCESS_BYTES = 256 * 1024


def api_path(path: Path, root: Path) -> str:
    """A path under the root as the API names it: ``/``-separated, relative to the root."""
    return os.path.relpath(path, root).replace(os.sep, "/")


def pipeline_summary(path: Path, root: Path) -> tuple[dict[str, Any], tuple[str, ...]]:
    """What the listing shows of one pipeline file, and the folders that summary depends on (a
    function of its arguments alone: a worker process runs it)."""
    document, report = check_pipeline_file(path, boundary=root)
    data = document.data if document else {}
    steps = data.get("steps")
    name = data.get("name")
    project = find_project_root(path, root)
    folders = {str(project / ".orchest" / "environments"), str(project / ".orchest"), str(project)}
    for step in (steps.values() if isinstance(steps, dict) else ()):
        if isinstance(step, dict) and isinstance(step.get("file_path"), str):
            folders.add(os.path.dirname(os.path.normpath(os.path.join(path.parent, step["file_path"]))))
    summary = {
        "path": api_path(path, root),
        "name": name if isinstance(name, str) and name else path.stem,
        "uuid": data.get("uuid") if isinstance(data.get("uuid"), str) else None,
        "step_count": len(steps) if isinstance(steps, dict) else 0,
        "valid": report.valid,
        "error_count": len(report.errors),
        "warning_count": len(report.warnings),
    }
    return summary, tuple(sorted(folders))


class Workspace:
    def __init__(self, root: str | os.PathLike, skip_dirs: Iterable[str] = DEFAULT_SKIP_DIRS,
                 off_process: bool = False):
        """``off_process``: big pipeline files are summarized in a worker process (a server's loop
        keeps the GIL); a command reads them itself."""
        self.root = Path(os.path.abspath(root))
        self.skip_dirs = frozenset(skip_dirs)
        self.off_process = off_process
        self._pool: ProcessPoolExecutor | None = None
        # The listing's summaries, by pipeline file: (what they were computed from, summary).
        self._summaries: dict[Path, tuple[tuple, dict[str, Any]]] = {}
        self._summaries_lock = threading.Lock()

    def resolve(self, api_path: str, *, must_exist: bool = True) -> Path:
        """The file an API path names. Raises BadRequest for a path that leaves the root and NotFound
        for a pipeline file that is not there."""
        path = self.resolve_file(api_path)
        if not path.name.endswith(PIPELINE_SUFFIX):
            raise BadRequest(f'"{api_path}" is not a pipeline: pipeline files end in "{PIPELINE_SUFFIX}".')
        if must_exist and not path.is_file():
            raise NotFound(f'There is no pipeline file "{api_path}".')
        return path

    def resolve_file(self, api_path: str) -> Path:
        """Any path inside the root (it need not exist); BadRequest for one that leaves it."""
        parts = PurePosixPath(api_path.strip("/")).parts
        if not parts or any(p in ("..", "") for p in parts) or "\x00" in api_path:
            raise BadRequest(f'"{api_path}" is not a path inside the server\'s root folder.')
        path = self.root.joinpath(*parts)
        if not is_within(os.path.realpath(path), os.path.realpath(self.root)):
            raise BadRequest(f'"{api_path}" leads outside the server\'s root folder.')
        return path

    def steps_of_file(self, api_path: str) -> list[dict[str, Any]]:
        """The steps, in every pipeline under the root, whose file is the one ``api_path`` names
        (pipelines that cannot be read are left out: they run nothing)."""
        target = self.resolve_file(api_path)
        found = []
        for pipeline_path in self.pipeline_files():
            try:
                steps = read_pipeline(pipeline_path).data.get("steps")
            except (OSError, PipelineFileError):
                continue
            if not isinstance(steps, dict):
                continue
            project = find_project_root(pipeline_path, self.root)
            for step_uuid, step in steps.items():
                if not isinstance(step, dict) or not isinstance(step.get("file_path"), str):
                    continue
                try:
                    if resolve_step_file(pipeline_path, step["file_path"], project) != target:
                        continue
                except StepPathError:
                    continue
                title = step.get("title")
                found.append({"pipeline_path": self.api_path(pipeline_path), "step_uuid": step_uuid,
                              "title": title if isinstance(title, str) and title else step["file_path"]})
        return found

    def api_path(self, path: Path) -> str:
        return api_path(path, self.root)

    def project_dir(self, api_path: str | None) -> Path:
        """The project folder an API path names (a folder, or a pipeline file of the project)."""
        root = self.root
        text = (api_path or "").strip("/")
        if not text:
            return root
        parts = PurePosixPath(text).parts
        if any(p in ("..", "") for p in parts) or "\x00" in text:
            raise BadRequest(f'"{api_path}" is not a path inside the server\'s root folder.')
        if parts[-1].endswith(PIPELINE_SUFFIX):
            return find_project_root(self.resolve(text), root)
        path = root.joinpath(*parts)
        if not is_within(os.path.realpath(path), os.path.realpath(root)):
            raise BadRequest(f'"{api_path}" leads outside the server\'s root folder.')
        if not path.is_dir():
            raise NotFound(f'There is no folder "{text}".')
        return path

    def project_path(self, project_dir: Path) -> str:
        """A project folder as the API names it ("" for the root itself)."""
        return "" if project_dir == self.root else self.api_path(project_dir)

    def pipeline_files(self) -> list[Path]:
        return [self.root / relative for relative in discover_pipelines(self.root, self.skip_dirs)]

    def list_pipelines(self) -> list[dict[str, Any]]:
        """A summary of every pipeline under the root. Blocking (it reads and validates files); a
        pipeline's summary is kept while nothing it was computed from changed (see _inputs)."""
        paths = self.pipeline_files()
        with self._summaries_lock:
            for gone in self._summaries.keys() - set(paths):
                del self._summaries[gone]
        return [self._cached_summary(path) for path in paths]

    def _cached_summary(self, path: Path) -> dict[str, Any]:
        with self._summaries_lock:
            cached = self._summaries.get(path)
        if cached is not None and cached[0] == self._inputs(path, [folder for folder, _ in cached[0][1]]):
            return cached[1]
        stamp = self._stamp(path)  # taken before reading: a change while it is read shows next time
        summary, folders = self._summary(path, stamp[2] if stamp else 0)
        if stamp is None or time.time_ns() - stamp[1] < RACY_NS:
            return summary  # written just now: a change within the clock's granularity could go unseen
        with self._summaries_lock:
            self._summaries[path] = ((stamp, self._inputs(path, folders)[1]), summary)
        return summary

    @staticmethod
    def _stamp(path: str | Path) -> tuple[int, int, int] | None:
        try:
            st = os.stat(path)
        except OSError:
            return None
        return st.st_ino, st.st_mtime_ns, st.st_size

    def _inputs(self, path: Path, folders: Iterable[str]) -> tuple:
        """What a summary depends on: the file itself and the folders holding its step files and the
        project's environments (a file created, deleted or renamed there changes the folder's stamp)."""
        return self._stamp(path), tuple((folder, self._stamp(folder)) for folder in folders)

    def _summary(self, path: Path, size: int) -> tuple[dict[str, Any], tuple[str, ...]]:
        if self.off_process and size >= OFF_PROCESS_BYTES:
            from concurrent.futures.process import BrokenProcessPool

            for _ in range(2):  # a worker that died (killed) is replaced once
                try:
                    return self._worker().submit(pipeline_summary, path, self.root).result()
                except BrokenProcessPool:
                    with self._summaries_lock:
                        self._pool = None
        return pipeline_summary(path, self.root)

    def _worker(self) -> ProcessPoolExecutor:
        """The worker process for big files, started at the first one (a fresh interpreter, not a
        fork of a server's threads)."""
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        with self._summaries_lock:
            if self._pool is None:
                self._pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"))
            return self._pool

    def close(self) -> None:
        with self._summaries_lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)

    def get_pipeline(self, api_path: str) -> dict[str, Any]:
        document, report = check_pipeline_file(self.resolve(api_path), boundary=self.root)
        return {
            "path": api_path.strip("/"),
            "pipeline": document.data if document else None,
            "report": report.to_json(),
        }

    def validate_text(self, text: str, api_path: str | None = None) -> dict[str, Any]:
        """The report on a pipeline document given as JSON text; with ``api_path``, checked as if it
        were saved at that path (its step files and environments are checked too)."""
        if not text.strip():
            raise BadRequest("The request has no body: send the pipeline document as JSON.")
        path = self.resolve(api_path, must_exist=False) if api_path else None
        try:
            document, parse_problems = parse(text)
        except ValueError as exc:
            raise BadRequest(str(exc).replace("The file", "The request body", 1)) from None
        report = validate_pipeline(document, path, boundary=self.root)
        report.problems[:0] = parse_problems
        return report.to_json()
