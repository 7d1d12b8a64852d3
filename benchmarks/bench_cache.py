"""Speed of the step cache: a 100-step chain of .py steps that each read their input and pass on an
output (the step SDK), run with the cache.

Per round: the cache cleared, a run that fills it (every step runs and keeps an entry), then the
same run again, fully cached (every step's output restored from its entry). Figures: the median
over the rounds with its spread (``timing.py``); the cached run as a ratio of the first (target: at
most 0.10x), and the first against a run without the cache (what keeping entries costs).

Run: ``python benchmarks/bench_cache.py [--quick]``.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_engine import write_chain  # noqa: E402
from timing import ROUNDS, figure, ratio_text  # noqa: E402

from orchest_jlab.engine import Engine, EventBus, LocalBackend  # noqa: E402
from orchest_jlab.engine.cache import StepCache  # noqa: E402
from orchest_jlab.pipelines import read_pipeline  # noqa: E402
from orchest_jlab.runs import prepare_run  # noqa: E402
from orchest_jlab.store import RunStores  # noqa: E402

STEP = """import orchest
values = [v for vs in orchest.get_inputs().values() for v in (vs if isinstance(vs, list) else [vs])]
orchest.output((values[0] if values else 0) + 1)
"""


async def engine_run(path: Path, cache: bool, expect_cached: bool | None = None) -> float:
    bus = EventBus()
    stores = RunStores()
    stores.listen(bus)
    engine = Engine(bus, LocalBackend())
    request = prepare_run(path, cache=cache)
    start = time.perf_counter()
    run = engine.start(request)
    await engine.wait(run.uuid)
    elapsed = time.perf_counter() - start
    assert run.status.value == "SUCCESS", run.to_json()
    if expect_cached is not None:
        assert all((s.cached_from is not None) == expect_cached for s in run.steps.values()), run.to_json()
    await engine.shutdown()
    stores.close()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="fewer steps (a smoke test of the benchmark)")
    args = parser.parse_args()
    count = 20 if args.quick else 100
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "chain"
        folder.mkdir()
        path = write_chain(folder, count, ".py", body=STEP)
        cache = StepCache(folder, read_pipeline(path).data["uuid"])
        asyncio.run(engine_run(path, False))  # warm-up: imports, the database made
        times: dict[str, list[float]] = {"without the cache": [], "first run (fills the cache)": [],
                                         "second run (fully cached)": []}
        for _ in range(ROUNDS):
            times["without the cache"].append(asyncio.run(engine_run(path, False)))
            cache.clear()
            times["first run (fills the cache)"].append(asyncio.run(engine_run(path, True, expect_cached=False)))
            times["second run (fully cached)"].append(asyncio.run(engine_run(path, True, expect_cached=True)))
        print(f"step cache: {count}-step chain of .py steps passing data")
        first = times["first run (fills the cache)"]
        for name, samples in times.items():
            print(f"  {name:<28}  {figure(samples, 's')}", flush=True)
        print(f"  second / first: {ratio_text(times['second run (fully cached)'], first, 0.10)}")
        print(f"  first / without the cache: {ratio_text(first, times['without the cache'])}")


if __name__ == "__main__":
    main()
