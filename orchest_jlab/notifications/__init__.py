"""Notifications of job events: webhooks per project (``webhooks.py``), what they receive
(``payloads.py``) and their delivery (``service.py``)."""

from .service import NotificationService
from .webhooks import CONTENT_TYPES, EVENT_TYPES, WebhookFiles, public

__all__ = ["CONTENT_TYPES", "EVENT_TYPES", "NotificationService", "WebhookFiles", "public"]
