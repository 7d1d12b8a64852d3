"""``orchest-jlab backends``: the backend plug-ins installed, and whether each can be used here."""

from __future__ import annotations

import json
from pathlib import Path

import click

from ..errors import OrchestError
from .common import config_option, settings_of


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@config_option
def backends(as_json: bool, config_file) -> None:
    """List the backends (where steps run): each plug-in, what it needs, and whether it can be used here."""
    from ..backends import BackendRegistry
    from ..services import Services

    settings = settings_of(config_file)
    services = Services(settings, Path.cwd())
    registry = BackendRegistry()
    rows = []
    for name in registry.names():
        try:
            plugin = registry.get(name)
            problem = plugin.unavailable(services)
            rows.append({"name": name, "description": plugin.description, "needs_images": plugin.capabilities.needs_images,
                         "auto_rank": plugin.capabilities.auto_rank, "usable": problem is None, "problem": problem})
        except OrchestError as exc:
            rows.append({"name": name, "description": None, "usable": False, "problem": exc.message})
    if as_json:
        click.echo(json.dumps({"default": settings.backend, "backends": rows}, indent=2))
        return
    for row in rows:
        state = "usable" if row["usable"] else f"not usable here: {row['problem']}"
        default = " (default)" if row["name"] == settings.backend else ""
        click.echo(f"{row['name']}{default}: {row['description'] or ''}\n    {state}")
    if settings.backend == "auto":
        click.echo("default: auto (the highest-ranked usable backend for each run)")
