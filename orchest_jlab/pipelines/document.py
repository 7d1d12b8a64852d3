"""Reading and writing ``.orchest`` files exactly as Orchest does.

Orchest writes pipelines with sorted keys and a 4-space indent; we add a trailing newline. A valid
file in that form survives a load/save round trip byte for byte, unknown fields included, because
the document is kept as the plain JSON value it was read as.
"""

from __future__ import annotations

import contextlib
import json
import os
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .problems import Problem, json_pointer

PIPELINE_SUFFIX = ".orchest"


class PipelineFileError(Exception):
    """The file cannot be read as a pipeline document at all (unreadable, not JSON, not an object)."""

    def __init__(self, path: Path, problem: Problem):
        super().__init__(f"{path}: {problem.message}")
        self.path = path
        self.problem = problem


@dataclass
class PipelineDocument:
    """A pipeline file, as read."""
    path: Path
    data: dict[str, Any]
    # Keep a file that has non-ASCII text readable as it was; otherwise escape like Orchest.
    ensure_ascii: bool = True
    # Problems found while parsing that the parsed value no longer shows (duplicate keys).
    parse_problems: list[Problem] = field(default_factory=list)


def dumps(data: Any, *, ensure_ascii: bool = True) -> str:
    return json.dumps(data, indent=4, sort_keys=True, ensure_ascii=ensure_ascii) + "\n"


def parse(text: str) -> tuple[Any, list[Problem]]:
    """Parse JSON text, reporting keys that appear twice in one object (JSON keeps only the last).

    Raises ``ValueError`` with a readable position when the text is not JSON.
    """
    duplicates: dict[int, list[str]] = {}

    def pairs_hook(pairs: list[tuple[str, Any]]) -> dict:
        obj: dict = {}
        for key, value in pairs:
            if key in obj:
                duplicates.setdefault(id(obj), []).append(key)
            obj[key] = value
        return obj

    try:
        value = json.loads(text, object_pairs_hook=pairs_hook)
    except json.JSONDecodeError as exc:
        raise ValueError(
            f"The file is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}."
        ) from None
    except RecursionError:
        raise ValueError("The file is not valid JSON: it is nested too deeply.") from None
    return value, _duplicate_key_problems(value, duplicates) if duplicates else []


def _duplicate_key_problems(root: Any, duplicates: dict[int, list[str]]) -> list[Problem]:
    problems = []
    stack: list[tuple[Any, tuple]] = [(root, ())]
    while stack:
        value, path = stack.pop()
        if isinstance(value, dict):
            for key in duplicates.get(id(value), []):
                if path == ("steps",):
                    message = f'Step uuid "{key}" is used twice in "steps"; only the last step would be kept.'
                else:
                    message = f'The key "{key}" appears twice in one object; only the last value would be kept.'
                problems.append(Problem(json_pointer(*path, key), message))
            stack.extend((v, (*path, k)) for k, v in value.items())
        elif isinstance(value, list):
            stack.extend((v, (*path, i)) for i, v in enumerate(value))
    return problems


def read_pipeline(path: str | os.PathLike) -> PipelineDocument:
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise PipelineFileError(path, Problem("", f"The file cannot be read: {exc.strerror or exc}.")) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise PipelineFileError(
            path, Problem("", f"The file is not UTF-8 text (byte {exc.start} cannot be decoded).")
        ) from None
    try:
        data, problems = parse(text)
    except ValueError as exc:
        raise PipelineFileError(path, Problem("", str(exc))) from None
    if not isinstance(data, dict):
        raise PipelineFileError(
            path, Problem("", f"A pipeline must be a JSON object, not {json_type(data)}.")
        )
    return PipelineDocument(path, data, ensure_ascii=text.isascii(), parse_problems=problems)


def pipeline_uuid(path: str | os.PathLike) -> str | None:
    """The uuid of the pipeline file at ``path`` (what its runs and jobs belong to, whatever the file
    is called), or None when the file cannot be read or has none."""
    try:
        value = read_pipeline(path).data.get("uuid")
    except PipelineFileError:
        return None
    return value if isinstance(value, str) and value else None


def write_pipeline(path: str | os.PathLike, data: dict[str, Any], *, ensure_ascii: bool = True,
                   durable: bool = True) -> None:
    """Write atomically: readers see the old file or the new one, never half of it (``durable``:
    on the disk before it replaces the old one)."""
    write_text_atomic(Path(path), dumps(data, ensure_ascii=ensure_ascii), durable=durable)


def write_text_atomic(path: Path, text: str, mode: int | None = None, durable: bool = True) -> None:
    # A temp file beside the target (same file system, so the rename is atomic); created with
    # mode 0o666 so the umask applies as for any new file, or with the old file's mode, or ``mode``.
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:12]}.tmp")
    old_mode = mode if mode is not None else path.stat().st_mode & 0o7777 if path.exists() else None
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666 if mode is None else mode)
    try:
        if old_mode is not None:
            os.fchmod(fd, old_mode)
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
            f.flush()
            if durable:
                os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def save_pipeline(document: PipelineDocument) -> None:
    write_pipeline(document.path, document.data, ensure_ascii=document.ensure_ascii)


def json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"
