"""Liveness of runs' owners: the server notices that the process running a run (an
``orchest-jlab run`` command, another server) is gone, and ends the run.

Every ``interval`` seconds it asks each open store for the runs in flight whose owner (pid and
start time, on this host) is no longer alive; those end FAILURE with a message naming the owner,
their running steps FAILURE (their process vanished), the others ABORTED; what they left is killed
(process groups and daemons carrying the step's token, ``engine/orphans.py``; containers labelled
with the run). Each ending is published on the bus, so open editors see it. The stores of projects
that got a database after the server started are found by a walk of the root every
``discover_every`` checks, when the empty cgroups that steps of ended runs left are removed too
(``engine/cgroups.sweep``). The work runs in a thread: the event loop never waits for it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from pathlib import Path

from ..engine import EventBus, cgroups
from ..pipelines import find_project_root
from ..store import RunStores
from ..workspace import Workspace

log = logging.getLogger(__name__)

CHECK_SECONDS = 2.0


class OwnerWatch:
    def __init__(self, stores: RunStores, bus: EventBus, workspace: Workspace | None = None,
                 remove_containers: Callable[[list[str]], None] | None = None,
                 interval: float = CHECK_SECONDS, discover_every: int = 15):
        self.stores = stores
        self.bus = bus
        self.workspace = workspace
        self.remove_containers = remove_containers  # of the runs with these uuids
        self.interval = interval
        self.discover_every = discover_every
        self._task: asyncio.Task | None = None
        self._checking: asyncio.Future | None = None  # the check running in its thread
        self._checks = 0

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.ensure_future(self._loop())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if self._checking is not None:  # the stores close next: let a check in its thread end first
            await asyncio.gather(self._checking, return_exceptions=True)

    async def _loop(self) -> None:
        while True:
            try:
                await self.check()
            except asyncio.CancelledError:
                raise
            except Exception:  # a database that cannot be read now: try again next time
                log.exception("could not check the owners of runs in flight")
            await asyncio.sleep(self.interval)

    async def check(self) -> list[str]:
        """One check: end the runs whose owner is gone; returns their uuids."""
        discover = self._checks % self.discover_every == 0
        self._checks += 1
        self._checking = asyncio.ensure_future(asyncio.to_thread(self._check, discover))
        ended = await asyncio.shield(self._checking)
        for record in ended:
            self._publish(record)
        return [r["uuid"] for r in ended]

    def _check(self, discover: bool) -> list[dict]:
        if discover:
            if self.workspace is not None:
                self._open_stores()
            swept = cgroups.sweep()
            if swept:
                log.info("removed %d empty cgroups that steps of ended runs left", swept)
        ended = []
        for store in self.stores.opened():
            try:
                uuids = store.recover()
            except Exception:
                log.exception("could not check the runs of %s", store.url)
                continue
            records = [r for r in map(store.get_run, uuids) if r is not None]
            for record in records:
                log.warning("run %s ended FAILURE: %s", record["uuid"], record["error"])
            ended += records
        # Whichever backend ran them: the containers are found by the runs' label (none for a host run).
        if ended and self.remove_containers is not None:
            try:
                self.remove_containers([r["uuid"] for r in ended])
            except Exception as exc:
                log.warning("could not remove the containers of runs whose owner is gone: %s", exc)
        return ended

    def _open_stores(self) -> None:
        root = self.workspace.root
        seen: set[Path] = set()
        for path in self.workspace.pipeline_files():
            project = find_project_root(path, root)
            if project not in seen:
                seen.add(project)
                self.stores.existing(project)

    def _publish(self, record: dict) -> None:
        for step_uuid, step in record["steps"].items():
            self.bus.publish("step", run_uuid=record["uuid"], step_uuid=step_uuid, state=step["state"],
                             started=step["started"], finished=step["finished"], error=step["error"],
                             log_path=step["log_path"])
        self.bus.publish("run", run_uuid=record["uuid"], status=record["status"], started=record["started"],
                         finished=record["finished"], error=record["error"], warnings=record["warnings"],
                         snapshot_dir=record["snapshot_dir"])
