"""The ``orchest-jlab`` command line: pipelines, runs, jobs and environments without a server.

Every command reads the same ``c.OrchestApp.*`` settings as the server (``settings.py``) and builds
what it needs through the composition root (``services.py``).
"""

from __future__ import annotations

import click

from .. import __version__
from .backends import backends
from .environments import env
from .jobs import job
from .pipelines import list_, validate
from .run import run


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="orchest-jlab")
def main() -> None:
    """Orchest pipelines from the command line."""


for command in (validate, list_, run, job, env, backends):
    main.add_command(command)
