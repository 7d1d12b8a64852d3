"""Where the runs and jobs of a project keep their folders (snapshots, step logs, the document and
notebooks of each interactive run): outside the project, one folder per project named by its
``ORCHEST_PROJECT_UUID``. Orchest's pipeline discovery walks the whole project, hidden folders
too, so pipeline files of snapshots kept inside it would show as pipelines of their own; and a
copy of the project (git, rsync) would carry them."""

from __future__ import annotations

import contextlib
import json
import shutil
from dataclasses import dataclass
from pathlib import Path

from ..pipelines.document import write_text_atomic
from .context import project_uuid

# In a project's folder: the project it belongs to (its name is a hash of the project's path), so
# that the folders of projects deleted or moved since can be found and removed (`orchest-jlab runs prune`).
OWNER = "project.json"


def default_base() -> Path:
    from jupyter_core.paths import jupyter_data_dir

    return Path(jupyter_data_dir()) / "orchest-jlab" / "projects"


class ProjectFolders:
    def __init__(self, base: Path | None = None):
        self.base = Path(base) if base else default_base()
        self._claimed: set[Path] = set()

    def project(self, project_dir: Path) -> Path:
        return self.base / project_uuid(project_dir)

    def runs(self, project_dir: Path) -> Path:
        return self.project(project_dir) / "runs"

    def jobs(self, project_dir: Path) -> Path:
        return self.project(project_dir) / "jobs"

    def claim(self, project_dir: Path) -> None:
        """Write down, once, which project the folder of ``project_dir`` belongs to (before a run or
        job keeps anything in it)."""
        folder = self.project(project_dir)
        if folder in self._claimed:
            return
        owner = folder / OWNER
        if not owner.is_file():
            folder.mkdir(parents=True, exist_ok=True)
            text = json.dumps({"project_dir": str(Path(project_dir).resolve())}) + "\n"
            write_text_atomic(owner, text, durable=False)
        self._claimed.add(folder)

    def left_behind(self) -> list[LeftBehind]:
        """The folders of projects that are no longer where they were (deleted or moved: a moved
        project gets a new folder), and those made before folders said whose they are."""
        found = []
        for folder in sorted(self.base.iterdir()) if self.base.is_dir() else ():
            if not folder.is_dir() or folder.name.startswith("."):
                continue
            try:
                project_dir: str | None = json.loads((folder / OWNER).read_text())["project_dir"]
            except FileNotFoundError:
                project_dir = None
            except (OSError, ValueError, KeyError, TypeError):
                continue  # unreadable: not this command's to judge
            if project_dir is None or not Path(project_dir).is_dir():
                found.append(LeftBehind(folder, project_dir, folder_size(folder)))
        return found


@dataclass(frozen=True)
class LeftBehind:
    folder: Path
    project_dir: str | None  # None: a folder made before folders said whose they are
    size: int  # bytes


def folder_size(folder: Path) -> int:
    total = 0
    for path in folder.rglob("*"):
        with contextlib.suppress(OSError):
            if path.is_file() and not path.is_symlink():
                total += path.stat().st_size
    return total


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
