"""The runs service: starts runs from API requests, finds past runs, serves their logs."""

from __future__ import annotations

import asyncio
import itertools
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..engine import Engine
from ..engine.cache import forget_runs
from ..engine.folders import LEGACY_RUNS, remove_folder
from ..engine.states import FINISHED_STATUSES
from ..engine.steplog import attempt_log_path
from ..errors import BadRequest, Conflict, NotFound
from ..pipelines import find_project_root
from ..store import PipelineRecords, RunStores
from ..workspace import Workspace
from .logs import LogPart, read_log_part
from .past import copy_run_pipeline, default_copy_name, run_file, run_folder, run_pipeline
from .request import prepare_run

if TYPE_CHECKING:
    from ..sessions import SessionService


class RunService:
    def __init__(self, workspace: Workspace, engine: Engine, stores: RunStores,
                 snapshot_size_limit: int | None = None, sessions: SessionService | None = None):
        self.workspace = workspace
        self.engine = engine
        self.stores = stores
        self.snapshot_size_limit = snapshot_size_limit
        self.sessions = sessions  # interactive runs need their pipeline's session running
        # Clients match new runs to the pipeline they show by the path the API uses.
        engine.bus.add_fields("run-created", lambda event: {"pipeline_path": self.pipeline_path(event["run"])})

    def pipeline_path(self, run: dict[str, Any]) -> str:
        """The path of a run's pipeline file relative to the server's root, as the API names it."""
        return self.workspace.api_path(Path(run["project_dir"]) / run["pipeline_file"])

    def _present(self, run: dict[str, Any]) -> dict[str, Any]:
        """A run as the API shows it: with its pipeline's path relative to the server's root."""
        run = {**run, "pipeline_path": self.pipeline_path(run)}
        del run["project_dir"]
        return run

    def start(self, body: Any) -> dict[str, Any]:
        if not isinstance(body, dict) or not isinstance(body.get("pipeline"), str):
            raise BadRequest('The body must be an object with "pipeline": the path of the .orchest file.')
        steps = body.get("steps", [])
        if not isinstance(steps, list) or not all(isinstance(s, str) for s in steps):
            raise BadRequest('"steps" must be a list of step uuids.')
        interactive = body.get("interactive", True)
        if not isinstance(interactive, bool):
            raise BadRequest('"interactive" must be true or false.')
        backend = body.get("backend")
        if backend is not None and not isinstance(backend, str):
            raise BadRequest('"backend" must be the name of a backend, or "auto".')
        cache = body.get("cache", False)
        if not isinstance(cache, bool):
            raise BadRequest('"cache" must be true or false (true: steps whose inputs are unchanged are not run).')
        path = self.workspace.resolve(body["pipeline"])
        request = prepare_run(
            path, run_type=body.get("run_type", "full"), steps=steps, parameters=body.get("parameters"),
            interactive=interactive, boundary=self.workspace.root, snapshot_size_limit=self.snapshot_size_limit,
            cache=cache)
        request.backend = backend or None
        if interactive:
            if self.sessions is not None:
                self.sessions.require_running(path)
            active = self.engine.active_interactive_run(path)
            if active is not None:
                raise Conflict(f"An interactive run of this pipeline is in progress ({active.uuid}); cancel it "
                               "or wait for it to end.", [{"run_uuid": active.uuid}])
        return self._present(self.engine.start(request).to_json())

    def _stores(self):
        """Every store that may hold runs: those open, and those of the pipelines' projects."""
        self.stores.flush()
        seen = {id(s): s for s in self.stores.opened()}
        for path in self.workspace.pipeline_files():
            store = self.stores.existing(find_project_root(path, self.workspace.root))
            if store is not None:
                seen.setdefault(id(store), store)
        return list(seen.values())

    def list(self, pipeline_api_path: str | None = None, limit: int = 100) -> list[dict[str, Any]]:
        # Runs whose database cannot take their state now (a full disk) are shown as their events say.
        unwritten = self.stores.unwritten()
        if pipeline_api_path:
            path = self.workspace.resolve(pipeline_api_path)
            project = find_project_root(path, self.workspace.root)
            self.stores.flush()
            store = self.stores.existing(project)
            records = PipelineRecords(path, project)
            rows = [r for r in store.list_runs(str(project), limit=limit, **records.query()) if records.keeps(r)] if store else []
            unwritten = {u: r for u, r in unwritten.items() if r["project_dir"] == str(project) and records.has(r)}
        else:
            rows = [r for store in self._stores() for r in store.list_runs(limit=limit)]
        live = {**unwritten, **{uuid: run.to_json() for uuid, run in self.engine.runs.items()}}
        runs = [{**live.pop(r["uuid"]), "number": r["number"]} if r["uuid"] in live else r for r in rows]
        runs += [live[uuid] for uuid in unwritten if uuid in live]
        return [self._present(r) for r in sorted(runs, key=lambda r: r["created"], reverse=True)[:limit]]

    def _record(self, run_uuid: str) -> dict[str, Any]:
        live = self.engine.runs.get(run_uuid)
        if live is not None:
            return self._numbered(live.to_json())
        self.stores.flush()
        unwritten = self.stores.unwritten().get(run_uuid)  # ended, but its database cannot take it now
        if unwritten is not None:
            return unwritten
        opened = self.stores.opened()
        # The open stores first; the root is walked for the others only when they do not have it.
        later = (s for s in self._stores() if all(s is not o for o in opened))
        for store in itertools.chain(opened, later):
            record = store.get_run(run_uuid)
            if record is not None:
                return record
        raise NotFound(f'There is no run "{run_uuid}".')

    def _numbered(self, run: dict[str, Any]) -> dict[str, Any]:
        """A run of the engine with its number: given when it started, else (its database could not
        be written then) when it was recorded (None until then: the writer thread is not waited for)."""
        if run["number"] is not None:
            return run
        store = self.stores.existing(Path(run["project_dir"]))
        return {**run, "number": store.run_number(run["uuid"]) if store is not None else None}

    async def _found(self, run_uuid: str) -> dict[str, Any]:
        """A run of the engine or from the stores (which may walk the root and wait for the writer
        thread: in a worker thread)."""
        return await asyncio.to_thread(self._record, run_uuid)

    async def get(self, run_uuid: str) -> dict[str, Any]:
        return self._present(await self._found(run_uuid))

    async def cancel(self, run_uuid: str) -> dict[str, Any]:
        record = await self._found(run_uuid)
        if not self.engine.cancel(run_uuid):
            raise Conflict(f"The run has ended ({record['status']}); there is nothing to cancel.")
        return self._present(record)

    def log(self, run_uuid: str, step_uuid: str, offset: int | None = None, limit: int | None = None,
            attempt: int | None = None) -> LogPart:
        """A part of a step's log (see logs.py): by default its end, at most MAX_LOG_BYTES; of one
        attempt of a retried step with ``attempt`` (1, 2, …; default: the last). Blocking."""
        record = self._record(run_uuid)
        step = record["steps"].get(step_uuid)
        if step is None:
            raise NotFound(f'Step "{step_uuid}" is not part of run {run_uuid}.')
        attempts = step.get("attempts") or (1 if step["log_path"] else 0)
        if attempt is not None and not 1 <= attempt <= max(attempts, 1):
            raise BadRequest(f'"attempt" must be between 1 and {max(attempts, 1)}: step "{step["title"]}" '
                             f"has had {attempts} attempt{'s' if attempts != 1 else ''}.")
        if not step["log_path"]:
            return LogPart("", 0, 0, 0)  # the step has not started
        path = Path(step["log_path"])
        if attempt is not None and attempt < attempts:
            path = attempt_log_path(path, attempt)
        try:
            return read_log_part(path, offset, limit)
        except FileNotFoundError:
            raise NotFound(f"The log of step \"{step['title']}\" is gone (its file was deleted).") from None

    async def delete(self, run_uuid: str) -> None:
        """Delete an ended run that is not a job's: its record and its folder (logs, snapshot, the
        document and notebooks an interactive run kept), wherever the folder is (before
        ``snapshots_dir``, inside the project's ``.orchest/runs/``)."""
        if run_uuid in self.engine.runs:
            raise Conflict("The run is in progress: cancel it first, then delete it.")
        record = await asyncio.to_thread(self._record, run_uuid)
        if record["status"] not in FINISHED_STATUSES:
            raise Conflict(f"The run is {record['status']} (in another process): cancel it first, then delete it.")
        job_uuid = (record.get("labels") or {}).get("job_uuid")
        if job_uuid:
            raise Conflict(f"The run belongs to job {job_uuid}: it is deleted with its job, or when the job "
                           "retains fewer runs.")
        await asyncio.to_thread(self._delete, record)
        self.engine.bus.publish("run-deleted", run_uuid=run_uuid, pipeline_path=self.pipeline_path(record))

    def _delete(self, record: dict[str, Any]) -> None:
        store = self.stores.existing(Path(record["project_dir"]))
        if store is not None:
            store.delete_run(record["uuid"])
        remove_folder(run_folder(record, self.engine.folders), record["uuid"], Path(record["project_dir"]), LEGACY_RUNS)
        forget_runs(Path(record["project_dir"]), {record["uuid"]})  # its step cache entries, as a job's runs'

    # --- read-only mode: what a past run ran ---------------------------------------------------------

    def pipeline(self, run_uuid: str) -> dict[str, Any]:
        record = self._record(run_uuid)
        document, source = run_pipeline(record, self.engine.folders)
        return {"pipeline": document, "pipeline_path": self.pipeline_path(record), "source": source}

    def file(self, run_uuid: str, relative: str) -> tuple[bytes, str]:
        return run_file(self._record(run_uuid), relative, self.engine.folders)

    def copy_pipeline(self, run_uuid: str, body: Any) -> dict[str, Any]:
        """Write the pipeline a run ran as a new, editable pipeline file (see past_runs)."""
        record = self._record(run_uuid)
        if body is None:
            body = {}
        if not isinstance(body, dict) or not isinstance(body.get("path", ""), str):
            raise BadRequest('The body must be an object with an optional "path": the new .orchest file.')
        default = self.workspace.api_path(Path(record["project_dir"]) / default_copy_name(record))
        target = self.workspace.resolve(body.get("path") or default, must_exist=False)
        copy_run_pipeline(record, target, self.workspace.root, self.engine.folders)
        return {"path": self.workspace.api_path(target)}
