"""`orchest-jlab runs prune`: the runs' and jobs' folders of projects that are gone are found and
removed (after asking); those of projects still there, and folders that do not say whose they are,
stay."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from orchest_jlab.engine.folders import OWNER, ProjectFolders

from .conftest import ProjectBuilder


def cli(*args, stdin: str = "") -> subprocess.CompletedProcess:
    """The whole command, as a user runs it (its Jupyter data folder: the test's own, conftest.py)."""
    return subprocess.run([sys.executable, "-m", "orchest_jlab", *map(str, args)], input=stdin, capture_output=True,
                          text=True, env=os.environ.copy(), timeout=120)


def test_the_folders_of_a_deleted_project_are_pruned_and_the_others_kept(tmp_path):
    folders = ProjectFolders()
    kept, deleted = ProjectBuilder(tmp_path / "kept"), ProjectBuilder(tmp_path / "deleted")
    for project in (kept, deleted):
        path, _ = project.chain(("A",))
        done = cli("run", path, "--snapshot", "--backend", "local")
        assert done.returncode == 0, done.stderr
    env = deleted.environment("Grid")
    deleted.file("g.py")
    grid_pipeline = deleted.write("g.orchest", deleted.pipeline(deleted.step("G", "g.py", env, parameters={"n": 1})))
    assert cli("job", "run", grid_pipeline, "--backend", "local").returncode == 0
    for project in (kept, deleted):
        owner = json.loads((folders.project(project.root) / OWNER).read_text())
        assert owner == {"project_dir": str(project.root.resolve())}
    assert list(folders.jobs(deleted.root).iterdir()) and list(folders.runs(deleted.root).iterdir())
    older = folders.base / "0b9a2f4e-made-before-owners"  # as earlier versions left them
    (older / "runs" / "r" / "logs").mkdir(parents=True)

    shutil.rmtree(deleted.root)
    listed = json.loads(cli("runs", "prune", "--dry-run", "--json").stdout)
    assert [g["folder"] for g in listed["gone"]] == [str(folders.project(deleted.root))]
    assert listed["gone"][0]["project_dir"] == str(deleted.root.resolve()) and listed["gone"][0]["bytes"] > 0
    assert [u["folder"] for u in listed["unknown"]] == [str(older)] and listed["removed"] is False
    assert folders.project(deleted.root).is_dir()

    refused = cli("runs", "prune", stdin="n\n")  # asks first, and "no" removes nothing
    assert refused.returncode == 1 and str(deleted.root.resolve()) in refused.stderr, refused.stderr
    assert folders.project(deleted.root).is_dir()
    assert cli("runs", "prune", "--json").returncode == 2  # JSON asks nothing: --yes or --dry-run

    done = cli("runs", "prune", stdin="y\n")
    assert done.returncode == 0 and "removed 1 folders" in done.stderr, done.stderr
    assert "kept 1 folders" in done.stderr
    assert not folders.project(deleted.root).exists()
    assert list(folders.runs(kept.root).glob("*/snapshot")) and older.is_dir()
    again = cli("runs", "prune", "--yes")
    assert again.returncode == 0 and "no folder of a project that is gone" in again.stderr


def test_an_unreadable_owner_is_left_alone(tmp_path):
    folders = ProjectFolders(tmp_path / "kept")
    (folders.base / "broken").mkdir(parents=True)
    (folders.base / "broken" / OWNER).write_text("{not json")
    (folders.base / "gone").mkdir()
    (folders.base / "gone" / OWNER).write_text(json.dumps({"project_dir": str(tmp_path / "nowhere")}))
    assert [(f.folder.name, f.project_dir) for f in folders.left_behind()] == [("gone", str(tmp_path / "nowhere"))]
    assert ProjectFolders(tmp_path / "absent").left_behind() == []
