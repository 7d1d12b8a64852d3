"""What a webhook receives, in Orchest's form: a body ``{"delivered_for": <the webhook, without its
URL and secret>, "event": {"uuid", "type", "timestamp", "project": {..., "job": {...}}}}`` as JSON
or as a form (each of the two fields JSON-encoded), with the headers ``X-Orchest-Event``,
``X-Orchest-Delivery``, ``X-Hub-Signature`` (the HMAC SHA-256 of the body with the secret, in hex;
only when the webhook has a secret) and ``User-Agent``."""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Any

USER_AGENT = "orchest-jlab"


def delivered_for(webhook: dict[str, Any]) -> dict[str, Any]:
    """The webhook as its receiver sees it: never its URL (it may hold a token) or its secret."""
    return {"uuid": webhook["uuid"], "name": webhook.get("name", ""), "type": "webhook",
            "content_type": webhook["content_type"], "verify_ssl": webhook["verify_ssl"]}


def body_of(webhook: dict[str, Any], event: dict[str, Any]) -> tuple[bytes, str]:
    """The request's body and its content type."""
    payload = {"delivered_for": delivered_for(webhook), "event": event}
    if webhook["content_type"] == "application/x-www-form-urlencoded":
        from urllib.parse import urlencode

        form = {key: json.dumps(value, sort_keys=True) for key, value in payload.items()}
        return urlencode(form).encode(), "application/x-www-form-urlencoded"
    return json.dumps(payload, sort_keys=True).encode(), "application/json"


def signature(secret: str, body: bytes) -> str:
    return hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


@dataclass
class Outcome:
    ok: bool
    status_code: int | None = None
    error: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"ok": self.ok, "status_code": self.status_code, "error": self.error}


def send(webhook: dict[str, Any], event: dict[str, Any], delivery_uuid: str, timeout: float) -> Outcome:
    """POST the event to the webhook (blocking: called from a delivery thread); a 2xx answer is a
    delivery, anything else (another status, no answer in ``timeout`` s, a TLS error) is not."""
    import requests

    body, content_type = body_of(webhook, event)
    headers = {"Content-Type": content_type, "User-Agent": USER_AGENT, "X-Orchest-Event": event["type"],
               "X-Orchest-Delivery": delivery_uuid}
    if webhook.get("secret"):
        headers["X-Hub-Signature"] = signature(webhook["secret"], body)
    try:
        response = requests.post(webhook["url"], data=body, headers=headers, timeout=timeout,
                                 verify=webhook["verify_ssl"], allow_redirects=False)
    except requests.RequestException as exc:
        return Outcome(False, error=_reason(exc))
    if 200 <= response.status_code < 300:
        return Outcome(True, response.status_code)
    return Outcome(False, response.status_code, f"the endpoint answered {response.status_code} {response.reason}")


def _reason(exc: Exception) -> str:
    import requests

    if isinstance(exc, requests.Timeout):
        return "the endpoint did not answer in time"
    if isinstance(exc, requests.exceptions.SSLError):
        return "the endpoint's TLS certificate was refused (turn off verify TLS for a self-signed one)"
    if isinstance(exc, requests.ConnectionError):
        return "the endpoint could not be reached"
    return type(exc).__name__
