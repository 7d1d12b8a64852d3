"""The external URLs of services: ``{base_url}orchest/services/[pbp-]service-<name>-<session>_<port>/…``
proxied (HTTP and websockets) to the service's address on its private network, with
jupyter-server-proxy's handler. Authenticated and authorized like every route here; Jupyter's token
is not passed on to the service. ``preserve_base_path``: the service sees the whole path.

The cluster's dashboard (the dask backend's scheduler) the same way, at ``{base_url}orchest/cluster-dashboard/…``.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

from jupyter_server.utils import url_path_join
from jupyter_server_proxy.handlers import ProxyHandler
from tornado import web

from ..errors import OrchestError
from ..pipelines.services import PROXY_ROOT
from .base import AUTH_RESOURCE
from .cluster import DASHBOARD_ROOT, backends_of

ROUTE = rf"/{PROXY_ROOT}/(?P<key>(?:pbp-)?service-[a-z0-9-]+)_(?P<port>[0-9]+)(?P<proxied_path>/.*)?"


class OrchestProxyHandler(ProxyHandler):
    """Authenticated and authorized like the API; Jupyter's token stays here."""

    async def prepare(self, *args, **kwargs) -> None:
        await super().prepare(*args, **kwargs)  # authenticated (403 for a websocket without a user)
        if not self.authorizer.is_authorized(self, self.current_user, "read" if self.request.method in ("GET", "HEAD")
                                             else "write", AUTH_RESOURCE):
            raise web.HTTPError(403)
        query = [(k, v) for k, v in parse_qsl(self.request.query, keep_blank_values=True) if k != "token"]
        self.request.query = urlencode(query)
        if self.request.headers.get("Authorization", "").lower().startswith("token "):
            del self.request.headers["Authorization"]

    def write_error(self, status_code: int, **kwargs) -> None:
        # Jupyter's 404 page leaves the message out: a service's tab says which service and why.
        exc = (kwargs.get("exc_info") or (None, None, None))[1]
        if status_code == 404 and isinstance(exc, web.HTTPError) and exc.log_message:
            self.set_header("Content-Type", "text/html")
            self.write(self.render_template("error.html", status_code=404, status_message="Not Found",
                                           message=exc.log_message, exception=exc))
            return
        super().write_error(status_code, **kwargs)


class ServiceProxyHandler(OrchestProxyHandler):
    _where = ""

    def _target(self, key: str, port: str) -> str:
        try:
            address, pbp = self.settings["orchest_pipeline_services"].target(key, int(port))
        except OrchestError as exc:
            raise web.HTTPError(exc.status, exc.message) from None
        self.absolute_url = pbp  # the service gets the whole path, as under Orchest's ingress
        self.host_allowlist = [address]
        self._where = f"{key}_{port}"
        return address

    def _get_context_path(self, host, port):
        return url_path_join(self.base_url, PROXY_ROOT, self._where)

    def get_client_uri(self, protocol, host, port, proxied_path):
        if not self.absolute_url:
            return super().get_client_uri(protocol, host, port, proxied_path)
        # The path as the browser sent it (still %-encoded, as under Orchest's ingress): quoting the
        # decoded one again would turn a base_url's "%40" into "%2540".
        query = f"?{self.request.query}" if self.request.query else ""
        return f"{protocol}://{host}:{port}{self.request.path}{query}"

    async def http_get(self, key, port, proxied_path=None):
        if not proxied_path:  # the service's root is "<url>/"
            query = f"?{self.request.query}" if self.request.query else ""
            self.redirect(self.request.path + "/" + query)
            return
        return await self.proxy(self._target(key, port), port, proxied_path)

    def _forward(self, key, port, proxied_path=None):
        return self.proxy(self._target(key, port), port, proxied_path or "/")

    post = put = delete = head = patch = options = _forward

    async def open(self, key, port, proxied_path=None):
        return await self.proxy_open(self._target(key, port), port, proxied_path or "/")


DASHBOARD_ROUTE = rf"/{DASHBOARD_ROOT}(?P<proxied_path>/.*)?"


class DashboardProxyHandler(OrchestProxyHandler):
    async def _target(self) -> tuple[str, int]:
        try:
            host, port = await backends_of(self).dashboard()
        except OrchestError as exc:
            raise web.HTTPError(exc.status, exc.message) from None
        self.host_allowlist = [host]
        return host, port

    def _get_context_path(self, host, port):
        return url_path_join(self.base_url, DASHBOARD_ROOT)

    async def http_get(self, proxied_path=None):
        return await self.proxy(*await self._target(), proxied_path or "/")

    async def _forward(self, proxied_path=None):
        return await self.proxy(*await self._target(), proxied_path or "/")

    post = put = delete = head = patch = options = _forward

    async def open(self, proxied_path=None):
        return await self.proxy_open(*await self._target(), proxied_path or "/")
