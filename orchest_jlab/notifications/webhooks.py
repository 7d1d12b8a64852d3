"""Webhooks as Orchest had them, kept per project in ``.orchest/notifications/webhooks.json``
(a file Orchest ignores; ``.orchest/.gitignore`` covers the folder, and the file is readable by
its owner only: it holds the secrets). A spec is checked here; nothing half-written is kept."""

from __future__ import annotations

import json
import os
import threading
import uuid as uuidlib
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ..errors import BadRequest, NotFound
from ..pipelines.document import write_text_atomic

FOLDER = Path(".orchest") / "notifications"
WEBHOOKS_FILE = "webhooks.json"
DELIVERIES_FILE = "deliveries.json"
GITIGNORE_LINE = "notifications/"

CONTENT_TYPES = ("application/json", "application/x-www-form-urlencoded")

# Orchest's event types that a webhook can subscribe to here (its names, so receivers written for
# Orchest keep working); the UI groups the two "pipeline run failed" ones as "a job run failed".
EVENT_TYPES = {
    "project:one-off-job:pipeline-run:failed": "A run of a one-off job failed",
    "project:cron-job:run:pipeline-run:failed": "A run of a cron job failed",
    "project:one-off-job:failed": "A job failed",
    "project:one-off-job:succeeded": "A job succeeded",
    "project:cron-job:run:started": "A cron job's run started",
}
FIELDS = ("name", "url", "content_type", "secret", "verify_ssl", "subscriptions")


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


def check_spec(body: Any, current: dict[str, Any] | None = None) -> dict[str, Any]:
    """A webhook from a request body (all of it, or a change of ``current``); BadRequest naming the
    field otherwise."""
    if not isinstance(body, dict):
        raise BadRequest("The request body must be a JSON object with the webhook's fields.")
    webhook = dict(current or {"name": "", "content_type": "application/json", "secret": "",
                               "verify_ssl": True, "subscriptions": []})
    unknown = sorted(set(body) - set(FIELDS))
    if unknown:
        raise BadRequest(f'Unknown field {", ".join(map(json.dumps, unknown))}; a webhook has {", ".join(FIELDS)}.',
                         [{"pointer": f"/{unknown[0]}"}])

    def bad(field: str, message: str) -> BadRequest:
        return BadRequest(f'"{field}": {message}', [{"pointer": f"/{field}"}])

    if current is None and "url" not in body:
        raise bad("url", "a webhook needs the URL to send its events to.")
    if "url" in body:
        url = body["url"]
        parts = urlsplit(url) if isinstance(url, str) else None
        if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
            raise bad("url", f"{json.dumps(url)} is not an http:// or https:// URL.")
        webhook["url"] = url
    if "name" in body:
        if not isinstance(body["name"], str) or len(body["name"]) > 100:
            raise bad("name", "should be a text of at most 100 characters.")
        webhook["name"] = body["name"].strip()
    if "content_type" in body:
        if body["content_type"] not in CONTENT_TYPES:
            raise bad("content_type", f'should be {" or ".join(CONTENT_TYPES)}, not {json.dumps(body["content_type"])}.')
        webhook["content_type"] = body["content_type"]
    if "secret" in body:  # null or "": no secret (requests are not signed)
        if body["secret"] is not None and not isinstance(body["secret"], str):
            raise bad("secret", "should be a text (or null for none).")
        webhook["secret"] = body["secret"] or ""
    if "verify_ssl" in body:
        if not isinstance(body["verify_ssl"], bool):
            raise bad("verify_ssl", "should be true or false.")
        webhook["verify_ssl"] = body["verify_ssl"]
    if "subscriptions" in body:
        subs = body["subscriptions"]
        if not isinstance(subs, list) or not all(isinstance(s, str) for s in subs):
            raise bad("subscriptions", "should be a list of event types.")
        unknown = [s for s in subs if s not in EVENT_TYPES]
        if unknown:
            raise bad("subscriptions", f'unknown event type {json.dumps(unknown[0])}; the known ones are '
                      f'{", ".join(EVENT_TYPES)}.')
        webhook["subscriptions"] = [s for s in EVENT_TYPES if s in subs]  # in a stable order, once each
    return webhook


def public(webhook: dict[str, Any]) -> dict[str, Any]:
    """A webhook as the API shows it: never its secret, only whether it has one."""
    shown = {k: v for k, v in webhook.items() if k != "secret"}
    shown["has_secret"] = bool(webhook.get("secret"))
    return shown


class WebhookFiles:
    """The webhooks of each project, read from and written to its file (one lock: writes come from
    the API's threads and the delivery threads)."""

    def __init__(self) -> None:
        self._lock = threading.RLock()

    @staticmethod
    def folder(project_dir: Path) -> Path:
        return project_dir / FOLDER

    def list(self, project_dir: Path) -> list[dict[str, Any]]:
        return self._read(project_dir, WEBHOOKS_FILE).get("webhooks", [])

    def get(self, project_dir: Path, webhook_uuid: str) -> dict[str, Any]:
        for webhook in self.list(project_dir):
            if webhook["uuid"] == webhook_uuid:
                return webhook
        raise NotFound(f'This project has no webhook "{webhook_uuid}".')

    def create(self, project_dir: Path, body: Any) -> dict[str, Any]:
        webhook = {"uuid": str(uuidlib.uuid4()), **check_spec(body), "created": now()}
        with self._lock:
            self._write(project_dir, WEBHOOKS_FILE, {"webhooks": [*self.list(project_dir), webhook]})
        return webhook

    def update(self, project_dir: Path, webhook_uuid: str, body: Any) -> dict[str, Any]:
        with self._lock:
            webhooks = self.list(project_dir)
            current = self.get(project_dir, webhook_uuid)
            changed = {**check_spec(body, current), "updated": now()}
            self._write(project_dir, WEBHOOKS_FILE,
                        {"webhooks": [changed if w["uuid"] == webhook_uuid else w for w in webhooks]})
        return changed

    def delete(self, project_dir: Path, webhook_uuid: str) -> None:
        with self._lock:
            self.get(project_dir, webhook_uuid)
            self._write(project_dir, WEBHOOKS_FILE,
                        {"webhooks": [w for w in self.list(project_dir) if w["uuid"] != webhook_uuid]})

    # --- the delivery history -------------------------------------------------------------------------

    def deliveries(self, project_dir: Path) -> list[dict[str, Any]]:
        return self._read(project_dir, DELIVERIES_FILE).get("deliveries", [])

    def record_delivery(self, project_dir: Path, delivery: dict[str, Any], keep: int) -> None:
        """Add or replace a delivery (by uuid), newest first, at most ``keep`` of them."""
        with self._lock:
            others = [d for d in self.deliveries(project_dir) if d["uuid"] != delivery["uuid"]]
            self._write(project_dir, DELIVERIES_FILE, {"deliveries": [delivery, *others][:keep]})

    # --- files ----------------------------------------------------------------------------------------

    def _read(self, project_dir: Path, name: str) -> dict[str, Any]:
        try:
            data = json.loads((self.folder(project_dir) / name).read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            raise BadRequest(f"{FOLDER / name} of this project cannot be read: {exc}") from None
        return data if isinstance(data, dict) else {}

    def _write(self, project_dir: Path, name: str, data: dict[str, Any]) -> None:
        folder = self.folder(project_dir)
        folder.mkdir(parents=True, exist_ok=True)
        _ignore_in_git(project_dir / ".orchest")
        path = folder / name
        if not path.exists():  # owner-only: it holds the secrets (the atomic write keeps the mode)
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
        write_text_atomic(path, json.dumps(data, indent=2, sort_keys=True) + "\n")


def _ignore_in_git(orchest_dir: Path) -> None:
    """``.orchest/.gitignore`` covers the notifications folder (secrets stay out of version control
    and out of job snapshots)."""
    path = orchest_dir / ".gitignore"
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        text = ""
    if GITIGNORE_LINE in (line.strip() for line in text.splitlines()):
        return
    prefix = "" if not text or text.endswith("\n") else "\n"
    write_text_atomic(path, f"{text}{prefix}# Webhooks (with their secrets) and their deliveries.\n{GITIGNORE_LINE}\n")
