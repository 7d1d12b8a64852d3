"""``orchest-jlab job``: a job's grid search run now, without a server, and the jobs of a project."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, TextIO

import click

from ..errors import OrchestError
from .common import backend_option, env_option, command_services, config_option, refused, run_async, settings_of
from .run import cancelled_by_signals


class JobProgress:
    """One line per run as it ends: ``run 3/6: SUCCESS``."""

    def __init__(self, out: TextIO):
        from ..engine.states import FINISHED_STATUSES

        self.finished = FINISHED_STATUSES
        self.out = out
        self.total = 0

    def __call__(self, event: dict[str, Any]) -> None:
        if event["type"] == "job-run" and event["status"] in self.finished:
            print(f"run {event['index'] + 1}/{self.total}: {event['status']}", file=self.out, flush=True)


async def run_job_headless(services, pipeline: Path, parameters: dict | None, out: TextIO | None,
                           env: dict[str, str] | None = None, cache: bool = False) -> dict[str, Any]:
    """Create a job of ``pipeline`` (grid: ``parameters``, else the pre-filled one; environment
    variables: the project's and pipeline's overridden by ``env``; ``cache``: its runs use the step
    cache), run it now and return it with its
    runs when they have all ended. Ctrl-C cancels it. Raises BadRequest for a request it refuses (or
    a backend that cannot be used)."""
    from ..runs import prepare_run

    project = services.root
    jobs = services.jobs
    progress = JobProgress(out) if out is not None else None
    request = prepare_run(pipeline, boundary=project, env=env)
    if progress is not None:
        choice = services.engine.choose_backend(request)
        if choice.note:
            print(f"{'warning' if choice.warning else 'note'}: {choice.note}", file=out, flush=True)
        services.bus.subscribe(progress)
    body: dict[str, Any] = {"pipeline": pipeline.relative_to(project).as_posix(), "env_variables": request.env,
                            "cache": cache}
    if parameters is not None:
        body["parameters"] = parameters
    job = await jobs.create(body)
    if progress is not None:
        progress.total = job["runs_per_fire"]
    with cancelled_by_signals(jobs.cancel, job["uuid"]):
        jobs.start(job["uuid"])
        return await jobs.wait(job["uuid"])


@click.group()
def job() -> None:
    """Jobs: parameter grid searches of a pipeline, on a snapshot of its project (docs/jobs.md)."""


@job.command("run")
@click.argument("pipeline", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--parameters", "parameters_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help='The grid: a JSON file like <pipeline>.parameters.json, {"pipeline_parameters": {"name": '
              '[values]}, "<step uuid>": {"name": [values]}}. Default: that file, else the defaults.')
@click.option("--max-concurrent", type=click.IntRange(min=1), default=None,
              help="Runs at the same time, at most. Default: c.OrchestApp.max_concurrent_runs (4).")
@env_option
@click.option("--cache", is_flag=True,
              help="Every run uses the step cache: a step whose inputs are unchanged since a successful run (of "
              "this job or another) is not run again; runs of the grid share what they have in common.")
@click.option("--json", "as_json", is_flag=True, help="Print the job and its runs as JSON.")
@backend_option
@config_option
def job_run(pipeline: Path, parameters_file, max_concurrent, env, cache: bool, as_json: bool, backend,
            config_file) -> None:
    """Run a grid search of PIPELINE now, without a server: one non-interactive run per combination.

    Progress goes to stderr; exits with 0 only when every run succeeded (2 for a request it refuses).
    """
    from ..pipelines import find_project_root

    settings = settings_of(config_file, backend)
    if max_concurrent is not None:
        settings.max_concurrent_runs = max_concurrent
    grid = None
    if parameters_file is not None:
        try:
            grid = json.loads(parameters_file.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            click.echo(f"{parameters_file}: not a JSON file: {exc}", err=True)
            raise SystemExit(2) from None
    path = pipeline.resolve()

    async def main() -> dict[str, Any]:
        async with command_services(settings, find_project_root(path)) as services:
            return await run_job_headless(services, path, grid, sys.stderr, env, cache)

    try:
        result = run_async(main())
    except OrchestError as exc:
        refused(pipeline, exc)
    if as_json:
        click.echo(json.dumps({
            "uuid": result["uuid"], "status": result["status"],
            "runs": [{"uuid": r["run_uuid"], "index": r["index"], "parameters": r["parameters"], "status": r["status"]}
                     for r in result["runs"]],
        }, indent=2))
    else:
        click.echo(f"job {result['uuid']}: {result['status']} ({', '.join(f'{n} {s}' for s, n in result['counts'].items())})",
                   err=True)
    raise SystemExit(0 if result["status"] == "SUCCESS" else 1)


@job.command("list")
@click.argument("path", required=False, default=".", type=click.Path(exists=True, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@config_option
def job_list(path: Path, as_json: bool, config_file) -> None:
    """List the jobs of PATH's project (PATH: a pipeline file, for its jobs only, or a folder)."""
    from ..jobs import JobService
    from ..pipelines import find_project_root
    from ..services import Services

    path = path.resolve()
    project = find_project_root(path if path.is_file() else path / "x.orchest")
    services = Services(settings_of(config_file), project)
    try:
        # Listing never starts the jobs' scheduler (and never creates a database).
        service = JobService(services.workspace, None, services.stores, services.bus)  # type: ignore[arg-type]
        if path.is_file():
            jobs = service.list(path.relative_to(project).as_posix())
        else:
            jobs = service.list() if services.stores.existing(project) else []
    except OrchestError as exc:
        refused(path, exc)
    finally:
        services.stores.close()
    if as_json:
        click.echo(json.dumps({"jobs": jobs}, indent=2))
        return
    if not jobs:
        click.echo(f"no jobs for {path}", err=True)
    for item in jobs:
        counts = ", ".join(f"{n} {s}" for s, n in item["counts"].items()) or "no runs"
        next_fire = f", next {item['next_fire']}" if item["next_fire"] else ""
        click.echo(f"{item['uuid']}  {item['status']:<8} {item['pipeline_path']}  {item['name']}  ({counts}{next_fire})")
