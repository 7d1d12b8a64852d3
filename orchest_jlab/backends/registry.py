"""The backend plug-ins installed: the entry-point group ``orchest_jlab.backends``.

Names are read without importing anything (the command line's start stays fast); a plug-in is
loaded when it is first asked for. The installed packages are scanned once per ``sys.path`` (a
command's ``--backend`` choices and its services share one scan), and the scan's answer is kept in
the user's cache, keyed by the installed distributions (every ``*.dist-info``/``*.egg-info`` on
``sys.path`` and its ``entry_points.txt``): importing ``importlib.metadata`` alone costs a command
several interpreter starts, where looking at the folders costs about 2 ms.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..errors import BadRequest
from .plugin import BackendPlugin

GROUP = "orchest_jlab.backends"
AUTO = "auto"


@dataclass(frozen=True)
class InstalledEntryPoint:
    """An entry point of ``GROUP`` as the cache keeps it; ``load`` as ``importlib.metadata``'s."""

    name: str
    value: str  # module:attribute, possibly with [extras]

    def load(self) -> Any:
        import importlib

        module, _, attributes = self.value.partition("[")[0].replace(" ", "").partition(":")
        found = importlib.import_module(module)
        for attribute in filter(None, attributes.split(".")):
            found = getattr(found, attribute)
        return found


def _distributions(path: tuple[str, ...]) -> list[tuple[str, int | None]]:
    """What decides the scan's answer: each distribution's metadata folder on ``path`` and the time
    its ``entry_points.txt`` was written."""
    found: list[tuple[str, int | None]] = []
    for entry in path:
        try:
            with os.scandir(entry or ".") as folder:
                names = sorted(e.path for e in folder if e.name.endswith((".dist-info", ".egg-info")))
        except OSError:  # a zip file, or gone
            names = []
        for name in names:
            try:
                found.append((name, os.stat(os.path.join(name, "entry_points.txt")).st_mtime_ns))
            except OSError:
                found.append((name, None))
    return found


def _cache_file(path: tuple[str, ...]) -> Path:
    key = hashlib.sha256(json.dumps([GROUP, sys.version, path, _distributions(path)]).encode()).hexdigest()[:32]
    home = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(home) / "orchest-jlab" / "entry-points" / f"{key}.json"


@lru_cache(maxsize=4)
def _installed(path: tuple[str, ...]) -> tuple[InstalledEntryPoint, ...]:
    cache = _cache_file(path)
    with contextlib.suppress(OSError, ValueError, TypeError):
        return tuple(InstalledEntryPoint(name, value) for name, value in json.loads(cache.read_text()))
    from importlib.metadata import entry_points

    found = tuple(InstalledEntryPoint(ep.name, ep.value) for ep in entry_points(group=GROUP))
    with contextlib.suppress(OSError):  # a cache that cannot be written is only slower
        cache.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache.with_name(f"{cache.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps([[ep.name, ep.value] for ep in found]))
        os.replace(tmp, cache)
    return found


class BackendRegistry:
    def __init__(self, found: list[Any] | None = None):
        """``found``: entry points (``name``, ``value``, ``load()``); default: those installed."""
        found = list(_installed(tuple(sys.path))) if found is None else found
        self._entry_points = {ep.name: ep for ep in found}
        self._loaded: dict[str, BackendPlugin] = {}

    def names(self) -> list[str]:
        return sorted(self._entry_points)

    def choices(self) -> list[str]:
        """What a user may ask for: ``auto`` and every plug-in's name."""
        return [AUTO, *self.names()]

    def get(self, name: str) -> BackendPlugin:
        """The plug-in called ``name``; BadRequest for an unknown name or one that does not load."""
        if name in self._loaded:
            return self._loaded[name]
        entry_point = self._entry_points.get(name)
        if entry_point is None:
            raise BadRequest(f'Unknown backend "{name}"; use one of {", ".join(self.choices())}.')
        try:
            found = entry_point.load()
            plugin = found() if isinstance(found, type) else found
        except Exception as exc:
            raise BadRequest(f'The backend plug-in "{name}" ({entry_point.value}) could not be loaded: '
                             f"{type(exc).__name__}: {exc}") from None
        if getattr(plugin, "name", name) != name:
            raise BadRequest(f'The backend plug-in registered as "{name}" ({entry_point.value}) calls itself '
                             f'"{plugin.name}".')
        self._loaded[name] = plugin
        return plugin

    def plugins(self) -> list[BackendPlugin]:
        return [self.get(name) for name in self.names()]
