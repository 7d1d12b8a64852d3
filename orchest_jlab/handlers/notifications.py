"""Notifications: a project's webhooks (list, add, change, remove, test) and their deliveries.
The project is ``?project=<its folder or one of its pipeline files>``, as for environments."""

from __future__ import annotations

import asyncio

from jupyter_server.auth.decorator import authorized
from tornado import web

from ..notifications import NotificationService
from .base import OrchestHandler


class NotificationsBase(OrchestHandler):
    @property
    def notifications(self) -> NotificationService:
        return self.settings["orchest_notifications"]

    def project(self) -> str | None:
        return self.get_query_argument("project", None)


class WebhooksHandler(NotificationsBase):
    @web.authenticated
    @authorized
    async def get(self) -> None:
        self.write_json(await asyncio.to_thread(self.notifications.list, self.project()))

    @web.authenticated
    @authorized
    async def post(self) -> None:
        self.write_json(await asyncio.to_thread(self.notifications.create, self.project(), self.json_body()), status=201)


class WebhookHandler(NotificationsBase):
    @web.authenticated
    @authorized
    async def patch(self, webhook_uuid: str) -> None:
        body = self.json_body()
        self.write_json(await asyncio.to_thread(self.notifications.update, self.project(), webhook_uuid, body))

    @web.authenticated
    @authorized
    async def delete(self, webhook_uuid: str) -> None:
        await asyncio.to_thread(self.notifications.delete, self.project(), webhook_uuid)
        self.set_status(204)
        self.finish()


class WebhookTestHandler(NotificationsBase):
    @web.authenticated
    @authorized
    async def post(self, webhook_uuid: str) -> None:
        # Waits for the endpoint (at most c.OrchestApp.webhook_timeout_seconds): in a thread.
        self.write_json(await asyncio.to_thread(self.notifications.test, self.project(), webhook_uuid))


class DeliveriesHandler(NotificationsBase):
    @web.authenticated
    @authorized
    async def get(self) -> None:
        webhook = self.get_query_argument("webhook", None)
        self.write_json({"deliveries": await asyncio.to_thread(self.notifications.deliveries, self.project(), webhook)})
