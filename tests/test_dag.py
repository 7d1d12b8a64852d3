"""DAG operations and run-type resolution (full / selection / incoming) on a chain and a diamond."""

import pytest

from orchest_jlab.pipelines import (
    CycleError,
    ancestors,
    descendants,
    graph_of,
    induced_subgraph,
    resolve_run,
    topological_order,
)

CHAIN = {"a": [], "b": ["a"], "c": ["b"], "d": ["c"]}
#      top
#     /   \
#  left   right
#     \   /
#     bottom
DIAMOND = {"bottom": ["left", "right"], "left": ["top"], "right": ["top"], "top": []}


def respects_dependencies(graph, order):
    position = {s: i for i, s in enumerate(order)}
    return all(position[p] < position[s] for s in order for p in graph[s] if p in position)


def test_topological_order_of_a_chain():
    assert topological_order(CHAIN) == ["a", "b", "c", "d"]


def test_topological_order_of_a_diamond_keeps_the_file_order_for_ties():
    order = topological_order(DIAMOND)
    assert order == ["top", "left", "right", "bottom"]
    assert respects_dependencies(DIAMOND, order)


def test_cycle_raises_with_the_cycle_in_flow_order():
    with pytest.raises(CycleError) as info:
        topological_order({"a": ["c"], "b": ["a"], "c": ["b"], "x": []})
    cycle = info.value.cycle
    assert cycle[0] == cycle[-1] and set(cycle) == {"a", "b", "c"}
    graph = {"a": ["c"], "b": ["a"], "c": ["b"]}
    assert all(parent in graph[child] for parent, child in zip(cycle, cycle[1:]))


def test_ancestors_and_descendants():
    assert ancestors(DIAMOND, ["bottom"]) == {"top", "left", "right"}
    assert ancestors(DIAMOND, ["left"]) == {"top"}
    assert descendants(DIAMOND, ["top"]) == {"left", "right", "bottom"}
    assert descendants(CHAIN, ["c"]) == {"d"}
    assert ancestors(CHAIN, ["a"]) == set()


def test_induced_subgraph_keeps_only_inner_connections():
    assert induced_subgraph(DIAMOND, ["top", "bottom"]) == {"bottom": [], "top": []}
    assert induced_subgraph(CHAIN, ["b", "c"]) == {"b": [], "c": ["b"]}


@pytest.mark.parametrize(
    "graph, run_type, selection, expected",
    [
        (CHAIN, "full", [], ["a", "b", "c", "d"]),
        (CHAIN, "selection", ["c", "a"], ["a", "c"]),
        (CHAIN, "incoming", ["c"], ["a", "b"]),
        (CHAIN, "incoming", ["a"], []),
        (CHAIN, "incoming", ["b", "d"], ["a", "c"]),  # b is an ancestor of d but was chosen: excluded
        (DIAMOND, "full", [], ["top", "left", "right", "bottom"]),
        (DIAMOND, "selection", ["bottom", "left"], ["left", "bottom"]),
        (DIAMOND, "incoming", ["bottom"], ["top", "left", "right"]),
        (DIAMOND, "incoming", ["left", "right"], ["top"]),
        (DIAMOND, "selection", ["top"], ["top"]),
    ],
)
def test_resolve_run(graph, run_type, selection, expected):
    assert resolve_run(graph, run_type, selection) == expected


@pytest.mark.parametrize(
    "run_type, selection, error",
    [
        ("selection", [], ValueError),
        ("incoming", [], ValueError),
        ("partial", ["a"], ValueError),
        ("selection", ["zzz"], KeyError),
    ],
)
def test_resolve_run_refuses_bad_requests(run_type, selection, error):
    with pytest.raises(error):
        resolve_run(CHAIN, run_type, selection)


def test_graph_of_a_document_ignores_broken_parts():
    data = {"steps": {"a": {"incoming_connections": ["b", "ghost", 3, "b"]}, "b": {}, "c": "broken"}}
    assert graph_of(data) == {"a": ["b"], "b": [], "c": []}
    assert graph_of({"steps": []}) == {}
