"""Pipeline files as the SDK sees them: reading (cached until the file changes), finding the
project and the pipelines in it, and which step a file is.

The SDK needs no package of orchest-jlab (it runs in containers that lack it), so these few rules
are the SDK's own; they follow orchest_jlab.pipelines (project root, discovery's skipped folders).
"""

from __future__ import annotations

import json
import os
import threading

from . import error

PIPELINE_SUFFIX = ".orchest"
#: Folders never searched for pipelines (besides hidden ones and virtual environments).
SKIP_DIRECTORIES = frozenset({"node_modules", "__pycache__", "site-packages"})

_lock = threading.Lock()
_pipelines: dict[str, tuple[tuple, dict]] = {}

def load_pipeline(path: str) -> dict:
    """The pipeline document at ``path`` (cached until the file changes)."""
    try:
        st = os.stat(path)
    except OSError as e:
        raise error.PipelineDefinitionNotFoundError(
            f'Could not open the pipeline file "{path}": {e.strerror or e}.'
        ) from None
    signature = (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)
    cached = _pipelines.get(path)
    if cached is not None and cached[0] == signature:
        return cached[1]
    try:
        with open(path, "rb") as f:
            doc = json.loads(f.read())
    except OSError as e:
        raise error.PipelineDefinitionNotFoundError(
            f'Could not open the pipeline file "{path}": {e.strerror or e}.'
        ) from None
    except ValueError as e:
        raise error.PipelineDefinitionNotFoundError(
            f'The pipeline file "{path}" is not valid JSON: {e}.'
        ) from None
    if not isinstance(doc, dict) or not isinstance(doc.get("steps"), dict):
        raise error.PipelineDefinitionNotFoundError(
            f'The pipeline file "{path}" is not a pipeline definition (no "steps" object).'
        )
    with _lock:
        _pipelines[path] = (signature, doc)
    return doc


def forget_pipeline(path: str) -> None:
    with _lock:
        _pipelines.pop(path, None)


def find_project_root(start: str) -> str:
    """The nearest folder at or above ``start`` that holds a ``.orchest/`` folder, else
    ``start`` itself."""
    folder = os.path.abspath(start)
    while True:
        if os.path.isdir(os.path.join(folder, ".orchest")):
            return folder
        parent = os.path.dirname(folder)
        if parent == folder:
            return os.path.abspath(start)
        folder = parent


def discover_pipelines(root: str) -> list[str]:
    """Every ``.orchest`` file under ``root``: symbolic links to folders are not followed; hidden
    folders, ``node_modules``, ``__pycache__``, ``site-packages`` and virtual environments are
    skipped."""
    found: list[str] = []
    stack = [root]
    while stack:
        folder = stack.pop()
        try:
            entries = os.scandir(folder)
        except OSError:
            continue
        with entries:
            for entry in entries:
                try:
                    if entry.is_dir(follow_symlinks=False):
                        if entry.name.startswith(".") or entry.name in SKIP_DIRECTORIES:
                            continue
                        if os.path.isfile(os.path.join(entry.path, "pyvenv.cfg")) or os.path.isdir(
                            os.path.join(entry.path, "conda-meta")
                        ):
                            continue
                        stack.append(entry.path)
                    elif entry.name.endswith(PIPELINE_SUFFIX) and entry.is_file():
                        found.append(entry.path)
                except OSError:
                    continue
    return sorted(found)


def step_file(pipeline_path: str, step: dict) -> str | None:
    file_path = step.get("file_path") if isinstance(step, dict) else None
    if not isinstance(file_path, str) or not file_path:
        return None
    return os.path.normpath(os.path.join(os.path.dirname(pipeline_path), file_path))


def _same_file(a: str, b: str) -> bool:
    if os.path.normcase(a) == os.path.normcase(b):
        return True
    return os.path.realpath(a) == os.path.realpath(b)


def steps_for_file(pipeline_path: str, doc: dict, path: str) -> list[str]:
    """Uuids of the pipeline's steps whose file is ``path``."""
    out = []
    for key, step in doc.get("steps", {}).items():
        target = step_file(pipeline_path, step)
        if target is not None and _same_file(target, path):
            out.append(key)
    return out
