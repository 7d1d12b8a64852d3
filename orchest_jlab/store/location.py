"""Where a project's database is, by default."""

from __future__ import annotations

from pathlib import Path

DATABASE_NAME = "orchest-jlab.sqlite"


def default_url(project_dir: Path) -> str:
    return f"sqlite:///{project_dir / '.orchest' / DATABASE_NAME}"
