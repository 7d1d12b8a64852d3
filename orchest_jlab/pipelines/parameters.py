"""A step's and a pipeline's effective parameters: the defaults in the file, with overrides applied."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class ParameterError(ValueError):
    pass


def _effective(defaults: Any, overrides: Mapping[str, Any] | None, owner: str) -> dict[str, Any]:
    values = dict(defaults) if isinstance(defaults, dict) else {}
    if overrides:
        unknown = sorted(set(overrides) - set(values))
        if unknown:
            raise ParameterError(f"{owner} has no parameter(s) {', '.join(map(repr, unknown))}; every "
                                 "parameter needs a default in the pipeline file.")
        values.update(overrides)
    return values


def pipeline_parameters(pipeline: Mapping[str, Any], overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    return _effective(pipeline.get("parameters"), overrides, "The pipeline")


def step_parameters(
    pipeline: Mapping[str, Any], step_uuid: str, overrides: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    steps = pipeline.get("steps")
    step = steps.get(step_uuid) if isinstance(steps, dict) else None
    if not isinstance(step, dict):
        raise ParameterError(f'The pipeline has no step "{step_uuid}".')
    return _effective(step.get("parameters"), overrides, f'Step "{step.get("title") or step_uuid}"')
