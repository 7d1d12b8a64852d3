"""Speed of jobs: scheduler overhead, and the REST API's latency while a big job runs.

1. overhead: a 500-run grid of a 2-step pipeline (trivial .py steps), max_concurrent_runs 4, through
   the job service, vs the same 500 runs (same parameters, same snapshot copying) started directly
   on the engine, 4 at a time (target: close to 1x);
2. REST latency: the same job on a real `jupyter server` (a subprocess, token auth); while it runs,
   GET /orchest/api/jobs and GET /orchest/api/jobs/<uuid> one after another; p50 / p99 (target p99
   under 100 ms).

Every figure: median of alternating rounds, with its spread (``timing.py``); the latencies are each
round's p50 and p99, their median over the rounds. Run: ``python benchmarks/bench_jobs.py [--runs N]
[--rounds N]``.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from timing import ROUNDS, alternate, figure, report  # noqa: E402

from orchest_jlab.engine import Engine, EventBus, LocalBackend  # noqa: E402
from orchest_jlab.engine.snapshots import make_snapshot  # noqa: E402
from orchest_jlab.jobs import JobService  # noqa: E402
from orchest_jlab.jobs.grid import combinations  # noqa: E402
from orchest_jlab.runs import prepare_run  # noqa: E402
from orchest_jlab.store import RunStores  # noqa: E402
from orchest_jlab.workspace import Workspace  # noqa: E402

CONCURRENCY = 4


def write_project(folder: Path) -> Path:
    env = str(uuid.uuid4())
    (folder / ".orchest" / "environments" / env).mkdir(parents=True)
    (folder / ".orchest" / "environments" / env / "properties.json").write_text(json.dumps({"name": "py"}))
    (folder / "a.py").write_text("x = 1\n")
    (folder / "b.py").write_text("y = 2\n")
    a, b = str(uuid.uuid4()), str(uuid.uuid4())
    step = {"environment": env, "parameters": {}, "kernel": {"name": "python", "display_name": "Python 3"}}
    pipeline = {"name": "bench", "uuid": str(uuid.uuid4()), "version": "1.0.0", "parameters": {"x": 0},
                "settings": {"max_steps_parallelism": 0}, "steps": {
                    a: {**step, "uuid": a, "title": "a", "file_path": "a.py", "incoming_connections": []},
                    b: {**step, "uuid": b, "title": "b", "file_path": "b.py", "incoming_connections": [a]}}}
    path = folder / "bench.orchest"
    path.write_text(json.dumps(pipeline, indent=4, sort_keys=True) + "\n")
    return path


def grid(runs: int) -> dict:
    return {"pipeline_parameters": {"x": list(range(runs))}}


async def direct(path: Path, runs: int) -> float:
    """The same runs on the engine, without jobs: a snapshot made once, each run copies it."""
    bus, stores = EventBus(), RunStores()
    stores.listen(bus)
    engine = Engine(bus, LocalBackend())
    base = prepare_run(path, interactive=False)
    folder = path.parent / ".orchest" / "jobs" / "direct"  # where a job keeps its snapshot and runs
    start = time.perf_counter()
    make_snapshot(path.parent, folder / "snapshot", None)
    slots = asyncio.Semaphore(CONCURRENCY)

    async def one(parameters):
        async with slots:
            run = engine.start(dataclasses.replace(base, parameters=parameters, snapshot_source=folder / "snapshot",
                                                   runs_dir=folder / "runs"))
            await engine.wait(run.uuid)
            assert run.status.value == "SUCCESS", run.to_json()

    await asyncio.gather(*(one(p) for p in combinations(grid(runs))))
    elapsed = time.perf_counter() - start
    await engine.shutdown()
    stores.close()
    return elapsed


async def through_jobs(path: Path, runs: int) -> float:
    bus, stores = EventBus(), RunStores()
    stores.listen(bus)
    engine = Engine(bus, LocalBackend())
    service = JobService(Workspace(path.parent), engine, stores, bus, max_concurrent_runs=CONCURRENCY)
    start = time.perf_counter()
    job = await service.create({"pipeline": path.name, "parameters": grid(runs)})
    service.start(job["uuid"])
    job = await service.wait(job["uuid"])
    elapsed = time.perf_counter() - start
    assert job["status"] == "SUCCESS" and job["counts"] == {"SUCCESS": runs}, job["counts"]
    await service.shutdown()
    await engine.shutdown()
    stores.close()
    return elapsed


# --- REST latency against a real server ----------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Client:
    def __init__(self, port: int, token: str):
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.headers = {"Authorization": f"token {token}", "Content-Type": "application/json"}

    def call(self, method: str, path: str, body=None) -> tuple[int, dict, float]:
        start = time.perf_counter()
        self.connection.request(method, f"/orchest/api/{path}", body=None if body is None else json.dumps(body),
                                headers=self.headers)
        response = self.connection.getresponse()
        data = response.read()
        elapsed = time.perf_counter() - start
        return response.status, json.loads(data) if data else {}, elapsed


def start_server(root: Path, port: int, token: str) -> subprocess.Popen:
    config = root.parent / "jupyter_server_config.json"
    config.write_text(json.dumps({"ServerApp": {"jpserver_extensions": {"orchest_jlab": True}},
                                  "OrchestApp": {"max_concurrent_runs": CONCURRENCY, "backend": "local"}}))
    command = [sys.executable, "-m", "jupyter_server", f"--config={config}", f"--port={port}", "--no-browser",
               "--allow-root", f"--ServerApp.root_dir={root}", f"--IdentityProvider.token={token}",
               "--ServerApp.port_retries=0"]
    env = dict(os.environ, JUPYTER_RUNTIME_DIR=str(root.parent / "runtime"), JUPYTER_DATA_DIR=str(root.parent / "data"))
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    for _ in range(300):
        try:
            Client(port, token).call("GET", "jobs")
            return server
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise RuntimeError("the server did not start")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def rest_latency(path: Path, runs: int) -> tuple[float, dict[str, list[float]]]:
    token, port = uuid.uuid4().hex, free_port()
    server = start_server(path.parent, port, token)
    try:
        client = Client(port, token)
        start = time.perf_counter()
        _, job, _ = client.call("POST", "jobs", {"pipeline": path.name, "parameters": grid(runs)})
        status, job, _ = client.call("POST", f"jobs/{job['uuid']}/start", {})
        assert status == 200, job
        samples: dict[str, list[float]] = {"GET jobs": [], "GET jobs/<uuid>": []}
        while True:
            _, _, elapsed = client.call("GET", "jobs")
            samples["GET jobs"].append(elapsed)
            _, current, elapsed = client.call("GET", f"jobs/{job['uuid']}")
            samples["GET jobs/<uuid>"].append(elapsed)
            if current["status"] in ("SUCCESS", "FAILURE", "ABORTED"):
                break
            time.sleep(0.02)
        total = time.perf_counter() - start
        assert current["status"] == "SUCCESS", current["counts"]
        return total, samples
    finally:
        server.terminate()
        try:
            server.wait(20)
        except subprocess.TimeoutExpired:
            server.kill()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=500, help="runs in the job's grid")
    parser.add_argument("--rounds", type=int, default=ROUNDS, help="alternating rounds (at least 5)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        made = iter(range(1_000_000))

        def fresh(name: str) -> Path:  # every call on a project of its own: no round reuses another's runs
            folder = Path(tmp) / f"{name}-{next(made)}" / "project"
            folder.mkdir(parents=True)
            return write_project(folder)

        print(f"scheduler overhead: {args.runs}-run grid of a 2-step pipeline, {CONCURRENCY} runs at a time")
        report("  (seconds for the whole grid)", alternate({
            "runs started directly on the engine": lambda: asyncio.run(direct(fresh("direct"), args.runs)),
            "the same grid as a job": lambda: asyncio.run(through_jobs(fresh("jobs"), args.runs)),
        }, args.rounds, warmup=False), "runs started directly on the engine", unit="s")

        p50: dict[str, list[float]] = {}
        p99: dict[str, list[float]] = {}
        totals = []
        for _ in range(max(args.rounds, ROUNDS)):  # one server and one job per round
            total, samples = rest_latency(fresh("server"), args.runs)
            totals.append(total)
            for name, values in samples.items():
                p50.setdefault(name, []).append(statistics.median(values))
                p99.setdefault(name, []).append(percentile(values, 99))
        print(f"REST API while the job runs on a jupyter server (the job: {figure(totals, 's')}); "
              "per round p50 and p99 of the requests, median over the rounds (target p99 < 100 ms)")
        for name in p50:
            print(f"  {name:<16} p50 {figure(p50[name])}  p99 {figure(p99[name])}")


if __name__ == "__main__":
    threading.stack_size(0)
    main()
