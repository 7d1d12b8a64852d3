"""Persistence of runs and step states (SQLAlchemy; SQLite per project by default)."""

from .store import RunStore, RunStores, records_of

__all__ = ["RunStore", "RunStores", "records_of"]
