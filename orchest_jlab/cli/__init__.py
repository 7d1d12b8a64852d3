"""The ``orchest-jlab`` command line: pipelines, runs, jobs and environments without a server.

Every command reads the same ``c.OrchestApp.*`` settings as the server (``settings.py``) and builds
what it needs through the composition root (``services.py``). A command's module is imported when
the command is used (or listed by ``--help``): ``run`` does not import the others'.
"""

from __future__ import annotations

import importlib

import click

from .. import __version__

# Each command: (its module in this package, the click command in it).
COMMANDS = {"validate": ("pipelines", "validate"), "list": ("pipelines", "list_"), "run": ("run", "run"),
            "job": ("jobs", "job"), "env": ("environments", "env"), "backends": ("backends", "backends"),
            "runs": ("runs", "runs")}


class LazyGroup(click.Group):
    """Commands imported on first use (click's lazy subcommands)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in COMMANDS:
            module, attribute = COMMANDS[cmd_name]
            self.add_command(getattr(importlib.import_module(f".{module}", __name__), attribute), cmd_name)
        return super().get_command(ctx, cmd_name)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="orchest-jlab")
def main() -> None:
    """Orchest pipelines from the command line."""
