"""The pipeline's services as the running step sees them, in the shape of Orchest's ``orchest.services``.

The runner (and a kernel opened in JupyterLab, when its pipeline's session has services) passes the
session's or run's services in ``ORCHEST_SERVICES``: what :func:`get_services` returns, keyed by
service name. Example of one service::

    {
        "internal_hostname": "redis-3f2a9c0d1e4b5a69",
        "external_urls": {6379: "http://localhost:8888/orchest/services/service-redis-3f2a9c0d1e4b5a69_6379/"},
        "base_paths": {6379: "/orchest/services/service-redis-3f2a9c0d1e4b5a69_6379"},
        ...  # the service's own fields (name, image, ports, ...), without "scope"
    }
"""

from __future__ import annotations

import json
import os
from typing import Any, Dict

from .error import ServiceNotFound, SessionNotFound

ENV_SERVICES = "ORCHEST_SERVICES"


def _with_int_ports(service: Dict[str, Any]) -> Dict[str, Any]:
    service = dict(service)
    for key in ("external_urls", "base_paths"):
        service[key] = {int(port): value for port, value in (service.get(key) or {}).items()}
    return service


def _pipeline_has_services() -> bool:
    """Whether the pipeline has services that a session of this type starts: without any, its
    processes get no ``ORCHEST_SERVICES`` and there is nothing to list."""
    from . import _context
    from .config import Config

    try:
        services = _context.current().pipeline.get("services") or {}
        return any(isinstance(s, dict) and isinstance(s.get("scope"), list) and Config.SESSION_TYPE in s["scope"]
                   for s in services.values())
    except Exception:  # not in a pipeline at all: nothing to say about its services
        return False


def get_services() -> Dict[str, Dict[str, Any]]:
    """The services of the current session (or run), by name; see the module's docstring."""
    raw = os.environ.get(ENV_SERVICES)
    if raw is None:
        if _pipeline_has_services():
            from .config import Config

            how = ("start the pipeline's interactive session, or restart it if its services changed since it started "
                   "(services need the docker backend), then restart the kernel"
                   if Config.SESSION_TYPE == "interactive" else "a run on the docker backend starts them")
            raise SessionNotFound(f"This pipeline defines {Config.SESSION_TYPE} services, but this process was not "
                                  f"started with them: {how}.")
        return {}
    return {name: _with_int_ports(service) for name, service in json.loads(raw).items()}


def get_service(name: str) -> Dict[str, Any]:
    """One service of the current session (or run), by name; raises :class:`~orchest.error.ServiceNotFound`."""
    services = get_services()
    if name in services:
        return services[name]
    raise ServiceNotFound("Could not find service with name %s" % name)
