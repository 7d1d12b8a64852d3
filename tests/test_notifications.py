"""Webhooks through the REST API of a real Jupyter server, delivering to a real HTTP server the
test starts on loopback: payloads (JSON and form), signatures, retries, the history, the Test
button; a slow or failing endpoint never holds up runs or the server."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import os
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs

import pytest
from tornado.httpclient import HTTPClientError

from .conftest import ProjectBuilder
from .jobs_helpers import grid_pipeline
from .test_jobs_api import ended
from .test_runs_api import api

RUN_FAILED = "project:one-off-job:pipeline-run:failed"
JOB_FAILED = "project:one-off-job:failed"
CRON_STARTED = "project:cron-job:run:started"
JOB_SUCCEEDED = "project:one-off-job:succeeded"
CRON_RUN_FAILED = "project:cron-job:run:pipeline-run:failed"


class Receiver:
    """An HTTP server on loopback: /ok answers 200, /flaky 500 twice then 200, /slow after 3 s."""

    def __init__(self):
        self.requests: list[dict] = []
        self.counts: dict[str, int] = {}
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
                n = receiver.counts[self.path] = receiver.counts.get(self.path, 0) + 1
                if self.path == "/slow":
                    time.sleep(3)
                code = 500 if self.path == "/flaky" and n <= 2 else 200
                self.send_response(code)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}{path}"

    def at(self, path: str) -> list[dict]:
        return [r for r in self.requests if r["path"] == path]

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


@pytest.fixture
def jp_server_config(jp_server_config):
    return {**jp_server_config, "OrchestApp": {**jp_server_config.get("OrchestApp", {}), "webhook_attempts": 3,
                                               "webhook_retry_seconds": 0.2, "webhook_timeout_seconds": 1}}


@pytest.fixture
def root(jp_root_dir) -> ProjectBuilder:
    return ProjectBuilder(Path(jp_root_dir))


async def wait_for(condition, timeout=20.0):
    for _ in range(int(timeout / 0.05)):
        if condition():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("timed out waiting")


async def add_webhook(jp_fetch, body, project="p.orchest"):
    code, webhook = await api(jp_fetch, "POST", "notifications", "webhooks", body=body, params={"project": project})
    assert code == 201
    return webhook


async def error_of(jp_fetch, method, *parts, body=None, params=None):
    with pytest.raises(HTTPClientError) as info:
        await jp_fetch("orchest", "api", *parts, method=method, body=None if body is None else json.dumps(body),
                       params=params or {})
    return info.value.code, json.loads(info.value.response.body)


async def test_job_events_reach_webhooks_signed_and_retried(jp_fetch, root, receiver):
    grid_pipeline(root, code="raise SystemExit('broken')\n")
    signed = await add_webhook(jp_fetch, {"url": receiver.url("/ok"), "name": "signed", "secret": "s3cret",
                                          "subscriptions": [RUN_FAILED, JOB_FAILED]})
    assert signed["has_secret"] is True and "secret" not in signed
    await add_webhook(jp_fetch, {"url": receiver.url("/flaky"), "content_type": "application/x-www-form-urlencoded",
                                 "subscriptions": [JOB_FAILED]})
    await add_webhook(jp_fetch, {"url": receiver.url("/cron"), "subscriptions": [CRON_STARTED]})

    _, job = await api(jp_fetch, "POST", "jobs", body={"pipeline": "p.orchest", "name": "nightly"})
    await api(jp_fetch, "POST", "jobs", job["uuid"], "start", body={})
    assert (await ended(jp_fetch, job["uuid"]))["status"] == "FAILURE"

    await wait_for(lambda: len(receiver.at("/ok")) == 2 and len(receiver.at("/flaky")) == 3)
    by_type = {r["headers"]["X-Orchest-Event"]: r for r in receiver.at("/ok")}
    assert set(by_type) == {RUN_FAILED, JOB_FAILED}
    for request in by_type.values():
        expected = hmac.new(b"s3cret", request["body"], hashlib.sha256).hexdigest()
        assert request["headers"]["X-Hub-Signature"] == expected
        assert request["headers"]["Content-Type"] == "application/json"
    failed_run = json.loads(by_type[RUN_FAILED]["body"])
    assert failed_run["delivered_for"] == {"uuid": signed["uuid"], "name": "signed", "type": "webhook",
                                           "content_type": "application/json", "verify_ssl": True}
    event = failed_run["event"]
    assert event["type"] == RUN_FAILED and event["project"]["name"] == root.root.name
    assert event["project"]["job"]["name"] == "nightly" and event["project"]["job"]["uuid"] == job["uuid"]
    run = event["project"]["job"]["pipeline_run"]
    assert run["status"] == "FAILURE" and [s["title"] for s in run["failed_steps"]] == ["A"]
    assert "exited with code 1" in run["failed_steps"][0]["error"]

    form = receiver.at("/flaky")  # 500, 500, then 200: delivered on its third attempt
    assert "X-Hub-Signature" not in form[-1]["headers"]
    fields = parse_qs(form[-1]["body"].decode())
    assert json.loads(fields["event"][0])["project"]["job"]["status"] == "FAILURE"
    assert len({r["headers"]["X-Orchest-Delivery"] for r in form}) == 1  # one delivery, tried three times

    # The history is written once the endpoint's answer is in (just after it got the request).
    for _ in range(100):
        _, history = await api(jp_fetch, "GET", "notifications", "deliveries", params={"project": "p.orchest"})
        if all(d["status"] == "DELIVERED" for d in history["deliveries"]) and len(history["deliveries"]) == 3:
            break
        await asyncio.sleep(0.1)
    statuses = sorted((d["webhook_name"], d["event_type"], d["status"], d["attempts"]) for d in history["deliveries"])
    assert statuses == [("", JOB_FAILED, "DELIVERED", 3), ("signed", JOB_FAILED, "DELIVERED", 1),
                        ("signed", RUN_FAILED, "DELIVERED", 1)]

    # A cron job's fire (triggered by hand here) is "a cron job's run started".
    _, cron = await api(jp_fetch, "POST", "jobs", body={"pipeline": "p.orchest", "name": "yearly", "schedule": {
        "kind": "cron", "cron": "0 0 1 1 *", "timezone": "UTC"}})
    await api(jp_fetch, "POST", "jobs", cron["uuid"], "start", body={})
    await api(jp_fetch, "POST", "jobs", cron["uuid"], "trigger", body={})
    await wait_for(lambda: receiver.at("/cron"))
    started = json.loads(receiver.at("/cron")[0]["body"])["event"]
    assert started["type"] == CRON_STARTED and started["project"]["job"]["name"] == "yearly"
    assert started["project"]["job"]["run"]["pipeline_runs"] == 1

    # The secrets stay in the project's .orchest/ (owner-only, ignored by git), never in answers.
    folder = root.root / ".orchest" / "notifications"
    assert os.stat(folder / "webhooks.json").st_mode & 0o777 == 0o600
    assert "notifications/" in (root.root / ".orchest" / ".gitignore").read_text().splitlines()
    _, listed = await api(jp_fetch, "GET", "notifications", "webhooks", params={"project": "p.orchest"})
    assert "s3cret" not in json.dumps(listed) and "s3cret" not in json.dumps(history)


async def test_a_slow_or_dead_endpoint_never_holds_up_runs(jp_fetch, root, receiver):
    grid_pipeline(root, code="raise SystemExit(1)\n", pipeline_params={"x": 0})
    await add_webhook(jp_fetch, {"url": receiver.url("/slow"), "subscriptions": [RUN_FAILED]})
    await add_webhook(jp_fetch, {"url": "http://127.0.0.1:9/dead", "subscriptions": [RUN_FAILED]})
    grid = {"pipeline_parameters": {"x": [1, 2, 3, 4]}}
    _, job = await api(jp_fetch, "POST", "jobs", body={"pipeline": "p.orchest", "parameters": grid})
    started = time.monotonic()
    await api(jp_fetch, "POST", "jobs", job["uuid"], "start", body={})
    job = await ended(jp_fetch, job["uuid"])
    assert job["counts"] == {"FAILURE": 4}
    while len(receiver.at("/slow")) < 4:  # meanwhile the server answers at once
        t = time.monotonic()
        await api(jp_fetch, "GET", "runs")
        assert time.monotonic() - t < 2.5  # a send blocking the loop would take the endpoint's 3 s
        await asyncio.sleep(0.1)
        assert time.monotonic() - started < 30
    for _ in range(200):  # each delivery tried 3 times (c.OrchestApp.webhook_attempts), then FAILED
        _, history = await api(jp_fetch, "GET", "notifications", "deliveries", params={"project": "p.orchest"})
        deliveries = history["deliveries"]
        if len(deliveries) == 8 and all(d["status"] == "FAILED" for d in deliveries):
            break
        await asyncio.sleep(0.1)
    assert len(deliveries) == 8 and {d["status"] for d in deliveries} == {"FAILED"}
    errors = {d["error"] for d in deliveries}
    assert errors == {"the endpoint did not answer in time", "the endpoint could not be reached"}
    assert {d["attempts"] for d in deliveries} == {3}


async def test_webhooks_are_added_changed_tested_and_removed(jp_fetch, root, receiver):
    grid_pipeline(root)
    params = {"project": "p.orchest"}
    code, error = await error_of(jp_fetch, "POST", "notifications", "webhooks", body={"url": "ftp://x"}, params=params)
    assert code == 400 and error["message"].startswith('"url": "ftp://x" is not an http:// or https:// URL')
    code, error = await error_of(jp_fetch, "POST", "notifications", "webhooks", params=params,
                                 body={"url": receiver.url("/ok"), "subscriptions": ["project:job:exploded"]})
    assert code == 400 and error["errors"] == [{"pointer": "/subscriptions"}]
    assert not (root.root / ".orchest" / "notifications" / "webhooks.json").exists()  # nothing half-written

    webhook = await add_webhook(jp_fetch, {"url": receiver.url("/ok"), "secret": "k"})
    code, changed = await api(jp_fetch, "PATCH", "notifications", "webhooks", webhook["uuid"], params=params,
                              body={"name": "ops", "secret": None, "subscriptions": [JOB_FAILED]})
    assert code == 200 and changed["name"] == "ops" and changed["has_secret"] is False
    code, tested = await api(jp_fetch, "POST", "notifications", "webhooks", webhook["uuid"], "test", params=params,
                             body={})
    assert code == 200 and tested["ok"] is True and tested["status_code"] == 200
    ping = json.loads(receiver.at("/ok")[0]["body"])
    assert ping["event"]["type"] == "ping" and ping["delivered_for"]["name"] == "ops"
    _, history = await api(jp_fetch, "GET", "notifications", "deliveries", params={**params, "webhook": webhook["uuid"]})
    assert [(d["event_type"], d["status"]) for d in history["deliveries"]] == [("ping", "DELIVERED")]

    code, _ = await api(jp_fetch, "DELETE", "notifications", "webhooks", webhook["uuid"], params=params)
    assert code == 204
    _, listed = await api(jp_fetch, "GET", "notifications", "webhooks", params=params)
    assert listed["webhooks"] == [] and len(listed["event_types"]) == 5
    code, _ = await error_of(jp_fetch, "DELETE", "notifications", "webhooks", webhook["uuid"], params=params)
    assert code == 404


async def test_a_job_that_succeeds_and_a_cron_run_that_fails_reach_the_webhooks_that_chose_them(jp_fetch, root, receiver):
    """The two event types the other tests do not send; each webhook gets only what it chose."""
    grid_pipeline(root, code="import os\nraise SystemExit(1 if os.environ.get('FAIL') else 0)\n")
    await add_webhook(jp_fetch, {"url": receiver.url("/succeeded"), "subscriptions": [JOB_SUCCEEDED]})
    await add_webhook(jp_fetch, {"url": receiver.url("/cron-failed"), "subscriptions": [CRON_RUN_FAILED, RUN_FAILED]})
    _, job = await api(jp_fetch, "POST", "jobs", body={"pipeline": "p.orchest", "name": "once"})
    await api(jp_fetch, "POST", "jobs", job["uuid"], "start", body={})
    assert (await ended(jp_fetch, job["uuid"]))["status"] == "SUCCESS"
    await wait_for(lambda: receiver.at("/succeeded"))
    succeeded = json.loads(receiver.at("/succeeded")[0]["body"])["event"]
    assert succeeded["type"] == JOB_SUCCEEDED and succeeded["project"]["job"]["status"] == "SUCCESS"
    assert succeeded["project"]["job"]["name"] == "once"

    _, cron = await api(jp_fetch, "POST", "jobs", body={
        "pipeline": "p.orchest", "name": "yearly", "env_variables": {"FAIL": "1"},
        "schedule": {"kind": "cron", "cron": "0 0 1 1 *", "timezone": "UTC"}})
    await api(jp_fetch, "POST", "jobs", cron["uuid"], "start", body={})
    await api(jp_fetch, "POST", "jobs", cron["uuid"], "trigger", body={})
    await wait_for(lambda: receiver.at("/cron-failed"))
    failed = json.loads(receiver.at("/cron-failed")[0]["body"])["event"]
    assert failed["type"] == CRON_RUN_FAILED and failed["project"]["job"]["name"] == "yearly"
    assert failed["project"]["job"]["pipeline_run"]["status"] == "FAILURE"
    await asyncio.sleep(0.5)  # nothing else comes: a one-off run's failure and the fire are not theirs
    assert [r["headers"]["X-Orchest-Event"] for r in receiver.requests] == [JOB_SUCCEEDED, CRON_RUN_FAILED]
    await api(jp_fetch, "POST", "jobs", cron["uuid"], "cancel", body={})
