"""``orchest.utils``: Orchest's ``get_pipeline()`` and ``get_step_uuid(pipeline)``.

Both work where the rest of the SDK does: in a pipeline run (``ORCHEST_STEP_UUID``) and in a
notebook's kernel started by Jupyter (the step whose file is the notebook, see
``docs/step-sdk.md``), not through Orchest's Jupyter server API.
"""

from __future__ import annotations

import copy
import os

from . import _context
from ._pipelines import load_pipeline
from .pipeline import Pipeline

__all__ = ["get_pipeline", "get_step_uuid"]


def get_pipeline() -> Pipeline:
    """The running step's pipeline, with the run's parameter values (``ORCHEST_PARAMETERS``)."""
    ctx = _context.current()
    description = copy.deepcopy(load_pipeline(ctx.pipeline_path))  # callers may change it
    overrides = _context.overrides()
    if overrides.get("pipeline_parameters"):
        description.setdefault("parameters", {}).update(overrides["pipeline_parameters"])
    for uuid, step in description["steps"].items():
        if isinstance(step, dict) and overrides.get(uuid):
            step.setdefault("parameters", {}).update(overrides[uuid])
    return Pipeline.from_json(description)


def get_step_uuid(pipeline: Pipeline) -> str:
    """The uuid of the step the running code belongs to, which must be a step of ``pipeline``.

    Raises:
        StepUUIDResolveError: It cannot be determined, or it is not a step of ``pipeline``.
    """
    step_uuid = os.environ.get(_context.ENV_STEP_UUID) or _context.current().step_uuid
    pipeline.get_step_by_uuid(step_uuid)  # raises when it is another pipeline's step
    return step_uuid
