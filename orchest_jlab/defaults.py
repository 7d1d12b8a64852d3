"""Every setting's default (``DEFAULTS``), and the settings of a command when no Jupyter config file
exists (``Defaults``): the defaults without traitlets, whose import is a few ms of every command's
start. The traits of ``settings.Settings`` (the server's, and a command's that reads a config file)
take their defaults from the same table; ``tests/test_configuration.py`` holds the two equal.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

# Read in this order (later files win), from each folder of the Jupyter config path (lowest first).
CONFIG_FILES = ("jupyter_config", "jupyter_orchest_jlab_config", "jupyter_server_config")
BACKEND_ENV = "ORCHEST_JLAB_BACKEND"


def default_skip_directories() -> list[str]:
    from .pipelines import DEFAULT_SKIP_DIRS

    return sorted(DEFAULT_SKIP_DIRS)


def default_backend() -> str:
    return os.environ.get(BACKEND_ENV) or "auto"


def default_aliases() -> dict[str, str]:
    from .environments.images import DEFAULT_ALIASES

    return dict(DEFAULT_ALIASES)


# A callable: the default is what it returns when the setting is first read.
DEFAULTS: dict[str, Any] = {
    "skip_directories": default_skip_directories,
    "database_url": "",
    "snapshots_dir": "",
    "snapshot_size_limit_mb": 50,
    "kernel_spares": 1,
    "max_parallel_steps": 0,
    "sdk_in_kernels": True,
    "max_request_body_mb": 16,
    "max_concurrent_runs": 4,
    "job_lease_seconds": 30.0,
    "max_grid_size": 1000,
    "webhook_attempts": 5,
    "webhook_retry_seconds": 10.0,
    "webhook_timeout_seconds": 10.0,
    "backend": default_backend,
    "dask_scheduler": "",
    "dask_local_workers": 0,
    "dask_worker_retries": 1,
    "dask_environments": "auto",
    "dask_outputs_url": "",
    "base_image_aliases": default_aliases,
    "docker_data_dir": "",
    "docker_shared_data": False,
    "docker_pids_limit": 4096,
    "docker_cpus": 0.0,
    "docker_memory": "",
    "build_network": "host",
    "pull_base_images": False,
    "environment_kernels": True,
}


class SettingsValues:
    """What the settings derive from their values (both forms have it)."""

    max_parallel_steps: int | str
    snapshot_size_limit_mb: int

    @property
    def parallel_steps_cap(self) -> int | None:
        """``max_parallel_steps`` as a number of steps; None: no cap."""
        if self.max_parallel_steps == "cpus":
            return os.cpu_count() or 1
        return self.max_parallel_steps or None  # type: ignore[return-value]

    @property
    def snapshot_size_limit(self) -> int | None:
        """In bytes; None: no limit."""
        return self.snapshot_size_limit_mb * 2**20 or None


class Defaults(SettingsValues):
    """The settings when no config file exists: each at its default (computed at its first read)."""

    def __getattr__(self, name: str) -> Any:
        try:
            value = DEFAULTS[name]
        except KeyError:
            raise AttributeError(f"no setting {name!r}") from None
        value = value() if callable(value) else value
        setattr(self, name, value)
        return value


def config_sources(config_file: Path | None) -> list[tuple[str, list[str] | str]]:
    """The files a command reads (``settings.load_config``): (name without suffix, folders)."""
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


def any_config_file(sources: list[tuple[str, list[str] | str]]) -> bool:
    """Whether one of the files of ``sources`` exists (as traitlets looks for them)."""
    for name, where in sources:
        for folder in [where] if isinstance(where, str) else where:
            folder = os.path.expandvars(os.path.expanduser(folder))
            if any(os.path.isfile(os.path.join(folder, name + suffix)) for suffix in (".py", ".json")):
                return True
    return False
