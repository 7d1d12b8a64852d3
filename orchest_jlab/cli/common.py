"""What the commands share: the ``--config`` and ``--backend`` options, the services of a command,
and how a refused request is printed."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Coroutine, Iterator, Sequence
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from ..errors import OrchestError

if TYPE_CHECKING:
    from ..defaults import SettingsValues as Settings  # either form: settings.Settings, defaults.Defaults

T = TypeVar("T")


def config_option(command):
    return click.option(
        "--config", "config_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
        help="Read c.OrchestApp.* settings from this file instead of jupyter_server_config (.py or .json).",
    )(command)


def settings_of(config_file: Path | None, backend: str | None = None) -> Settings:
    """The command's settings (exit 2 naming a config file that cannot be read); ``backend``
    overrides c.OrchestApp.backend. Without any config file, the defaults without traitlets."""
    from ..defaults import Defaults, any_config_file, config_sources

    try:
        if config_file is None and not any_config_file(config_sources(None)):
            settings: Settings = Defaults()
        else:
            from ..settings import load_settings

            settings = load_settings(config_file)
    except ValueError as exc:
        click.echo(f"error: {exc}", err=True)
        raise SystemExit(2) from None
    if backend:
        settings.backend = backend
    context = click.get_current_context(silent=True)
    if context is not None and context.meta.get(DASK_SCHEDULER):
        settings.dask_scheduler = context.meta[DASK_SCHEDULER]
    return settings


class LazyChoice(click.Choice):
    """A choice among values looked up only when needed (parsing the option, its --help), so that
    no command's start imports what lists them."""

    def __init__(self, values: Callable[[], Sequence[str]]) -> None:  # no fixed list: see ``choices``
        self.case_sensitive = True
        self._values = cache(values)

    @property
    def choices(self) -> tuple[str, ...]:  # type: ignore[override]
        return tuple(self._values())


def _backend_choices() -> list[str]:
    """``auto`` and the installed backend plug-ins (scanning the installed packages)."""
    from ..backends import BackendRegistry

    return BackendRegistry().choices()


DASK_SCHEDULER = "orchest_jlab.dask_scheduler"


def _keep_dask_scheduler(context: click.Context, param, value: str | None) -> None:
    if value:
        context.meta[DASK_SCHEDULER] = value


def backend_option(command):
    command = click.option(
        "--dask-scheduler", metavar="ADDRESS", expose_value=False, callback=_keep_dask_scheduler,
        help="The dask backend's scheduler (e.g. tcp://host:8786). Default: c.OrchestApp.dask_scheduler, else "
        "Dask's configuration, else a local cluster started for the command.",
    )(command)
    return click.option(
        "--backend", type=LazyChoice(_backend_choices), default=None,
        help="Where steps run (`orchest-jlab backends` lists them). Default: c.OrchestApp.backend, else "
        "$ORCHEST_JLAB_BACKEND, else auto: in containers when a Docker engine answers and the images can be "
        "had, else on the host.",
    )(command)


def _env_pairs(ctx, param, items: tuple[str, ...]) -> dict[str, str]:
    from ..pipelines.env_variables import EnvVariablesError, check_env_variables

    env: dict[str, str] = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep:
            raise click.BadParameter(f"{item!r} is not KEY=VALUE", param=param)
        env[name] = value
    try:
        return check_env_variables(env, "--env")
    except EnvVariablesError as exc:
        raise click.BadParameter(str(exc), param=param) from None


def env_option(command):
    return click.option(
        "--env", "env", multiple=True, metavar="KEY=VALUE", callback=_env_pairs,
        help="An environment variable of every step (repeatable); over the project's and the pipeline's.",
    )(command)


def refused(where, exc: OrchestError) -> None:
    """Print a refused request (its message, then each problem it lists) and exit with 2."""
    click.echo(f"{where}: {exc.message}", err=True)
    for problem in exc.errors:
        message = problem.get("message") if isinstance(problem, dict) else None
        if message and message not in exc.message:
            click.echo(f"{where}: {problem.get('pointer') or '/'}: {message}", err=True)
    raise SystemExit(2)


def run_async(main: Coroutine[Any, Any, T]) -> T:
    """``asyncio.run(main)``; asyncio (with ssl, sockets and threads) is imported by the commands that
    run something, not at every start of the command."""
    import asyncio
    import gc
    import os
    import sys

    if not gc.isenabled():  # the command's start turned it off (command.py)
        gc.freeze()
        gc.enable()
    if sys.version_info < (3, 12) and hasattr(os, "pidfd_open"):
        # Python 3.11 waits for each step's process on a thread of its own; 3.12 watches a pidfd, as here.
        try:
            os.close(os.pidfd_open(os.getpid()))
        except OSError:  # a kernel without pidfds
            pass
        else:
            asyncio.set_child_watcher(asyncio.PidfdChildWatcher())
    return asyncio.run(main)


@contextlib.asynccontextmanager
async def command_services(settings: Settings, root: Path) -> Iterator:
    """The services of one command (``services.py``), closed in order when it ends."""
    from ..services import Services

    services = Services(settings, root)
    try:
        yield services
    finally:
        await services.close()
