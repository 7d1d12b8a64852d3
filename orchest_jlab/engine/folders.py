"""Where the runs and jobs of a project keep their folders (snapshots, step logs, the document and
notebooks of each interactive run): outside the project, one folder per project named by its
``ORCHEST_PROJECT_UUID``. Orchest's pipeline discovery walks the whole project, hidden folders
too, so pipeline files of snapshots kept inside it would show as pipelines of their own; and a
copy of the project (git, rsync) would carry them."""

from __future__ import annotations

import contextlib
import shutil
from pathlib import Path

from .context import project_uuid


def default_base() -> Path:
    from jupyter_core.paths import jupyter_data_dir

    return Path(jupyter_data_dir()) / "orchest-jlab" / "projects"


class ProjectFolders:
    def __init__(self, base: Path | None = None):
        self.base = Path(base) if base else default_base()

    def project(self, project_dir: Path) -> Path:
        return self.base / project_uuid(project_dir)

    def runs(self, project_dir: Path) -> Path:
        return self.project(project_dir) / "runs"

    def jobs(self, project_dir: Path) -> Path:
        return self.project(project_dir) / "jobs"


# Where runs and jobs were kept inside the project before (their records still point there).
LEGACY_RUNS = (".orchest", "runs")
LEGACY_JOBS = (".orchest", "jobs")


def remove_folder(folder: Path, uuid: str, project_dir: Path, legacy: tuple[str, ...]) -> None:
    """Remove a run's or job's folder (only ever one named by its uuid); when it was the last one
    kept inside the project (``legacy``), that emptied folder too."""
    if folder.name != uuid:
        return
    shutil.rmtree(folder, ignore_errors=True)
    if folder.parent == project_dir.joinpath(*legacy):
        with contextlib.suppress(OSError):
            folder.parent.rmdir()
