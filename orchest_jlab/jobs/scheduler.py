"""The scheduler: fires jobs at their times, from one asyncio task of the server.

It keeps the next fire time of every scheduled job in memory (the database has them too), sleeps on
the injected clock until the earliest one (at most a minute, or until woken by a change), then fires
every job that is due through the dispatcher, which records the fire in the database before any run
starts. On start it restores the jobs of the projects it finds: queued runs are queued again, runs
the previous server was running are marked with how they ended, and fire times that passed while the
server was down are skipped or fired once, per job, with a line in the job's history.

Several servers may share a project's database. Each job has one owner, whose scheduler alone fires
it, and a lease in the store that the owner renews every ``lease/3`` seconds (real time, whatever
the clock). Every server looks as often for jobs whose owner is gone — a process of its own host
that no longer lives, another machine's whose lease lapsed — and takes them over as a restart
would restore them; a server that
schedules a job (start, resume, a new time) takes it. A fire is still recorded only once per
scheduled time (``JobStore.record_fire``), so two servers that both think they own a job for a
moment never fire it twice.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime

from ..engine import Engine
from ..engine.states import FINISHED_STATUSES, UNFINISHED_STATUSES
from ..identity import ProcessIdentity
from ..pipelines import discover_pipelines, find_project_root
from ..store.jobs import ACTIVE, LEASE_SECONDS, JobStore, JobStores, lease_lapsed
from ..workspace import Workspace
from .dispatch import Dispatcher, Queued
from .schedule import Clock, Schedule, iso, parse_iso

log = logging.getLogger(__name__)
MAX_SLEEP = 60.0


class Scheduler:
    def __init__(self, jobs: JobStores, dispatcher: Dispatcher, engine: Engine, clock: Clock,
                 workspace: Workspace | None = None, lease_seconds: float = LEASE_SECONDS):
        self.jobs = jobs
        self.dispatcher = dispatcher
        self.engine = engine
        self.clock = clock
        self.workspace = workspace
        self.owner = ProcessIdentity.current()
        self._next: dict[str, tuple[JobStore, datetime]] = {}
        self._wake: asyncio.Event | None = None
        self._task: asyncio.Task | None = None
        self._leases: asyncio.Task | None = None
        self._stopped = False
        self.lease_seconds = lease_seconds
        self.discover_every = 3  # lease rounds between two walks of the root for new databases

    # --- lifecycle -------------------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    async def start(self) -> None:
        """Restore the jobs (awaited: once this returns, every job is known), then run the loop."""
        if self._wake is not None or self._stopped:
            return
        self._wake = asyncio.Event()
        try:
            await self.restore()
        except Exception:
            log.exception("could not restore the jobs")
        if not self._stopped:  # the server may have stopped meanwhile
            self._task = asyncio.ensure_future(self._loop())
            self._leases = asyncio.ensure_future(self._lease_loop())

    async def stop(self) -> None:
        self._stopped = True
        for task in (self._task, self._leases):
            if task is not None:
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)

    async def _loop(self) -> None:
        while True:
            self._wake.clear()
            try:
                self.tick()
            except Exception:
                log.exception("scheduler tick failed")
            sleeper = asyncio.ensure_future(self.clock.sleep(self._delay()))
            waker = asyncio.ensure_future(self._wake.wait())
            try:
                await asyncio.wait({sleeper, waker}, return_when=asyncio.FIRST_COMPLETED)
            finally:
                sleeper.cancel()
                waker.cancel()
                await asyncio.gather(sleeper, waker, return_exceptions=True)

    def _delay(self) -> float:
        if not self._next:
            return MAX_SLEEP
        earliest = min(t for _, t in self._next.values())
        return min(MAX_SLEEP, max(0.0, (earliest - self.clock.now()).total_seconds()))

    def schedule(self, store: JobStore, job_uuid: str, next_fire: str | datetime | None) -> None:
        """Set (or with None, drop) a job's next fire time and wake the loop; a job this scheduler
        schedules is its own."""
        moment = parse_iso(next_fire) if isinstance(next_fire, str) else next_fire
        if moment is None:
            self._next.pop(job_uuid, None)
        else:
            if self._next.get(job_uuid, (None, None))[0] is not store:  # not ours yet
                store.take(job_uuid, self.owner, self.lease_seconds)
            self._next[job_uuid] = (store, moment)
        if self._wake is not None:
            self._wake.set()

    # --- firing --------------------------------------------------------------------------------------------

    def tick(self) -> int:
        """Fire every job that is due now; returns how many fires were made or skipped."""
        now = self.clock.now()
        due = [(u, s) for u, (s, t) in self._next.items() if t <= now]
        for job_uuid, store in due:
            self._fire_due(store, job_uuid, now)
        return len(due)

    def _fire_due(self, store: JobStore, job_uuid: str, now: datetime) -> None:
        job = store.get_job(job_uuid)
        if job is None or job["status"] not in ("PENDING", "STARTED") or not job["next_fire"] or not self._owns(job):
            self._next.pop(job_uuid, None)  # ended, paused, or taken over by another server
            return
        first = parse_iso(job["next_fire"])
        if first > now:
            self._next[job_uuid] = (store, first)
            return
        schedule = Schedule.from_json(job["schedule"])
        count, last = schedule.due(first, now)
        following = schedule.next_after(now)
        late = f" ({count - 1} earlier fire time{'s' if count > 2 else ''} passed while the server was busy)" if count > 1 else ""
        self.dispatcher.fire(store, job, scheduled=iso(last), next_fire=iso(following) if following else None,
                             message=f"Fired for {iso(last)}{late}")
        self.schedule(store, job_uuid, following)
        self.dispatcher.announce(store, job_uuid)

    # --- restore after a (re)start ---------------------------------------------------------------------------

    def _open_stores(self) -> None:
        """Open the database of every project with pipelines under the root (they may hold jobs)."""
        if self.workspace is None:
            return
        root = self.workspace.root
        for relative in discover_pipelines(root, self.workspace.skip_dirs):
            self.jobs.existing(find_project_root(root / relative, root))

    async def restore(self) -> None:
        await asyncio.to_thread(self._open_stores)
        now = self.clock.now()
        for store in self.jobs.opened():
            for job in store.list_jobs(statuses=ACTIVE):
                try:
                    if self._take_over(store, job):
                        self._restore_runs(store, job)
                        self._restore_schedule(store, store.get_job(job["uuid"]), now)
                except Exception:
                    log.exception("could not restore job %s", job["uuid"])

    def _owns(self, job: dict) -> bool:
        return (job["owner_pid"], job["owner_started"]) == (self.owner.pid, self.owner.started)

    def _take_over(self, store: JobStore, job: dict) -> bool:
        if self._owns(job):
            return True
        if not lease_lapsed(job):
            log.info("job %s is driven by process %s; leaving it alone", job["uuid"], job["owner_pid"])
            return False
        return store.take(job["uuid"], self.owner, self.lease_seconds, previous=job)

    # --- leases: several servers on one database --------------------------------------------------------

    async def _lease_loop(self) -> None:
        rounds = 0
        while True:
            await asyncio.sleep(self.lease_seconds / 3)  # real time: leases are about processes, not the clock
            rounds += 1
            try:
                await self.keep_leases(discover=rounds % self.discover_every == 0)
            except asyncio.CancelledError:
                raise
            except Exception:  # the database cannot be reached now: try again next round
                log.exception("could not renew or check the jobs' leases")

    async def keep_leases(self, discover: bool = False) -> list[str]:
        """Renew the leases of the jobs this scheduler owns, forget those another server took, and
        take over those whose lease lapsed. Returns the uuids of the jobs taken over."""
        if discover:
            await asyncio.to_thread(self._open_stores)
        stores = self.jobs.opened()
        before = set(self._next)  # a job scheduled meanwhile is taken by ``schedule``: it is ours
        owned, lapsed = await asyncio.to_thread(
            lambda: ({u for store in stores for u in store.renew(self.owner, self.lease_seconds)},
                     [(store, job) for store in stores for job in store.lapsed(self.owner)]))
        for job_uuid in [u for u in before if u in self._next and u not in owned]:
            log.warning("job %s is driven by another process now; this one no longer fires it", job_uuid)
            self._next.pop(job_uuid, None)
        taken = []
        now = self.clock.now()
        for store, job in lapsed:
            try:
                if not store.take(job["uuid"], self.owner, self.lease_seconds, previous=job):
                    continue  # another server was quicker
                stamp = iso(now)
                store.add_history(job["uuid"], stamp, "taken-over",
                                  f"Taken over by process {self.owner.pid}: process {job['owner_pid']}, which drove it, "
                                  "is gone (it stopped, or its lease lapsed).")
                log.warning("job %s: taken over from process %s, which is gone", job["uuid"], job["owner_pid"])
                self._restore_runs(store, job)
                self._restore_schedule(store, store.get_job(job["uuid"]), now)
                self.dispatcher.announce(store, job["uuid"])
                taken.append(job["uuid"])
            except Exception:
                log.exception("could not take over job %s", job["uuid"])
        return taken

    def _restore_runs(self, store: JobStore, job: dict) -> None:
        job_uuid = job["uuid"]
        if self.dispatcher.busy(job_uuid):
            return  # this process drives it already
        pending, interrupted, attached = [], 0, 0
        for row in store.job_runs(job_uuid, statuses=UNFINISHED_STATUSES):
            if row["run_uuid"] is None and row["status"] == "PENDING":
                pending.append(row)
            elif row["run_uuid"] in self.engine.runs:  # still running in this process
                self.dispatcher.watch(Queued(store, job_uuid, row["index"], row["fire"], row["parameters"]),
                                      row["run_uuid"], count=True)
                attached += 1
            else:
                record = store.runs.get_run(row["run_uuid"]) if row["run_uuid"] else None
                ended = record is not None and record["status"] in FINISHED_STATUSES
                status = record["status"] if ended else "FAILURE"
                store.set_runs(job_uuid, [row["index"]], status=status, finished=(record or {}).get("finished") or iso(self.clock.now()),
                               error=None if ended else "The server stopped during this run.")
                interrupted += status != "SUCCESS"
        if pending or interrupted:
            store.add_history(job_uuid, iso(self.clock.now()), "restored",
                              f"The server restarted: {len(pending)} queued run(s) resume; {interrupted} run(s) were "
                              "interrupted.")
        if pending:
            self.dispatcher.enqueue(store, job_uuid, pending)
        elif not attached:
            self.dispatcher.maybe_finish(store, job_uuid)

    def _restore_schedule(self, store: JobStore, job: dict | None, now: datetime) -> None:
        if job is None or job["status"] not in ("PENDING", "STARTED") or not job["next_fire"]:
            return
        first = parse_iso(job["next_fire"])
        if first > now:
            self.schedule(store, job["uuid"], first)
            return
        schedule = Schedule.from_json(job["schedule"])
        count, last = schedule.due(first, now)
        following = schedule.next_after(now)
        missed = (f"The server was down at {count} fire time{'s' if count > 1 else ''} "
                  f"({iso(first)}{f' to {iso(last)}' if count > 1 else ''})")
        stamp = iso(now)
        if job["missed_fires"] == "run_once":
            self.dispatcher.fire(store, job, scheduled=iso(last), next_fire=iso(following) if following else None,
                                 message=f"{missed}; ran once now (missed fires: run once)", kind="missed")
        elif following is not None:
            store.update_job(job["uuid"], statuses=[job["status"]], next_fire=iso(following), last_fired=iso(last),
                             updated=stamp, history=(stamp, "missed", f"{missed}; skipped (missed fires: skip)."))
        else:
            store.update_job(job["uuid"], statuses=[job["status"]], status="ABORTED", next_fire=None, finished=stamp,
                             updated=stamp, error="Its time passed while the server was down (missed fires: skip).",
                             history=(stamp, "missed", f"{missed}; skipped (missed fires: skip), so the job ended."))
        self.schedule(store, job["uuid"], following)
        self.dispatcher.announce(store, job["uuid"])
