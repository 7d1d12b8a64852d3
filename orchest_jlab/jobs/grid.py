"""Parameter grids: lists of values per parameter, and the runs they make (their Cartesian product).

A grid is shaped like Orchest's ``<pipeline>.parameters.json``: ``{"pipeline_parameters": {name:
[values]}, "<step uuid>": {name: [values]}}``. Its *axes* are taken in a fixed order — the pipeline's
parameters first, then each step's in the order of the steps in the pipeline file, the names in the
order given — and combination ``i`` is the ``i``-th element of the product of the axes in that
order (the last axis varies fastest, as with ``itertools.product``). Deselected combinations are
given by that index. Pure functions: no server, no database.
"""

from __future__ import annotations

import itertools
import json
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..errors import BadRequest
from ..pipelines import ParameterError, pipeline_parameters, step_parameters

PIPELINE_KEY = "pipeline_parameters"
Grid = dict[str, dict[str, list[Any]]]


def parameters_file(pipeline_path: Path) -> Path:
    """Orchest's job parameters file of a pipeline: ``p.orchest`` → ``p.parameters.json``."""
    return pipeline_path.with_name(pipeline_path.name.removesuffix(".orchest") + ".parameters.json")


def _owners(pipeline: dict) -> list[str]:
    return [PIPELINE_KEY, *(pipeline.get("steps") or {})]


def _describe(pipeline: dict, owner: str) -> str:
    if owner == PIPELINE_KEY:
        return "the pipeline"
    step = (pipeline.get("steps") or {}).get(owner) or {}
    return f'step "{step.get("title") or owner}"'


def check_grid(pipeline: dict, grid: Any, source: str = '"parameters"') -> Grid:
    """The grid in its canonical order, or BadRequest naming every problem (``source`` says where
    the grid came from, e.g. the parameters file)."""
    if not isinstance(grid, dict) or not all(isinstance(v, dict) for v in grid.values()):
        raise BadRequest(f'{source} must be an object of objects of lists: {{"pipeline_parameters": '
                         '{"name": [values]}, "<step uuid>": {"name": [values]}}.')
    problems: list[dict[str, str]] = []
    for owner, values in grid.items():
        try:
            if owner == PIPELINE_KEY:
                pipeline_parameters(pipeline, dict.fromkeys(values))
            else:
                step_parameters(pipeline, owner, dict.fromkeys(values))
        except ParameterError as exc:
            problems.append({"pointer": f"/{owner}", "message": str(exc)})
            continue
        for name, value_list in values.items():
            where = f"Parameter \"{name}\" of {_describe(pipeline, owner)}"
            if not isinstance(value_list, list):
                problems.append({"pointer": f"/{owner}/{name}", "message": f"{where} must be a list of values, "
                                 f"not {json.dumps(value_list)[:60]}."})
            elif not value_list:
                problems.append({"pointer": f"/{owner}/{name}", "message": f"{where} has an empty list of "
                                 "values, so the grid makes no runs; give it at least one value."})
    if problems:
        more = f" (and {len(problems) - 1} more problem{'s' if len(problems) > 2 else ''})" if len(problems) > 1 else ""
        raise BadRequest(f"{source}: {problems[0]['message']}{more}", problems)
    return {owner: dict(grid[owner]) for owner in _owners(pipeline) if grid.get(owner)}


def axes(grid: Grid) -> list[tuple[str, str, list[Any]]]:
    return [(owner, name, values) for owner, names in grid.items() for name, values in names.items()]


def grid_size(grid: Grid) -> int:
    return math.prod(len(values) for _, _, values in axes(grid))


def combinations(grid: Grid) -> Iterator[dict[str, dict[str, Any]]]:
    """Every combination, in index order, shaped like a run's parameters."""
    grid_axes = axes(grid)
    for values in itertools.product(*(v for _, _, v in grid_axes)):
        combination: dict[str, dict[str, Any]] = {}
        for (owner, name, _), value in zip(grid_axes, values):
            combination.setdefault(owner, {})[name] = value
        yield combination


def check_deselected(deselected: Any, size: int) -> list[int]:
    if deselected is None:
        return []
    if not isinstance(deselected, list) or not all(type(i) is int for i in deselected):
        raise BadRequest('"deselected" must be a list of combination indices (whole numbers).')
    outside = [i for i in deselected if not 0 <= i < size]
    if outside:
        raise BadRequest(f'"deselected" has {outside[0]}, but the grid\'s combinations are numbered 0 to {size - 1}.')
    chosen = sorted(set(deselected))
    if len(chosen) == size:
        raise BadRequest("Every combination of the grid is deselected, so the job would make no runs.")
    return chosen


def selected(grid: Grid, deselected: list[int]) -> list[tuple[int, dict[str, dict[str, Any]]]]:
    """``(combination index, parameters)`` of the runs the grid makes."""
    skip = set(deselected)
    return [(i, c) for i, c in enumerate(combinations(grid)) if i not in skip]


def check_size(grid: Grid, limit: int) -> int:
    size = grid_size(grid)
    if limit and size > limit:
        raise BadRequest(f"The grid makes {size} runs, more than the limit of {limit} "
                         "(c.OrchestApp.max_grid_size); use fewer values.")
    return size


def default_grid(pipeline: dict) -> Grid:
    """Every parameter of the pipeline and its steps with its default as the only value."""
    grid: Grid = {}
    for owner in _owners(pipeline):
        defaults = (pipeline.get("parameters") if owner == PIPELINE_KEY
                    else (pipeline["steps"][owner] or {}).get("parameters"))
        if isinstance(defaults, dict) and defaults:
            grid[owner] = {name: [value] for name, value in defaults.items()}
    return grid


def prefill(pipeline: dict, pipeline_path: Path) -> Grid:
    """The defaults, with the lists of the pipeline's ``.parameters.json`` where it has one."""
    grid = default_grid(pipeline)
    path = parameters_file(pipeline_path)
    if not path.is_file():
        return grid
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BadRequest(f'"{path.name}" (the pipeline\'s parameters file) could not be read: {exc}') from None
    for owner, values in check_grid(pipeline, data, f'"{path.name}"').items():
        grid.setdefault(owner, {}).update(values)
    return {owner: grid[owner] for owner in _owners(pipeline) if owner in grid}


def reconcile(grid: Grid, pipeline: dict) -> tuple[Grid, list[str]]:
    """The grid fitted to a (changed) pipeline: parameters it no longer has are dropped, new ones
    come with their default; returns the grid and sentences saying what changed."""
    current = default_grid(pipeline)
    notes: list[str] = []
    for owner, names in grid.items():
        for name, values in names.items():
            if name in current.get(owner, {}):
                current[owner][name] = values
            else:
                notes.append(f'Parameter "{name}" of {_describe(pipeline, owner)} was dropped: the pipeline no '
                             "longer has it.")
    for owner, names in current.items():
        for name in names:
            if name not in grid.get(owner, {}):
                notes.append(f'Parameter "{name}" of {_describe(pipeline, owner)} was added with its default.')
    return current, notes
