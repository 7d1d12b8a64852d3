"""The step cache's keys and settings (pure: files are read, nothing runs).

A step's key is a SHA-256 over what decides its result: its file's content (for a notebook: the
kernel's name and the code cells' sources only, never outputs, execution counts or metadata), its
effective parameters, what its backend runs it on (an image's id, the host's interpreter), the
digests of its incoming steps' outputs (in ``incoming_connections`` order) and the files it declares
it reads. Settings live under keys Orchest ignores and keeps:

    pipeline:  "settings": {"orchest_jlab": {"cache": true}}
    step:      "orchest_jlab": {"cache": {"reads": ["data/*.csv"]}}   or   "orchest_jlab": {"cache": false}
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .policy import STEP_SETTINGS

KEY_VERSION = 1  # part of every key: a change of how keys are made invalidates older entries


@dataclass(frozen=True)
class StepCacheSettings:
    """A step's ``cache`` settings."""
    enabled: bool = True  # False: the step always runs (side effects)
    reads: tuple[str, ...] = ()  # glob patterns, relative to the step file's folder


def step_cache_settings(step: dict[str, Any]) -> StepCacheSettings:
    settings = step.get(STEP_SETTINGS)
    cache = settings.get("cache") if isinstance(settings, dict) else None
    if cache is False:
        return StepCacheSettings(enabled=False)
    if isinstance(cache, dict):
        reads = cache.get("reads")
        patterns = tuple(p for p in reads if isinstance(p, str) and p) if isinstance(reads, list) else ()
        return StepCacheSettings(enabled=cache.get("enabled", True) is not False, reads=patterns)
    return StepCacheSettings()


def pipeline_caches(pipeline: dict[str, Any]) -> bool:
    """Whether the pipeline's runs use the cache whatever the run asks (its ``settings``)."""
    settings = pipeline.get("settings")
    own = settings.get(STEP_SETTINGS) if isinstance(settings, dict) else None
    return isinstance(own, dict) and own.get("cache") is True


def canonical_json(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str).encode()


def _source(cell: dict[str, Any]) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def notebook_content(data: bytes, kernel_name: str | None) -> bytes:
    """What of a notebook decides its result: the kernel's name (the step's, else the notebook's)
    and its code cells' sources. A file that is not a notebook counts as its bytes."""
    try:
        notebook = json.loads(data)
        cells = notebook["cells"]
        kernel = kernel_name or ((notebook.get("metadata") or {}).get("kernelspec") or {}).get("name")
        code = [_source(c) for c in cells if isinstance(c, dict) and c.get("cell_type") == "code"]
    except (ValueError, KeyError, TypeError, AttributeError):
        return data
    return canonical_json({"kernel": kernel, "code": code})


def file_digest(path: Path, kernel_name: str | None = None) -> str:
    """The digest of a step's file as far as its result goes (``OSError`` when it cannot be read)."""
    data = path.read_bytes()
    if path.suffix.lower() == ".ipynb":
        data = notebook_content(data, kernel_name)
    return hashlib.sha256(data).hexdigest()


def read_files(folder: Path, patterns: tuple[str, ...], project_dir: Path) -> list[tuple[str, str]]:
    """The files matched by ``patterns`` (relative to ``folder``) inside the project, with their
    contents' digests, in path order; a pattern matching nothing counts as such."""
    found: dict[str, str] = {}
    root = project_dir.resolve()
    for pattern in patterns:
        matched = False
        for path in sorted(folder.glob(pattern)):
            resolved = path.resolve()
            if not resolved.is_file() or not resolved.is_relative_to(root):
                continue
            matched = True
            found[resolved.relative_to(root).as_posix()] = hashlib.sha256(resolved.read_bytes()).hexdigest()
        if not matched:
            found[f"<no match: {pattern}>"] = ""
    return sorted(found.items())


def step_key(*, file_path: str, file: str, parameters: dict[str, Any], platform: str,
             incoming: list[str], reads: list[tuple[str, str]]) -> str:
    """The key of one step from the digests of what decides its result."""
    return hashlib.sha256(canonical_json({
        "version": KEY_VERSION, "file_path": file_path, "file": file, "parameters": parameters,
        "platform": platform, "incoming": incoming, "reads": reads,
    })).hexdigest()
