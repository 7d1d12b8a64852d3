"""Which workers have unpacked which small project (its tar goes inside each step's task): once
every worker of the cluster has, the tar is no longer sent with the steps of that content (80 KB
for a project of 60 files: 1 ms of the scheduler's CPU per step). A worker that has not (it
joined since, or was restarted) answers ``worker.ProjectMissing`` and gets it sent again."""

from __future__ import annotations

import asyncio
import time

ASKED = 1.0  # seconds the server trusts its last look at the cluster's workers
KEPT = 1024  # project contents remembered (the oldest are forgotten: sent again if used)
ASK_TIMEOUT = 10


class Unpacked:
    def __init__(self) -> None:
        self._by_hash: dict[str, set[str]] = {}
        self._workers: tuple[float, frozenset[str]] = (-ASKED, frozenset())  # (when asked, addresses)
        self._asking: asyncio.Future | None = None

    def everywhere(self, client, project_hash: str) -> bool:
        """Whether every worker of the cluster (as last asked, at most every ASKED s and in the
        background) has unpacked the project."""
        asked, workers = self._workers
        if time.monotonic() - asked > ASKED and self._asking is None:
            self._asking = asyncio.ensure_future(self.ask(client))
        have = self._by_hash.get(project_hash)
        return bool(workers) and have is not None and workers <= have

    async def ask(self, client) -> None:
        """Which workers the cluster has now."""
        try:
            info = await asyncio.wait_for(client.scheduler.identity(), ASK_TIMEOUT)
            self._workers = (time.monotonic(), frozenset(info.get("workers", {})))
        except Exception:  # noqa: BLE001 - unknown workers: the tar is sent
            self._workers = (time.monotonic(), frozenset())
        finally:
            self._asking = None

    def add(self, project_hash: str, address: str) -> None:
        self._by_hash.setdefault(project_hash, set()).add(address)
        while len(self._by_hash) > KEPT:
            del self._by_hash[next(iter(self._by_hash))]

    def discard(self, project_hash: str, address: str) -> None:
        self._by_hash.get(project_hash, set()).discard(address)

    def close(self) -> None:
        if self._asking is not None:
            self._asking.cancel()
