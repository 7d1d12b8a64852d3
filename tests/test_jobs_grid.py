"""Parameter grids and schedules: the pure parts of jobs (no engine, no server)."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime, timedelta, timezone

import pytest

from orchest_jlab.errors import BadRequest
from orchest_jlab.jobs import ManualClock
from orchest_jlab.jobs import grid as grids
from orchest_jlab.jobs.schedule import Schedule, iso, parse_schedule

S1, S2 = "11111111-1111-4111-8111-111111111111", "22222222-2222-4222-8222-222222222222"
PIPELINE = {"parameters": {"x": 1, "flag": False},
            "steps": {S1: {"title": "One", "parameters": {"a": 1, "b": "t"}}, S2: {"title": "Two", "parameters": {}}}}
NOW = datetime(2030, 1, 7, 12, 1, tzinfo=timezone.utc)


def test_the_grid_is_the_product_in_a_fixed_order():
    grid = grids.check_grid(PIPELINE, {S1: {"b": ["u", "v", "w"]}, "pipeline_parameters": {"x": [1, 2]}})
    assert list(grid) == ["pipeline_parameters", S1]  # the pipeline's first, then the steps in file order
    assert grids.grid_size(grid) == 6
    assert [(c["pipeline_parameters"]["x"], c[S1]["b"]) for c in grids.combinations(grid)] == [
        (1, "u"), (1, "v"), (1, "w"), (2, "u"), (2, "v"), (2, "w")]
    assert [i for i, _ in grids.selected(grid, [0, 5])] == [1, 2, 3, 4]
    assert grids.grid_size({}) == 1 and list(grids.combinations({})) == [{}]


@pytest.mark.parametrize("grid, words", [
    ({"pipeline_parameters": {"x": 1}}, 'Parameter "x" of the pipeline must be a list of values, not 1.'),
    ({S1: {"a": "abc"}}, 'Parameter "a" of step "One" must be a list'),
    ({"pipeline_parameters": {"x": []}}, "empty list of values, so the grid makes no runs"),
    ({"pipeline_parameters": {"zz": [1]}}, "The pipeline has no parameter(s) 'zz'"),
    ({S2: {"a": [1]}}, "Step \"Two\" has no parameter(s) 'a'"),
    ({"nope": {"a": [1]}}, 'The pipeline has no step "nope"'),
    ([], "must be an object of objects of lists"),
    ({"pipeline_parameters": [1]}, "must be an object of objects of lists"),
])
def test_bad_grids(grid, words):
    with pytest.raises(BadRequest) as info:
        grids.check_grid(PIPELINE, grid)
    assert words in info.value.message


def test_every_problem_of_a_grid_is_listed():
    with pytest.raises(BadRequest) as info:
        grids.check_grid(PIPELINE, {"pipeline_parameters": {"x": 1, "flag": []}, "nope": {}})
    assert "(and 2 more problems)" in info.value.message
    assert [e["pointer"] for e in info.value.errors] == ["/pipeline_parameters/x", "/pipeline_parameters/flag", "/nope"]


def test_deselection_and_the_size_cap():
    assert grids.check_deselected([3, 1, 1], 4) == [1, 3]
    for bad, words in [([4], "numbered 0 to 3"), ([True], "whole numbers"), ("1", "list"), ([0, 1, 2, 3], "Every")]:
        with pytest.raises(BadRequest, match=words):
            grids.check_deselected(bad, 4)
    big = {"pipeline_parameters": {"x": list(range(40)), "flag": list(range(30))}}
    assert grids.check_size(big, 0) == 1200  # 0: no cap
    with pytest.raises(BadRequest, match="makes 1200 runs, more than the limit of 1000"):
        grids.check_size(big, 1000)


def test_prefill_from_the_parameters_file(tmp_path):
    path = tmp_path / "p.orchest"
    assert grids.parameters_file(path).name == "p.parameters.json"
    assert grids.prefill(PIPELINE, path) == {"pipeline_parameters": {"x": [1], "flag": [False]}, S1: {"a": [1], "b": ["t"]}}
    grids.parameters_file(path).write_text(json.dumps({S1: {"a": [1, 2, 3]}, "pipeline_parameters": {"flag": [True, False]}}))
    assert grids.prefill(PIPELINE, path) == {"pipeline_parameters": {"x": [1], "flag": [True, False]}, S1: {"a": [1, 2, 3], "b": ["t"]}}
    grids.parameters_file(path).write_text("{oops")
    with pytest.raises(BadRequest, match="could not be read"):
        grids.prefill(PIPELINE, path)


def test_reconcile_keeps_what_the_pipeline_still_has():
    old = {"pipeline_parameters": {"x": [1, 2], "gone": [0]}, S1: {"a": [5, 6]}, "removed-step": {"q": [1]}}
    grid, notes = grids.reconcile(old, PIPELINE)
    assert grid == {"pipeline_parameters": {"x": [1, 2], "flag": [False]}, S1: {"a": [5, 6], "b": ["t"]}}
    assert len(notes) == 4 and any('"gone"' in n and "dropped" in n for n in notes)
    assert any('"flag"' in n and "added" in n for n in notes)


def test_schedules():
    assert parse_schedule(None, NOW) == Schedule("now")
    once = parse_schedule({"kind": "once", "at": "2030-01-07T14:00:00", "timezone": "Europe/Amsterdam"}, NOW)
    assert iso(once.at) == "2030-01-07T13:00:00.000+00:00"  # a time without an offset is in the time zone
    assert once.next_after(NOW) == once.at and once.next_after(once.at) is None
    cron = parse_schedule({"kind": "cron", "cron": " */15  * * * * "}, NOW)
    assert cron.cron == "*/15 * * * *" and cron.next_after(NOW) == NOW.replace(minute=15)
    assert cron.due(NOW.replace(minute=15), NOW.replace(hour=13, minute=10)) == (4, NOW.replace(minute=0, hour=13))
    assert Schedule.from_json(cron.to_json()) == cron
    assert parse_schedule({"kind": "cron", "cron": "@daily"}, NOW).next_after(NOW) == datetime(2030, 1, 8, tzinfo=timezone.utc)
    # Across a change to summer time, cron times stay on the wall clock of the time zone.
    dst = Schedule("cron", cron="30 9 * * *", timezone="Europe/Amsterdam")
    before = datetime(2030, 3, 30, 12, tzinfo=timezone.utc)
    assert dst.next_after(before) == datetime(2030, 3, 31, 7, 30, tzinfo=timezone.utc)


def test_the_manual_clock_wakes_sleepers_when_moved():
    async def scenario():
        clock = ManualClock(NOW)
        woke = []
        sleeper = asyncio.ensure_future(clock.sleep(60))
        sleeper.add_done_callback(lambda _: woke.append(clock.now()))
        await asyncio.sleep(0)
        clock.advance(seconds=59)
        await asyncio.sleep(0)
        assert not woke
        clock.advance(seconds=1)
        await asyncio.sleep(0)
        await asyncio.sleep(0)
        assert woke == [NOW + timedelta(seconds=60)]
    asyncio.run(scenario())
