"""``/data`` for steps on the host: Orchest mounts a data folder at ``/data`` in every step, and
Orchest code writes there. A host step whose file mentions ``/data`` runs through ``_datans.py``: in
a private mount namespace where the project's data folder (the same one the docker backend mounts)
is at ``/data``. Where the machine refuses such namespaces (e.g. a container without the right to
make them), runs with such steps are refused before they start, naming the steps."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path

from .context import StepContext

HELPER = Path(__file__).with_name("_datans.py")
# "/data" as a path of its own: '/data/x.json', "/data", not "./data" nor "project/data".
_USES_DATA = re.compile(r"(?<![\w./~-])/data(?![\w.-])")
_NOTEBOOK_SUFFIX = ".ipynb"


def uses_data(file: Path) -> bool:
    """Whether a step's file (a script, or a notebook's code cells) mentions ``/data``."""
    try:
        text = file.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    if file.suffix.lower() == _NOTEBOOK_SUFFIX:
        try:
            cells = json.loads(text).get("cells") or []
            text = "\n".join("".join(c.get("source") or "") if isinstance(c.get("source"), list)
                             else str(c.get("source") or "") for c in cells if c.get("cell_type") == "code")
        except (ValueError, AttributeError):
            pass
    return _USES_DATA.search(text) is not None


# Files up to this size are looked at on the event loop by ``mentions_no_data`` (a read of a few µs).
QUICK_CHECK_BYTES = 64 * 1024


def mentions_no_data(file: Path) -> bool:
    """True when a small step file surely does not mention ``/data`` (not even JSON-escaped, in a
    notebook); False when it may, and ``uses_data`` decides (on a worker thread: files can be big).
    Most steps are the former: they start without a hop through a thread."""
    try:
        with open(file, "rb") as f:
            head = f.read(QUICK_CHECK_BYTES + 1)
    except OSError:
        return False
    return len(head) <= QUICK_CHECK_BYTES and b"/data" not in head and b"\\/data" not in head


class DataFolders:
    """The project data folders of host steps. ``folder_for(project)``: the host folder a project's
    steps find at ``/data`` (None: no ``/data``, as in the docker backend)."""

    def __init__(self, folder_for: Callable[[Path], Path | None], python: str = sys.executable):
        self.folder_for = folder_for
        self.python = python
        self._problem: str | None | bool = False  # False: not probed yet
        self._lock = threading.Lock()

    def _mountpoint(self) -> Path:
        """An empty folder of ours that each namespace mounts its new root on (privately)."""
        path = Path(tempfile.gettempdir()) / f"orchest-jlab-root-{os.getuid()}"
        try:
            path.mkdir(mode=0o700, exist_ok=True)
            st = path.lstat()
            if path.is_symlink() or st.st_uid != os.getuid():
                raise OSError(f"{path} is not ours")
        except OSError:
            path = Path(tempfile.mkdtemp(prefix="orchest-jlab-root-"))
        return path

    def problem(self) -> str | None:
        """Why this machine cannot give host steps a ``/data`` (None: it can). Tried once."""
        with self._lock:
            if self._problem is False:
                self._problem = self._probe()
            return self._problem

    def _probe(self) -> str | None:
        with tempfile.TemporaryDirectory(prefix="orchest-jlab-data-probe-") as folder:
            marker = Path(folder) / "probe"
            marker.write_text("")
            argv = [*self._prefix(Path(folder)), "sh", "-c", "test -f /data/probe"]
            try:
                done = subprocess.run(argv, capture_output=True, text=True, timeout=30)
            except (OSError, subprocess.TimeoutExpired) as exc:
                return str(exc)
        if done.returncode != 0:
            return (done.stderr.strip().splitlines() or [f"exit code {done.returncode}"])[-1]
        return None

    def _prefix(self, folder: Path) -> list[str]:
        return [self.python, "-I", "-S", str(HELPER), str(folder), str(self._mountpoint()), "--"]

    def folder(self, ctx: StepContext) -> Path | None:
        """The data folder of the step's project (made if needed), when the step uses ``/data``."""
        if not uses_data(ctx.file):
            return None
        folder = self.folder_for(ctx.source_project_dir or ctx.project_dir)
        if folder is None or self.problem() is not None:
            return None
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    def prefix(self, folder: Path | None) -> list[str]:
        """What goes before a step's command for it to find ``folder`` at ``/data`` (none: [])."""
        return self._prefix(folder) if folder is not None else []

    def refusal(self, project_dir: Path, steps: dict[str, Path]) -> str | None:
        """Why a run of ``steps`` (title → file) cannot run here, before it starts: steps that use
        ``/data`` on a machine that cannot give it. None when it can run."""
        using = [title for title, file in steps.items() if uses_data(file)]
        if not using or self.folder_for(project_dir) is None:
            return None
        problem = self.problem()
        if problem is None:
            return None
        names = ", ".join(f'"{t}"' for t in using)
        return (f"{'Steps' if len(using) > 1 else 'Step'} {names} {'use' if len(using) > 1 else 'uses'} /data (the data folder Orchest mounts in "
                f"every step), which the local backend cannot give on this machine ({problem}). Run the "
                'pipeline on the docker backend (--backend docker, or c.OrchestApp.backend = "docker").')
