"""The configuration of orchest-jlab: ``c.OrchestApp.*`` in the usual Jupyter config files.

The server extension (``OrchestApp``) has these traits; every command of ``orchest-jlab`` reads the
same files (``load_settings``), so that a setting means the same for a run started from the editor
and from a terminal. With ``--config FILE``, FILE is read instead of ``jupyter_server_config``, as
``jupyter server --config FILE`` does.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

# traitlets alone: traitlets.config (Configurable, Config, Application) costs twice as much again at
# a command's start, and a command reads it only when a config file exists (``load_settings``);
# without one, a command imports neither (``defaults.Defaults``).
from traitlets import Bool, Dict, Enum, Float, HasTraits, Int, List, Unicode, Union, default

from .defaults import (BACKEND_ENV, DEFAULTS, SettingsValues, any_config_file, config_sources, default_aliases,
                       default_backend, default_skip_directories)

if TYPE_CHECKING:
    from traitlets.config import Config

D = DEFAULTS


class Settings(SettingsValues, HasTraits):
    """Every setting; documented in docs/configuration.md (a test keeps the two the same). The
    configurable form, read from config files, is ``OrchestSettings``; these are its defaults
    (from ``defaults.DEFAULTS``)."""

    skip_directories = List(
        Unicode(),
        help="Folder names that pipeline discovery never enters (besides hidden folders and virtual "
        "environments, which it always skips).",
    ).tag(config=True)

    @default("skip_directories")
    def _default_skip_directories(self) -> list[str]:
        return default_skip_directories()

    database_url = Unicode(
        D["database_url"],
        help="SQLAlchemy URL of the database of runs and jobs. Empty: a SQLite file in each project's .orchest/.",
    ).tag(config=True)

    snapshots_dir = Unicode(
        D["snapshots_dir"], help="Folder of the runs' and jobs' folders (snapshots, step logs, what interactive runs kept), "
        "one subfolder per project named by its ORCHEST_PROJECT_UUID, outside the project so that Orchest "
        "never lists the snapshots' pipelines; empty: <Jupyter data dir>/orchest-jlab/projects."
    ).tag(config=True)

    snapshot_size_limit_mb = Int(
        D["snapshot_size_limit_mb"], help="Files larger than this (MiB) are left out of run snapshots, with a warning; 0: no limit."
    ).tag(config=True)

    kernel_spares = Int(
        D["kernel_spares"], help="Started, unused kernels kept per kernel name so that notebook steps start at once."
    ).tag(config=True)

    max_parallel_steps = Union(
        [Int(min=0), Enum(["cpus"])], default_value=D["max_parallel_steps"],
        help="Steps of one run that run at the same time, at most, whatever the pipeline's "
        'max_steps_parallelism says: a number, or "cpus" (the number of CPUs here); 0: no cap (a '
        "pipeline's 0 then means no limit, as the editor says).",
    ).tag(config=True)

    sdk_in_kernels = Bool(
        D["sdk_in_kernels"], help="Make the step SDK (import orchest) importable in the kernels this server starts, so "
        "that a step's notebook opened in JupyterLab gets its inputs."
    ).tag(config=True)

    max_request_body_mb = Int(
        D["max_request_body_mb"], help="The largest request body (MiB) the REST API reads (a pipeline document to validate, a job's "
        "grid); a larger one is refused with a 400. 0: no limit (Jupyter's own limit still applies)."
    ).tag(config=True)

    # Jobs (docs/jobs.md)
    max_concurrent_runs = Int(D["max_concurrent_runs"], help="Pipeline runs of jobs that run at the same time, at most (others wait).").tag(config=True)
    job_lease_seconds = Float(
        D["job_lease_seconds"], help="Servers sharing a project's database: how long a server holds the jobs it drives without "
        "renewing its lease (it renews every third of it, and looks as often for jobs whose owner is gone); "
        "another machine's server takes over a dead server's jobs once their lease has lapsed."
    ).tag(config=True)
    max_grid_size = Int(
        D["max_grid_size"], help="The most runs a job's parameter grid may make (a larger grid is refused); 0: no limit."
    ).tag(config=True)
    # Notifications (docs/jobs.md#notifications)
    webhook_attempts = Int(D["webhook_attempts"], help="Tries of a webhook delivery, at most (the first and its retries).").tag(config=True)
    webhook_retry_seconds = Float(
        D["webhook_retry_seconds"], help="Seconds before a failed webhook delivery is tried again; doubled at each retry (at most an hour)."
    ).tag(config=True)
    webhook_timeout_seconds = Float(D["webhook_timeout_seconds"], help="Seconds a webhook endpoint has to answer a delivery.").tag(config=True)

    # Backends and Docker (docs/backends.md, docs/environments.md)
    backend = Unicode(
        help="Where steps run: auto, or the name of a backend plug-in (`orchest-jlab backends` lists them). "
        "auto: the best one that can run the run here (in containers when a Docker engine answers and the "
        f"images can be had, else on the host). Default: ${BACKEND_ENV}, else auto."
    ).tag(config=True)

    @default("backend")
    def _default_backend(self) -> str:
        return default_backend()

    dask_scheduler = Unicode(
        D["dask_scheduler"], help="The dask backend's scheduler, e.g. tcp://host:8786; empty: Dask's own configuration "
        "(scheduler-address), else a local cluster started for the server and stopped with it (docs/dask.md)."
    ).tag(config=True)
    dask_local_workers = Int(D["dask_local_workers"], help="Worker processes of the dask backend's local cluster; 0: Dask's choice.").tag(config=True)
    dask_worker_retries = Int(
        D["dask_worker_retries"], min=0, help="The dask backend: times a step whose worker was lost runs again on another worker."
    ).tag(config=True)
    dask_environments = Enum(
        ["auto", "host"], D["dask_environments"], help="The dask backend: auto runs a step in its environment's image, built on "
        "its worker, where the worker's Docker engine answers and has the base image (else on the worker's "
        "host); host: always on the worker's host (docs/dask.md)."
    ).tag(config=True)
    dask_outputs_url = Unicode(
        D["dask_outputs_url"], help="The dask backend: an fsspec URL (s3://bucket/prefix, file:///shared/outputs) where steps' outputs "
        "are kept, under <project uuid>/<run uuid>/<step uuid>/, removed with their run; empty: outputs pass "
        "through the cluster (docs/dask.md)."
    ).tag(config=True)

    base_image_aliases = Dict(
        Unicode(),
        help="Base images of environments (e.g. Orchest's orchest/base-kernel-py) mapped to images available here.",
    ).tag(config=True)

    @default("base_image_aliases")
    def _default_aliases(self) -> dict[str, str]:
        return default_aliases()

    docker_data_dir = Unicode(
        D["docker_data_dir"], help="Host folder mounted at /data in step containers; empty: <Jupyter data dir>/orchest-jlab/data."
    ).tag(config=True)
    docker_shared_data = Bool(
        D["docker_shared_data"], help="Mount docker_data_dir itself at /data for every project (as Orchest did); default: a folder "
        "per project in it."
    ).tag(config=True)
    docker_pids_limit = Int(D["docker_pids_limit"], help="The most processes (and threads) a step or kernel container may run; 0: no limit.").tag(config=True)
    docker_cpus = Float(D["docker_cpus"], help="CPU limit of each step container (0: no limit).").tag(config=True)
    docker_memory = Unicode(D["docker_memory"], help='Memory limit of each step container, e.g. "2g" (empty: no limit).').tag(config=True)
    build_network = Unicode(D["build_network"], help="Network of environment builds: host, or none for offline builds.").tag(config=True)
    pull_base_images = Bool(D["pull_base_images"], help="Pull a base image that is not in the Docker engine.").tag(config=True)
    environment_kernels = Bool(
        D["environment_kernels"], help="Serve a kernel orchest-kernel-<uuid> per Python environment, run in its image (needs Docker)."
    ).tag(config=True)


def __getattr__(name: str):
    # ``OrchestSettings`` is made when first asked for: it needs traitlets.config (PEP 562).
    if name == "OrchestSettings":
        return _configurable()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@cache
def _configurable() -> type[Settings]:
    from traitlets.config import Configurable

    class OrchestSettings(Configurable, Settings):
        """The settings, configurable as ``c.OrchestApp.*`` (or ``c.OrchestSettings.*``)."""

    OrchestSettings.__qualname__ = OrchestSettings.__name__
    OrchestSettings.__module__ = __name__
    return OrchestSettings


def load_config(config_file: Path | None = None) -> Config:
    """What a Jupyter server started here would read (``defaults.CONFIG_FILES``); with ``config_file``, that
    file instead of ``jupyter_server_config``. Raises ValueError naming a file that cannot be read."""
    from traitlets.config import Application, Config

    config = Config()
    for name, where in config_sources(config_file):
        try:
            for loaded, _ in Application._load_config_files(name, path=where, raise_config_file_errors=True):
                config.merge(loaded)
        except Exception as exc:
            raise ValueError(f"The configuration {name} could not be read: {type(exc).__name__}: {exc}") from None
    return config


def load_settings(config_file: Path | None = None) -> Settings:
    """The settings of a command: ``c.OrchestApp.*`` of ``load_config(config_file)``; the defaults,
    without reading anything through traitlets.config, when there is no config file at all (a
    command then takes ``defaults.Defaults`` instead, without traitlets: ``cli.common``)."""
    if config_file is None and not any_config_file(config_sources(None)):
        return Settings()
    from traitlets.config import Config

    config = load_config(config_file)
    section = Config()
    section.OrchestSettings.merge(config.get("OrchestSettings", Config()))
    section.OrchestSettings.merge(config.get("OrchestApp", Config()))  # as on the server, the app's wins
    return _configurable()(config=section)
