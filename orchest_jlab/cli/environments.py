"""``orchest-jlab env``: the environments of a project, and their images."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from ..errors import OrchestError
from .common import command_services, config_option, run_async, settings_of


def project_of(path: Path) -> Path:
    """A pipeline file's project, or the project a folder is in (the folder itself if none)."""
    from ..pipelines import PIPELINE_SUFFIX, find_project_root

    path = path.resolve()
    if path.is_file() and path.name.endswith(PIPELINE_SUFFIX):
        return find_project_root(path)
    return find_project_root(path / f"_{PIPELINE_SUFFIX}")


@click.group()
def env() -> None:
    """Environments: Orchest's per-project images (docs/environments.md)."""


@env.command("list")
@click.argument("root", required=False, default=".", type=click.Path(exists=True, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def env_list(root: Path, as_json: bool) -> None:
    """List the environments of ROOT's project (ROOT: a folder or a pipeline file; default: here)."""
    from ..environments.files import list_environment_files

    project = project_of(root)
    envs = [e.to_json() for e in list_environment_files(project)]
    if as_json:
        click.echo(json.dumps({"project": str(project), "environments": envs}, indent=2))
        return
    if not envs:
        click.echo(f"no environments in {project} (adding a step in the editor, or the environments panel, "
                   "creates the default one)", err=True)
        return
    width = max(len(e["name"]) for e in envs)
    for e in envs:
        problems = f"  INVALID: {'; '.join(e['problems'])}" if e["problems"] else ""
        click.echo(f"{e['uuid']}  {e['name']:<{width}}  {e['language']:<7} {e['base_image']}{problems}")


def find_environment(project: Path, name_or_uuid: str):
    from ..environments.files import list_environment_files

    envs = list_environment_files(project)
    matches = [e for e in envs if e.uuid == name_or_uuid] or [e for e in envs if e.name == name_or_uuid]
    if len(matches) != 1:
        what = "no environment" if not matches else f"{len(matches)} environments"
        raise click.ClickException(f'{project} has {what} with the uuid or name "{name_or_uuid}".')
    return matches[0]


def _builder(services):
    """The image builder, or exit 2 saying why Docker cannot be used."""
    if services.builder is None:
        click.echo(f"error: Environments are built with Docker, which cannot be used: {services.docker_problem}.",
                   err=True)
        raise SystemExit(2)
    return services.builder


async def _build(settings, project: Path, env_uuid: str, force: bool, show_log: bool) -> dict:
    async with command_services(settings, project) as services:
        builder = _builder(services)
        if show_log:
            services.bus.subscribe(lambda e: print(e["line"], file=sys.stderr, flush=True)
                                   if e["type"] == "build" and e.get("line") is not None else None)
        builder.start(project, env_uuid, force=force)
        return await builder.wait(project, env_uuid)


@env.command("build")
@click.argument("name_or_uuid")
@click.option("--project", "project_path", default=".", type=click.Path(exists=True, path_type=Path),
              help="The project: a folder or a pipeline file (default: here).")
@click.option("--force", is_flag=True, help="Build even when the image is up to date.")
@click.option("--json", "as_json", is_flag=True, help="Print the build record as JSON (the log still goes to stderr).")
@click.option("--quiet", "-q", is_flag=True, help="Do not show the build log.")
@config_option
def env_build(name_or_uuid: str, project_path: Path, force: bool, as_json: bool, quiet: bool, config_file) -> None:
    """Build an environment's image, showing its log live on stderr.

    Exits with 0 when the image is built (or was up to date), 1 when the build failed, 2 when it
    cannot start (no Docker engine, unknown environment).
    """
    settings = settings_of(config_file)
    project = project_of(project_path)
    try:
        environment = find_environment(project, name_or_uuid)
        record = run_async(_build(settings, project, environment.uuid, force, not quiet))
    except click.ClickException as exc:
        click.echo(f"error: {exc.message}", err=True)
        raise SystemExit(2) from None
    except OrchestError as exc:
        click.echo(f"error: {exc.message}", err=True)
        raise SystemExit(2) from None
    if as_json:
        click.echo(json.dumps(record, indent=2))
    else:
        detail = " (up to date)" if record.get("skipped") else f": {record['error']}" if record.get("error") else ""
        click.echo(f"{record['image']}: {record['status']}{detail}", err=True)
    raise SystemExit(0 if record["status"] == "SUCCESS" else 1)


@env.command("prune")
@config_option
def env_prune(config_file) -> None:
    """Remove the environment images of projects whose folder no longer exists."""

    async def prune() -> list[str]:
        async with command_services(settings_of(config_file), Path.cwd()) as services:
            return _builder(services).prune_images()

    for tag in run_async(prune()):
        click.echo(f"removed {tag}")
