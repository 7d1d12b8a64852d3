"""Where a pipeline's project is, which environments it defines, and where its step files are."""

from __future__ import annotations

import json
import os
import stat
from dataclasses import dataclass
from pathlib import Path

PROJECT_MARKER = ".orchest"
ENVIRONMENTS_DIR = Path(".orchest") / "environments"
STEP_FILE_KINDS = (".ipynb", ".py", ".sh", ".r", ".jl", ".js")  # Orchest's (its .R in any case)


def is_within(path: str | os.PathLike, folder: str | os.PathLike) -> bool:
    try:
        Path(path).relative_to(folder)
    except ValueError:
        return False
    return True


def find_project_root(pipeline_path: str | os.PathLike, boundary: str | os.PathLike | None = None) -> Path:
    """The nearest folder at or above the pipeline file holding a ``.orchest/`` folder, else the
    pipeline file's folder. The search never goes above ``boundary`` (the server's root)."""
    start = Path(os.path.abspath(pipeline_path)).parent
    stop = Path(os.path.abspath(boundary)) if boundary is not None else None
    folder = start
    while True:
        if (folder / PROJECT_MARKER).is_dir():
            return folder
        if folder == stop or folder.parent == folder or (stop is not None and not is_within(folder, stop)):
            return start
        folder = folder.parent


@dataclass(frozen=True)
class Environment:
    """An environment of a project."""
    uuid: str
    name: str
    path: Path


def list_environments(project_root: str | os.PathLike) -> dict[str, Environment]:
    """Environments as Orchest stores them: one folder per uuid holding ``properties.json``.

    A folder counts even when its properties cannot be read, so that a broken environment file is not
    mistaken for a missing environment; its name then falls back to the uuid.
    """
    folder = Path(project_root) / ENVIRONMENTS_DIR
    environments: dict[str, Environment] = {}
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError:
        return environments
    for entry in entries:
        properties = Path(entry.path) / "properties.json"
        if not entry.is_dir() or not properties.is_file():
            continue
        name = entry.name
        try:
            data = json.loads(properties.read_text(encoding="utf-8"))
            if isinstance(data, dict) and isinstance(data.get("name"), str):
                name = data["name"]
        except (OSError, ValueError):
            pass
        environments[entry.name] = Environment(entry.name, name, properties.parent)
    return environments


class StepPathError(ValueError):
    pass


def resolve_step_file(pipeline_path: str | os.PathLike, file_path: str, project_root: str | os.PathLike) -> Path:
    """The absolute path of a step's file. Raises StepPathError when ``file_path`` is absolute or
    leads outside the project, by ``..`` or through a symbolic link."""
    return Path(StepFiles(pipeline_path, project_root).resolve(file_path))


class StepFiles:
    """The step files of one pipeline file in one project: what ``resolve_step_file`` does, with the
    project's real path and each folder's found once (validating a 200-step pipeline resolves 200
    files: with a ``realpath`` each, that was half the time of validating it)."""

    def __init__(self, pipeline_path: str | os.PathLike, project_root: str | os.PathLike):
        self.root = os.path.abspath(project_root)
        self.folder = os.path.dirname(os.path.abspath(pipeline_path))
        self.real_root = os.path.realpath(self.root)
        self._real_folders: dict[str, str] = {}

    def resolve(self, file_path: str) -> str:
        """As ``resolve_step_file``, as a string."""
        if not file_path:
            raise StepPathError("The step has no file.")
        if os.path.isabs(file_path) or file_path.startswith("\\") or (len(file_path) > 1 and file_path[1] == ":"):
            raise StepPathError(f'"{file_path}" is an absolute path; a step\'s file must be relative to the pipeline file\'s folder.')
        if "\x00" in file_path:
            raise StepPathError("The file path contains a NUL character.")
        target = os.path.normpath(os.path.join(self.folder, file_path))
        if not _inside(target, self.root):
            raise StepPathError(f'"{file_path}" leads outside the project folder {self.root}.')
        if not _inside(self._realpath(target), self.real_root):
            raise StepPathError(f'"{file_path}" goes through a symbolic link that leads outside the project folder {self.root}.')
        return target

    def _realpath(self, path: str) -> str:
        folder, name = os.path.split(path)
        real_folder = self._real_folders.get(folder)
        if real_folder is None:
            real_folder = self._real_folders[folder] = os.path.realpath(folder)
        try:
            if stat.S_ISLNK(os.lstat(path).st_mode):
                return os.path.realpath(path)
        except (OSError, ValueError):
            pass  # missing: realpath would keep the name as it is
        return os.path.join(real_folder, name)


def _inside(path: str, folder: str) -> bool:
    """``is_within`` for absolute, normalized paths given as strings."""
    return path == folder or path.startswith(folder if folder.endswith(os.sep) else folder + os.sep)


def step_file_kind(file_path: str) -> str:
    return os.path.splitext(file_path)[1].lower()
