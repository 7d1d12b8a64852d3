"""Writing and reading step outputs: Arrow IPC files, and pickle protocol 5 with out-of-band
buffers, read back through memory maps (no copy). The file layout is ``_layout``'s.
"""

from __future__ import annotations

import datetime as _dt
import errno
import json
import mmap
import os
import pickle
import struct
import sys
import uuid as _uuid
from typing import Any

from ._layout import (  # noqa: F401  (re-exported: the SDK's users of the store import it from here)
    ALIGNMENT,
    ARROW_BATCH,
    ARROW_TABLE,
    FORMAT_VERSION,
    INBAND_BELOW,
    META_SUFFIX,
    PICKLE,
    SERIALIZATIONS,
    TMP_SUFFIX,
    CorruptOutput,
    OutputMissing,
    _check_step_uuid,
    _is_payload_name,
    _load_meta,
    clear_output,
    meta_path,
    read_meta,
    step_files,
)

# Pickle payload: header, buffer table, pickle stream, buffers (little-endian u64 throughout).
#   0  magic  b"ORCHPKL5"
#   8  number of out-of-band buffers n
#  16  offset of the pickle stream
#  24  length of the pickle stream
#  32  n x (offset, length)
_MAGIC = b"ORCHPKL5"
_HEADER = struct.Struct("<8sQQQ")
_ENTRY = struct.Struct("<QQ")
_ARROW_FILE_MAGIC = b"ARROW1"
_WRITE_CHUNK = 256 << 20
_PREALLOCATE_FROM = 1 << 20
_DISCARD_IN_BACKGROUND_FROM = 16 << 20


# ----------------------------------------------------------------------------------------------
# writing


def _now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="microseconds")


def _arrow_kind(data: Any) -> str | None:
    # An Arrow object can only exist if pyarrow was imported: never import it to find out.
    pa = sys.modules.get("pyarrow")
    if pa is None:
        return None
    if isinstance(data, pa.Table):
        return ARROW_TABLE
    if isinstance(data, pa.RecordBatch):
        return ARROW_BATCH
    return None


def _is_bytes_like(data: Any) -> bool:
    if isinstance(data, (bytes, bytearray, memoryview)):
        return True
    pa = sys.modules.get("pyarrow")
    return pa is not None and isinstance(data, pa.Buffer)


def choose_serialization(data: Any) -> str:
    """ARROW_TABLE / ARROW_BATCH for pyarrow tables and record batches, PICKLE for the rest."""
    return _arrow_kind(data) or PICKLE


def _align(n: int) -> int:
    return (n + ALIGNMENT - 1) // ALIGNMENT * ALIGNMENT


def _write_all(fd: int, data) -> None:
    view = memoryview(data).cast("B")
    offset, total = 0, view.nbytes
    while offset < total:
        offset += os.write(fd, view[offset:offset + _WRITE_CHUNK])


_fallocate = None


def _preallocate(fd: int, size: int) -> None:
    """Reserve the file's blocks up front (Linux ``fallocate``): fewer allocations while writing,
    and a full disk fails here instead of after most of the data was copied. Where the file system
    or platform cannot, nothing happens (never glibc's slow emulation of posix_fallocate)."""
    global _fallocate
    if size < _PREALLOCATE_FROM or not sys.platform.startswith("linux"):
        return
    if _fallocate is None:
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            func = getattr(libc, "fallocate64", None) or libc.fallocate
            func.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_longlong, ctypes.c_longlong]
            func.restype = ctypes.c_int
            _fallocate = (ctypes, func)
        except (OSError, AttributeError):
            _fallocate = False
    if not _fallocate:
        return
    ctypes, func = _fallocate
    if func(fd, 0, 0, size) != 0:
        err = ctypes.get_errno()
        if err in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
            raise OSError(err, os.strerror(err))  # out of space: say so before copying
        # EOPNOTSUPP and the like: the file system cannot; write without it.


def _pickle_parts(data: Any):
    buffers: list[memoryview] = []

    def callback(pickle_buffer: pickle.PickleBuffer):
        try:
            raw = pickle_buffer.raw()
        except BufferError:  # not contiguous: let pickle copy it in-band
            return True
        if raw.nbytes < INBAND_BELOW:
            return True
        buffers.append(raw)
        return False

    stream = pickle.dumps(data, protocol=5, buffer_callback=callback)
    return stream, buffers


def _write_pickle_file(path: str, stream, buffers: list) -> int:
    header_len = _HEADER.size + _ENTRY.size * len(buffers)
    stream_len = memoryview(stream).nbytes
    stream_off = _align(header_len)
    entries, position = [], stream_off + stream_len
    for buf in buffers:
        position = _align(position)
        entries.append((position, buf.nbytes))
        position += buf.nbytes
    total = position
    header = bytearray(_HEADER.pack(_MAGIC, len(buffers), stream_off, stream_len))
    for entry in entries:
        header += _ENTRY.pack(*entry)
    header += bytes(stream_off - header_len)

    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o644)
    try:
        _preallocate(fd, total)
        _write_all(fd, header)
        _write_all(fd, stream)
        written = stream_off + stream_len
        for (offset, _), buf in zip(entries, buffers):
            if offset > written:
                _write_all(fd, bytes(offset - written))
            _write_all(fd, buf)
            written = offset + buf.nbytes
    finally:
        os.close(fd)
    return total


def _write_arrow_file(path: str, data: Any) -> int:
    import pyarrow as pa

    with pa.OSFile(path, "wb") as sink:
        with pa.ipc.new_file(sink, data.schema) as writer:
            writer.write(data)
    return os.path.getsize(path)


def _write_raw_file(path: str, data) -> int:
    view = memoryview(data).cast("B")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o644)
    try:
        _preallocate(fd, view.nbytes)
        _write_all(fd, view)
    finally:
        os.close(fd)
    return view.nbytes


def _write_json_atomic(path: str, value: dict, token: str) -> None:
    tmp = f"{path}.{token}{TMP_SUFFIX}"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(value, f, indent=1, sort_keys=True)
        f.write("\n")
    os.replace(tmp, path)


def _unlink_quietly(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


def _discard_payload(path: str, size: int) -> None:
    """Remove a payload that a newer output replaced. A large one is unlinked by a thread of its own:
    freeing its page cache and blocks takes tens of milliseconds per 200 MB (hundreds while the
    kernel is writing it back), which np.save overwriting its file in place does not pay and
    output() need not wait for. Not a daemon: the interpreter waits for it before it exits."""
    if size < _DISCARD_IN_BACKGROUND_FROM:
        _unlink_quietly(path)
        return
    import threading

    threading.Thread(target=_unlink_quietly, args=(path,), name="orchest-discard-output").start()


def write_output(
    data_dir: str,
    step_uuid: str,
    data: Any,
    *,
    name: str | None = None,
    serialization: str | None = None,
    extra: dict | None = None,
) -> dict:
    """Store ``data`` as the step's output, replacing any previous one; returns the metadata.

    ``serialization`` None chooses (Arrow IPC for pyarrow tables and record batches, pickle
    protocol 5 with out-of-band buffers for the rest). Given with bytes-like ``data`` it means
    the data is already serialized that way (Orchest's ``output_to_disk`` semantics: a pickle
    stream, or an Arrow IPC stream/file) and the bytes are stored as they are. Given with other
    data it forces that serialization.

    Pickling errors propagate (``pickle.PicklingError``, ``TypeError``, ``AttributeError``...).
    """
    data_dir = os.fspath(data_dir)
    _check_step_uuid(step_uuid)
    if serialization is not None and serialization not in SERIALIZATIONS:
        raise ValueError(f"unknown serialization {serialization!r}; one of {SERIALIZATIONS}")
    preserialized = serialization is not None and _is_bytes_like(data)
    if serialization is None:
        serialization = choose_serialization(data)
    if not preserialized and serialization != PICKLE and _arrow_kind(data) is None:
        raise TypeError(
            f"{serialization} serialization needs a pyarrow Table or RecordBatch "
            f"(or its Arrow IPC bytes), not {type(data).__name__}"
        )

    # Serialize before touching the folder: a value that cannot be pickled leaves the previous
    # output as it was.
    if serialization == PICKLE:
        if preserialized:
            stream, buffers = data, []
        else:
            stream, buffers = _pickle_parts(data)

    os.makedirs(data_dir, exist_ok=True)
    token = _uuid.uuid4().hex[:16]
    extension = "pickle" if serialization == PICKLE else "arrow"
    payload = f"{step_uuid}.{token}.{extension}"
    payload_path = os.path.join(data_dir, payload)
    tmp_path = payload_path + TMP_SUFFIX
    meta_file = meta_path(data_dir, step_uuid)
    try:
        if serialization == PICKLE:
            size = _write_pickle_file(tmp_path, stream, buffers)
        elif preserialized:
            size = _write_raw_file(tmp_path, data)
        else:
            size = _write_arrow_file(tmp_path, data)
        os.replace(tmp_path, payload_path)
    except BaseException:
        _unlink_quietly(tmp_path)
        raise

    previous, previous_size = None, 0
    try:
        previous_meta = _load_meta(meta_file)
        previous, previous_size = previous_meta.get("payload"), int(previous_meta.get("size") or 0)
    except Exception:
        pass
    meta = {
        "format": FORMAT_VERSION,
        "step_uuid": step_uuid,
        "name": name,
        "serialization": serialization,
        "payload": payload,
        "size": size,
        "created": _now(),
    }
    if extra:
        for key, value in extra.items():
            meta.setdefault(key, value)
    try:
        _write_json_atomic(meta_file, meta, token)
    except BaseException:
        _unlink_quietly(meta_file + f".{token}{TMP_SUFFIX}")
        _unlink_quietly(payload_path)
        raise
    if previous and previous != payload and _is_payload_name(previous, step_uuid):
        _discard_payload(os.path.join(data_dir, previous), previous_size)
    return meta


def _map(path: str):
    """A private (copy-on-write) map of the file: zero copy, writable, and writes never reach the
    file. Falls back to a read-only map where private writable maps are refused (strict
    overcommit accounting)."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
    try:
        try:
            return mmap.mmap(fd, 0, access=mmap.ACCESS_COPY)
        except OSError:
            return mmap.mmap(fd, 0, access=mmap.ACCESS_READ)
    finally:
        os.close(fd)


def _read_pickle(path: str):
    mapped = _map(path)
    view = memoryview(mapped)
    size = view.nbytes
    if size < _HEADER.size:
        raise CorruptOutput(f"{path}: truncated payload")
    magic, count, stream_off, stream_len = _HEADER.unpack_from(view, 0)
    if magic != _MAGIC:
        # Pre-serialized pickle bytes (output_to_disk(..., serialization=PICKLE)).
        return pickle.loads(view)
    table_end = _HEADER.size + _ENTRY.size * count
    if table_end > size or stream_off + stream_len > size:
        raise CorruptOutput(f"{path}: truncated payload")
    buffers = []
    for i in range(count):
        offset, length = _ENTRY.unpack_from(view, _HEADER.size + _ENTRY.size * i)
        if offset + length > size:
            raise CorruptOutput(f"{path}: truncated payload")
        # Each slice keeps the memory map alive for as long as anything refers to it.
        buffers.append(view[offset:offset + length])
    return pickle.loads(view[stream_off:stream_off + stream_len], buffers=buffers)


def _read_arrow(path: str, serialization: str):
    import pyarrow as pa

    source = pa.memory_map(path, "r")  # zero copy: the buffers refer to the mapping
    if source.read(len(_ARROW_FILE_MAGIC)) == _ARROW_FILE_MAGIC:
        source.seek(0)
        reader = pa.ipc.open_file(source)
        if serialization == ARROW_BATCH:
            return reader.get_batch(0)
        return reader.read_all()
    source.seek(0)  # an Arrow IPC stream (pre-serialized, as Orchest wrote them)
    reader = pa.ipc.open_stream(source)
    if serialization == ARROW_BATCH:
        return reader.read_next_batch()
    return reader.read_all()


def read_output(data_dir: str, step_uuid: str) -> tuple[dict, Any]:
    """``(metadata, value)`` of the step's output, read through memory maps (large NumPy arrays,
    pandas frames and Arrow tables are not copied). Raises :class:`OutputMissing` or
    :class:`CorruptOutput`; errors of unpickling (e.g. a missing module) or of pyarrow (an
    invalid Arrow file) propagate as they are."""
    data_dir = os.fspath(data_dir)
    last = None
    for _ in range(10):
        meta = read_meta(data_dir, step_uuid)
        path = os.path.join(data_dir, meta["payload"])
        try:
            if meta["serialization"] == PICKLE:
                return meta, _read_pickle(path)
            return meta, _read_arrow(path, meta["serialization"])
        except FileNotFoundError:
            # Replaced between reading the metadata and opening the payload: read again.
            if last == meta["payload"]:
                break
            last = meta["payload"]
        except struct.error as e:
            raise CorruptOutput(f"{path}: {e}") from None
    raise CorruptOutput(f"the output metadata of step {step_uuid} names a missing payload")
