"""The backend plug-ins installed: the entry-point group ``orchest_jlab.backends``.

Names are read without importing anything (the command line's start stays fast); a plug-in is
loaded when it is first asked for. The installed packages are scanned once per ``sys.path`` (a
command's ``--backend`` choices and its services share one scan).
"""

from __future__ import annotations

import sys
from functools import lru_cache
from importlib.metadata import EntryPoint, entry_points

from ..errors import BadRequest
from .plugin import BackendPlugin

GROUP = "orchest_jlab.backends"
AUTO = "auto"


@lru_cache(maxsize=4)
def _installed(path: tuple[str, ...]) -> tuple[EntryPoint, ...]:
    return tuple(entry_points(group=GROUP))


class BackendRegistry:
    def __init__(self, found: list[EntryPoint] | None = None):
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
