"""Clearing the step cache of a pipeline, or of one of its steps (the next run with the cache runs them)."""

from __future__ import annotations

from typing import Any

from ..engine.cache import StepCache
from ..errors import BadRequest
from ..pipelines import PipelineFileError, find_project_root, read_pipeline
from ..workspace import Workspace


def clear_cache(workspace: Workspace, pipeline_api_path: str | None, step: str | None = None) -> dict[str, Any]:
    """Remove the cache entries of the pipeline at ``pipeline_api_path`` (of its step ``step`` only,
    a uuid of the file's steps); how many were removed. Blocking."""
    if not pipeline_api_path:
        raise BadRequest('"pipeline" (query) is required: the path of the .orchest file whose cache to clear.')
    path = workspace.resolve(pipeline_api_path)
    try:
        pipeline = read_pipeline(path).data
    except PipelineFileError as exc:
        raise BadRequest(f"{pipeline_api_path}: {exc.problem.message}") from None
    pipeline_uuid = pipeline.get("uuid") if isinstance(pipeline, dict) else None
    if not isinstance(pipeline_uuid, str) or not pipeline_uuid:
        raise BadRequest(f'{pipeline_api_path}: the pipeline has no "uuid", so it has no cache.')
    steps = pipeline.get("steps") if isinstance(pipeline.get("steps"), dict) else {}
    if step is not None and step not in steps:
        raise BadRequest(f'"step" (query): {pipeline_api_path} has no step "{step}".')
    cache = StepCache(find_project_root(path, workspace.root), pipeline_uuid)
    return {"pipeline": pipeline_api_path, "step": step, "removed": cache.clear(step)}
