"""Which backend runs a run: the one asked for by name, or, for ``auto``, the best one that can.

``auto`` tries the plug-ins that have an ``auto_rank``, highest first (docker, then local). A
plug-in is taken when it can be used here and, if it ``needs_images``, when the images of the run's
environments can be had (each environment is defined and its base image is in the Docker engine,
or may be pulled). Otherwise the next one is tried, and the choice says why (``BackendChoice.note``).
Backend instances are made on first use and closed with the selection.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from pathlib import Path
from typing import Any

from ..engine import Backend, BackendChoice
from ..engine.runners import StepFailed
from ..errors import BadRequest, NotFound
from .plugin import BackendPlugin, BackendSetup
from .registry import AUTO, BackendRegistry

log = logging.getLogger(__name__)


class BackendSelection:
    def __init__(self, registry: BackendRegistry, setup: BackendSetup, default: str = AUTO):
        self.registry = registry
        self.setup = setup
        self.default = default
        self._instances: dict[str, Backend] = {}

    def check(self, name: str) -> None:
        """BadRequest unless ``name`` is ``auto`` or a plug-in that loads."""
        if name != AUTO:
            self.registry.get(name)

    def choose_for(self, project_dir: Path, environments: set[str], asked: str | None = None) -> BackendChoice:
        name = asked or self.default
        if name != AUTO:
            plugin = self.registry.get(name)
            problem = plugin.unavailable(self.setup)
            if problem:
                raise BadRequest(f"The {name} backend cannot be used: {problem}.")
            return self._choice(plugin)
        return self._auto(project_dir, environments)

    def _auto(self, project_dir: Path, environments: set[str]) -> BackendChoice:
        ranked = sorted((p for p in self.registry.plugins() if p.capabilities.auto_rank is not None),
                        key=lambda p: -p.capabilities.auto_rank)
        passed: list[tuple[BackendPlugin, str, bool]] = []  # (plug-in, why not, whether that surprises)
        for plugin in ranked:
            problem, surprising = plugin.unavailable(self.setup), False
            if problem is None and plugin.capabilities.needs_images:
                problem, surprising = self._images_problem(project_dir, environments), True
            if problem is None:
                if not passed:
                    return self._choice(plugin)
                first, why, surprise = passed[0]
                note = f"Steps run {plugin.where} ({plugin.name} backend): the {first.name} backend cannot be used: {why}."
                return self._choice(plugin, note, surprise)
            passed.append((plugin, problem, surprising))
        reasons = "; ".join(f"{p.name}: {why}" for p, why, _ in passed) or "no backend plug-in is installed"
        raise BadRequest(f"No backend can run this here ({reasons}).")

    def _images_problem(self, project_dir: Path, environments: set[str]) -> str | None:
        builder = self.setup.builder
        if builder is None:
            return self.setup.docker_problem or "there is no image builder"
        for env_uuid in sorted(environments):
            problem = builder.unobtainable(project_dir, env_uuid)
            if problem:
                return problem
        return None

    def _choice(self, plugin: BackendPlugin, note: str | None = None, warning: bool = False) -> BackendChoice:
        return BackendChoice(plugin.name, plugin.capabilities.needs_images, note, warning)

    def instance(self, name: str) -> Backend:
        if name not in self._instances:
            self._instances[name] = self.registry.get(name).create(self.setup)
        return self._instances[name]

    async def cluster(self) -> dict[str, Any]:
        """The configured backend and its cluster, when it has one (a plug-in whose backend can
        describe its cluster: ``cluster()``); ``problem`` when it cannot be reached."""
        found: dict[str, Any] = {"backend": self.default, "cluster": None, "problem": None}
        if self.default == AUTO:
            return found
        problem = self.registry.get(self.default).unavailable(self.setup)
        describe = None if problem else getattr(self.instance(self.default), "cluster", None)
        try:
            found["cluster"] = await describe() if describe is not None else None
        except (StepFailed, OSError, asyncio.TimeoutError) as exc:
            problem = str(exc) or type(exc).__name__
        found["problem"] = problem
        return found

    async def dashboard(self) -> tuple[str, int]:
        """Where the configured backend's cluster serves its dashboard (NotFound: nowhere)."""
        target = None
        if self.default != AUTO and not self.registry.get(self.default).unavailable(self.setup):
            where = getattr(self.instance(self.default), "dashboard", None)
            with contextlib.suppress(StepFailed, OSError, asyncio.TimeoutError):
                target = await where() if where is not None else None
        if target is None:
            raise NotFound(f"The {self.default} backend has no cluster dashboard to show here.")
        return target

    async def close(self) -> None:
        instances, self._instances = list(self._instances.values()), {}
        for backend in instances:
            try:
                await backend.close()
            except Exception:  # one backend's failure must not keep the others open
                log.exception("closing the %s backend", backend.name)
