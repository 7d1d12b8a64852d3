"""The layout of step outputs on disk: file names, metadata, clearing (data passing).

Self-contained on purpose: standard library only and no import of the rest of the SDK, so that the
engine can load this one file by its path (``importlib.util.spec_from_file_location``) to clear a
step's output without importing the ``orchest`` package. ``_store`` writes and reads the payloads;
``docs/step-sdk.md`` describes the layout.

Layout, in ``<project>/.orchest/pipelines/<pipeline uuid>/data/``, per step:

``<step uuid>.meta.json``
    The commit point: what the step output (name, serialization, payload file). Written last, by
    ``os.replace`` of a temporary file, so that a reader sees either the previous output or the
    new one, never half of one. No metadata file means no output.
``<step uuid>.<token>.pickle`` or ``<step uuid>.<token>.arrow``
    The payload that the metadata names. A new token per output: a reader holding a memory map of
    the previous payload keeps a valid mapping while the new one is written.
``<step uuid>.*.tmp``
    Files being written (or left by a writer that died); never read.

Every file of a step starts with ``<step uuid>.``; :func:`clear_output` removes them all.
"""

from __future__ import annotations

import json
import os
from typing import Any

FORMAT_VERSION = 1
PICKLE = "PICKLE"
ARROW_TABLE = "ARROW_TABLE"
ARROW_BATCH = "ARROW_BATCH"
SERIALIZATIONS = (ARROW_TABLE, ARROW_BATCH, PICKLE)

META_SUFFIX = ".meta.json"
TMP_SUFFIX = ".tmp"
#: Every out-of-band buffer starts at a multiple of this many bytes from the start of the file
#: (memory maps start on a page boundary, so in memory too).
ALIGNMENT = 64
#: Buffers smaller than this go in-band (inside the pickle stream): not worth a table entry.
INBAND_BELOW = 1024


class OutputMissing(LookupError):
    """The step has no output in the data folder."""


class CorruptOutput(ValueError):
    """The step's output exists but cannot be read back."""


# ----------------------------------------------------------------------------------------------
# names


def _check_step_uuid(step_uuid: str) -> str:
    if (
        not isinstance(step_uuid, str)
        or not step_uuid
        or step_uuid in (".", "..")
        or step_uuid.startswith(".")
        or any(c in step_uuid for c in "/\\\0")
    ):
        raise ValueError(f"invalid step uuid for a data file name: {step_uuid!r}")
    return step_uuid


def meta_path(data_dir: str, step_uuid: str) -> str:
    """Path of the step's metadata file (its presence means the step has an output)."""
    return os.path.join(os.fspath(data_dir), _check_step_uuid(step_uuid) + META_SUFFIX)


def step_files(data_dir: str, step_uuid: str) -> list[str]:
    """Every file of the step in the data folder (metadata, payloads, temporary files)."""
    prefix = _check_step_uuid(step_uuid) + "."
    try:
        names = os.listdir(data_dir)
    except FileNotFoundError:
        return []
    return sorted(os.path.join(data_dir, n) for n in names if n.startswith(prefix))


def clear_output(data_dir: str, step_uuid: str) -> int:
    """Remove the step's output: the metadata first (from then on readers see no output), then
    its payloads and temporary files. Returns how many files were removed; a missing folder or a
    step without output is not an error.

    Files are unlinked, never truncated: a process that still maps a payload keeps valid data.
    """
    data_dir = os.fspath(data_dir)
    removed = 0
    try:
        os.unlink(meta_path(data_dir, step_uuid))
        removed += 1
    except FileNotFoundError:
        pass
    for path in step_files(data_dir, step_uuid):
        try:
            os.unlink(path)
            removed += 1
        except FileNotFoundError:
            pass
    return removed


# ----------------------------------------------------------------------------------------------
# reading


def _is_payload_name(name: Any, step_uuid: str) -> bool:
    return (
        isinstance(name, str)
        and name.startswith(step_uuid + ".")
        and not name.endswith(TMP_SUFFIX)
        and os.path.basename(name) == name
        and name not in (".", "..")
    )


def _load_meta(path: str) -> dict:
    with open(path, "rb") as f:
        return json.loads(f.read())


def read_meta(data_dir: str, step_uuid: str) -> dict:
    """The step's output metadata. Raises :class:`OutputMissing` or :class:`CorruptOutput`."""
    path = meta_path(data_dir, step_uuid)
    try:
        meta = _load_meta(path)
    except FileNotFoundError:
        raise OutputMissing(f"no output of step {step_uuid} in {data_dir}") from None
    except (OSError, ValueError) as e:
        raise CorruptOutput(f"unreadable output metadata {path}: {e}") from None
    if (
        not isinstance(meta, dict)
        or meta.get("format") != FORMAT_VERSION
        or meta.get("serialization") not in SERIALIZATIONS
        or not _is_payload_name(meta.get("payload"), step_uuid)
        or not (meta.get("name") is None or isinstance(meta.get("name"), str))
    ):
        raise CorruptOutput(f"invalid output metadata {path} (format {FORMAT_VERSION} expected)")
    return meta
