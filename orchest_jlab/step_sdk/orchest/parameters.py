"""Parameters of the running step and of its pipeline.

Their values are the defaults in the pipeline file (``parameters`` at its top level, and each
step's ``parameters``), overridden by ``ORCHEST_PARAMETERS`` when the runner sets it (a JSON object
``{"pipeline_parameters": {k: v}, "<step uuid>": {k: v}}``). Non-interactive runs write their
values into the snapshot's pipeline file instead.
"""

from __future__ import annotations

import json
import os
import uuid as _uuid
from contextlib import contextmanager
from typing import Any, Callable, Optional, Tuple

from . import _context, _pipelines, error
from .config import Config

__all__ = [
    "get_params",
    "get_pipeline_param",
    "get_step_param",
    "update_params",
    "update_pipeline_param",
    "update_step_param",
]


class _NoDefault:
    def __repr__(self) -> str:
        return "<no default>"


_NO_DEFAULT: Any = _NoDefault()

# Set to 1 for the stricter mode (a missing parameter without default raises).
ENV_STRICT = "ORCHEST_STRICT_PARAMETERS"


def _current() -> _context.Context:
    try:
        return _context.current()
    except error.StepUUIDResolveError as e:
        raise error.StepUUIDResolveError(f"Parameters could not be identified: {e}") from None


def _names(params: dict) -> str:
    return ", ".join(f'"{k}"' for k in sorted(params)) if params else "none"


def get_params() -> Tuple[dict, dict]:
    """Gets the parameters of the current step and of the pipeline.

    Returns:
        A tuple ``(step_params, pipeline_params)`` of two new dictionaries.
    """
    ctx = _current()
    return ctx.step_params(), ctx.pipeline_params()


def _strict() -> bool:
    """Whether a missing parameter without default raises (this SDK's stricter mode) instead of
    giving ``None`` (Orchest's behaviour, the default)."""
    if Config.strict_parameters is not None:
        return bool(Config.strict_parameters)
    return os.environ.get(ENV_STRICT, "").lower() in ("1", "true", "yes")


def get_step_param(name: str, default: Any = _NO_DEFAULT) -> Any:
    """Gets a parameter of the current step by name.

    Args:
        name: The step parameter to get.
        default: What to return when the step has no such parameter; without it ``None``, as in
            Orchest. In strict mode (``Config.strict_parameters = True`` or
            ``ORCHEST_STRICT_PARAMETERS=1``) a missing parameter without default raises
            :exc:`~orchest.error.ParameterNotFoundError` instead.
    """
    ctx = _current()
    params = ctx.step_params()
    return _lookup(params, name, default, lambda: (
        f'Step {ctx.describe()} has no parameter "{name}" (its parameters: {_names(params)}). '
        f"Define it in the step's parameters, or pass a default: "
        f'get_step_param("{name}", default=...).'))


def get_pipeline_param(name: str, default: Any = _NO_DEFAULT) -> Any:
    """Gets a pipeline parameter by name.

    Args:
        name: The pipeline parameter to get.
        default: What to return when the pipeline has no such parameter; without it ``None``, as
            in Orchest (strict mode: :exc:`~orchest.error.ParameterNotFoundError`).
    """
    ctx = _current()
    params = ctx.pipeline_params()
    return _lookup(params, name, default, lambda: (
        f'The pipeline "{ctx.pipeline.get("name", ctx.pipeline_uuid)}" of step {ctx.describe()} '
        f'has no pipeline parameter "{name}" (its parameters: {_names(params)}). Define it in the '
        f'pipeline\'s parameters, or pass a default: get_pipeline_param("{name}", default=...).'))


def _lookup(params: dict[str, Any], name: str, default: Any, missing: Callable[[], str]) -> Any:
    """``params[name]``; else the default, else None as in Orchest, else (strict mode) an error."""
    if name in params:
        return params[name]
    if default is not _NO_DEFAULT:
        return default
    if not _strict():
        return None
    raise error.ParameterNotFoundError(missing())


@contextmanager
def _locked(folder: str):
    """An exclusive lock (``flock`` on the folder) among the SDK's writers of pipeline files."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX
        yield
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def update_params(step_params: Optional[dict] = None, pipeline_params: Optional[dict] = None) -> None:
    """Updates (or adds) parameters of the current step and of the pipeline, in the pipeline file.

    Internally the updating is done with ``dict.update``. The file is written the way Orchest
    writes it (sorted keys, 4-space indent, trailing newline), atomically (a temporary file renamed
    over it), keeping its other fields and its mode. Values from ``ORCHEST_PARAMETERS`` still take
    precedence over the file for the rest of the run.

    Warning:
        Updating ``pipeline_params`` from steps that run in parallel races: the last write wins
        for the same key (writes by this SDK are serialized, so no update is lost otherwise).
    """
    if step_params is not None and not isinstance(step_params, dict):
        raise TypeError("step_params must be a dict")
    if pipeline_params is not None and not isinstance(pipeline_params, dict):
        raise TypeError("pipeline_params must be a dict")
    ctx = _current()
    if not step_params and not pipeline_params:
        return
    path = os.path.realpath(ctx.pipeline_path)
    folder = os.path.dirname(path)
    with _locked(folder):
        try:
            with open(path, "rb") as f:
                text = f.read().decode("utf-8")
            doc = json.loads(text)
            mode = os.stat(path).st_mode & 0o7777
        except (OSError, ValueError) as e:
            raise error.PipelineDefinitionNotFoundError(
                f'Could not read the pipeline file "{path}": {e}.'
            ) from None
        if pipeline_params:
            if not isinstance(doc.get("parameters"), dict):
                doc["parameters"] = {}
            doc["parameters"].update(pipeline_params)
        if step_params:
            step = (doc.get("steps") or {}).get(ctx.step_uuid)
            if not isinstance(step, dict):
                raise error.StepUUIDResolveError(
                    f'The step {ctx.describe()} is no longer in the pipeline "{path}".'
                )
            if not isinstance(step.get("parameters"), dict):
                step["parameters"] = {}
            step["parameters"].update(step_params)
        out = json.dumps(doc, indent=4, sort_keys=True, ensure_ascii=text.isascii()) + "\n"
        tmp = os.path.join(folder, f".{os.path.basename(path)}.{_uuid.uuid4().hex[:12]}.tmp")
        try:
            with open(tmp, "w", encoding="utf-8") as f:
                f.write(out)
            os.chmod(tmp, mode)
            os.replace(tmp, path)
        except BaseException:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise
    _pipelines.forget_pipeline(ctx.pipeline_path)
    _pipelines.forget_pipeline(path)


def update_step_param(name: str, value: Any) -> None:
    """Updates or sets a parameter of the current step (in the pipeline file)."""
    update_params(step_params={name: value})


def update_pipeline_param(name: str, value: Any) -> None:
    """Updates or sets a pipeline parameter (in the pipeline file).

    Warning:
        Steps running in parallel that update the same pipeline parameter race.
    """
    update_params(pipeline_params={name: value})
