"""Graph operations on a pipeline's steps.

A graph maps each step uuid to the uuids of its parents (its ``incoming_connections``), in order.
Connections to steps that are not in the graph are ignored here; validation reports them.
"""

from __future__ import annotations

import graphlib
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Literal

Graph = Mapping[str, Sequence[str]]
RunType = Literal["full", "selection", "incoming"]
RUN_TYPES: tuple[RunType, ...] = ("full", "selection", "incoming")


class CycleError(ValueError):
    """The graph has a cycle; ``cycle`` lists its steps in the direction data flows, first = last."""

    def __init__(self, cycle: list[str]):
        super().__init__("steps form a cycle: " + " → ".join(cycle))
        self.cycle = cycle


def graph_of(pipeline: Mapping[str, Any]) -> dict[str, list[str]]:
    """The graph of a pipeline document, tolerating malformed steps (they have no parents)."""
    steps = pipeline.get("steps")
    if not isinstance(steps, dict):
        return {}
    graph: dict[str, list[str]] = {}
    for uuid, step in steps.items():
        incoming = step.get("incoming_connections") if isinstance(step, dict) else None
        parents = incoming if isinstance(incoming, list) else []
        graph[uuid] = list(dict.fromkeys(p for p in parents if isinstance(p, str) and p in steps))
    return graph


def topological_order(graph: Graph) -> list[str]:
    """Steps with every parent before its children; ties keep the graph's order. Raises CycleError."""
    sorter = _prepared_sorter(graph)
    rank = {uuid: i for i, uuid in enumerate(graph)}
    order: list[str] = []
    while sorter.is_active():
        ready = sorted(sorter.get_ready(), key=rank.__getitem__)
        order.extend(ready)
        sorter.done(*ready)
    return order


def _prepared_sorter(graph: Graph) -> graphlib.TopologicalSorter:
    sorter = graphlib.TopologicalSorter({u: [p for p in ps if p in graph] for u, ps in graph.items()})
    try:
        sorter.prepare()
    except graphlib.CycleError as exc:
        raise CycleError(list(exc.args[1])) from None
    return sorter


def find_cycle(graph: Graph) -> list[str] | None:
    try:
        _prepared_sorter(graph)  # finds a cycle if there is one; the order itself is not needed
    except CycleError as exc:
        return exc.cycle
    return None


def children_of(graph: Graph) -> dict[str, list[str]]:
    children: dict[str, list[str]] = {uuid: [] for uuid in graph}
    for uuid, parents in graph.items():
        for parent in parents:
            if parent in children:
                children[parent].append(uuid)
    return children


def _reachable(edges: Graph, start: Iterable[str]) -> set[str]:
    seen: set[str] = set()
    stack = [n for s in start for n in edges.get(s, ())]
    while stack:
        node = stack.pop()
        if node not in seen and node in edges:
            seen.add(node)
            stack.extend(edges[node])
    return seen


def ancestors(graph: Graph, steps: Iterable[str]) -> set[str]:
    """Every step that some step in ``steps`` depends on, directly or not (the steps themselves excluded
    unless one is an ancestor of another)."""
    return _reachable(graph, steps)


def descendants(graph: Graph, steps: Iterable[str]) -> set[str]:
    return _reachable(children_of(graph), steps)


def induced_subgraph(graph: Graph, steps: Iterable[str]) -> dict[str, list[str]]:
    """The chosen steps with only the connections between them, in the graph's order."""
    chosen = set(steps)
    return {u: [p for p in ps if p in chosen] for u, ps in graph.items() if u in chosen}


def resolve_run(graph: Graph, run_type: RunType, selection: Iterable[str] = ()) -> list[str]:
    """The steps a run of ``run_type`` executes, in an order that respects their dependencies.

    ``full``: every step. ``selection``: the chosen steps (their induced subgraph). ``incoming``: the
    ancestors of the chosen steps, excluding the chosen steps themselves.
    """
    chosen = list(dict.fromkeys(selection))
    unknown = [s for s in chosen if s not in graph]
    if unknown:
        raise KeyError(f"unknown step(s): {', '.join(unknown)}")
    if run_type == "full":
        members = set(graph)
    elif run_type == "selection":
        if not chosen:
            raise ValueError("a selection run needs at least one step")
        members = set(chosen)
    elif run_type == "incoming":
        if not chosen:
            raise ValueError("an incoming run needs at least one step")
        members = ancestors(graph, chosen) - set(chosen)
    else:
        raise ValueError(f"unknown run type {run_type!r}; expected one of {', '.join(RUN_TYPES)}")
    return topological_order(induced_subgraph(graph, members))
