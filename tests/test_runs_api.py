"""Runs through the REST API and the events websocket of a real Jupyter server."""

from __future__ import annotations

import asyncio
import json
import weakref
from collections import deque
from pathlib import Path

import pytest
from tornado.httpclient import HTTPClientError

from .conftest import ProjectBuilder
from .session_helpers import start_session


@pytest.fixture
def root(jp_root_dir) -> ProjectBuilder:
    return ProjectBuilder(Path(jp_root_dir))


def chain(root: ProjectBuilder, sleep: float = 0.0, name: str = "p.orchest"):
    env = root.environment()
    root.file("a.py", f"import time\nprint('a says hi')\ntime.sleep({sleep})\n")
    root.file("b.py", "print('b')\n")
    a = root.step("A", "a.py", env, parameters={"n": 1})
    b = root.step("B", "b.py", env, [a["uuid"]])
    root.write(name, root.pipeline(a, b))
    return a["uuid"], b["uuid"]


async def api(jp_fetch, method, *parts, body=None, **kwargs):
    response = await jp_fetch("orchest", "api", *parts, method=method,
                              body=None if body is None else json.dumps(body), **kwargs)
    return response.code, json.loads(response.body) if response.body.startswith((b"{", b"[")) else response.body.decode()


async def api_error(jp_fetch, method, *parts, body=None, raw=None):
    with pytest.raises(HTTPClientError) as info:
        payload = raw if raw is not None else (None if body is None else json.dumps(body))
        await jp_fetch("orchest", "api", *parts, method=method, body=payload)
    return info.value.code, json.loads(info.value.response.body)


async def finished(jp_fetch, run_uuid, timeout=60.0):
    for _ in range(int(timeout / 0.05)):
        _, run = await api(jp_fetch, "GET", "runs", run_uuid)
        if run["status"] in ("SUCCESS", "FAILURE", "ABORTED"):
            return run
        await asyncio.sleep(0.05)
    raise AssertionError(f"run {run_uuid} did not finish: {run}")


async def test_start_a_run_and_follow_it(jp_fetch, root):
    a, b = chain(root)
    await start_session(jp_fetch)  # interactive runs need their pipeline's session
    code, run = await api(jp_fetch, "POST", "runs", body={"pipeline": "p.orchest"})
    assert code == 201 and run["pipeline_path"] == "p.orchest" and run["backend"] == "local"
    assert run["run_type"] == "full" and run["interactive"] is True
    run = await finished(jp_fetch, run["uuid"])
    assert run["status"] == "SUCCESS"
    assert {s["title"]: s["state"] for s in run["steps"].values()} == {"A": "COMPUTED", "B": "COMPUTED"}
    code, log = await api(jp_fetch, "GET", "runs", run["uuid"], "steps", a, "log")
    assert code == 200 and log == "a says hi\n"
    _, listed = await api(jp_fetch, "GET", "runs", params={"pipeline": "p.orchest"})
    assert [r["uuid"] for r in listed["runs"]] == [run["uuid"]]
    _, everything = await api(jp_fetch, "GET", "runs")
    assert [r["uuid"] for r in everything["runs"]] == [run["uuid"]]


async def test_selection_run_with_parameters(jp_fetch, root):
    a, b = chain(root)
    code, run = await api(jp_fetch, "POST", "runs", body={
        "pipeline": "p.orchest", "run_type": "selection", "steps": [b], "parameters": {a: {"n": 5}},
        "interactive": False})
    run = await finished(jp_fetch, run["uuid"])
    assert list(run["steps"]) == [b] and run["interactive"] is False and run["snapshot_dir"]
    assert json.loads((Path(run["snapshot_dir"]) / "p.orchest").read_text())["steps"][a]["parameters"] == {"n": 5}


async def test_a_second_interactive_run_conflicts_non_interactive_ones_do_not(jp_fetch, root):
    chain(root, sleep=30)
    await start_session(jp_fetch)
    _, first = await api(jp_fetch, "POST", "runs", body={"pipeline": "p.orchest"})
    code, error = await api_error(jp_fetch, "POST", "runs", body={"pipeline": "p.orchest"})
    assert code == 409 and "in progress" in error["message"] and error["errors"] == [{"run_uuid": first["uuid"]}]
    code, other = await api(jp_fetch, "POST", "runs", body={"pipeline": "p.orchest", "interactive": False})
    assert code == 201
    for run in (first, other):
        code, _ = await api(jp_fetch, "DELETE", "runs", run["uuid"])
        assert code == 202
        done = await finished(jp_fetch, run["uuid"])
        assert done["status"] == "ABORTED"
        assert {s["state"] for s in done["steps"].values()} == {"ABORTED"}
    code, error = await api_error(jp_fetch, "DELETE", "runs", first["uuid"])
    assert code == 409 and "has ended" in error["message"]


@pytest.mark.parametrize(
    "body, status, words",
    [
        ({"pipeline": "p.orchest", "run_type": "partial"}, 400, "Unknown run type"),
        ({"pipeline": "p.orchest", "run_type": "selection"}, 400, "needs at least one step"),
        ({"pipeline": "p.orchest", "run_type": "selection", "steps": ["nope"]}, 400, 'no step with the uuid or title "nope"'),
        ({"pipeline": "p.orchest", "parameters": {"pipeline_parameters": {"zzz": 1}}}, 400, "has no parameter"),
        ({"pipeline": "p.orchest", "parameters": [1]}, 400, "must be an object"),
        ({"pipeline": "p.orchest", "interactive": "yes"}, 400, "true or false"),
        ({"pipeline": "missing.orchest"}, 404, "no pipeline file"),
        ({"pipeline": "../p.orchest"}, 400, "not a path inside"),
        ({"steps": []}, 400, '"pipeline"'),
        ([1, 2], 400, '"pipeline"'),
    ],
)
async def test_bad_run_requests(jp_fetch, root, body, status, words):
    chain(root)
    code, error = await api_error(jp_fetch, "POST", "runs", body=body)
    assert code == status and words in error["message"]


async def test_running_a_pipeline_without_steps_says_so(jp_fetch, root):
    root.environment()
    root.write("empty.orchest", root.pipeline())
    for body in ({"pipeline": "empty.orchest"}, {"pipeline": "empty.orchest", "run_type": "incoming", "steps": []}):
        code, error = await api_error(jp_fetch, "POST", "runs", body=body)
        assert code == 400 and error["message"] == "There is nothing to run: empty.orchest has no steps yet."


async def test_running_an_invalid_pipeline_is_refused_with_its_errors(jp_fetch, root):
    a, _ = chain(root)
    (root.root / "a.py").unlink()
    code, error = await api_error(jp_fetch, "POST", "runs", body={"pipeline": "p.orchest"})
    assert code == 400 and "has errors" in error["message"]
    assert error["errors"][0]["pointer"] == f"/steps/{a}/file_path"


async def test_malformed_body(jp_fetch, root):
    code, error = await api_error(jp_fetch, "POST", "runs", raw="{nope")
    assert code == 400 and "not valid JSON" in error["message"]


async def test_unknown_run(jp_fetch, root):
    code, error = await api_error(jp_fetch, "GET", "runs", "00000000-0000-4000-8000-000000000000")
    assert code == 404


# The events each test socket received and its test has not taken yet (a message holds several).
_received: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


async def next_message(ws, timeout=30):
    """The next event of the events websocket, whose every message is a JSON array of events."""
    pending = _received.setdefault(ws, deque())
    while not pending:
        message = json.loads(await asyncio.wait_for(ws.read_message(), timeout))
        assert isinstance(message, list) and message, message
        pending.extend(message)
    return pending.popleft()


async def test_events_stream_states_and_logs_and_replay_what_was_missed(jp_fetch, jp_ws_fetch, root):
    a, b = chain(root)
    await start_session(jp_fetch)
    ws = await jp_ws_fetch("orchest", "api", "events")
    hello = await next_message(ws)
    assert hello["type"] == "hello"
    _, run = await api(jp_fetch, "POST", "runs", body={"pipeline": "p.orchest"})
    events = []
    while not (events and events[-1]["type"] == "run" and events[-1]["status"] == "SUCCESS"):
        events.append(await next_message(ws))
    ws.close()
    assert [e["seq"] for e in events] == sorted(e["seq"] for e in events)
    assert events[0]["type"] == "run-created" and events[0]["run"]["uuid"] == run["uuid"]
    states = [(e["step_uuid"], e["state"]) for e in events if e["type"] == "step"]
    assert states == [(a, "RUNNING"), (a, "COMPUTED"), (b, "RUNNING"), (b, "COMPUTED")]
    assert [e["line"] for e in events if e["type"] == "log" and e["step_uuid"] == a] == ["a says hi"]

    # A client that saw only the first events reconnects and gets the rest, in order.
    seen = events[2]["seq"]
    ws = await jp_ws_fetch("orchest", "api", "events", params={"since": seen, "epoch": hello["epoch"]})
    assert (await next_message(ws))["type"] == "hello"
    replayed = [await next_message(ws) for _ in events[3:]]
    assert replayed == events[3:]
    ws.close()

    # From another server's epoch: told to reload.
    ws = await jp_ws_fetch("orchest", "api", "events", params={"since": seen, "epoch": "other"})
    assert (await next_message(ws))["type"] == "hello"
    assert (await next_message(ws))["type"] == "reset"
    ws.close()


async def test_events_refuse_unauthenticated_websockets(jp_ws_fetch):
    with pytest.raises(HTTPClientError) as info:
        await jp_ws_fetch("orchest", "api", "events", headers={"Authorization": "token wrong"})
    assert info.value.code == 403
