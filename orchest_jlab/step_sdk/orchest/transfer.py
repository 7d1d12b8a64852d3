"""Passing data between steps: ``output()`` in a step, ``get_inputs()`` in the steps after it.

Outputs are files in ``<project>/.orchest/pipelines/<pipeline uuid>/data/`` (see ``_store`` and
``docs/step-sdk.md``): pyarrow tables and record batches as Arrow IPC files, everything else as
pickle protocol 5 with out-of-band buffers. Both are read back through memory maps, so a large
NumPy array, pandas frame or Arrow table is not copied when a step gets its inputs.
"""

from __future__ import annotations

import pickle
import warnings
from enum import Enum
from typing import Any, Dict, Optional, Union

from . import _context, _store, error
from .config import Config

__all__ = [
    "Serialization",
    "get_inputs",
    "output",
    "output_to_disk",
    "output_to_memory",
]


class Serialization(Enum):
    """Possible types of serialization: ``ARROW_TABLE``, ``ARROW_BATCH``, ``PICKLE``."""

    ARROW_TABLE = 0
    ARROW_BATCH = 1
    PICKLE = 2


_UNNAMED = Config._RESERVED_UNNAMED_OUTPUTS_STR
# Successful outputs per (pipeline file, step, run) in this process: a kernel reused by several
# runs must not warn on the next run's output.
_output_calls: Dict[tuple, int] = {}


def _check_data_name_validity(name: Optional[str]) -> None:
    if not isinstance(name, (str, type(None))):
        raise TypeError("Name should be of type string or `None`.")
    if name is None:
        return
    if name == _UNNAMED:
        raise ValueError(f"'{_UNNAMED}' is a reserved `name`.")
    if Config.__METADATA_SEPARATOR__ in name:
        raise ValueError(f"'{Config.__METADATA_SEPARATOR__}' cannot be part of the `name`.")


def _serialization_name(serialization: Union[Serialization, str, None]) -> Optional[str]:
    if serialization is None:
        return None
    if isinstance(serialization, Serialization):
        return serialization.name
    if isinstance(serialization, str) and serialization in Serialization.__members__:
        return serialization
    raise ValueError(
        f"Unknown serialization {serialization!r}; use one of "
        f"{', '.join('Serialization.' + s for s in Serialization.__members__)}."
    )


def _context_for(purpose: str) -> _context.Context:
    try:
        return _context.current()
    except error.StepUUIDResolveError as e:
        raise error.StepUUIDResolveError(f"Failed to determine {purpose}: {e}") from None


def output_to_disk(
    data: Any,
    name: Optional[str] = None,
    serialization: Union[Serialization, str, None] = None,
) -> None:
    """Outputs data so that the next steps can get it with :func:`get_inputs`.

    Args:
        data: Data to output. pyarrow ``Table`` and ``RecordBatch`` are stored as Arrow IPC
            files; anything else is pickled (protocol 5, large buffers stored apart so that they
            are memory-mapped, not copied, when read back).
        name: Name of the output data. As a string, the next steps find the data under that
            key of :func:`get_inputs`; ``None`` makes it unnamed (it then goes in the
            ``"unnamed"`` list).
        serialization: ``None`` to choose from the data. As in Orchest, a
            :class:`Serialization` given with bytes-like ``data`` means the data is already
            serialized that way (a pickle stream, or Arrow IPC bytes) and is stored as it is;
            given with other data it forces that serialization.

    Raises:
        DataInvalidNameError: ``name`` is not a string or ``None``, or is ``"unnamed"``.
        SerializationError: The data cannot be serialized.
        StepUUIDResolveError: The running code's step cannot be determined.
        PipelineDefinitionNotFoundError: The pipeline file cannot be read.

    Note:
        A step has one output: calling an output function again replaces the previous output,
        even under another name.
    """
    _write(data, name, serialization)


def _write(data: Any, name: Optional[str], serialization=None) -> None:
    """The output functions' common body; always called directly by a public one (the warning
    below points at the caller of that)."""
    try:
        _check_data_name_validity(name)
    except (TypeError, ValueError) as e:
        raise error.DataInvalidNameError(e) from None
    serialization_name = _serialization_name(serialization)

    ctx = _context_for("where to output data to")
    key = (ctx.pipeline_path, ctx.step_uuid, ctx.run_uuid)
    earlier = _output_calls.get(key, 0)
    if earlier and not ctx.interactive and not Config.silence_multiple_data_transfer_calls_warning:
        warnings.warn(
            f"Step {ctx.describe()} output data more than once: only the last output is kept. "
            "Set orchest.Config.silence_multiple_data_transfer_calls_warning = True to silence "
            "this warning.",
            stacklevel=3,
        )
    extra = {"pipeline_uuid": ctx.pipeline_uuid, "step_title": ctx.title()}
    if ctx.run_uuid:
        extra["run_uuid"] = ctx.run_uuid
    try:
        _store.write_output(
            ctx.data_dir, ctx.step_uuid, data, name=name, serialization=serialization_name,
            extra=extra,
        )
    except (pickle.PicklingError, TypeError, AttributeError, RecursionError) as e:
        raise error.SerializationError(
            f"Could not serialize data of type {type(data).__module__}.{type(data).__qualname__}: "
            f"{e}"
        ) from e
    except Exception as e:
        if type(e).__module__.startswith("pyarrow"):
            raise error.SerializationError(
                f"Could not serialize data of type {type(data).__qualname__}: {e}"
            ) from e
        raise
    _output_calls[key] = earlier + 1


def output_to_memory(data: Any, name: Optional[str] = None, disk_fallback: bool = True) -> None:
    """Same as :func:`output_to_disk` (kept for compatibility with Orchest).

    There is no separate in-memory store here: the output is written to the same
    memory-mappable files, which stay in the operating system's page cache, so the next step
    reads them from memory anyway. ``disk_fallback`` is accepted and has no effect.
    """
    _write(data, name)


def output(data: Any, name: Optional[str] = None) -> None:
    """Outputs data so that it can be retrieved by the next steps (see :func:`output_to_disk`).

    Example:
        >>> output(data, name="my_data")
    """
    _write(data, name)


def get_inputs(ignore_failure: bool = False, verbose: bool = False) -> Dict[str, Any]:
    """Gets the data that the step's incoming steps output.

    Args:
        ignore_failure: If ``True``, an incoming step without an output gives ``None`` in the
            ``"unnamed"`` list (at its place) instead of raising :exc:`OutputNotFoundError`.
        verbose: Print every step that data was retrieved from.

    Returns:
        A dictionary: named data under its name, and the unnamed data in the list under the
        reserved key ``"unnamed"``, in the order of the step's incoming connections::

            {"unnamed": ["Hello World!", (3, 4)], "named_1": "mystring", "named_2": [1, 2, 3]}

        Large NumPy arrays, pandas frames and Arrow tables are memory maps of the stored output,
        not copies. NumPy and pandas data can be written to: the changes are private to this
        process (copy-on-write) and never reach the stored output.

    Raises:
        InputNameCollisionError: Several incoming steps output data under the same name.
        OutputNotFoundError: An incoming step has no output (it has not run, or its output was
            cleared); the message names the step.
        DeserializationError: An output exists but cannot be read back.
        StepUUIDResolveError: The running code's step cannot be determined.
    """
    ctx = _context_for("from where to get data")
    data_dir = ctx.data_dir

    def not_found(uuid: str) -> error.OutputNotFoundError:
        return error.DiskOutputNotFoundError(
            f'Output from incoming step "{ctx.title(uuid)}" ("{uuid}") cannot be found. '
            "Try rerunning it."
        )

    # First the metadata of every parent: missing outputs and name collisions are reported
    # before anything is read.
    plan = []
    names: Dict[str, list] = {}
    for uuid in ctx.parents():
        try:
            meta = _store.read_meta(data_dir, uuid)
        except _store.OutputMissing:
            if not ignore_failure:
                raise not_found(uuid) from None
            meta = None
        except _store.CorruptOutput as e:
            raise error.InvalidMetaDataError(
                f'Output from incoming step "{ctx.title(uuid)}" ("{uuid}"): {e}.'
            ) from None
        plan.append((uuid, meta))
        if meta is not None and meta["name"] is not None:
            names.setdefault(meta["name"], []).append(ctx.title(uuid))

    collisions = {k: v for k, v in names.items() if len(v) > 1}
    if collisions:
        listing = "".join(f"\n{name}: {sorted(titles)}" for name, titles in collisions.items())
        raise error.InputNameCollisionError(
            f"Name collisions between input data coming from different steps: {listing}"
        )

    result: Dict[str, Any] = {_UNNAMED: []}
    for uuid, meta in plan:
        value = None
        if meta is not None:
            try:
                meta, value = _store.read_output(data_dir, uuid)
            except _store.OutputMissing:
                if not ignore_failure:
                    raise not_found(uuid) from None
                meta = None
            except error.Error:
                raise
            except Exception as e:
                raise error.DeserializationError(
                    f'Output from incoming step "{ctx.title(uuid)}" ("{uuid}") could not be '
                    f"deserialized: {type(e).__name__}: {e}"
                ) from e
        if verbose:
            if meta is None:
                print(f'Failed to retrieve input from step: "{ctx.title(uuid)}"')
            else:
                print(f'Retrieved input from step: "{ctx.title(uuid)}"')
        if meta is None or meta["name"] is None:
            result[_UNNAMED].append(value)
        else:
            result[meta["name"]] = value
    return result
