"""Reliability under real use (issue 11, items 1 and 3), against a real Jupyter server.

- A step printing 500k lines of 100 B with a websocket client that never reads (a raw socket after
  the handshake), one that reads slowly during the run and one that reads only after it: memory
  stays bounded, the run succeeds, the slow and late readers are cut to a ``reset`` (events are
  sent many to a message) and reload the log from the REST API, which pages it with a cap.
- A 5,000-step pipeline under the root: listing, validating and the jobs grid run off the event loop
  (another request is answered while they are held), and the listing is cached by the file's stamp.

Nothing here passes or fails on elapsed time: the assertions are on bounds, on what was delivered
and on which requests could be answered while another one was held.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import socket
import threading
from pathlib import Path

import psutil
import pytest
from tornado.httpclient import HTTPClientError

from orchest_jlab import workspace as workspace_module
from orchest_jlab.handlers import events as events_handler
from orchest_jlab.jobs import service as jobs_service
from orchest_jlab.runs import service as runs_service
from orchest_jlab.runs.logs import MAX_LOG_BYTES

from .conftest import ProjectBuilder
from .test_runs_api import api, finished, next_message

LINES = 500_000
LINE = "x" * 99  # 100 bytes with its newline


@pytest.fixture
def root(jp_root_dir) -> ProjectBuilder:
    return ProjectBuilder(Path(jp_root_dir))


def chatty_pipeline(root: ProjectBuilder) -> str:
    env = root.environment()
    root.file("chatty.py", "import sys\nline = 'x' * 99 + '\\n'\n"
                           f"for i in range({LINES}):\n    sys.stdout.write(line)\n"
                           "print('the end')\n")
    step = root.step("chatty", "chatty.py", env)
    root.write("chatty.orchest", root.pipeline(step))
    return step["uuid"]


def idle_websocket(port: int, base_url: str, auth: dict[str, str]) -> socket.socket:
    """A websocket client that completes the handshake and then never reads a byte."""
    sock = socket.create_connection(("127.0.0.1", port))
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 64 * 1024)
    key = base64.b64encode(os.urandom(16)).decode()
    headers = "".join(f"{k}: {v}\r\n" for k, v in auth.items())
    path = base_url.rstrip("/") + "/orchest/api/events"
    sock.sendall((f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
                  f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
                  f"{headers}\r\n").encode())
    answer = b""
    while b"\r\n\r\n" not in answer:
        answer += sock.recv(1)  # byte by byte: nothing after the handshake is read
    assert answer.startswith(b"HTTP/1.1 101"), answer
    return sock


def websocket_handlers(bus) -> list:
    return [s.__self__ for s, _ in bus._subscribers if isinstance(getattr(s, "__self__", None),
                                                                  events_handler.EventsHandler)]


def check_sequence(received: list[dict], epoch: str) -> None:
    """Every event follows the one before it or a reset that says where it resumes: nothing is
    skipped silently (the events dropped meanwhile are in the REST API)."""
    assert received[0]["type"] == "hello"
    resets = [e for e in received if e["type"] == "reset"]
    assert resets and all(e["epoch"] == epoch for e in resets)
    for previous, event in zip(received, received[1:]):
        if event["type"] != "reset":
            assert event["seq"] == previous["seq"] + 1, (previous, event)


class SlowReader:
    """A websocket client that takes one message every 10 ms while the step prints far faster."""

    def __init__(self, ws):
        self.ws, self.messages, self.sizes = ws, [], []
        self.task = asyncio.ensure_future(self._read())

    async def _read(self):
        while (text := await self.ws.read_message()) is not None:
            self.messages.append(json.loads(text))
            self.sizes.append(len(text))
            await asyncio.sleep(0.01)

    @property
    def last_seq(self) -> int:
        return self.messages[-1][-1].get("seq", -1) if self.messages else -1


async def test_a_step_printing_500k_lines_with_an_idle_a_slow_and_a_late_websocket_client(
        jp_fetch, jp_ws_fetch, jp_serverapp, jp_http_port, jp_base_url, jp_auth_header, root):
    step = chatty_pipeline(root)
    bus = jp_serverapp.web_app.settings["orchest_bus"]
    process = psutil.Process()
    idle = await asyncio.to_thread(idle_websocket, jp_http_port, jp_base_url, jp_auth_header)
    late = await jp_ws_fetch("orchest", "api", "events")  # read only after the run
    slow = SlowReader(await jp_ws_fetch("orchest", "api", "events"))
    while len(websocket_handlers(bus)) < 3:
        await asyncio.sleep(0.01)
    clients = websocket_handlers(bus)
    rss_before = process.memory_info().rss

    _, run = await api(jp_fetch, "POST", "runs", body={"pipeline": "chatty.orchest", "interactive": False})
    peak_rss, peak_queued, peak_buffered = rss_before, 0, 0
    while True:
        _, current = await api(jp_fetch, "GET", "runs", run["uuid"])
        peak_rss = max(peak_rss, process.memory_info().rss)
        for client in clients:
            peak_queued = max(peak_queued, client.queued[1])
            if client.ws_connection is not None and client.ws_connection.stream is not None:
                peak_buffered = max(peak_buffered, len(client.ws_connection.stream._write_buffer))
        if current["status"] in ("SUCCESS", "FAILURE", "ABORTED"):
            break
        await asyncio.sleep(0.05)
    assert current["status"] == "SUCCESS"

    # Bounded: the queues, what tornado holds per client, the history; 50 MB of log went through.
    assert peak_queued <= events_handler.MAX_QUEUED_BYTES
    assert peak_buffered <= 2 * events_handler.BATCH_BYTES + 64 * 1024
    assert bus._history_size <= bus._history_bytes and len(bus._history) <= bus._history.maxlen
    assert peak_rss - rss_before < 250 * 1024 * 1024, (peak_rss - rss_before) / 2**20
    assert all(client.resets >= 1 for client in clients)  # all three fell behind and were cut

    received = [await next_message(late)]
    while received[-1].get("seq", -1) < bus.last_seq:
        received.append(await next_message(late))
    late.close()
    check_sequence(received, bus.epoch)

    # The slow client: the same, and its messages held many lines each (one message per line cost
    # the server about 10 µs each), within a batch's bound.
    last = bus.last_seq
    for _ in range(3000):
        if slow.last_seq >= last:
            break
        await asyncio.sleep(0.01)
    slow.ws.close()
    slow.task.cancel()
    assert all(isinstance(m, list) and m for m in slow.messages)
    received = [event for message in slow.messages for event in message]
    assert received[-1].get("seq", -1) >= last, "the slow client did not catch up within 30 s"
    check_sequence(received, bus.epoch)
    assert max(map(len, slow.messages)) >= 100
    assert max(slow.sizes) <= events_handler.BATCH_BYTES + 1024
    lines = [e["line"] for e in received if e["type"] == "log"]
    assert set(lines) <= {LINE, "the end"} and len(lines) < LINES
    # The run's and the step's states it got are in order; what a reset dropped, the REST API has.
    for kind, field, order in (("run", "status", ["PENDING", "STARTED", "SUCCESS"]),
                               ("step", "state", ["PENDING", "RUNNING", "COMPUTED"])):
        states = [e[field] for e in received if e["type"] == kind]
        assert states == sorted(states, key=order.index), (kind, states)
    assert received[-1]["type"] == "reset" or (received[-1]["type"], received[-1]["status"]) == ("run", "SUCCESS")

    # It reloads from REST: the end of the log, capped; the rest pages by offset.
    response = await jp_fetch("orchest", "api", "runs", run["uuid"], "steps", step, "log")
    size = int(response.headers["X-Orchest-Log-Size"])
    assert size == LINES * 100 + len("the end\n")
    text = response.body.decode()
    assert len(response.body) <= MAX_LOG_BYTES and text.endswith(f"{LINE}\nthe end\n")
    assert text.startswith(LINE) and int(response.headers["X-Orchest-Log-End"]) == size
    first = await jp_fetch("orchest", "api", "runs", run["uuid"], "steps", step, "log",
                           params={"offset": "0", "limit": "1000"})
    assert first.body == f"{LINE}\n".encode() * 10 and first.headers["X-Orchest-Log-End"] == "1000"
    nxt = await jp_fetch("orchest", "api", "runs", run["uuid"], "steps", step, "log",
                         params={"offset": first.headers["X-Orchest-Log-End"], "limit": "150"})
    assert nxt.body == f"{LINE}\n".encode() and nxt.headers["X-Orchest-Log-Start"] == "1000"
    with pytest.raises(HTTPClientError) as info:
        await jp_fetch("orchest", "api", "runs", run["uuid"], "steps", step, "log", params={"limit": "-1"})
    assert info.value.code == 400 and '"limit"' in json.loads(info.value.response.body)["message"]
    idle.close()


def big_pipeline(root: ProjectBuilder, count: int = 5000) -> dict:
    env = root.environment()
    root.file("s.py", "pass\n")
    steps, previous = [], []
    for i in range(count):
        steps.append(root.step(f"step {i}", "s.py", env, incoming=previous))
        previous = [steps[-1]["uuid"]]
    data = root.pipeline(*steps, name="big")
    path = root.write("big.orchest", data)
    old = path.stat().st_mtime - 60  # not written "just now": the listing may cache it
    os.utime(path, (old, old))
    return data


class Gate:
    """Holds a blocking function (in the server's worker thread) until the test opens the gate."""

    def __init__(self, monkeypatch, module, name):
        self.entered = threading.Event()
        self.opened = threading.Event()
        self.calls = 0
        original = getattr(module, name)

        def held(*args, **kwargs):
            self.calls += 1
            self.entered.set()
            assert self.opened.wait(120), "the gate was never opened"
            return original(*args, **kwargs)

        monkeypatch.setattr(module, name, held)

    async def wait_entered(self):
        assert await asyncio.to_thread(self.entered.wait, 120)


async def answered_while_held(jp_fetch, gate: Gate, request):
    """Start ``request``, wait until it is held inside the gate, then ask for the server's status:
    that can only be answered if the held request is not blocking the event loop."""
    task = asyncio.ensure_future(request)
    await gate.wait_entered()
    status = await jp_fetch("api", "status")
    assert status.code == 200
    assert not task.done()  # the held request is still held: the status was answered meanwhile
    gate.opened.set()
    return await task


async def test_a_5000_step_pipeline_is_listed_off_the_event_loop_and_cached(jp_fetch, root, monkeypatch):
    monkeypatch.setattr(workspace_module, "OFF_PROCESS_BYTES", 1 << 60)  # in a thread: the gate holds it
    data = big_pipeline(root)
    gate = Gate(monkeypatch, workspace_module, "check_pipeline_file")
    code, listed = await answered_while_held(jp_fetch, gate, api(jp_fetch, "GET", "pipelines"))
    assert code == 200 and listed["pipelines"] == [{
        "path": "big.orchest", "name": "big", "uuid": data["uuid"], "step_count": 5000, "valid": True,
        "error_count": 0, "warning_count": 0}]
    assert gate.calls == 1
    _, again = await api(jp_fetch, "GET", "pipelines")
    assert again == listed and gate.calls == 1  # unchanged: from the cache

    (root.root / "s.py").unlink()  # a step file gone: its folder's stamp changed
    _, changed = await api(jp_fetch, "GET", "pipelines")
    assert gate.calls == 2 and changed["pipelines"][0]["error_count"] == 5000


def summary_workers() -> list[psutil.Process]:
    return [p for p in psutil.Process().children() if "spawn_main" in " ".join(p.cmdline())]


async def test_a_5000_step_pipeline_is_summarized_in_a_worker_process(jp_fetch, root, monkeypatch):
    """Parsed and validated in a thread, the 3 MB file held the GIL against the event loop: the
    server's process never parses it now, a worker process does (replaced when it dies)."""

    def in_the_server(*args, **kwargs):
        raise AssertionError("the big pipeline was parsed in the server's process")

    monkeypatch.setattr(workspace_module, "check_pipeline_file", in_the_server)
    data = big_pipeline(root)
    expected = [{"path": "big.orchest", "name": "big", "uuid": data["uuid"], "step_count": 5000, "valid": True,
                 "error_count": 0, "warning_count": 0}]
    code, listed = await api(jp_fetch, "GET", "pipelines")
    assert code == 200 and listed["pipelines"] == expected
    [worker] = summary_workers()
    worker.kill()
    worker.wait(10)
    (root.root / "s.py").unlink()  # a step file gone: summarized again, by a new worker
    _, changed = await api(jp_fetch, "GET", "pipelines")
    assert changed["pipelines"] == [{**expected[0], "valid": False, "error_count": 5000}]
    assert [p.pid for p in summary_workers()] not in ([], [worker.pid])


async def test_validate_and_the_jobs_grid_of_a_5000_step_pipeline_run_off_the_event_loop(
        jp_fetch, root, monkeypatch):
    big_pipeline(root)
    text = (root.root / "big.orchest").read_text()
    gate = Gate(monkeypatch, workspace_module, "validate_pipeline")
    response = await answered_while_held(jp_fetch, gate, jp_fetch(
        "orchest", "api", "validate", method="POST", body=text, params={"path": "big.orchest"}))
    assert json.loads(response.body)["valid"] is True

    gate = Gate(monkeypatch, jobs_service, "prepare_run")
    code, grid = await answered_while_held(jp_fetch, gate, api(
        jp_fetch, "POST", "jobs", "grid", body={"pipeline": "big.orchest"}))
    assert code == 200 and grid["grid_size"] == 1


async def test_the_step_log_is_read_off_the_event_loop(jp_fetch, root, monkeypatch):
    env = root.environment()
    root.file("a.py", "print('hello')\n")
    step = root.step("A", "a.py", env)
    root.write("p.orchest", root.pipeline(step))
    _, run = await api(jp_fetch, "POST", "runs", body={"pipeline": "p.orchest", "interactive": False})
    await finished(jp_fetch, run["uuid"])
    gate = Gate(monkeypatch, runs_service, "read_log_part")
    response = await answered_while_held(jp_fetch, gate, jp_fetch(
        "orchest", "api", "runs", run["uuid"], "steps", step["uuid"], "log"))
    assert response.body == b"hello\n" and response.headers["X-Orchest-Log-Size"] == "6"


async def test_a_run_not_in_the_engine_is_looked_for_off_the_event_loop(jp_fetch, root, monkeypatch):
    """GET and DELETE runs/<uuid> of a run this server does not run: its stores are read (and the
    root walked for them) in a worker thread."""
    from orchest_jlab.store import RunStore

    root.chain(pipeline_name="p.orchest")
    _, run = await api(jp_fetch, "POST", "runs", body={"pipeline": "p.orchest", "interactive": False})
    await finished(jp_fetch, run["uuid"])
    unknown = "00000000-0000-4000-8000-000000000000"
    for method in ("GET", "DELETE"):
        gate = Gate(monkeypatch, RunStore, "get_run")
        with pytest.raises(HTTPClientError) as info:
            await answered_while_held(jp_fetch, gate, api(jp_fetch, method, "runs", unknown))
        assert info.value.code == 404
        monkeypatch.undo()
