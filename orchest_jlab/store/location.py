"""Where a project's database is, by default, and which of its records are a pipeline's."""

from __future__ import annotations

import os
from pathlib import Path

from ..pipelines import pipeline_uuid

DATABASE_NAME = "orchest-jlab.sqlite"


def default_url(project_dir: Path) -> str:
    return f"sqlite:///{project_dir / '.orchest' / DATABASE_NAME}"


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite database URL (``sqlite:///path``, no options); None for other URLs."""
    if not url.startswith("sqlite:///") or "?" in url or url == "sqlite:///" or url.endswith(":memory:"):
        return None
    return Path(url.removeprefix("sqlite:///"))


class PipelineRecords:
    """Which runs and jobs are a pipeline file's: those of its uuid, recorded under this file's path
    or under a path that no longer holds a pipeline of that uuid (the file was renamed or moved). So
    a renamed file keeps its history, a new file (a new uuid) inherits none, and two files with one
    uuid (a copy made in the file browser) each keep their own. A file without a uuid: its path's."""

    def __init__(self, pipeline_path: Path, project_dir: Path):
        self.project_dir = project_dir
        self.file = os.path.relpath(pipeline_path, project_dir)
        self.uuid = pipeline_uuid(pipeline_path)
        self._held: dict[str, bool] = {}

    def query(self) -> dict[str, str]:
        """The store's filter (``list_runs``, ``list_jobs``); ``keeps`` says which of those are this file's."""
        return {"pipeline_uuid": self.uuid} if self.uuid else {"pipeline_file": self.file}

    def has(self, record: dict) -> bool:
        """Whether a record of the project, not read through ``query``, is this file's."""
        [(field, value)] = self.query().items()
        return record.get(field) == value and self.keeps(record)

    def keeps(self, record: dict) -> bool:
        other = record["pipeline_file"]
        if self.uuid is None or other == self.file:
            return True
        if other not in self._held:
            self._held[other] = pipeline_uuid(self.project_dir / other) == self.uuid
        return not self._held[other]
