"""Notifications: job events delivered to the webhooks of their project, off the event loop.

The bus's subscriber only queues the events it cares about (``job-run``, ``job-fired``,
``job-ended``); one thread turns them into deliveries (reading the job and its run from the stores)
and hands each to a small pool of sender threads. A delivery that fails (no answer within
``timeout`` s, a status other than 2xx) is tried again after ``retry_seconds``, doubling, at most
``attempts`` times in all. Every try is written to the project's delivery history. A slow or failing
endpoint holds a sender thread at most ``timeout`` s: never the event loop, never a run.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import queue
import threading
import time
import uuid as uuidlib
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from ..workspace import Workspace
from .payloads import Outcome, send
from .webhooks import EVENT_TYPES, WebhookFiles, now, public

log = logging.getLogger(__name__)

WATCHED = ("job-run", "job-fired", "job-ended")

# job uuid -> (the job's record, its project folder), or None when unknown.
JobFinder = Callable[[str], "tuple[dict[str, Any], Path] | None"]
# (project folder, run uuid) -> the run's record, or None.
RunFinder = Callable[[Path, str], "dict[str, Any] | None"]


class NotificationService:
    def __init__(self, workspace: Workspace, find_job: JobFinder, find_run: RunFinder, *, attempts: int = 5,
                 retry_seconds: float = 10.0, timeout: float = 10.0, history: int = 200, senders: int = 4):
        self.workspace = workspace
        self.files = WebhookFiles()
        self.find_job = find_job
        self.find_run = find_run
        self.attempts = max(1, attempts)
        self.retry_seconds = retry_seconds
        self.timeout = timeout
        self.history = history
        self._events: queue.SimpleQueue = queue.SimpleQueue()
        self._due: list[tuple[float, int, dict[str, Any]]] = []  # (when, seq, delivery): retries waiting
        self._seq = itertools.count()
        self._wake = threading.Condition()
        self._thread: threading.Thread | None = None
        self._senders = ThreadPoolExecutor(max(1, senders), thread_name_prefix="orchest-webhook")
        self._unsubscribe: Callable[[], None] | None = None
        self._stopping = False

    # --- the bus --------------------------------------------------------------------------------------

    def listen(self, bus) -> None:
        self._unsubscribe = bus.subscribe(self._on_event, self._on_events)
        self._thread = threading.Thread(target=self._loop, name="orchest-notifications", daemon=True)
        self._thread.start()

    def _on_event(self, event: dict[str, Any]) -> None:
        if event["type"] in WATCHED:  # on the event loop: only a queue's put
            self._events.put(dict(event))
            with self._wake:
                self._wake.notify()

    def _on_events(self, events: list[dict[str, Any]]) -> None:
        """A batch (a chunk of a step's output, one type): looked at once, not once per line."""
        if events and events[0]["type"] in WATCHED:
            for event in events:
                self._on_event(event)

    def close(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
        with self._wake:
            self._stopping = True
            self._wake.notify()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._senders.shutdown(wait=False, cancel_futures=True)

    # --- the API (blocking: handlers call it in a thread) ------------------------------------------

    def project_of(self, project: str | None) -> Path:
        """The project an API path names: its folder, or one of its pipeline files."""
        return self.workspace.project_dir(project)

    def list(self, project: str | None) -> dict[str, Any]:
        project_dir = self.project_of(project)
        return {"webhooks": [public(w) for w in self.files.list(project_dir)],
                "event_types": [{"type": k, "description": v} for k, v in EVENT_TYPES.items()]}

    def create(self, project: str | None, body: Any) -> dict[str, Any]:
        return public(self.files.create(self.project_of(project), body))

    def update(self, project: str | None, webhook_uuid: str, body: Any) -> dict[str, Any]:
        return public(self.files.update(self.project_of(project), webhook_uuid, body))

    def delete(self, project: str | None, webhook_uuid: str) -> None:
        self.files.delete(self.project_of(project), webhook_uuid)

    def test(self, project: str | None, webhook_uuid: str) -> dict[str, Any]:
        """Send a ``ping`` event now and record it in the history (blocking, at most ``timeout`` s)."""
        project_dir = self.project_of(project)
        webhook = self.files.get(project_dir, webhook_uuid)
        delivery = self._delivery(project_dir, webhook, _event("ping", project_dir))
        outcome = self._attempt(delivery, webhook, final=True)
        return {**outcome.to_json(), "delivery": _shown(delivery)}

    def deliveries(self, project: str | None, webhook_uuid: str | None = None) -> list[dict[str, Any]]:
        found = self.files.deliveries(self.project_of(project))
        return [d for d in found if webhook_uuid is None or d["webhook_uuid"] == webhook_uuid]

    # --- the thread -----------------------------------------------------------------------------------

    def _loop(self) -> None:
        while True:
            with self._wake:
                while not self._stopping and self._events.empty() and not self._ready():
                    self._wake.wait(timeout=self._due[0][0] - time.monotonic() if self._due else None)
                if self._stopping:
                    return
                ready = []
                while self._ready():
                    ready.append(heapq.heappop(self._due)[2])
            for delivery in ready:
                self._submit(delivery)
            while not self._events.empty():
                try:
                    self._on_job_event(self._events.get_nowait())
                except Exception:  # a notification must never stop the others
                    log.exception("could not notify the webhooks of a job event")

    def _ready(self) -> bool:
        return bool(self._due) and self._due[0][0] <= time.monotonic()

    def _on_job_event(self, event: dict[str, Any]) -> None:
        found = self.find_job(event["job_uuid"])
        if found is None:
            return
        job, project_dir = found
        cron = (job.get("schedule") or {}).get("kind") == "cron"
        kind = event["type"]
        if kind == "job-run" and event["status"] == "FAILURE":
            type_ = "project:cron-job:run:pipeline-run:failed" if cron else "project:one-off-job:pipeline-run:failed"
            extra = {"pipeline_run": self._pipeline_run(project_dir, event)}
        elif kind == "job-ended" and not cron and event["status"] in ("SUCCESS", "FAILURE"):
            type_ = "project:one-off-job:succeeded" if event["status"] == "SUCCESS" else "project:one-off-job:failed"
            extra = {}
        elif kind == "job-fired" and cron:
            type_ = "project:cron-job:run:started"
            extra = {"run": {"number": event["fire"], "scheduled": event["scheduled"], "pipeline_runs": event["runs"]}}
        else:
            return
        webhooks = [w for w in self.files.list(project_dir) if type_ in w.get("subscriptions", [])]
        if not webhooks:
            return
        payload = _event(type_, project_dir, job={**_job(job), **extra})
        for webhook in webhooks:
            self._submit(self._delivery(project_dir, webhook, payload))

    def _pipeline_run(self, project_dir: Path, event: dict[str, Any]) -> dict[str, Any]:
        run = self.find_run(project_dir, event["run_uuid"]) if event.get("run_uuid") else None
        payload: dict[str, Any] = {"uuid": event.get("run_uuid"), "number": event["index"], "status": event["status"]}
        if run is not None:
            steps = [{"uuid": u, "title": s["title"]} for u, s in run["steps"].items()]
            payload.update(parameters=run["parameters"], steps=steps, error=run.get("error"),
                           failed_steps=[{"uuid": u, "title": s["title"], "error": s.get("error")}
                                         for u, s in run["steps"].items() if s["state"] == "FAILURE"])
        return payload

    # --- deliveries -----------------------------------------------------------------------------------

    def _delivery(self, project_dir: Path, webhook: dict[str, Any], event: dict[str, Any]) -> dict[str, Any]:
        return {"uuid": str(uuidlib.uuid4()), "webhook_uuid": webhook["uuid"], "webhook_name": webhook.get("name", ""),
                "project_dir": str(project_dir), "event_type": event["type"], "event": event, "status": "SCHEDULED",
                "attempts": 0, "created": now(), "last_attempt": None, "next_attempt": None,
                "status_code": None, "error": None}

    def _submit(self, delivery: dict[str, Any]) -> None:
        try:
            self._senders.submit(self._deliver, delivery)
        except RuntimeError:  # shut down: the history says where it stopped
            pass

    def _deliver(self, delivery: dict[str, Any]) -> None:
        project_dir = Path(delivery["project_dir"])
        try:
            webhook = self.files.get(project_dir, delivery["webhook_uuid"])
        except Exception:  # removed meanwhile: nothing to deliver to
            return
        try:
            self._attempt(delivery, webhook, final=delivery["attempts"] + 1 >= self.attempts)
        except Exception:
            log.exception("webhook delivery %s", delivery["uuid"])
            return
        if delivery["status"] == "RESCHEDULED":
            with self._wake:
                heapq.heappush(self._due, (time.monotonic() + delivery["_delay"], next(self._seq), delivery))
                self._wake.notify()

    def _attempt(self, delivery: dict[str, Any], webhook: dict[str, Any], final: bool) -> Outcome:
        outcome = send(webhook, delivery["event"], delivery["uuid"], self.timeout)
        delivery["attempts"] += 1
        delivery.update(last_attempt=now(), status_code=outcome.status_code, error=outcome.error)
        if outcome.ok:
            delivery.update(status="DELIVERED", next_attempt=None)
        elif final:
            delivery.update(status="FAILED", next_attempt=None)
        else:
            delay = min(self.retry_seconds * 2 ** (delivery["attempts"] - 1), 3600)
            delivery.update(status="RESCHEDULED", _delay=delay,
                            next_attempt=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + delay)))
        if not outcome.ok:  # the URL is never logged: it may hold a token
            log.info("webhook %s: delivery %s of %s failed (%s)", webhook["uuid"], delivery["uuid"],
                     delivery["event_type"], outcome.error)
        self.files.record_delivery(Path(delivery["project_dir"]), _shown(delivery), self.history)
        return outcome


def _event(type_: str, project_dir: Path, **fields: Any) -> dict[str, Any]:
    """An event as Orchest's webhooks received it (the project is named by its folder here)."""
    return {"uuid": str(uuidlib.uuid4()), "type": type_, "timestamp": now(),
            "description": EVENT_TYPES.get(type_, "A test of the webhook"),
            "project": {"name": project_dir.name, **fields}}


def _shown(delivery: dict[str, Any]) -> dict[str, Any]:
    """A delivery as the history keeps it (no server paths, no private fields)."""
    return {k: v for k, v in delivery.items() if not k.startswith("_") and k != "project_dir"}


def _job(job: dict[str, Any]) -> dict[str, Any]:
    return {"uuid": job["uuid"], "name": job["name"], "status": job["status"], "pipeline_name": job["pipeline_name"],
            "pipeline_uuid": job["pipeline_uuid"], "pipeline_file": job["pipeline_file"],
            "schedule": job.get("schedule")}
