"""The runs' projects as tars on the cluster: packed again only when a run's project lists
otherwise (``project.py``), a small tar inside each step's task, a larger one a task of its own shared
by the runs that use it (a job's runs share one: their snapshots differ only in the pipeline file,
which goes with each step)."""

from __future__ import annotations

import asyncio
import logging
import time
from pathlib import Path
from typing import Any

from . import worker
from .project import Packs, listing

log = logging.getLogger(__name__)

# A project tar smaller than this goes inside each step's task (Dask then places steps by load; as a
# task's result held by one worker it drew every step there); a larger one is a task of its own,
# copied to every worker in the background.
INLINE_PROJECT = 1 << 20
# A project of at most this many files is listed again in the event loop (0.3 ms for 60 files),
# not in a thread: the thread's round trip cost twice the listing, a twentieth of a chain's step.
LIST_IN_LOOP = 200


class Tars:
    def __init__(self, background: set):
        self._packs = Packs()  # tars by their project's listing: a job's runs pack once
        self._shared: dict[str, list] = {}  # a large tar's hash -> [its task's future, runs using it]
        self._background = background  # replications under way (kept from the GC)

    async def project(self, client, run, project_dir: Path, data: str, fixed: bool = False,
                       leave_out: str | None = None) -> tuple[str, dict[str, str]]:
        """The project's hash and manifest, its tar on the cluster: packed again only when its
        listing (names, sizes, times) changed since this run last packed it. ``fixed``: a snapshot,
        which changes only when the server writes into it (an executed notebook): not listed again
        until then. ``leave_out``: a file not in the tar (a snapshot's pipeline file)."""
        asked = time.monotonic()
        async with run.packing:
            if run.packed is not None and (run.listed >= asked or (fixed and not run.written)):
                return run.packed[1], run.packed[2]  # listed since (steps starting together), or a snapshot
            run.written = False
            began = time.monotonic()
            leave = (leave_out,) if leave_out else ()
            if run.packed is not None and len(run.packed[0]) <= LIST_IN_LOOP:
                names = [(rel, details) for rel, _, details in listing(project_dir, (f"{data}/",)) if rel not in leave]
                if run.packed[0] == names:  # listed in the loop: cheaper than a thread's round trip
                    run.listed = began
                    return run.packed[1], run.packed[2]
            names, project_hash, tar, manifest = await asyncio.to_thread(self._packs.pack, project_dir, (f"{data}/",),
                                                                        leave_out)
            if project_hash not in run.projects:
                run.projects[project_hash] = self._tar(client, project_hash, tar)
            run.packed, run.listed = (names, project_hash, manifest), began
            return project_hash, manifest

    def _tar(self, client, project_hash: str, tar: bytes) -> Any:
        """What a step's task gets as its project: a small tar itself (Dask then places steps by the
        workers' load; as a task's result held by one worker it drew every step there: 16 parallel
        steps crowded on one of two), a larger one as a task of its own, shared by the runs that use
        it and copied to every worker in the background."""
        if len(tar) < INLINE_PROJECT:
            return tar
        shared = self._shared.get(project_hash)
        if shared is None or shared[0].client is not client or shared[0].status in ("error", "cancelled", "lost"):
            import dask.config

            # A task, not scattered data: a lost worker's copy is made again from the graph (a large
            # project in the graph is expected, not worth Dask's warning).
            with dask.config.set({"distributed.admin.large-graph-warning-threshold": "100 GiB"}):
                future = client.submit(worker.project_tar, tar, pure=False, key=f"orchest-project-{project_hash}")
            # Not awaited: a step need not wait for copies it may not use.
            replicating = asyncio.ensure_future(client.replicate([future]))
            self._background.add(replicating)
            replicating.add_done_callback(settled(self._background))
            shared = self._shared[project_hash] = [future, 0]
        shared[1] += 1
        return shared[0]

    def release(self, projects: dict[str, Any]) -> None:
        """A run ended: the tars it used (``run.projects``) leave the cluster unless other runs use them."""
        for project_hash, tar in projects.items():
            if isinstance(tar, bytes):  # a small project's tar went inside its steps' tasks
                continue
            shared = self._shared.get(project_hash)
            if shared is not None and shared[0] is tar:
                shared[1] -= 1
                if shared[1]:  # other runs of this process use it
                    continue
                del self._shared[project_hash]
            tar.release()


def settled(pending: set) -> Any:
    """A done callback: the task leaves ``pending``; its failure (e.g. the run ended first) is only logged."""
    def done(task: asyncio.Future) -> None:
        pending.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.debug("a background call to the cluster did not finish: %s", task.exception())
    return done
