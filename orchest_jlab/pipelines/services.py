"""Orchest's services in a pipeline document: the checks a schema cannot express, which services a
session or run starts and in what order, how each is launched, and how steps see it (the SDK's shape).

Pure: no Docker, no server. Orchest's semantics (its ``_orchest.internals`` migrations and session
manifests) are followed: ``entrypoint`` + ``command`` is the older form of ``command`` + ``args``;
``$BASE_PATH_PREFIX`` in a service's fields is its proxy path; ``env_variables_inherit`` names
variables of the run that win over ``env_variables``.
"""

from __future__ import annotations

import dataclasses
import json
import re
import shlex
from dataclasses import dataclass, field
from typing import Any

from .problems import Problem, json_pointer

ENVIRONMENT_PREFIX = "environment@"  # an image that is one of the project's environments
SCOPES = ("interactive", "noninteractive")
BIND_SOURCES = ("/project-dir", "/data")
NAME_PATTERN = re.compile(r"^[a-z][0-9a-z-]{0,25}$")  # Orchest's: a DNS label once the session uuid is added
PROXY_ROOT = "orchest/services"  # under the server's base_url


def service_problem(name: str, pointer_tail: list, message: str) -> Problem:
    return Problem(json_pointer("services", name, *pointer_tail), f'Service "{name}": {message}')


def _services(data: Any) -> dict[str, Any]:
    services = data.get("services") if isinstance(data, dict) else None
    return services if isinstance(services, dict) else {}


def service_problems(data: Any) -> list[Problem]:
    """What the schema cannot say about ``services``: names, binds, ports, duplicate orders."""
    problems: list[Problem] = []
    orders: dict[int, str] = {}
    for key, service in _services(data).items():
        if not isinstance(service, dict):
            continue
        name = service.get("name")
        if isinstance(name, str) and name != key:
            problems.append(service_problem(key, ["name"], f'its name "{name}" differs from its key "{key}" in "services".'))
        if not NAME_PATTERN.match(key):
            problems.append(service_problem(key, [], "a service name must start with a lower-case letter and "
                                                     "have at most 26 lower-case letters, digits and '-'."))
        image = service.get("image")
        if isinstance(image, str) and not image.strip():
            problems.append(service_problem(key, ["image"], '"image" must name an image or "environment@<uuid>".'))
        binds = service.get("binds")
        if isinstance(binds, dict):
            for source, target in binds.items():
                if source not in BIND_SOURCES:
                    problems.append(service_problem(key, ["binds", source], f'a bind source must be "/project-dir" or '
                                                                            f'"/data", not "{source}".'))
                elif isinstance(target, str) and not target.startswith("/"):
                    problems.append(service_problem(key, ["binds", source],
                                                    f'"binds" "{source}" must map to an absolute path, not "{target}".'))
        for i, port in enumerate(service.get("ports") or [] if isinstance(service.get("ports"), list) else []):
            if port_number(port) is None:
                problems.append(service_problem(key, ["ports", i], f'"ports" must hold port numbers (1-65535), not {json.dumps(port)}.'))
        args = service.get("command" if "entrypoint" in service else "args")
        if isinstance(args, str):
            try:
                shlex.split(args)
            except ValueError as exc:
                problems.append(service_problem(key, ["command" if "entrypoint" in service else "args"],
                                                f"its arguments cannot be split like a shell does: {exc}."))
        order = service.get("order")
        if _is_int(order):
            if order in orders:
                problems.append(service_problem(key, ["order"], f'its order {order} is also that of "{orders[order]}".'))
            orders.setdefault(order, key)
        problems += _orchest_refusals(key, service)
    return problems


def _orchest_refusals(key: str, service: dict) -> list[Problem]:
    """Warnings for what runs here but makes Orchest refuse the whole pipeline (its
    is_service_definition_valid): at least one port, each a number; an ``order``; ``exposed``."""
    refused = " Orchest would not open this pipeline without it."
    found = []

    def at(field: str) -> list:  # a missing field is pointed at through its service
        return [field] if field in service else []

    ports = service.get("ports")
    if not isinstance(ports, list) or not ports:
        found.append((at("ports"), 'it has no port in "ports".' + refused))
    else:
        found += [(["ports", i], f'port "{port}" is text: Orchest needs a number and would not open this pipeline.')
                  for i, port in enumerate(ports) if isinstance(port, str) and port_number(port) is not None]
    if not _is_int(service.get("order")):
        found.append((at("order"), 'it has no "order" (a whole number).' + refused))
    if not isinstance(service.get("exposed"), bool):
        found.append((at("exposed"), 'it has no "exposed" (true or false).' + refused))
    return [dataclasses.replace(service_problem(key, tail, message), severity="warning") for tail, message in found]


def environment_of(service: dict) -> str | None:
    """The environment uuid of an ``environment@<uuid>`` image, else None."""
    image = service.get("image")
    if isinstance(image, str) and image.startswith(ENVIRONMENT_PREFIX):
        return image[len(ENVIRONMENT_PREFIX):]
    return None


def port_number(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and value.isdigit():
        value = int(value)
    return value if isinstance(value, int) and 0 < value < 65536 else None


def in_scope(data: Any, scope: str) -> list[dict]:
    """The services a session (``interactive``) or run (``noninteractive``) starts, in start order:
    by ``order``, those without one after, by name."""
    chosen = [s for s in _services(data).values()
              if isinstance(s, dict) and isinstance(s.get("scope"), list) and scope in s["scope"]]
    return sorted(chosen, key=lambda s: (not _is_int(s.get("order")), s["order"] if _is_int(s.get("order")) else 0,
                                         str(s.get("name"))))


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def session_uuid_of(pipeline_path: str) -> str:
    """The interactive session uuid of a pipeline file: stable, so hostnames and URLs survive a restart."""
    import hashlib

    return hashlib.sha256(pipeline_path.encode()).hexdigest()[:16]


def proxy_prefix(base_url: str, name: str, session_uuid: str, preserve_base_path: bool) -> str:
    """What ``$BASE_PATH_PREFIX`` becomes: the proxy path of a service without the leading slash and
    without ``_<port>`` (Orchest's ``[pbp-]service-<name>-<session uuid>``, under the proxy's root)."""
    ingress = f"{'pbp-' if preserve_base_path else ''}service-{name}-{session_uuid}"
    return "/".join(p for p in (base_url.strip("/"), PROXY_ROOT, ingress) if p)


def base_path(base_url: str, name: str, session_uuid: str, port: int, preserve_base_path: bool) -> str:
    """The path of a port's external URL, without a trailing slash (``/orchest/services/service-web-…_80``)."""
    return f"/{proxy_prefix(base_url, name, session_uuid, preserve_base_path)}_{port}"


@dataclass
class ServiceLaunch:
    """How one service's container is made (the Docker layer turns it into options)."""

    name: str
    image: str  # an image name, or environment@<uuid>
    entrypoint: list[str] | None
    command: list[str] | None
    env: dict[str, str]
    binds: dict[str, str]  # /project-dir or /data → path in the container
    ports: list[int]
    preserve_base_path: bool
    order: int | None
    spec: dict = field(default_factory=dict)  # the service's fields, $BASE_PATH_PREFIX replaced


def launch_of(service: dict, session_uuid: str, base_url: str, inherited: dict[str, str] | None = None,
              orchest_env: dict[str, str] | None = None) -> ServiceLaunch:
    """A valid service's launch: ``$BASE_PATH_PREFIX`` replaced (not in ``name``), Orchest's older
    ``entrypoint`` form read, inherited variables (a plain mapping the caller passes: a job's
    variables today) over ``env_variables``, Orchest's ``ORCHEST_*`` variables under both."""
    name = service["name"]
    pbp = bool(service.get("preserve_base_path"))
    prefix = proxy_prefix(base_url, name, session_uuid, pbp)
    spec = json.loads(json.dumps({k: v for k, v in service.items() if k != "name"}).replace("$BASE_PATH_PREFIX", prefix))
    spec["name"] = name
    if "entrypoint" in spec:  # Orchest before its 1.1.0 schema
        entry, args = spec.get("entrypoint") or "", spec.get("command") or ""
    else:
        entry, args = spec.get("command") or "", spec.get("args") or ""
    env = dict(orchest_env or {})
    env.update({k: str(v) for k, v in (spec.get("env_variables") or {}).items()})
    for key in spec.get("env_variables_inherit") or []:
        if inherited and key in inherited:
            env[key] = inherited[key]
    ports = [p for p in (port_number(v) for v in spec.get("ports") or []) if p is not None]
    binds = {k: v for k, v in (spec.get("binds") or {}).items() if k in BIND_SOURCES and isinstance(v, str) and v}
    order = service.get("order") if _is_int(service.get("order")) else None
    return ServiceLaunch(name=name, image=service["image"], entrypoint=[entry] if entry else None,
                         command=shlex.split(args) if args else None, env=env, binds=binds, ports=ports,
                         preserve_base_path=pbp, order=order, spec=spec)


def sdk_view(launch: ServiceLaunch, session_uuid: str, origin: str, base_url: str) -> dict[str, Any]:
    """What ``orchest.get_service(name)`` answers (Orchest's shape): the service's fields without
    ``scope``, plus ``internal_hostname``, ``external_urls`` and ``base_paths`` keyed by port.
    ``origin``: the server as browsers reach it (``http://localhost:8888``)."""
    view = {k: v for k, v in launch.spec.items() if k != "scope"}
    paths = {p: base_path(base_url, launch.name, session_uuid, p, launch.preserve_base_path) for p in launch.ports}
    view["internal_hostname"] = f"{launch.name}-{session_uuid}"
    view["base_paths"] = paths
    view["external_urls"] = {p: origin.rstrip("/") + path + "/" for p, path in paths.items()}
    return view
