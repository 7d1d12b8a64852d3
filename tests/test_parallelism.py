"""max_steps_parallelism: 0 means no limit (as the editor and Orchest say); the CPU count is a
separate choice of the server's configuration (c.OrchestApp.max_parallel_steps = "cpus")."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from traitlets.config import Config

from orchest_jlab.engine import Engine, LocalBackend
from orchest_jlab.services import Services
from orchest_jlab.settings import OrchestSettings

from .engine_helpers import Harness

# Each step records when it started, then waits until ``expected`` steps have started (or 60 s
# passed: a bound for a failing test only), then records when it ended. With enough parallelism
# every step sees the others start; with less, the first ones wait out the bound alone.
BARRIER_STEP = """\
import os, pathlib, time
here = pathlib.Path("marks")
here.mkdir(exist_ok=True)
me = here / f"{os.getpid()}"
me.with_suffix(".start").write_text(repr(time.time()))
deadline = time.monotonic() + 60
while len(list(here.glob("*.start"))) < EXPECTED and time.monotonic() < deadline:
    time.sleep(0.02)
me.with_suffix(".end").write_text(repr(time.time()))
"""

SHORT_STEP = """\
import os, pathlib, time
here = pathlib.Path("marks")
here.mkdir(exist_ok=True)
me = here / f"{os.getpid()}"
me.with_suffix(".start").write_text(repr(time.time()))
time.sleep(0.3)
me.with_suffix(".end").write_text(repr(time.time()))
"""


def fan_out(project, count: int, parallelism: int, body: str) -> Path:
    env = project.environment()
    steps = []
    for i in range(count):
        project.file(f"s{i}.py", body.replace("EXPECTED", str(count)))
        steps.append(project.step(f"s{i}", f"s{i}.py", env))
    data = project.pipeline(*steps)
    data["settings"]["max_steps_parallelism"] = parallelism
    return project.write("fan.orchest", data)


def spans(root: Path) -> list[tuple[float, float]]:
    marks = root / "marks"
    return [(float(p.read_text()), float(p.with_suffix(".end").read_text())) for p in marks.glob("*.start")]


def most_at_once(intervals: list[tuple[float, float]]) -> int:
    """The largest number of intervals that overlap at one moment."""
    edges = sorted([(start, 1) for start, _ in intervals] + [(end, -1) for _, end in intervals])
    running = best = 0
    for _, change in edges:
        running += change
        best = max(best, running)
    return best


@pytest.fixture
def harness(jp_asyncio_loop):
    made = []

    def make(max_parallel_steps=None) -> Harness:
        h = Harness()
        h.engine = Engine(h.bus, LocalBackend(), max_parallel_steps=max_parallel_steps)
        made.append(h)
        return h

    yield make
    for h in made:
        jp_asyncio_loop.run_until_complete(h.close())


async def test_zero_means_no_limit_eight_steps_run_at_once(harness, project):
    path = fan_out(project, 8, 0, BARRIER_STEP)
    record = await harness().run(path)
    assert record["status"] == "SUCCESS", record
    intervals = spans(project.root)
    assert len(intervals) == 8
    # Every step started before any step ended: all eight ran at the same time.
    assert max(start for start, _ in intervals) < min(end for _, end in intervals)
    assert most_at_once(intervals) == 8


async def test_the_pipeline_limit_holds(harness, project):
    path = fan_out(project, 5, 2, SHORT_STEP)
    record = await harness().run(path)
    assert record["status"] == "SUCCESS"
    assert most_at_once(spans(project.root)) <= 2


async def test_the_server_cap_applies_to_a_pipeline_without_limit(harness, project):
    path = fan_out(project, 5, 0, SHORT_STEP)
    record = await harness(max_parallel_steps=2).run(path)
    assert record["status"] == "SUCCESS"
    assert most_at_once(spans(project.root)) <= 2


async def test_the_smaller_of_pipeline_limit_and_server_cap_wins(harness, project):
    path = fan_out(project, 4, 1, SHORT_STEP)
    record = await harness(max_parallel_steps=3).run(path)
    assert record["status"] == "SUCCESS"
    assert most_at_once(spans(project.root)) == 1


@pytest.mark.parametrize(("value", "cap"), [(0, None), (3, 3), ("cpus", os.cpu_count() or 1)])
def test_max_parallel_steps_setting_reaches_the_engine(tmp_path, value, cap):
    config = Config()
    config.OrchestSettings.max_parallel_steps = value
    config.OrchestSettings.backend = "local"
    services = Services(OrchestSettings(config=config), tmp_path)
    assert services.engine.max_parallel_steps == cap
    services.stores.close()


def test_max_parallel_steps_refuses_other_values():
    config = Config()
    config.OrchestSettings.max_parallel_steps = -1
    with pytest.raises(Exception, match="max_parallel_steps"):
        OrchestSettings(config=config).max_parallel_steps  # noqa: B018
