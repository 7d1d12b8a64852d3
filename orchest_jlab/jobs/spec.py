"""Checks of a job's settings as the API and the command line give them; BadRequest says what is wrong."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ..errors import BadRequest
from ..pipelines.env_variables import EnvVariablesError, check_env_variables
from . import grid as grids
from .schedule import parse_schedule

SETTINGS = ("name", "parameters", "deselected", "schedule", "env_variables", "overlap", "missed_fires",
            "max_retained_pipeline_runs", "cache")
OVERLAP = ("skip", "queue")
MISSED = ("skip", "run_once")


def check_body(body: Any, allowed: tuple[str, ...]) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise BadRequest("The body must be a JSON object.")
    unknown = sorted(set(body) - set(allowed))
    if unknown:
        raise BadRequest(f"Unknown field{'s' if len(unknown) > 1 else ''} {', '.join(map(repr, unknown))}; a job has "
                         f"{', '.join(allowed)}.")
    return body


def check_name(value: Any) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > 255:
        raise BadRequest('"name" must be a non-empty text of at most 255 characters.')
    return value.strip()


def check_env(value: Any) -> dict[str, str]:
    try:
        return check_env_variables(value)
    except EnvVariablesError as exc:
        raise BadRequest(str(exc), [{"pointer": exc.pointer, "message": str(exc)}]) from None


def check_choice(value: Any, field: str, choices: tuple[str, ...]) -> str:
    if value not in choices:
        raise BadRequest(f'"{field}" must be one of {", ".join(map(repr, choices))}, not {value!r}.')
    return value


def check_retention(value: Any) -> int | None:
    if value is None:
        return None
    if type(value) is not int or value < 1:
        raise BadRequest('"max_retained_pipeline_runs" must be a whole number of at least 1, or null to keep every run.')
    return value


def check_cache(value: Any) -> bool:
    if not isinstance(value, bool):
        raise BadRequest('"cache" must be true or false (true: every run of the job uses the step cache).',
                         [{"pointer": "/cache", "message": "true or false"}])
    return value


def check_settings(body: dict[str, Any], pipeline: dict[str, Any], now: datetime, max_grid_size: int,
                   current: dict[str, Any] | None = None, default_grid: grids.Grid | None = None) -> dict[str, Any]:
    """The job's columns for the settings in ``body``, merged over ``current`` (an update) or the
    defaults (a new job). The grid and the deselection are always checked together."""
    fields: dict[str, Any] = {}
    if "name" in body or current is None:
        fields["name"] = check_name(body.get("name", pipeline.get("name") or "Job"))
    if "parameters" in body:
        grid = grids.check_grid(pipeline, body["parameters"])
    elif current is not None:
        grid = current["parameters"]
    else:
        grid = default_grid if default_grid is not None else grids.default_grid(pipeline)
    size = grids.check_size(grid, max_grid_size)
    if "deselected" in body:
        deselected = body["deselected"]
    elif current is not None and grid == current["parameters"]:
        deselected = current["deselected"]
    else:
        deselected = []  # a new grid: its combinations are not the old ones
    fields["parameters"], fields["deselected"] = grid, grids.check_deselected(deselected, size)
    if "schedule" in body or current is None:
        fields["schedule"] = parse_schedule(body.get("schedule"), now).to_json()
    if "env_variables" in body or current is None:
        fields["env_variables"] = check_env(body.get("env_variables"))
    if "overlap" in body or current is None:
        fields["overlap"] = check_choice(body.get("overlap", "skip"), "overlap", OVERLAP)
    if "missed_fires" in body or current is None:
        fields["missed_fires"] = check_choice(body.get("missed_fires", "skip"), "missed_fires", MISSED)
    if "max_retained_pipeline_runs" in body or current is None:
        fields["max_retained_runs"] = check_retention(body.get("max_retained_pipeline_runs"))
    if "cache" in body or current is None:
        fields["cache"] = check_cache(body.get("cache", False))
    return fields
