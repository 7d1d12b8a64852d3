"""``orchest-jlab run``: a pipeline run here, without a server, with its progress on stderr."""

from __future__ import annotations

import collections
import contextlib
import json
import signal
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

import click

from .. import prefork
from ..errors import OrchestError
from .common import LazyChoice, backend_option, env_option, command_services, config_option, refused, run_async, settings_of

if TYPE_CHECKING:  # the engine is imported when a run starts, not by every command's start
    from ..engine import RunRequest


class Progress:
    """Prints state changes and log lines as they happen, prefixed with the step's title; each
    warning once."""

    def __init__(self, out: TextIO, titles: dict[str, str], show_logs: bool = True):
        from ..engine.states import FINISHED_STATUSES

        self.finished = FINISHED_STATUSES
        self.out = out
        self.titles = titles
        self.width = max(map(len, titles.values()), default=0)
        self.show_logs = show_logs
        self.warned: set[str] = set()

    def __call__(self, event: dict[str, Any]) -> None:
        kind = event["type"]
        if kind == "step":
            title = self.titles.get(event["step_uuid"], event["step_uuid"])
            detail = f" ({event['error']})" if event.get("error") else ""
            if event.get("cached_from"):
                detail = f" (cached, from run {event['cached_from']})"
            if event["state"] == "RUNNING":  # a retried step: the attempt that failed, then the next
                detail = f" ({event['error']}; retrying)" if event.get("error") else (
                    f" (attempt {event['attempts']})" if (event.get("attempts") or 0) > 1 else "")
            self._print(f"{title:<{self.width}} : {event['state']}{detail}")
        elif kind == "log" and self.show_logs:
            title = self.titles.get(event["step_uuid"], event["step_uuid"])
            self._print(f"{title:<{self.width}} | {event['line']}")
        elif kind == "run" and event["status"] in self.finished:
            self._print(f"run {event['run_uuid']}: {event['status']}" + (f" ({event['error']})" if event["error"] else ""))
        elif kind == "build" and self.show_logs and event.get("line") is not None:
            self._print(f"{'(build)':<{self.width}} | {event['line']}")
        elif kind == "run":
            for warning in event.get("warnings") or []:
                self.warn(warning)

    def warn(self, text: str, prefix: str = "warning") -> None:
        if text not in self.warned:
            self.warned.add(text)
            self._print(f"{prefix}: {text}")

    def _print(self, text: str) -> None:
        self.out.write(text + "\n")  # one write (print makes two)
        self.out.flush()


async def run_headless(services, request: RunRequest, out: TextIO | None, show_logs: bool = True) -> dict[str, Any]:
    """Run to the end (Ctrl-C cancels) and return the final run record. Before it starts, says on
    which backend when ``auto`` did not take the first choice. Raises BadRequest when the backend
    cannot be used."""
    engine = services.engine
    choice = engine.choose_backend(request)
    if out is not None:
        titles = {u: request.pipeline["steps"][u].get("title") or u for u in request.steps}
        progress = Progress(out, titles, show_logs)
        if choice.note:
            progress.warn(choice.note, "warning" if choice.warning else "note")
        services.bus.subscribe(progress)
    run = engine.start(request, choice)
    with cancelled_by_signals(engine.cancel, run.uuid):
        await engine.wait(run.uuid)
    return run.to_json()


@contextlib.contextmanager
def cancelled_by_signals(cancel: Callable[..., Any], *args: Any) -> Iterator[None]:
    """While inside, Ctrl-C (SIGINT) and SIGTERM call ``cancel(*args)`` instead of killing us, so
    that what runs ends cleanly. Only in the main thread (elsewhere signals cannot be caught)."""
    import asyncio

    loop = asyncio.get_running_loop()
    installed = []
    for signum in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(signum, cancel, *args)
            installed.append(signum)
        except (NotImplementedError, RuntimeError):
            pass
    try:
        yield
    finally:
        for signum in installed:
            loop.remove_signal_handler(signum)


# Lines of a failed step's log in ``run --json`` (the traceback is at its end).
LOG_TAIL_LINES = 20


def _step_json(step: dict[str, Any]) -> dict[str, Any]:
    """A step in ``run --json``: a failed one with its error and the end of its log."""
    out = {k: step[k] for k in ("title", "state", "started", "finished", "error", "worker", "runtime", "image")
           if k in step}
    out.update({k: step[k] for k in ("cache_key", "cached_from") if step.get(k)})  # a run with the cache
    if step["state"] == "FAILURE" and step.get("log_path"):
        try:
            with open(step["log_path"], encoding="utf-8", errors="replace") as f:
                out["log_tail"] = "".join(collections.deque(f, LOG_TAIL_LINES))
        except OSError:
            pass
    return out


def _run_types() -> tuple[str, ...]:
    from ..pipelines import RUN_TYPES

    return RUN_TYPES


def _json_value(text: str):
    """A parameter value: JSON when it parses (42, true, [1, 2], "x"), else the text itself."""
    try:
        return json.loads(text)
    except ValueError:
        return text


def _parameters(params: tuple[str, ...], step_params: tuple[str, ...], pipeline: dict) -> dict:
    from ..runs import find_steps

    parameters: dict[str, dict] = {}
    for item in params:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise click.BadParameter(f"{item!r} is not KEY=JSON", param_hint="--param")
        parameters.setdefault("pipeline_parameters", {})[key] = _json_value(value)
    for item in step_params:
        step, sep1, rest = item.partition(":")
        key, sep2, value = rest.partition("=")
        if not (sep1 and sep2 and step and key):
            raise click.BadParameter(f"{item!r} is not STEP:KEY=JSON", param_hint="--step-param")
        [step_uuid] = find_steps(pipeline, [step])
        parameters.setdefault(step_uuid, {})[key] = _json_value(value)
    return parameters


@click.command()
@click.argument("pipeline", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--type", "run_type", type=LazyChoice(_run_types), default="full", show_default=True,
              help="full: every step; selection: the --step steps; incoming: the steps before them.")
@click.option("--step", "steps", multiple=True, metavar="UUID_OR_TITLE", help="A step to select (repeatable).")
@click.option("--param", "params", multiple=True, metavar="KEY=JSON", help="A pipeline parameter's value.")
@click.option("--step-param", "step_params", multiple=True, metavar="STEP:KEY=JSON",
              help="A step parameter's value (STEP: uuid or title).")
@env_option
@click.option("--snapshot", is_flag=True, help="Run on a snapshot of the project (non-interactive run).")
@click.option("--cache", is_flag=True,
              help="Use the step cache: a step whose inputs are unchanged since a successful run is not run again.")
@click.option("--json", "as_json", is_flag=True, help="Print the final run record as JSON.")
@click.option("--quiet", "-q", is_flag=True, help="Show state changes but not the steps' output.")
@backend_option
@config_option
def run(pipeline: Path, run_type, steps, params, step_params, env, snapshot, cache, as_json, quiet, backend,
        config_file) -> None:
    """Run a pipeline here, without a server; progress goes to stderr.

    Exits with 0 only when every step of the run is COMPUTED.
    """
    from ..pipelines import find_project_root, read_pipeline
    from ..runs import prepare_run

    settings = settings_of(config_file, backend)
    started = prefork.take()  # the step spawner's helper, forked at the command's start
    if settings.backend in ("auto", "local"):  # script steps may start on this host: its start overlaps ours
        from ..engine import spawner

        if spawner.warm(started):
            started = None
    prefork.end(started)
    path = pipeline.resolve()
    try:
        parameters = _parameters(params, step_params, read_pipeline(path).data) if params or step_params else None
        request = prepare_run(path, run_type=run_type, steps=list(steps), parameters=parameters,
                              interactive=not snapshot, snapshot_size_limit=settings.snapshot_size_limit, env=env,
                              cache=cache)
    except OrchestError as exc:
        refused(pipeline, exc)
    except Exception as exc:  # an unreadable file
        click.echo(f"{pipeline}: {exc}", err=True)
        raise SystemExit(2) from None

    async def main() -> dict[str, Any]:
        async with command_services(settings, find_project_root(path)) as services:
            return await run_headless(services, request, sys.stderr, show_logs=not quiet)

    try:
        record = run_async(main())
    except OrchestError as exc:  # the backend cannot be used
        refused(pipeline, exc)
    if as_json:
        click.echo(json.dumps({
            "uuid": record["uuid"], "status": record["status"], "backend": record["backend"],
            "error": record["error"], "warnings": record["warnings"],
            "steps": {u: _step_json(s) for u, s in record["steps"].items()},
        }, indent=2))
    computed = all(s["state"] == "COMPUTED" for s in record["steps"].values())
    raise SystemExit(0 if computed and record["status"] == "SUCCESS" else 1)
