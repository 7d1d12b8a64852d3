"""The stores of every project a process runs pipelines of, and the thread that writes to them.

Apart from ``store.py`` so that making one costs no SQLAlchemy import. The writer thread writes a
SQLite database with the standard library (``direct.py``): SQLAlchemy takes longer to import than
dozens of steps take to run, so a command running a pipeline imports it only when its database
must first be made, migrated or recovered, or is not SQLite.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..engine.states import FINISHED_STATUSES
from ..pipelines.gitignore import ensure_gitignore
from .feed import Feed
from .location import DATABASE_NAME, default_url, sqlite_path
from .numbers import SqliteNumbering
from .pending import Pending, disk_problem, transient
from .text import storable

if TYPE_CHECKING:
    from .direct import DirectWrites
    from .store import RunStore

log = logging.getLogger(__name__)


class RunStores:
    """The store of each project, opened on first use; with ``url`` set, one database for all.

    ``listen(bus)`` makes it record the bus's run and step events. They are written by a thread of
    their own, in order, so that a run never waits for the database; ``flush()`` waits until what
    was published is written or, when the database cannot take it now (a full disk, a lock), kept
    in memory (``pending.py``) and retried every few seconds, in order, until it is written;
    ``unwritten()`` gives those runs as their events say meanwhile (readers show them so).
    """

    RETRY_SECONDS = (0.5, 5.0)  # the first retry, and the longest wait between two
    BATCH = 256  # events written in one transaction at most

    def __init__(self, url: str | None = None):
        self.url = url
        self._stores: dict[str, RunStore] = {}
        self._lock = threading.Lock()
        self._feed = Feed()  # events (None: stop; an Event: flush) for the writer thread
        self._writer: threading.Thread | None = None
        self._by_run: dict[str, DirectWrites | RunStore] = {}  # where each run in flight is written
        self._writes: dict[str, DirectWrites | RunStore] = {}  # by database URL; the writer thread's
        self._owner = None
        self._pending = Pending()
        self._delay = self.RETRY_SECONDS[0]
        self._failing: str | None = None  # why the last write failed, while writes fail
        self._numbering = SqliteNumbering()  # run numbers when runs start
        self._one_by_one = 0  # events to write one at a time (a batch of them failed)

    def existing(self, project_dir: Path) -> RunStore | None:
        """The project's store if it has a database already (reading never creates one), and it can
        be opened now (not on a full disk that kept it from being made)."""
        if self.url or (project_dir / ".orchest" / DATABASE_NAME).is_file():
            try:
                return self.for_project(project_dir)
            except Exception as exc:
                if not transient(exc):
                    raise
                log.warning("the runs' database of %s cannot be opened now: %s", project_dir, disk_problem(exc))
        return None

    def opened(self) -> list[RunStore]:
        with self._lock:
            return list(self._stores.values())

    def for_project(self, project_dir: Path) -> RunStore:
        from .store import RunStore

        url = self.url or default_url(project_dir)
        if not self.url:
            ensure_gitignore(project_dir)  # the database file is a runtime file of the project
        with self._lock:
            if url not in self._stores:
                self._stores[url] = RunStore(url)
            return self._stores[url]

    def next_number(self, run: dict[str, Any]) -> int | None:
        """The number of a run that starts now (``store/numbers.py``), from its project's database
        (made first, if need be); None when the database cannot be written now (a full disk, a long
        lock, a project folder gone): the run is then numbered when it is recorded. Never fails a run."""
        project_dir = Path(run["project_dir"])
        url = self.url or default_url(project_dir)
        database = sqlite_path(url)
        try:
            if database is None:
                return self.for_project(project_dir).next_number(run)
            if not database.is_file() or (number := self._numbering.next_number(database, run)) is None:
                self.for_project(project_dir)  # RunStore makes or migrates the database first (rare)
                number = self._numbering.next_number(database, run)
            return number
        except Exception as exc:
            log.warning("run of %s numbered when recorded: the database cannot be written now (%s)",
                        run["pipeline_file"], disk_problem(exc) if transient(exc) else exc)
            return None

    def unwritten(self) -> dict[str, dict[str, Any]]:
        """The runs whose latest state is not in their database yet, as their events say."""
        return {run["uuid"]: run for run in self._pending.records()} if self._pending else {}

    def listen(self, bus) -> None:
        self._writer = threading.Thread(target=self._write_events, name="orchest-run-store", daemon=True)
        self._writer.start()
        bus.subscribe(self._enqueue, self._enqueue_many)

    def flush(self) -> None:
        if self._writer is not None and self._writer.is_alive():
            written = threading.Event()
            self._feed.put(written)
            written.wait()

    def close(self) -> None:
        if self._writer is not None:
            self._feed.put(None)
            self._writer.join()
            self._writer = None
        with self._lock:
            for store in self._stores.values():
                store.close()
            self._stores.clear()
        self._numbering.close()
        for writes in self._writes.values():
            if writes not in self._stores.values():
                writes.close()
        self._writes.clear()

    def _enqueue(self, event: dict[str, Any]) -> None:
        if event["type"] in ("run-created", "run", "step"):
            self._feed.put(storable(event))

    def _enqueue_many(self, events: list[dict[str, Any]]) -> None:
        """A batch: the lines of a chunk of a step's output, which are not stored (one type per batch)."""
        if events and events[0]["type"] != "log":
            for event in events:
                self._enqueue(event)

    def _write_events(self) -> None:
        while True:
            items = self._feed.take(timeout=self._delay if self._pending else None)
            stop = False
            for item in items:  # what was published meanwhile: written together (one transaction where it can)
                if item is None:
                    stop = True
                    break
                if isinstance(item, threading.Event):  # flush(): what came before it is written or kept
                    self._write_pending()
                    item.set()
                else:
                    self._pending.add(item)
            self._write_pending()  # also the retry of what could not be written, when nothing came
            if stop:
                if self._pending:
                    log.error("runs %s could not be recorded (%s); the next start marks them as interrupted",
                              ", ".join(self._pending.unwritten_runs()), self._failing)
                return

    def _write_pending(self) -> None:
        """Write the kept events in order; stop at the first that fails for a reason that may pass.
        Events in a row for one SQLite database are written in one transaction (a job's runs make
        many); when that fails, one at a time, to find the one that fails."""
        while (event := self._pending.first()) is not None:
            if self._one_by_one:
                self._one_by_one -= 1
            elif self._write_batch():
                continue
            try:
                self._write(event)
            except Exception as exc:
                if not transient(exc):  # never writable: dropped, as a database problem must not stop runs
                    log.exception("could not record %s event of run %s", event["type"], event.get("run_uuid"))
                else:
                    if self._failing is None:
                        log.warning("could not record the state of run %s (%s); kept in memory and retried until "
                                    "it is written", event["run_uuid"], disk_problem(exc))
                    self._failing = disk_problem(exc)
                    self._delay = min(self._delay * 2, self.RETRY_SECONDS[1])
                    return
            self._pending.done(event)
        if self._failing is not None:
            log.warning("the runs' states are recorded again")
        self._failing, self._delay = None, self.RETRY_SECONDS[0]

    def _write_batch(self) -> bool:
        """The first kept events that go to one database that takes a batch, in one transaction;
        False when there is no such batch (fewer than two) or it failed (rolled back, nothing done)."""
        events = self._pending.first_many(self.BATCH)
        if len(events) < 2:
            return False
        by_run, target, written = dict(self._by_run), None, 0
        try:
            for event in events:
                store = self._target(event)
                if store is not None:
                    if target is None and hasattr(store, "begin"):
                        target = store
                        target.begin()
                    elif store is not target:
                        break
                self._write(event, store)
                written += 1
            if target is None:
                return False
            target.commit()
        except Exception:
            if target is not None:
                target.rollback()
            self._by_run = by_run  # as before the batch: its events are written again one by one
            self._one_by_one = len(events)
            return False
        for event in events[:written]:
            self._pending.done(event)
        return True

    def _target(self, event: dict[str, Any]) -> DirectWrites | RunStore | None:
        """Where an event is written (None: a run this process does not write)."""
        if event["type"] == "run-created":
            return self._writes_of(Path(event["run"]["project_dir"]))
        return self._by_run.get(event["run_uuid"])

    def _write(self, event: dict[str, Any], store: DirectWrites | RunStore | None | bool = False) -> None:
        kind, run_uuid = event["type"], event["run_uuid"]
        if store is False:
            store = self._target(event)
        if store is None:
            return
        if kind == "run-created":
            self._by_run[run_uuid] = store
            store.insert_run(event["run"])
            return
        if kind == "run":
            store.update_run(run_uuid, status=event["status"], started=event["started"],
                             finished=event["finished"], error=event["error"], warnings=event["warnings"],
                             snapshot_dir=event["snapshot_dir"])
            if event["status"] in FINISHED_STATUSES:
                del self._by_run[run_uuid]
        else:
            store.update_step(run_uuid, event["step_uuid"], state=event["state"], started=event["started"],
                              finished=event["finished"], error=event["error"], log_path=event["log_path"],
                              **{k: event[k] for k in ("attempts", "cache_key", "cached_from", "worker", "runtime", "image")
                                 if k in event})

    def _writes_of(self, project_dir: Path) -> DirectWrites | RunStore:
        """Where the writer thread writes a project's runs: its SQLite database directly, once
        ``RunStore`` has made, migrated and recovered it where that was needed; else the store."""
        url = self.url or default_url(project_dir)
        if url not in self._writes:
            database = sqlite_path(url)
            if database is None:
                self._writes[url] = self.for_project(project_dir)
            else:
                from ..identity import ProcessIdentity
                from .direct import open_direct

                self._owner = self._owner or ProcessIdentity.current()
                writes = open_direct(database, self._owner)
                if writes is None:
                    self.for_project(project_dir)  # makes, migrates, recovers: then it can be written directly
                    writes = open_direct(database, self._owner)
                self._writes[url] = writes or self.for_project(project_dir)
        return self._writes[url]
