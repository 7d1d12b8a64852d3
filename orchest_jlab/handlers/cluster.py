"""The configured backend's cluster (docs/dask.md): its scheduler and workers, and its dashboard
proxied through this server (authenticated like every route here)."""

from __future__ import annotations

from jupyter_server.auth.decorator import authorized
from jupyter_server.utils import url_path_join
from tornado import web

from ..backends import BackendSelection
from .base import OrchestHandler

DASHBOARD_ROOT = "orchest/cluster-dashboard"


class ClusterHandler(OrchestHandler):
    @web.authenticated
    @authorized
    async def get(self) -> None:
        found = await self.settings["orchest_backends"].cluster()
        if found["cluster"] and found["cluster"]["dashboard"]:
            found["cluster"]["dashboard_url"] = url_path_join(self.base_url, DASHBOARD_ROOT, "status")
        self.write_json(found)


def backends_of(handler: web.RequestHandler) -> BackendSelection:
    return handler.settings["orchest_backends"]
