"""A chatty step and a big pipeline against a real ``jupyter server`` (a subprocess, token auth), as
ratios against baselines measured in the same run (issue 11, items 1 and 3).

1. a step printing 500k lines of 100 B with one websocket client that never reads (a raw socket
   after the handshake), and with one that reads slowly (64 KiB every 50 ms, about 1.3 MB/s, and
   connects again when the server cuts it off), vs the same run with no client: the run's time
   (from its record, created to finished; target at most 1.5x), the server's CPU time over the run
   (user + system: what a client costs the server, less swayed than the run's time by other load on
   the machine) and the server's peak RSS (target under 300 MB);
2. ``GET /api/status`` (Jupyter's own) p99 while a 5,000-step pipeline is listed (its file touched
   before each listing, so it is parsed and validated again, not served from the cache) and while
   the chatty step prints to the idle client and to the slow one, vs the same requests to an idle
   server (target under 50 ms);
3. what the listing costs a server's event loop, in this process: the lateness of a 2 ms sleep
   (p99 and max over 3 s) while a thread lists the 5,000-step pipeline again and again, with the
   file summarized in that thread vs in the workspace's worker process (``Workspace.off_process``).

Every figure is the median of ``--rounds`` (at least 5) alternating rounds, with the spread
(min-max). Run: ``make bench`` or ``python benchmarks/bench_events.py [--rounds N]``.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
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
from datetime import datetime
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_jobs import Client, free_port, percentile, start_server  # noqa: E402  (the same server, token auth)

LINES = 500_000


def write_project(root: Path) -> None:
    env = str(uuid.uuid4())
    folder = root / ".orchest" / "environments" / env
    folder.mkdir(parents=True)
    (folder / "properties.json").write_text(json.dumps(
        {"uuid": env, "name": "py", "language": "python", "base_image": "x", "gpu_support": False}))
    (root / "chatty.py").write_text("import sys\nline = 'x' * 99 + '\\n'\n"
                                    f"for i in range({LINES}):\n    sys.stdout.write(line)\n")
    (root / "s.py").write_text("pass\n")

    def step(title, file_path, incoming):
        return {"uuid": str(uuid.uuid4()), "title": title, "file_path": file_path, "incoming_connections": incoming,
                "environment": env, "parameters": {}, "kernel": {"name": "python", "display_name": "Python 3"},
                "meta_data": {"hidden": False, "position": [0, 0]}}

    def pipeline(name, steps):
        return {"name": name, "uuid": str(uuid.uuid4()), "version": "1.0.0", "parameters": {}, "services": {},
                "settings": {"auto_eviction": False, "data_passing_memory_size": "1GB", "max_steps_parallelism": 0},
                "steps": {s["uuid"]: s for s in steps}}

    chatty = step("chatty", "chatty.py", [])
    (root / "chatty.orchest").write_text(json.dumps(pipeline("chatty", [chatty]), indent=4))
    steps, previous = [], []
    for i in range(5000):
        steps.append(step(f"step {i}", "s.py", previous))
        previous = [steps[-1]["uuid"]]
    (root / "big").mkdir()
    (root / "big" / "big.orchest").write_text(json.dumps(pipeline("big", steps), indent=4, sort_keys=True))
    (root / "big" / "s.py").write_text("pass\n")


def listing_lag(root: Path, off_process: bool, seconds: float = 3.0) -> tuple[float, float]:
    """p99 and max (ms) of how late a 2 ms sleep wakes up while a thread lists the big pipeline
    again and again (its file touched each time): the GIL held against a loop, here."""
    from orchest_jlab.workspace import Workspace

    workspace = Workspace(root, off_process=off_process)
    big = root / "big" / "big.orchest"
    workspace.list_pipelines()  # the worker process started
    stop, touches = threading.Event(), [0]

    def list_again():
        while not stop.is_set():
            old = time.time() - 7200 - touches[0]
            touches[0] += 1
            os.utime(big, (old, old))
            workspace.list_pipelines()

    thread = threading.Thread(target=list_again)
    thread.start()
    lags, end = [], time.monotonic() + seconds
    while time.monotonic() < end:
        start = time.perf_counter()
        time.sleep(0.002)
        lags.append((time.perf_counter() - start - 0.002) * 1000)
    stop.set()
    thread.join()
    workspace.close()
    return percentile(lags, 99), max(lags)


def idle_websocket(port: int, token: str) -> socket.socket:
    """A websocket client that completes the handshake and then never reads a byte."""
    sock = socket.create_connection(("127.0.0.1", port))
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 64 * 1024)
    key = base64.b64encode(os.urandom(16)).decode()
    sock.sendall((f"GET /orchest/api/events HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
                  f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
                  f"Authorization: token {token}\r\n\r\n").encode())
    answer = b""
    while b"\r\n\r\n" not in answer:
        answer += sock.recv(1)
    assert answer.startswith(b"HTTP/1.1 101"), answer
    return sock


class SlowReader:
    """A websocket client that reads 64 KiB every 50 ms, and connects again when cut off."""

    def __init__(self, port: int, token: str):
        self.where = (port, token)
        self.reconnects = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._sock = self._connect()
        self._thread.start()

    def _connect(self) -> socket.socket:
        sock = idle_websocket(*self.where)
        sock.settimeout(0.5)  # so that ``close`` is not kept waiting by a quiet server
        return sock

    def _read(self) -> None:
        while not self._stop.is_set():
            try:
                data = self._sock.recv(64 * 1024)
            except socket.timeout:
                continue
            except OSError:
                data = b""
            if not data and not self._stop.is_set():  # cut off (it fell behind): a new connection
                self._sock.close()
                self._sock = self._connect()
                self.reconnects += 1
            time.sleep(0.05)

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        self._sock.close()


def call(client: Client, method: str, path: str, body=None) -> tuple[int, dict, float]:
    """A request to any path of the server (``Client.call`` adds ``/orchest/api/``)."""
    start = time.perf_counter()
    client.connection.request(method, path, body=None if body is None else json.dumps(body), headers=client.headers)
    response = client.connection.getresponse()
    data = response.read()
    return response.status, json.loads(data) if data[:1] in (b"{", b"[") else {}, time.perf_counter() - start


class StatusProbe:
    """``GET /api/status`` one after another (10 ms apart) from a thread, and the server's peak RSS."""

    def __init__(self, port: int, token: str, server: psutil.Process):
        self.client, self.server = Client(port, token), server
        self.latencies: list[float] = []
        self.peak_rss = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._probe, daemon=True)

    def _probe(self) -> None:
        while not self._stop.is_set():
            self.latencies.append(call(self.client, "GET", "/api/status")[2])
            self.peak_rss = max(self.peak_rss, self.server.memory_info().rss)
            time.sleep(0.01)

    def __enter__(self) -> StatusProbe:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


def chatty_run(client: Client, probe_args, idle_client_of: tuple[int, str] | None,
               slow: bool = False) -> tuple[float, float, float, float]:
    """(run seconds from its record, server peak RSS in MB, status p99 in ms, server CPU seconds
    from the run's start to its end seen); with the client of ``idle_client_of`` (port, token)
    never reading, or reading slowly (``slow``)."""
    sock = (SlowReader if slow else idle_websocket)(*idle_client_of) if idle_client_of else None
    server = probe_args[2]
    try:
        with StatusProbe(*probe_args) as probe:
            cpu = sum(server.cpu_times()[:2])
            status, run, _ = client.call("POST", "runs", {"pipeline": "chatty.orchest", "interactive": False})
            assert status == 201, run
            while run["status"] not in ("SUCCESS", "FAILURE", "ABORTED"):
                time.sleep(0.05)
                _, run, _ = client.call("GET", f"runs/{run['uuid']}")
            cpu = sum(server.cpu_times()[:2]) - cpu
        assert run["status"] == "SUCCESS", run
        seconds = (datetime.fromisoformat(run["finished"]) - datetime.fromisoformat(run["created"])).total_seconds()
        return seconds, probe.peak_rss / 2**20, percentile(probe.latencies, 99) * 1000, cpu
    finally:
        if sock is not None:
            sock.close()


def status_p99(probe_args, work=None, count: int = 200) -> float:
    """p99 of /api/status over ``count`` requests, while ``work`` runs again and again meanwhile."""
    stop = threading.Event()

    def repeat():
        while not stop.is_set():
            work()

    worker = threading.Thread(target=repeat, daemon=True) if work else None
    with StatusProbe(*probe_args) as probe:
        if worker:
            worker.start()
        while len(probe.latencies) < count:
            time.sleep(0.05)
        stop.set()
    if worker:
        worker.join()
    return percentile(probe.latencies, 99) * 1000


def spread(values: list[float], unit: str, digits: int = 2) -> str:
    return (f"median {statistics.median(values):.{digits}f} {unit} "
            f"(spread {min(values):.{digits}f}-{max(values):.{digits}f}, n={len(values)})")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    rounds = max(5, args.rounds)
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "root"
        root.mkdir()
        write_project(root)
        token, port = uuid.uuid4().hex, free_port()
        server = start_server(root, port, token)
        try:
            process = psutil.Process(server.pid)
            client = Client(port, token)
            probe_args = (port, token, process)
            big = root / "big" / "big.orchest"

            def list_big():
                old = time.time() - 3600 - list_big.touches
                list_big.touches += 1
                os.utime(big, (old, old))  # a new stamp: parsed and validated again
                _, listed, seconds = Client(port, token).call("GET", "pipelines")
                assert any(p["step_count"] == 5000 for p in listed["pipelines"]), listed
                list_big.seconds.append(seconds)
            list_big.touches, list_big.seconds = 0, []

            results: dict[str, list[float]] = {k: [] for k in (
                "run alone", "run with idle client", "run with slow client", "cpu alone", "cpu with idle client",
                "cpu with slow client", "rss alone", "rss with idle client",
                "rss with slow client", "status p99 while printing", "status p99 while printing (slow client)",
                "status p99 idle", "status p99 while listing")}
            cases = [("alone", None, False), ("with idle client", (port, token), False),
                     ("with slow client", (port, token), True)]
            for r in range(rounds):
                for suffix, client_of, slow in cases[r % 3:] + cases[:r % 3]:
                    seconds, rss, p99, cpu = chatty_run(client, probe_args, client_of, slow)
                    results[f"run {suffix}"].append(seconds)
                    results[f"cpu {suffix}"].append(cpu)
                    results[f"rss {suffix}"].append(rss)
                    if client_of:
                        results["status p99 while printing" + (" (slow client)" if slow else "")].append(p99)
                for busy in ([False, True] if r % 2 == 0 else [True, False]):
                    if busy:
                        results["status p99 while listing"].append(status_p99(probe_args, list_big))
                    else:
                        results["status p99 idle"].append(status_p99(probe_args))
        finally:
            server.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                server.wait(20)
            if server.poll() is None:
                server.kill()
        lag: dict[str, list[float]] = {k: [] for k in ("thread p99", "thread max", "worker p99", "worker max")}
        for r in range(rounds):
            for off_process in ([False, True] if r % 2 == 0 else [True, False]):
                p99, worst = listing_lag(root, off_process)
                where = "worker" if off_process else "thread"
                lag[f"{where} p99"].append(p99)
                lag[f"{where} max"].append(worst)

    ratios = [w / a for w, a in zip(results["run with idle client"], results["run alone"])]
    slow_ratios = [w / a for w, a in zip(results["run with slow client"], results["run alone"])]
    print("load average (1, 5, 15 min) before: {:.2f} {:.2f} {:.2f}; after: {:.2f} {:.2f} {:.2f}".format(
        *load_before, *os.getloadavg()))
    print(f"a step printing {LINES:,} lines of 100 B, {rounds} alternating rounds")
    print(f"  run, no websocket client        {spread(results['run alone'], 's')}")
    print(f"  run, one client never reading   {spread(results['run with idle client'], 's')}")
    print(f"  ratio (per round)               {spread(ratios, 'x')} (target at most 1.5x)")
    print(f"  run, one client reading slowly  {spread(results['run with slow client'], 's')}")
    print(f"  ratio (per round)               {spread(slow_ratios, 'x')} (target at most 1.5x)")
    print(f"  server CPU, no client           {spread(results['cpu alone'], 's')}")
    for case in ("idle", "slow"):
        extra = [w - a for w, a in zip(results[f"cpu with {case} client"], results["cpu alone"])]
        print(f"  server CPU, {case} client         {spread(results[f'cpu with {case} client'], 's')}; "
              f"more than alone (per round) {spread(extra, 's')}")
    print(f"  server peak RSS, no client      {spread(results['rss alone'], 'MB', 0)}")
    print(f"  server peak RSS, idle client    {spread(results['rss with idle client'], 'MB', 0)} (target < 300 MB)")
    print(f"  server peak RSS, slow client    {spread(results['rss with slow client'], 'MB', 0)} (target < 300 MB)")
    print(f"  (one uncached GET /orchest/api/pipelines with the 5,000-step pipeline: "
          f"{spread(list_big.seconds, 's')})")
    print("GET /api/status p99")
    idle = results["status p99 idle"]
    for name in ("status p99 idle", "status p99 while listing", "status p99 while printing",
                 "status p99 while printing (slow client)"):
        values = results[name]
        print(f"  {name[len('status p99 '):]:<36} {spread(values, 'ms', 1)}  "
              f"{statistics.median(values) / statistics.median(idle):5.1f}x idle (target < 50 ms)")
    print("a 2 ms sleep's lateness while a thread lists the 5,000-step pipeline (this process)")
    for where, label in (("thread", "summarized in the thread"), ("worker", "in the worker process")):
        print(f"  {label:<28} p99 {spread(lag[f'{where} p99'], 'ms', 1)}; max {spread(lag[f'{where} max'], 'ms', 1)}")


if __name__ == "__main__":
    main()
