"""Where the running code is: its project, pipeline, step and run.

Two ways to know (``docs/step-sdk.md`` has the whole contract):

* A pipeline run: the runner sets ``ORCHEST_STEP_UUID``, ``ORCHEST_PIPELINE_PATH``,
  ``ORCHEST_PROJECT_DIR``, ``ORCHEST_PIPELINE_UUID``, ``ORCHEST_RUN_UUID`` (and optionally
  ``ORCHEST_PARAMETERS``) for every step process and step kernel.
* A notebook kernel started by Jupyter for a user editing a step (no ``ORCHEST_STEP_UUID``):
  jupyter_server sets ``JPY_SESSION_NAME`` to the notebook's path (absolute, or relative to the
  server's root: both are handled), and the step is the one whose ``file_path`` is that notebook.

The context is worked out again on every call from the environment (so a change of
``ORCHEST_STEP_UUID`` takes effect at once); pipeline files are read once and read again only
when they change on disk (inode, size or modification time).
"""

from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass, field
from typing import Any

from . import error
from ._pipelines import discover_pipelines, find_project_root, load_pipeline, steps_for_file

ENV_PROJECT_DIR = "ORCHEST_PROJECT_DIR"
ENV_PIPELINE_PATH = "ORCHEST_PIPELINE_PATH"
ENV_PIPELINE_UUID = "ORCHEST_PIPELINE_UUID"
ENV_STEP_UUID = "ORCHEST_STEP_UUID"
ENV_RUN_UUID = "ORCHEST_RUN_UUID"
ENV_PARAMETERS = "ORCHEST_PARAMETERS"
ENV_SESSION_NAME = "JPY_SESSION_NAME"

try:
    # The kernel starts in the notebook's folder; a later os.chdir in the notebook must not
    # change which notebook a relative JPY_SESSION_NAME designates.
    _INITIAL_CWD: str | None = os.getcwd()
except OSError:  # pragma: no cover - cwd removed
    _INITIAL_CWD = None

_lock = threading.Lock()
_notebooks: dict[tuple[str, str | None], str] = {}
_matches: dict[tuple, list[str]] = {}


@dataclass(frozen=True)
class Context:
    project_dir: str
    pipeline_path: str
    pipeline: dict = field(repr=False)
    pipeline_uuid: str
    step_uuid: str
    run_uuid: str | None
    interactive: bool
    notebook: str | None = None

    @property
    def data_dir(self) -> str:
        return os.path.join(self.project_dir, ".orchest", "pipelines", self.pipeline_uuid, "data")

    @property
    def step(self) -> dict:
        return self.pipeline["steps"][self.step_uuid]

    def title(self, step_uuid: str | None = None) -> str:
        step = self.pipeline.get("steps", {}).get(step_uuid or self.step_uuid)
        title = step.get("title") if isinstance(step, dict) else None
        return title if isinstance(title, str) and title else (step_uuid or self.step_uuid)

    def describe(self, step_uuid: str | None = None) -> str:
        """``"Title" (uuid)`` of a step, for messages."""
        uuid = step_uuid or self.step_uuid
        return f'"{self.title(uuid)}" ({uuid})'

    def parents(self) -> list[str]:
        """The step's incoming connections, in order, without repeats."""
        seen: list[str] = []
        for uuid in self.step.get("incoming_connections") or []:
            if isinstance(uuid, str) and uuid not in seen:
                seen.append(uuid)
        return seen

    def step_params(self) -> dict:
        params = dict(self.step.get("parameters") or {})
        params.update(overrides().get(self.step_uuid) or {})
        return params

    def pipeline_params(self) -> dict:
        params = dict(self.pipeline.get("parameters") or {})
        params.update(overrides().get("pipeline_parameters") or {})
        return params


# ----------------------------------------------------------------------------------------------
# parameters overrides


_overrides_cache: tuple[str, dict] | None = None


def overrides() -> dict:
    global _overrides_cache
    raw = os.environ.get(ENV_PARAMETERS)
    if not raw:
        return {}
    if _overrides_cache is not None and _overrides_cache[0] == raw:
        return _overrides_cache[1]
    try:
        value = json.loads(raw)
    except ValueError as e:
        raise error.Error(f"{ENV_PARAMETERS} is not valid JSON: {e}.") from None
    if not isinstance(value, dict) or not all(
        isinstance(v, dict) for v in value.values() if v is not None
    ):
        raise error.Error(
            f'{ENV_PARAMETERS} must be a JSON object like {{"pipeline_parameters": {{...}}, '
            f'"<step uuid>": {{...}}}}.'
        )
    _overrides_cache = (raw, value)
    return value


# ----------------------------------------------------------------------------------------------
# resolution


def _env(name: str) -> str | None:
    value = os.environ.get(name)
    return value if value else None


def current() -> Context:
    """The context of the running code; raises :class:`~orchest.error.StepUUIDResolveError` or
    :class:`~orchest.error.PipelineDefinitionNotFoundError` with a message saying why not."""
    if _env(ENV_STEP_UUID):
        return _step_context()
    return _interactive_context()


def _abs(path: str, base: str | None) -> str:
    path = os.path.expanduser(path)
    if not os.path.isabs(path):
        path = os.path.join(base or os.getcwd(), path)
    return os.path.normpath(path)


def _step_context() -> Context:
    step_uuid = _env(ENV_STEP_UUID)
    project_dir = _env(ENV_PROJECT_DIR)
    project_dir = _abs(project_dir, None) if project_dir else None
    pipeline_path = _env(ENV_PIPELINE_PATH)
    if pipeline_path:
        pipeline_path = _abs(pipeline_path, project_dir)
    elif project_dir:
        candidates = [
            p for p in discover_pipelines(project_dir) if step_uuid in _try_load(p).get("steps", {})
        ]
        if len(candidates) != 1:
            found = "no pipeline" if not candidates else f"several pipelines ({', '.join(candidates)})"
            raise error.PipelineDefinitionNotFoundError(
                f'{ENV_PIPELINE_PATH} is not set and {found} under "{project_dir}" has the step '
                f'"{step_uuid}" ({ENV_STEP_UUID}).'
            )
        pipeline_path = candidates[0]
    else:
        raise error.PipelineDefinitionNotFoundError(
            f"{ENV_STEP_UUID} is set but {ENV_PIPELINE_PATH} (the pipeline file) is not."
        )
    doc = load_pipeline(pipeline_path)
    if step_uuid not in doc["steps"]:
        raise error.StepUUIDResolveError(
            f'The step "{step_uuid}" ({ENV_STEP_UUID}) is not in the pipeline "{pipeline_path}".'
        )
    if project_dir is None:
        project_dir = find_project_root(os.path.dirname(pipeline_path))
    return Context(
        project_dir=project_dir,
        pipeline_path=pipeline_path,
        pipeline=doc,
        pipeline_uuid=_env(ENV_PIPELINE_UUID) or _pipeline_uuid(doc, pipeline_path),
        step_uuid=step_uuid,
        run_uuid=_env(ENV_RUN_UUID),
        interactive=False,
    )


def _pipeline_uuid(doc: dict, path: str) -> str:
    uuid = doc.get("uuid")
    if not isinstance(uuid, str) or not uuid or "/" in uuid or uuid.startswith("."):
        raise error.PipelineDefinitionNotFoundError(f'The pipeline "{path}" has no valid "uuid".')
    return uuid


def _try_load(path: str) -> dict:
    try:
        return load_pipeline(path)
    except error.Error:
        return {}


def _find_relative(path: str, base: str) -> list[str]:
    """Existing files ``<folder>/<path>`` for ``base`` and each folder above it."""
    relative = os.path.normpath(path.lstrip("/"))
    found: list[str] = []
    folder = os.path.abspath(base)
    while True:
        candidate = os.path.normpath(os.path.join(folder, relative))
        if os.path.isfile(candidate):
            found.append(candidate)
        parent = os.path.dirname(folder)
        if parent == folder:
            return found
        folder = parent


def notebook_path(session_name: str, base: str | None = None) -> str:
    """The notebook that ``JPY_SESSION_NAME`` designates.

    jupyter_server sets it to ``os.path.join(cwd_for_path(path), name)`` (an absolute path) when
    the session has a name, else to the session's API path, relative to the server's root. The
    kernel starts in the notebook's folder, so the root is that folder or one above it.
    """
    base = base or _INITIAL_CWD or os.getcwd()
    key = (session_name, base)
    cached = _notebooks.get(key)
    if cached is not None:
        return cached
    path = os.path.expanduser(session_name)
    if os.path.isabs(path):
        result = os.path.normpath(path)
    else:
        found = _find_relative(path, base)
        if not found and ":" in path.split("/")[0]:
            # A drive prefix of the contents manager (e.g. "RTC:nb.ipynb" with collaboration).
            found = _find_relative(path.split(":", 1)[1], base)
        if not found:
            raise error.StepUUIDResolveError(
                f'Cannot find the notebook "{session_name}" ({ENV_SESSION_NAME}, relative to the '
                f'Jupyter server\'s root) from the kernel\'s folder "{base}".'
            )
        in_base = [c for c in found if os.path.dirname(c) == os.path.abspath(base)]
        result = (in_base or found)[0]
    with _lock:
        _notebooks[key] = result
    return result


def _interactive_context() -> Context:
    session_name = _env(ENV_SESSION_NAME)
    if not session_name:
        raise error.StepUUIDResolveError(
            f"Cannot tell which pipeline step this code belongs to: {ENV_STEP_UUID} is not set "
            f"(a pipeline run sets it) and neither is {ENV_SESSION_NAME} (Jupyter sets it to the "
            "notebook's path in a notebook's kernel)."
        )
    notebook = notebook_path(session_name)
    project_dir = _env(ENV_PROJECT_DIR)
    project_dir = _abs(project_dir, None) if project_dir else find_project_root(
        os.path.dirname(notebook)
    )
    explicit = _env(ENV_PIPELINE_PATH)
    explicit = _abs(explicit, project_dir) if explicit else None
    key = (notebook, project_dir, explicit)

    def match(paths: list[str]) -> list[tuple[str, dict, str]]:
        out = []
        for path in paths:
            doc = load_pipeline(path) if path == explicit else _try_load(path)
            for uuid in steps_for_file(path, doc, notebook):
                out.append((path, doc, uuid))
        return out

    if explicit:
        matches = match([explicit])
        where = f'the pipeline "{explicit}" ({ENV_PIPELINE_PATH})'
    else:
        matches = []
        cached = _matches.get(key)
        if cached:
            matches = match(cached)
            if sorted({m[0] for m in matches}) != cached:
                matches = []
        if not matches:
            matches = match(discover_pipelines(project_dir))
            with _lock:
                _matches[key] = sorted({m[0] for m in matches})
        where = f'any pipeline under "{project_dir}"'

    if not matches:
        raise error.StepUUIDResolveError(
            f'The notebook "{notebook}" is not the file of a step in {where}, so it has no '
            "pipeline step to take inputs, outputs and parameters from. Add it to a pipeline as a "
            f"step (or set {ENV_PIPELINE_PATH} to the pipeline that has it)."
        )
    if len(matches) > 1:
        listing = "; ".join(
            f'"{path}" (step "{(doc["steps"].get(uuid) or {}).get("title", uuid)}", {uuid})'
            for path, doc, uuid in matches
        )
        pipelines = sorted({m[0] for m in matches})
        if len(pipelines) > 1:
            advice = f"Set {ENV_PIPELINE_PATH} to the pipeline to use."
        else:
            advice = f"Set {ENV_STEP_UUID} to the step to use."
        raise error.StepUUIDResolveError(
            f'The notebook "{notebook}" is the file of several steps: {listing}. {advice}'
        )
    path, doc, uuid = matches[0]
    return Context(
        project_dir=project_dir,
        pipeline_path=path,
        pipeline=doc,
        pipeline_uuid=_pipeline_uuid(doc, path),
        step_uuid=uuid,
        run_uuid=_env(ENV_RUN_UUID),
        interactive=True,
        notebook=notebook,
    )


def describe_env() -> dict[str, Any]:
    """The environment variables the SDK reads (for error reports and debugging)."""
    names = (
        ENV_PROJECT_DIR, ENV_PIPELINE_PATH, ENV_PIPELINE_UUID, ENV_STEP_UUID, ENV_RUN_UUID,
        ENV_PARAMETERS, ENV_SESSION_NAME,
    )
    return {name: os.environ.get(name) for name in names}
