"""Where a project's database is, by default, and which of its records are a pipeline's."""

from __future__ import annotations

import os
from pathlib import Path

from ..pipelines import pipeline_uuid

DATABASE_NAME = "orchest-jlab.sqlite"


def default_url(project_dir: Path) -> str:
    return f"sqlite:///{project_dir / '.orchest' / DATABASE_NAME}"


def records_of(pipeline_path: Path, project_dir: Path) -> dict[str, str]:
    """The filter of a pipeline's runs and jobs: its uuid, so that renaming or moving the file keeps
    its history and a new file never inherits another's; the file's path when it has no uuid."""
    uuid = pipeline_uuid(pipeline_path)
    return {"pipeline_uuid": uuid} if uuid else {"pipeline_file": os.path.relpath(pipeline_path, project_dir)}
