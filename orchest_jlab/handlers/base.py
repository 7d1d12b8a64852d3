"""The one place where requests are authenticated and errors become JSON ``{"message", "errors"}``."""

from __future__ import annotations

import json
from typing import Any

from jupyter_server.base.handlers import APIHandler
from jupyter_server.extension.handler import ExtensionHandlerMixin
from tornado import web

from ..errors import BadRequest, OrchestError
from ..runs import RunService
from ..workspace import Workspace

AUTH_RESOURCE = "orchest"


def unencodable(value: Any, pointer: str = "") -> str | None:
    """The JSON pointer of the first string (a key or a value) that UTF-8 cannot encode, if any:
    JSON may escape lone surrogates, which no file, database or log can hold."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return pointer
        return None
    if isinstance(value, dict):
        items = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        return None
    for key, item in items:
        here = f"{pointer}/{str(key).replace('~', '~0').replace('/', '~1')}"
        found = unencodable(key, here) if isinstance(key, str) else None
        if found is None:
            found = unencodable(item, here)
        if found is not None:
            return found
    return None


class OrchestHandler(ExtensionHandlerMixin, APIHandler):
    """Base of every Orchest API handler. Subclasses decorate their methods with ``@authenticated``."""

    auth_resource = AUTH_RESOURCE

    @property
    def workspace(self) -> Workspace:
        return self.settings["orchest_workspace"]

    @property
    def runs(self) -> RunService:
        return self.settings["orchest_runs"]

    async def prepare(self) -> None:  # type: ignore[override]
        await super().prepare()
        limit = self.settings.get("orchest_max_request_body")
        size = len(self.request.body or b"")
        if self.current_user is not None and limit and size > limit:  # no user: the method answers 403
            raise BadRequest(f"The request body is {size / 2**20:.1f} MiB, more than the limit of "
                             f"{limit / 2**20:g} MiB (c.OrchestApp.max_request_body_mb).")

    def json_body(self) -> Any:
        try:
            body = json.loads(self.request.body or b"")
        except (ValueError, RecursionError) as exc:
            raise BadRequest(f"The request body is not valid JSON: {exc}") from None
        pointer = unencodable(body)
        if pointer is not None:
            raise BadRequest(f"The request body has text that is not valid Unicode (a lone surrogate such as "
                             f'"\\ud800") at {pointer or "/"}; it cannot be stored.', [{"pointer": pointer}])
        return body

    def no_content(self) -> None:
        self.set_status(204)
        self.finish()

    def write_json(self, value: Any, status: int = 200) -> None:
        self.set_status(status)
        self.finish(json.dumps(value))

    def log_exception(self, typ, value, tb) -> None:
        if isinstance(value, OrchestError):
            self.log.info("%s %s: %s", self.request.method, self.request.path, value.message)
        else:
            super().log_exception(typ, value, tb)

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        exc = kwargs.get("exc_info", (None, None, None))[1]
        errors: list = []
        if isinstance(exc, OrchestError):
            status_code, message, errors = exc.status, exc.message, exc.errors
            self.set_status(status_code)
        elif isinstance(exc, web.HTTPError):
            message = exc.log_message % exc.args if exc.log_message and exc.args else exc.log_message
            message = message or self._reason
        else:
            message = "The server failed to handle this request; its log has the details."
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps({"message": message, "errors": errors}))
