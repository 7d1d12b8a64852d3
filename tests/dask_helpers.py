"""A real Dask cluster on loopback for the dask backend's tests: a ``dask scheduler`` and worker
processes (``dask worker``, no nanny: a killed worker stays dead), each worker with its own working
and local directory, so that nothing is shared through the file system. Workers see no Docker engine
(their steps run on their host) unless a cluster is made with ``docker=True``."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

DASK = str(Path(sys.executable).with_name("dask"))
NO_DOCKER = "unix:///nonexistent/docker.sock"  # a worker's DOCKER_HOST where it is to have no engine


def _wait_for(check, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.1)
    raise TimeoutError(f"{what} within {timeout} s")


class Cluster:
    def __init__(self, root: Path, workers: int = 2, threads: int = 2, resources: dict[int, str] | None = None,
                 dashboard: bool = False, docker: bool = False):
        """``resources``: a worker's Dask resources by its index, e.g. ``{0: "GPU=1"}``; ``dashboard``:
        the scheduler serves its HTTP routes (the dashboard, /health) on a free loopback port."""
        self.root = root
        self.threads = threads
        self.resources = resources or {}
        self.docker = docker
        root.mkdir(parents=True, exist_ok=True)
        self.scheduler_file = root / "scheduler.json"
        self.scheduler = subprocess.Popen(
            [DASK, "scheduler", "--host", "127.0.0.1", "--port", "0",
             *(["--dashboard-address", "127.0.0.1:0"] if dashboard else ["--no-dashboard"]),
             "--scheduler-file", str(self.scheduler_file)],
            cwd=root, stdout=subprocess.DEVNULL, stderr=(root / "scheduler.log").open("w"))
        self.workers: dict[int, subprocess.Popen] = {}
        try:
            self.address = _wait_for(self._address, 30, "the scheduler did not start")
            for index in range(workers):
                self.start_worker(index)
            self.wait_for_workers(workers)
        except BaseException:  # nothing is left running
            self.close()
            raise

    def _address(self) -> str | None:
        try:
            return json.loads(self.scheduler_file.read_text())["address"]
        except (OSError, ValueError, KeyError):
            return None

    def start_worker(self, index: int) -> None:
        folder = self.root / f"worker-{index}"
        (folder / "local").mkdir(parents=True, exist_ok=True)
        self.workers[index] = subprocess.Popen(
            [DASK, "worker", self.address, "--no-nanny", "--nthreads", str(self.threads), "--no-dashboard",
             "--host", "127.0.0.1", "--local-directory", str(folder / "local"), "--name", f"worker-{index}",
             *(["--resources", self.resources[index]] if index in self.resources else [])],
            cwd=folder, stdout=subprocess.DEVNULL, stderr=(folder / "worker.log").open("a"),
            env=None if self.docker else {**os.environ, "DOCKER_HOST": NO_DOCKER})

    def worker_addresses(self) -> list[str]:
        from distributed import Client

        with Client(self.address, timeout=10) as client:
            return sorted(client.scheduler_info(n_workers=-1)["workers"])

    def wait_for_workers(self, count: int) -> list[str]:
        def joined():
            found = self.worker_addresses()
            return found if len(found) == count else None

        return _wait_for(joined, 30, f"{count} workers did not join")

    def worker_pid(self, pid: int) -> int | None:
        """The worker process that ``pid`` is (or descends from: a step's process is the child of the
        worker's step spawner)."""
        import psutil

        workers = {p.pid for p in self.workers.values()}
        with contextlib.suppress(psutil.NoSuchProcess):
            for process in [psutil.Process(pid), *psutil.Process(pid).parents()]:
                if process.pid in workers:
                    return process.pid
        return None

    def kill_worker_with_pid(self, pid: int) -> int:
        """SIGKILL the worker process ``pid``; returns its index."""
        [index] = [i for i, p in self.workers.items() if p.pid == pid]
        os.kill(pid, signal.SIGKILL)
        self.workers[index].wait(10)
        return index

    def stop_scheduler(self) -> None:
        self.scheduler.kill()
        self.scheduler.wait(10)

    def close(self) -> None:
        for process in [*self.workers.values(), self.scheduler]:
            if process.poll() is None:
                process.terminate()
        for process in [*self.workers.values(), self.scheduler]:
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
