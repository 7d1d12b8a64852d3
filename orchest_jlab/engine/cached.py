"""A run's use of the step cache: a step's key before it runs, its entry restored instead of running
it, and an entry recorded after it succeeded.

What a step runs on comes from its backend (``cache_platform(ctx)``: an image's id, the host's
interpreter); a backend without it cannot have its steps cached, and they run. Steps of two runs
with one key at the same time (a job's grid) wait for each other: one runs, the other takes its entry.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from dataclasses import dataclass
from pathlib import Path

from ..pipelines import pipeline_parameters, step_parameters
from ..pipelines.cache import canonical_json, file_digest, read_files, step_cache_settings, step_key
from .cache import Entry, StepCache, merge_notebook, output_digest
from .context import StepContext
from .run import Run, StepRun, now

log = logging.getLogger(__name__)

NOT_CACHEABLE = "The {backend} backend cannot reuse cached steps: every step of this run runs."


@dataclass
class Hit:
    """A step not run: its outputs come from this cache entry."""
    entry: Entry


class InFlight:
    """Entries being computed by some run of this engine (by their folder: project, pipeline, step
    and key): a second step of the same entry waits."""

    def __init__(self) -> None:
        self.keys: dict[Path, asyncio.Event] = {}


class RunCache:
    def __init__(self, run: Run, data_dir: Path, in_flight: InFlight):
        request = run.request
        self.run = run
        self.data_dir = data_dir
        self.store = StepCache(request.project_dir, request.pipeline["uuid"])
        self.in_flight = in_flight
        self.platform_of = getattr(run.runner, "cache_platform", None)
        self.digests: dict[str, str] = {}  # step uuid -> its output's digest (this run's)
        self._mine: dict[str, Path] = {}  # step uuid -> the entry this run is computing
        self._env = hashlib.sha256(canonical_json(request.env)).hexdigest()

    @property
    def usable(self) -> bool:
        return self.platform_of is not None

    async def key(self, step: StepRun, ctx: StepContext) -> str | None:
        """The step's key; None when it is not to be cached (opted out, or unreadable files)."""
        request = self.run.request
        definition = request.pipeline["steps"][step.uuid]
        settings = step_cache_settings(definition)
        if not settings.enabled:
            return None
        try:
            platform = await self.platform_of(ctx)
        except Exception as exc:  # e.g. an image that cannot be built: the step runs and says why
            log.info("step %s is not cached: %s", step.uuid, exc)
            return None
        incoming = [await self._digest(parent) for parent in definition.get("incoming_connections") or []]
        overrides = request.parameters
        parameters = {"step": step_parameters(request.pipeline, step.uuid, overrides.get(step.uuid)),
                      "pipeline": pipeline_parameters(request.pipeline, overrides.get("pipeline_parameters")),
                      "env": self._env}
        try:
            return await asyncio.to_thread(
                lambda: step_key(file_path=step.file_path, file=file_digest(ctx.file, ctx.kernel_name),
                                 parameters=parameters, platform=platform, incoming=incoming,
                                 reads=read_files(ctx.cwd, settings.reads, ctx.project_dir)))
        except OSError as exc:
            log.info("step %s is not cached: %s", step.uuid, exc)
            return None

    async def _digest(self, step_uuid: str) -> str:
        if step_uuid not in self.digests:
            self.digests[step_uuid] = await asyncio.to_thread(output_digest, self.data_dir, step_uuid)
        return self.digests[step_uuid]

    async def take(self, step: StepRun, ctx: StepContext, key: str) -> Hit | None:
        """The entry of ``key`` restored into this run (None: the step is to run; this run then
        computes the key, and a step of another run with the same key waits for it)."""
        entry_dir = self.store.entry_dir(step.uuid, key)
        while (busy := self.in_flight.keys.get(entry_dir)) is not None:
            await busy.wait()
        entry = self.store.lookup(step.uuid, key)
        if entry is not None:
            try:
                await asyncio.to_thread(self._restore, entry, step, ctx)
                self.digests[step.uuid] = entry.output
                return Hit(entry)
            except (OSError, ValueError) as exc:  # an entry damaged by hand: the step runs
                log.warning("cache entry %s could not be restored: %s", entry.folder, exc)
        self.in_flight.keys[entry_dir] = asyncio.Event()
        self._mine[step.uuid] = entry_dir
        return None

    def _restore(self, entry: Entry, step: StepRun, ctx: StepContext) -> None:
        self.store.restore(entry, step.uuid, self.data_dir)
        if ctx.kind == ".ipynb" and entry.notebook.is_file():
            from ..pipelines.document import write_text_atomic
            from .runners.notebook import executed_copy

            executed = entry.notebook.read_text(encoding="utf-8")
            write_text_atomic(ctx.file, merge_notebook(ctx.file.read_text(encoding="utf-8"), executed))
            copy = executed_copy(ctx)
            if copy is not None:
                copy.parent.mkdir(parents=True, exist_ok=True)
                write_text_atomic(copy, ctx.file.read_text(encoding="utf-8"))

    async def record(self, step: StepRun, ctx: StepContext) -> None:
        """After the step succeeded: its entry (a full disk is a note in its log, not a failure)."""
        entry_dir = self._mine.get(step.uuid)
        if entry_dir is None:
            return
        notebook = ctx.file if ctx.kind == ".ipynb" else None
        try:
            entry = await asyncio.to_thread(self.store.record, step.uuid, entry_dir.name, self.run.uuid,
                                            self.data_dir, notebook, now())
            if entry is not None:
                self.digests[step.uuid] = entry.output
        except OSError as exc:
            log.warning("the cache entry of step %s of run %s was not kept: %s", step.uuid, self.run.uuid, exc)

    def release(self, step: StepRun) -> None:
        """The step ended (any way): steps of other runs waiting for its key go on."""
        entry_dir = self._mine.pop(step.uuid, None)
        if entry_dir is not None:
            event = self.in_flight.keys.pop(entry_dir, None)
            if event is not None:
                event.set()
