"""``orchest-jlab validate`` and ``list``: the pipeline core, no runs."""

from __future__ import annotations

import json
import os
from pathlib import Path

import click

from .common import config_option, settings_of


def _pipeline_files(paths: tuple[Path, ...], skip_dirs) -> list[Path]:
    from ..pipelines import discover_pipelines

    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(path / p for p in discover_pipelines(path, skip_dirs))
        else:
            files.append(path)
    return files


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--quiet", "-q", is_flag=True, help="Print problems only, not the files that are ok.")
@config_option
def validate(paths: tuple[Path, ...], quiet: bool, config_file) -> None:
    """Validate pipeline files (folders: every pipeline under them).

    Prints "PATH: ok", or one line per problem ("PATH: <json pointer>: <message>"). Exits with 1 when
    any file has an error; warnings alone do not fail.
    """
    from ..pipelines import PIPELINE_SUFFIX, check_pipeline_file

    failed = False
    files = _pipeline_files(paths, settings_of(config_file).skip_directories)
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


@click.command("list")
@click.argument("root", required=False, default=".", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@config_option
def list_(root: Path, as_json: bool, config_file) -> None:
    """List the pipelines under ROOT (default: the current folder)."""
    from ..workspace import Workspace

    pipelines = Workspace(root, settings_of(config_file).skip_directories).list_pipelines()
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
