"""The ``orchest-jlab`` command line: the pipeline core without a server."""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path

import click

from . import __version__
from .errors import OrchestError
from .pipelines import DEFAULT_SKIP_DIRS, PIPELINE_SUFFIX, RUN_TYPES, check_pipeline_file, discover_pipelines
from .workspace import Workspace


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="orchest-jlab")
def main() -> None:
    """Orchest pipelines from the command line."""


def _pipeline_files(paths: tuple[Path, ...]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(path / p for p in discover_pipelines(path, DEFAULT_SKIP_DIRS))
        else:
            files.append(path)
    return files


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--quiet", "-q", is_flag=True, help="Print problems only, not the files that are ok.")
def validate(paths: tuple[Path, ...], quiet: bool) -> None:
    """Validate pipeline files (folders: every pipeline under them).

    Prints "PATH: ok", or one line per problem ("PATH: <json pointer>: <message>"). Exits with 1 when
    any file has an error; warnings alone do not fail.
    """
    failed = False
    files = _pipeline_files(paths)
    if not files:
        click.echo(f"no {PIPELINE_SUFFIX} files found", err=True)
    for path in files:
        _, report = check_pipeline_file(path)
        failed |= not report.valid
        if not report.problems:
            if not quiet:
                click.echo(f"{path}: ok")
        for problem in report.problems:
            click.echo(f"{path}: {problem.describe()}")
    raise SystemExit(1 if failed else 0)


@main.command("list")
@click.argument("root", required=False, default=".", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def list_(root: Path, as_json: bool) -> None:
    """List the pipelines under ROOT (default: the current folder)."""
    pipelines = Workspace(root).list_pipelines()
    if as_json:
        click.echo(json.dumps({"root": os.path.abspath(root), "pipelines": pipelines}, indent=2))
        return
    if not pipelines:
        click.echo(f"no pipelines under {root}", err=True)
        return
    width = max(len(p["path"]) for p in pipelines)
    for p in pipelines:
        state = "ok" if p["valid"] else f"{p['error_count']} error(s)"
        click.echo(f"{p['path']:<{width}}  {p['name']}  ({p['step_count']} steps, {state})")


def _json_value(text: str):
    """A parameter value: JSON when it parses (42, true, [1, 2], "x"), else the text itself."""
    try:
        return json.loads(text)
    except ValueError:
        return text


def _parameters(params: tuple[str, ...], step_params: tuple[str, ...], pipeline: dict) -> dict:
    from .runs import find_steps

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


@main.command()
@click.argument("pipeline", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--type", "run_type", type=click.Choice(RUN_TYPES), default="full", show_default=True,
              help="full: every step; selection: the --step steps; incoming: the steps before them.")
@click.option("--step", "steps", multiple=True, metavar="UUID_OR_TITLE", help="A step to select (repeatable).")
@click.option("--param", "params", multiple=True, metavar="KEY=JSON", help="A pipeline parameter's value.")
@click.option("--step-param", "step_params", multiple=True, metavar="STEP:KEY=JSON",
              help="A step parameter's value (STEP: uuid or title).")
@click.option("--snapshot", is_flag=True, help="Run on a snapshot of the project (non-interactive run).")
@click.option("--json", "as_json", is_flag=True, help="Print the final run record as JSON.")
@click.option("--quiet", "-q", is_flag=True, help="Show state changes but not the steps' output.")
@click.option("--backend", type=click.Choice(("auto", "local", "docker")), default="auto", show_default=True,
              envvar="ORCHEST_JLAB_BACKEND",
              help="Where steps run; auto: in containers when a Docker engine answers, else on the host.")
def run(pipeline: Path, run_type, steps, params, step_params, snapshot, as_json, quiet, backend) -> None:
    """Run a pipeline here, without a server; progress goes to stderr.

    Exits with 0 only when every step of the run is COMPUTED.
    """
    from .headless import run_headless
    from .pipelines import read_pipeline
    from .runs import prepare_run

    path = pipeline.resolve()
    try:
        parameters = _parameters(params, step_params, read_pipeline(path).data) if params or step_params else None
        request = prepare_run(path, run_type=run_type, steps=list(steps), parameters=parameters,
                              interactive=not snapshot, snapshot_size_limit=50 * 2**20)
    except OrchestError as exc:
        click.echo(f"{pipeline}: {exc.message}", err=True)
        for problem in exc.errors:
            click.echo(f"{pipeline}: {problem['pointer'] or '/'}: {problem['message']}", err=True)
        raise SystemExit(2) from None
    except Exception as exc:  # an unreadable file
        click.echo(f"{pipeline}: {exc}", err=True)
        raise SystemExit(2) from None
    try:
        record = asyncio.run(run_headless(request, show_logs=not quiet, backend=backend))
    except OrchestError as exc:  # the docker backend without a Docker engine
        click.echo(f"{pipeline}: {exc.message}", err=True)
        raise SystemExit(2) from None
    if as_json:
        click.echo(json.dumps({
            "uuid": record["uuid"], "status": record["status"], "backend": record["backend"],
            "steps": {u: {k: s[k] for k in ("title", "state", "started", "finished")} for u, s in record["steps"].items()},
        }, indent=2))
    computed = all(s["state"] == "COMPUTED" for s in record["steps"].values())
    raise SystemExit(0 if computed and record["status"] == "SUCCESS" else 1)


@main.group()
def job() -> None:
    """Jobs: parameter grid searches of a pipeline, on a snapshot of its project (docs/jobs.md)."""


def _refused(pipeline, exc: OrchestError) -> None:
    click.echo(f"{pipeline}: {exc.message}", err=True)
    for problem in exc.errors:
        if problem.get("message") and problem["message"] not in exc.message:
            click.echo(f"{pipeline}: {problem.get('pointer') or '/'}: {problem['message']}", err=True)
    raise SystemExit(2)


@job.command("run")
@click.argument("pipeline", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--parameters", "parameters_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help='The grid: a JSON file like <pipeline>.parameters.json, {"pipeline_parameters": {"name": '
              '[values]}, "<step uuid>": {"name": [values]}}. Default: that file, else the defaults.')
@click.option("--max-concurrent", type=click.IntRange(min=1), default=4, show_default=True,
              help="Runs at the same time, at most.")
@click.option("--json", "as_json", is_flag=True, help="Print the job and its runs as JSON.")
@click.option("--backend", type=click.Choice(("auto", "local", "docker")), default="auto", show_default=True,
              envvar="ORCHEST_JLAB_BACKEND",
              help="Where steps run; auto: in containers when a Docker engine answers, else on the host.")
def job_run(pipeline: Path, parameters_file, max_concurrent: int, as_json: bool, backend: str) -> None:
    """Run a grid search of PIPELINE now, without a server: one non-interactive run per combination.

    Progress goes to stderr; exits with 0 only when every run succeeded (2 for a request it refuses).
    """
    from .jobs.headless import run_job_headless

    grid = None
    if parameters_file is not None:
        try:
            grid = json.loads(parameters_file.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            click.echo(f"{parameters_file}: not a JSON file: {exc}", err=True)
            raise SystemExit(2) from None
    try:
        result = asyncio.run(run_job_headless(pipeline, grid, max_concurrent, backend=backend))
    except OrchestError as exc:
        _refused(pipeline, exc)
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
def job_list(path: Path, as_json: bool) -> None:
    """List the jobs of PATH's project (PATH: a pipeline file, for its jobs only, or a folder)."""
    from .jobs.headless import list_jobs

    try:
        jobs = list_jobs(path)
    except OrchestError as exc:
        _refused(path, exc)
    if as_json:
        click.echo(json.dumps({"jobs": jobs}, indent=2))
        return
    if not jobs:
        click.echo(f"no jobs for {path}", err=True)
    for item in jobs:
        counts = ", ".join(f"{n} {s}" for s, n in item["counts"].items()) or "no runs"
        next_fire = f", next {item['next_fire']}" if item["next_fire"] else ""
        click.echo(f"{item['uuid']}  {item['status']:<8} {item['pipeline_path']}  {item['name']}  ({counts}{next_fire})")


from .environments.cli import env  # noqa: E402  (the `env` group lives with the environments service)

main.add_command(env)
