"""Speed of the run engine, as ratios against baselines measured in the same run.

1. per-step overhead: a 100-step chain of trivial .py steps vs 100 bare interpreter starts of the
   same files, one after another (target: at most 1.3x);
2. notebook steps: a 20-step chain of one-cell notebooks vs the same notebooks run with nbclient one
   after another, each with a fresh kernel (target: faster than that);
3. fan-out: 16 independent steps that each sleep 1 s, max_steps_parallelism 16 (target: under 1.5 s).

Every figure: median of alternating rounds, with its spread (``timing.py``); the whole
``orchest-jlab run`` command beside the engine is in ``bench_cli.py``.
Run: ``python benchmarks/bench_engine.py [--quick]``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from timing import ROUNDS, alternate, ratio_text, report  # noqa: E402

from orchest_jlab.engine import Engine, EventBus, LocalBackend  # noqa: E402
from orchest_jlab.runs import prepare_run  # noqa: E402
from orchest_jlab.store import RunStores  # noqa: E402

NOTEBOOK = {"cells": [{"cell_type": "code", "execution_count": None, "id": "c0", "metadata": {}, "outputs": [],
                       "source": "x = 1 + 1"}],
            "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3"}},
            "nbformat": 4, "nbformat_minor": 5}


def write_chain(folder: Path, count: int, kind: str, parallel: bool = False, body: str = "pass\n") -> Path:
    env = str(uuid.uuid4())
    (folder / ".orchest" / "environments" / env).mkdir(parents=True)
    (folder / ".orchest" / "environments" / env / "properties.json").write_text(json.dumps({"name": "py"}))
    steps, previous = {}, []
    for i in range(count):
        name = f"s{i:03d}{kind}"
        (folder / name).write_text(json.dumps(NOTEBOOK) if kind == ".ipynb" else body)
        step_uuid = str(uuid.uuid4())
        steps[step_uuid] = {"uuid": step_uuid, "title": name, "file_path": name, "environment": env,
                            "incoming_connections": [] if parallel else previous, "parameters": {},
                            "kernel": {"name": "python", "display_name": "Python 3"}}
        previous = [step_uuid]
    pipeline = {"name": "bench", "uuid": str(uuid.uuid4()), "version": "1.0.0",
                "settings": {"max_steps_parallelism": count if parallel else 0}, "steps": steps}
    path = folder / "bench.orchest"
    path.write_text(json.dumps(pipeline, indent=4, sort_keys=True) + "\n")
    return path


async def engine_run(path: Path) -> float:
    bus = EventBus()
    stores = RunStores()
    stores.listen(bus)
    engine = Engine(bus, LocalBackend())
    request = prepare_run(path)
    start = time.perf_counter()
    run = engine.start(request)
    await engine.wait(run.uuid)
    elapsed = time.perf_counter() - start
    assert run.status.value == "SUCCESS", run.to_json()
    await engine.shutdown()
    stores.close()
    return elapsed


def bare_starts(folder: Path, count: int) -> float:
    start = time.perf_counter()
    for i in range(count):
        subprocess.run([sys.executable, str(folder / f"s{i:03d}.py")], cwd=folder, check=True)
    return time.perf_counter() - start


def nbclient_one_by_one(folder: Path, count: int) -> float:
    import nbformat
    from nbclient import NotebookClient

    start = time.perf_counter()
    for i in range(count):
        path = folder / f"s{i:03d}.ipynb"
        notebook = nbformat.read(path, as_version=4)
        NotebookClient(notebook, kernel_name="python3", resources={"metadata": {"path": str(folder)}}).execute()
        nbformat.write(notebook, path)
    return time.perf_counter() - start


def nbclient_warm_kernel(folder: Path, count: int) -> float:
    """The notebooks one after another in one kernel started beforehand (not timed): the floor of
    executing them, with no kernel start at all (and no fresh state per step, which steps get)."""
    import nbformat
    from jupyter_client.manager import start_new_kernel
    from nbclient import NotebookClient

    manager, client = start_new_kernel(kernel_name="python3", cwd=str(folder))
    try:
        start = time.perf_counter()
        for i in range(count):
            path = folder / f"s{i:03d}.ipynb"
            notebook = nbformat.read(path, as_version=4)
            runner = NotebookClient(notebook, km=manager, resources={"metadata": {"path": str(folder)}})
            runner.kc = client
            for index, cell in enumerate(notebook.cells):
                runner.execute_cell(cell, index)
            nbformat.write(notebook, path)
        return time.perf_counter() - start
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="fewer steps (a smoke test of the benchmark)")
    args = parser.parse_args()
    scripts, notebooks = (20, 5) if args.quick else (100, 20)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "scripts"
        folder.mkdir()
        path = write_chain(folder, scripts, ".py")
        report(f"per-step overhead: {scripts}-step chain of trivial .py steps", alternate({
            f"{scripts} bare interpreter starts": lambda: bare_starts(folder, scripts),
            "engine run": lambda: asyncio.run(engine_run(path)),
        }, ROUNDS), f"{scripts} bare interpreter starts", {"engine run": 1.3}, unit="s")

        folder = Path(tmp) / "notebooks"
        folder.mkdir()
        path = write_chain(folder, notebooks, ".ipynb")
        times = alternate({
            "nbclient one after another (cold kernels)": lambda: nbclient_one_by_one(folder, notebooks),
            "nbclient in one warm kernel": lambda: nbclient_warm_kernel(folder, notebooks),
            "engine run (kernel pool)": lambda: asyncio.run(engine_run(path)),
        }, ROUNDS, warmup=False)
        report(f"notebook steps: {notebooks}-step chain of one-cell notebooks", times,
               "nbclient one after another (cold kernels)", {"engine run (kernel pool)": 1.0}, unit="s")
        print(f"  engine run against the warm kernel: {ratio_text(times['engine run (kernel pool)'], times['nbclient in one warm kernel'])}")

        folder = Path(tmp) / "fan"
        folder.mkdir()
        path = write_chain(folder, 16, ".py", parallel=True, body="import time\ntime.sleep(1)\n")
        times = alternate({"engine run": lambda: asyncio.run(engine_run(path))}, ROUNDS, warmup=False)
        report("fan-out: 16 independent steps sleeping 1 s, max_steps_parallelism 16 (ideal 1.0 s, target < 1.5 s)",
               times, "engine run", unit="s")


if __name__ == "__main__":
    main()
