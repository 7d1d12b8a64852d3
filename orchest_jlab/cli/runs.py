"""``orchest-jlab runs``: the folders runs and jobs keep outside their projects (engine/folders.py)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import click

from .common import config_option, settings_of


@click.group()
def runs() -> None:
    """Runs' and jobs' folders: snapshots, step logs, what interactive runs kept."""


@runs.command("prune")
@click.option("--dry-run", is_flag=True, help="Only list what would be removed.")
@click.option("-y", "--yes", is_flag=True, help="Remove without asking.")
@click.option("--json", "as_json", is_flag=True, help="Print what was (or would be) removed as JSON.")
@config_option
def prune(dry_run: bool, yes: bool, as_json: bool, config_file: Path | None) -> None:
    """Remove the runs' and jobs' folders of projects whose folder no longer exists.

    A project that was moved counts as gone: the past runs it had before the move lose their
    logs and snapshots. Folders made before orchest-jlab wrote down whose they are are kept
    (counted, not removed); each gets its owner at its project's next run or job.
    """
    from ..engine.folders import ProjectFolders

    if as_json and not (yes or dry_run):
        raise click.UsageError("--json asks nothing: add --yes to remove, or --dry-run to list.")
    settings = settings_of(config_file)
    folders = ProjectFolders(Path(settings.snapshots_dir) if settings.snapshots_dir else None)
    found = folders.left_behind()
    gone = [f for f in found if f.project_dir is not None]
    unknown = [f for f in found if f.project_dir is None]
    if not as_json:
        for f in gone:
            click.echo(f"{_size(f.size):>10}  {f.folder}  (project {f.project_dir}, gone)", err=True)
        if unknown:
            click.echo(f"kept {len(unknown)} folders ({_size(sum(f.size for f in unknown))}) in {folders.base} that do "
                       "not say whose they are: made before orchest-jlab wrote it down.", err=True)
        if not gone:
            click.echo("no folder of a project that is gone", err=True)
    if gone and not dry_run:
        if not yes:
            click.confirm(f"Remove these {len(gone)} folders ({_size(sum(f.size for f in gone))})?", abort=True,
                          err=True)
        for f in gone:
            shutil.rmtree(f.folder)
        if not as_json:
            click.echo(f"removed {len(gone)} folders", err=True)
    if as_json:
        def row(f):
            return {"folder": str(f.folder), "project_dir": f.project_dir, "bytes": f.size}

        click.echo(json.dumps({"gone": [row(f) for f in gone], "removed": bool(gone) and not dry_run,
                               "unknown": [row(f) for f in unknown]}, indent=2))


def _size(n: float) -> str:
    for unit in ("B", "KiB", "MiB"):
        if n < 1024:
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} GiB"
