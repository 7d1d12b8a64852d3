"""The Docker engine's client, and whether one answers."""

from __future__ import annotations

import importlib.util


def docker_client(timeout: int = 120):
    """A client of the engine DOCKER_HOST names (default: the local socket), or raise."""
    import docker

    client = docker.from_env(timeout=timeout)
    client.ping()
    return client


def engine_unavailable() -> str | None:
    """None when a Docker engine answers, else why not (for messages and skipped tests)."""
    if importlib.util.find_spec("docker") is None:
        return "the docker Python package is not installed"
    try:
        docker_client(timeout=5).close()
    except Exception as exc:
        return f"no Docker engine is reachable ({type(exc).__name__}: {str(exc)[:200]})"
    return None
