"""The configuration of orchest-jlab: ``c.OrchestApp.*`` in the usual Jupyter config files.

The server extension (``OrchestApp``) has these traits; every command of ``orchest-jlab`` reads the
same files (``load_settings``), so that a setting means the same for a run started from the editor
and from a terminal. With ``--config FILE``, FILE is read instead of ``jupyter_server_config``, as
``jupyter server --config FILE`` does.
"""

from __future__ import annotations

import os
from pathlib import Path

from functools import cache
from typing import TYPE_CHECKING

# traitlets alone: traitlets.config (Configurable, Config, Application) costs twice as much again at
# a command's start, and a command reads it only when a config file exists (``load_settings``).
from traitlets import Bool, Dict, Enum, Float, HasTraits, Int, List, Unicode, Union, default

if TYPE_CHECKING:
    from traitlets.config import Config

# Read in this order (later files win), from each folder of the Jupyter config path (lowest first).
CONFIG_FILES = ("jupyter_config", "jupyter_orchest_jlab_config", "jupyter_server_config")
BACKEND_ENV = "ORCHEST_JLAB_BACKEND"


class Settings(HasTraits):
    """Every setting; documented in docs/configuration.md (a test keeps the two the same). The
    configurable form, read from config files, is ``OrchestSettings``; these are its defaults."""

    skip_directories = List(
        Unicode(),
        help="Folder names that pipeline discovery never enters (besides hidden folders and virtual "
        "environments, which it always skips).",
    ).tag(config=True)

    @default("skip_directories")
    def _default_skip_directories(self) -> list[str]:
        from .pipelines import DEFAULT_SKIP_DIRS

        return sorted(DEFAULT_SKIP_DIRS)

    database_url = Unicode(
        "",
        help="SQLAlchemy URL of the database of runs and jobs. Empty: a SQLite file in each project's .orchest/.",
    ).tag(config=True)

    snapshots_dir = Unicode(
        "", help="Folder of the runs' and jobs' folders (snapshots, step logs, what interactive runs kept), "
        "one subfolder per project named by its ORCHEST_PROJECT_UUID, outside the project so that Orchest "
        "never lists the snapshots' pipelines; empty: <Jupyter data dir>/orchest-jlab/projects."
    ).tag(config=True)

    snapshot_size_limit_mb = Int(
        50, help="Files larger than this (MiB) are left out of run snapshots, with a warning; 0: no limit."
    ).tag(config=True)

    kernel_spares = Int(
        1, help="Started, unused kernels kept per kernel name so that notebook steps start at once."
    ).tag(config=True)

    max_parallel_steps = Union(
        [Int(min=0), Enum(["cpus"])], default_value=0,
        help="Steps of one run that run at the same time, at most, whatever the pipeline's "
        'max_steps_parallelism says: a number, or "cpus" (the number of CPUs here); 0: no cap (a '
        "pipeline's 0 then means no limit, as the editor says).",
    ).tag(config=True)

    @property
    def parallel_steps_cap(self) -> int | None:
        """``max_parallel_steps`` as a number of steps; None: no cap."""
        if self.max_parallel_steps == "cpus":
            return os.cpu_count() or 1
        return self.max_parallel_steps or None

    sdk_in_kernels = Bool(
        True, help="Make the step SDK (import orchest) importable in the kernels this server starts, so "
        "that a step's notebook opened in JupyterLab gets its inputs."
    ).tag(config=True)

    max_request_body_mb = Int(
        16, help="The largest request body (MiB) the REST API reads (a pipeline document to validate, a job's "
        "grid); a larger one is refused with a 400. 0: no limit (Jupyter's own limit still applies)."
    ).tag(config=True)

    # Jobs (docs/jobs.md)
    max_concurrent_runs = Int(4, help="Pipeline runs of jobs that run at the same time, at most (others wait).").tag(config=True)
    job_lease_seconds = Float(
        30.0, help="Servers sharing a project's database: how long a server holds the jobs it drives without "
        "renewing its lease (it renews every third of it, and looks as often for jobs whose owner is gone); "
        "another machine's server takes over a dead server's jobs once their lease has lapsed."
    ).tag(config=True)
    max_grid_size = Int(
        1000, help="The most runs a job's parameter grid may make (a larger grid is refused); 0: no limit."
    ).tag(config=True)
    # Notifications (docs/jobs.md#notifications)
    webhook_attempts = Int(5, help="Tries of a webhook delivery, at most (the first and its retries).").tag(config=True)
    webhook_retry_seconds = Float(
        10.0, help="Seconds before a failed webhook delivery is tried again; doubled at each retry (at most an hour)."
    ).tag(config=True)
    webhook_timeout_seconds = Float(10.0, help="Seconds a webhook endpoint has to answer a delivery.").tag(config=True)

    # Backends and Docker (docs/backends.md, docs/environments.md)
    backend = Unicode(
        help="Where steps run: auto, or the name of a backend plug-in (`orchest-jlab backends` lists them). "
        "auto: the best one that can run the run here (in containers when a Docker engine answers and the "
        f"images can be had, else on the host). Default: ${BACKEND_ENV}, else auto."
    ).tag(config=True)

    @default("backend")
    def _default_backend(self) -> str:
        return os.environ.get(BACKEND_ENV) or "auto"

    dask_scheduler = Unicode(
        "", help="The dask backend's scheduler, e.g. tcp://host:8786; empty: Dask's own configuration "
        "(scheduler-address), else a local cluster started for the server and stopped with it (docs/dask.md)."
    ).tag(config=True)
    dask_local_workers = Int(0, help="Worker processes of the dask backend's local cluster; 0: Dask's choice.").tag(config=True)
    dask_worker_retries = Int(
        1, min=0, help="The dask backend: times a step whose worker was lost runs again on another worker."
    ).tag(config=True)
    dask_environments = Enum(
        ["auto", "host"], "auto", help="The dask backend: auto runs a step in its environment's image, built on "
        "its worker, where the worker's Docker engine answers and has the base image (else on the worker's "
        "host); host: always on the worker's host (docs/dask.md)."
    ).tag(config=True)
    dask_outputs_url = Unicode(
        "", help="The dask backend: an fsspec URL (s3://bucket/prefix, file:///shared/outputs) where steps' outputs "
        "are kept, under <project uuid>/<run uuid>/<step uuid>/, removed with their run; empty: outputs pass "
        "through the cluster (docs/dask.md)."
    ).tag(config=True)

    base_image_aliases = Dict(
        Unicode(),
        help="Base images of environments (e.g. Orchest's orchest/base-kernel-py) mapped to images available here.",
    ).tag(config=True)

    @default("base_image_aliases")
    def _default_aliases(self) -> dict[str, str]:
        from .environments.images import DEFAULT_ALIASES

        return dict(DEFAULT_ALIASES)

    docker_data_dir = Unicode(
        "", help="Host folder mounted at /data in step containers; empty: <Jupyter data dir>/orchest-jlab/data."
    ).tag(config=True)
    docker_shared_data = Bool(
        False, help="Mount docker_data_dir itself at /data for every project (as Orchest did); default: a folder "
        "per project in it."
    ).tag(config=True)
    docker_pids_limit = Int(4096, help="The most processes (and threads) a step or kernel container may run; 0: no limit.").tag(config=True)
    docker_cpus = Float(0, help="CPU limit of each step container (0: no limit).").tag(config=True)
    docker_memory = Unicode("", help='Memory limit of each step container, e.g. "2g" (empty: no limit).').tag(config=True)
    build_network = Unicode("host", help="Network of environment builds: host, or none for offline builds.").tag(config=True)
    pull_base_images = Bool(False, help="Pull a base image that is not in the Docker engine.").tag(config=True)
    environment_kernels = Bool(
        True, help="Serve a kernel orchest-kernel-<uuid> per Python environment, run in its image (needs Docker)."
    ).tag(config=True)

    @property
    def snapshot_size_limit(self) -> int | None:
        """In bytes; None: no limit."""
        return self.snapshot_size_limit_mb * 2**20 or None


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


def _config_sources(config_file: Path | None) -> list[tuple[str, list[str] | str]]:
    """The files ``load_config`` reads: (name without suffix, folders)."""
    from jupyter_core.paths import jupyter_config_path

    path = jupyter_config_path()
    names = CONFIG_FILES if config_file is None else CONFIG_FILES[:-1]
    sources: list[tuple[str, list[str] | str]] = [(name, path) for name in names]
    if config_file is not None:
        config_file = config_file.resolve()
        sources.append((str(config_file.with_suffix("")), str(config_file.parent)))
        if config_file.suffix not in (".py", ".json"):
            raise ValueError(f"{config_file}: a config file must be a .py or .json file.")
    return sources


def _any_config_file(sources: list[tuple[str, list[str] | str]]) -> bool:
    """Whether one of the files of ``sources`` exists (as traitlets looks for them)."""
    for name, where in sources:
        for folder in [where] if isinstance(where, str) else where:
            folder = os.path.expandvars(os.path.expanduser(folder))
            if any(os.path.isfile(os.path.join(folder, name + suffix)) for suffix in (".py", ".json")):
                return True
    return False


def load_config(config_file: Path | None = None) -> Config:
    """What a Jupyter server started here would read (``CONFIG_FILES``); with ``config_file``, that
    file instead of ``jupyter_server_config``. Raises ValueError naming a file that cannot be read."""
    from traitlets.config import Application, Config

    config = Config()
    for name, where in _config_sources(config_file):
        try:
            for loaded, _ in Application._load_config_files(name, path=where, raise_config_file_errors=True):
                config.merge(loaded)
        except Exception as exc:
            raise ValueError(f"The configuration {name} could not be read: {type(exc).__name__}: {exc}") from None
    return config


def load_settings(config_file: Path | None = None) -> Settings:
    """The settings of a command: ``c.OrchestApp.*`` of ``load_config(config_file)``; the defaults,
    without reading anything through traitlets.config, when there is no config file at all."""
    if config_file is None and not _any_config_file(_config_sources(None)):
        return Settings()
    from traitlets.config import Config

    config = load_config(config_file)
    section = Config()
    section.OrchestSettings.merge(config.get("OrchestSettings", Config()))
    section.OrchestSettings.merge(config.get("OrchestApp", Config()))  # as on the server, the app's wins
    return _configurable()(config=section)
