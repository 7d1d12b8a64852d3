"""Persistence of runs and step states (SQLAlchemy; SQLite per project by default).

``RunStores`` (every project's store and the thread writing the engine's events) imports no
SQLAlchemy until it opens a store; ``RunStore`` (one database) is imported on first use.
"""

from .location import DATABASE_NAME, PipelineRecords, default_url
from .stores import RunStores

__all__ = ["DATABASE_NAME", "RunStore", "RunStores", "PipelineRecords", "default_url"]


def __getattr__(name: str):
    if name == "RunStore":
        from .store import RunStore

        return RunStore
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
