"""A step's outputs (the SDK's data-passing files) between workers: through the cluster, or kept at
an fsspec URL (``c.OrchestApp.dask_outputs_url``) when they must outlive it.

Through the cluster, a step's task returns each large file as a read-only memory map, in pieces no
larger than Dask's shards: Dask sends them from the page cache without reading them into memory
first, and the consuming worker writes the pieces it received straight into the input's file.
(A ``bytes`` result would be copied once more on each side, and one piece larger than a shard is
received as shards that Dask joins with one more copy.) At a URL, the files are written under ``<url>/<project uuid>/<run uuid>/<step uuid>/`` and
the task returns only where they are.
"""

from __future__ import annotations

import contextlib
import mmap
import os
import shutil
import tempfile
import uuid
from pathlib import Path
from typing import Any

META_SUFFIX = ".meta.json"  # the SDK's commit point: written last, so a reader never sees half an output
SMALL = 1 << 20  # files below this are read (a map costs more than it saves), and written to disk
SHARED_MEMORY = Path("/dev/shm")
PIECE = 32 << 20  # at most; and at most Dask's shard size (distributed.comm.shard)

Content = bytes | memoryview | list  # a list: the pieces of one file, in order


def _ordered(names):
    """Payloads first, the SDK's metadata files last."""
    return sorted(names, key=lambda name: (name.endswith(META_SUFFIX), name))


def collect(data: Path, step_uuid: str, url: str | None) -> dict[str, Any]:
    """The result fields of a step's outputs in ``data``: ``outputs`` (name -> content) or, with a
    ``url``, ``stored`` (where they were written, and their names)."""
    files = [Path(e.path) for e in _own(data, step_uuid) if e.is_file() and not e.name.endswith(".tmp")]
    if url is None:
        return {"outputs": {p.name: _mapped(p) for p in files}, "stored": None}
    import fsspec

    fs, root = fsspec.core.url_to_fs(url)
    names = _ordered(p.name for p in files)
    fs.makedirs(root, exist_ok=True)
    for name in names:
        fs.put_file(str(data / name), f"{root}/{name}")
    return {"outputs": {}, "stored": {"url": url, "names": names}}


def _mapped(path: Path) -> Content:
    with path.open("rb") as file:
        size = path.stat().st_size
        if size < SMALL:
            return file.read()
        # The map outlives the file's folder (removed when the step ends): Linux keeps the pages.
        whole = memoryview(mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ))
    piece = _piece()
    return [whole[start:start + piece] for start in range(0, size, piece)]


def _piece() -> int:
    import dask.config
    from dask.utils import parse_bytes

    try:
        shard = parse_bytes(dask.config.get("distributed.comm.shard", PIECE))
    except (TypeError, ValueError):
        shard = PIECE
    return max(1 << 20, min(PIECE, shard))


def size_of(content: Content) -> int:
    return sum(map(len, content)) if isinstance(content, list) else len(content)


def write_file(path: Path, content: Content) -> None:
    with path.open("wb") as file:
        for piece in content if isinstance(content, list) else [content]:
            file.write(piece)


def files_of(data: Path, inputs: dict[str, dict]):
    """(file in ``data``, its content or where it is stored) of the incoming steps' outputs, the
    SDK's metadata files last."""
    data.mkdir(parents=True, exist_ok=True)
    for result in inputs.values():
        stored = result.get("stored")
        if stored:
            for name in stored["names"]:
                yield data / name, _Stored(stored["url"], name)
        for name, content in _ordered_items(result.get("outputs") or {}):
            yield data / name, content


def small(inputs: dict[str, dict]) -> bool:
    """Whether the inputs are placed at once (small files received through the cluster; none at a URL)."""
    return all(not result.get("stored") and all(size_of(c) < SMALL for c in (result.get("outputs") or {}).values())
               for result in inputs.values())


class _Stored:
    def __init__(self, url: str, name: str):
        self.url, self.name = url, name


def place_file(target: Path, content: Content | _Stored) -> Path | None:
    """One input written whole and then renamed into place (a step reading it never sees half of
    it); returns the memory-backed folder that holds it, if it went there.

    A large output received through the cluster goes into a memory-backed file (``/dev/shm``, when
    it has room) linked from ``target``: a disk write of it would cost more than its transfer (the
    SDK maps the file; it follows the link)."""
    partial = target.with_name(f".{target.name}.{uuid.uuid4().hex}.tmp")
    memory = None
    try:
        if isinstance(content, _Stored):
            import fsspec

            fs, root = fsspec.core.url_to_fs(content.url)
            fs.get_file(f"{root}/{content.name}", str(partial))
        elif size_of(content) >= SMALL and (memory := _memory_folder(size_of(content))) is not None:
            write_file(memory / target.name, content)
            partial.symlink_to(memory / target.name)
        else:
            write_file(partial, content)
        partial.replace(target)
    except BaseException:
        partial.unlink(missing_ok=True)
        if memory is not None:
            shutil.rmtree(memory, ignore_errors=True)
        raise
    return memory


def _own(data: Path, step_uuid: str) -> list[os.DirEntry]:
    """The entries of ``data`` named ``<step uuid>.*`` (a scan: pathlib's glob cost 5 times more)."""
    prefix = f"{step_uuid}."
    try:
        with os.scandir(data) as entries:
            return [entry for entry in entries if entry.name.startswith(prefix)]
    except FileNotFoundError:
        return []


def clear(data: Path, step_uuid: str) -> None:
    """The step's own outputs leave its data folder (returned, or left by an earlier attempt)."""
    for entry in _own(data, step_uuid):
        with contextlib.suppress(FileNotFoundError):
            os.unlink(entry.path)


def _memory_folder(size: int) -> Path | None:
    """A new folder in /dev/shm when it can take ``size`` more bytes (a quarter kept free)."""
    if not SHARED_MEMORY.is_dir():
        return None
    try:
        usage = shutil.disk_usage(SHARED_MEMORY)
    except OSError:
        return None
    if usage.free - size < usage.total // 4:
        return None
    return Path(tempfile.mkdtemp(prefix="orchest-jlab-inputs-", dir=SHARED_MEMORY))


def _ordered_items(outputs: dict[str, Any]):
    return [(name, outputs[name]) for name in _ordered(outputs)]


def contents(result: dict[str, Any]) -> dict[str, Content]:
    """A step's outputs by file name, wherever they are (read from the URL when stored there)."""
    stored = result.get("stored")
    if not stored:
        return dict(result.get("outputs") or {})
    import fsspec

    fs, root = fsspec.core.url_to_fs(stored["url"])
    return {name: fs.cat_file(f"{root}/{name}") for name in stored["names"]}


def run_url(url: str, project_uuid: str, run_uuid: str, step_uuid: str) -> str:
    return f"{url.rstrip('/')}/{project_uuid}/{run_uuid}/{step_uuid}"


def forget(url: str, run_uuids: set[str]) -> None:
    """Remove what runs kept at ``url`` (their outputs, of whatever project)."""
    import fsspec

    fs, root = fsspec.core.url_to_fs(url)
    for run_uuid in run_uuids:
        for folder in fs.glob(f"{root.rstrip('/')}/*/{run_uuid}"):
            fs.rm(folder, recursive=True)


def earlier_outputs(folder: Path, steps: list[str]) -> dict[str, dict[str, bytes]]:
    """The outputs in the project of ``steps`` (of earlier runs), by step."""
    found: dict[str, dict[str, bytes]] = {}
    for step in steps:
        files = {p.name: p.read_bytes() for p in folder.glob(f"{step}.*") if not p.name.endswith(".tmp")}
        if files:
            found[step] = files
    return found


def write_back(project_dir: Path, data: str, result: dict[str, Any], files: dict[str, bytes]) -> None:
    """A step's outputs (``result``'s) and the files it wrote, into the project or the run's snapshot
    (each file replaced whole, so a reader never sees half of one)."""
    outputs_ = contents(result)
    for name, content in [*((f"{data}/{n}", c) for n, c in sorted(outputs_.items(), key=lambda i: i[0].endswith(".meta.json"))),
                          *files.items()]:
        path = project_dir / name
        if not path.resolve().is_relative_to(project_dir.resolve()):
            continue  # never outside the project
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
        write_file(partial, content)
        partial.replace(path)
