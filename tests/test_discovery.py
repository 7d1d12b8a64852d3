"""Discovery of .orchest files: what is found and what is skipped."""

import os
from pathlib import Path

from orchest_jlab.pipelines import discover_pipelines


def touch(root: Path, relative: str) -> None:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("{}")


def test_finds_pipelines_at_every_depth_sorted(tmp_path):
    for name in ["z.orchest", "a/b/c/deep.orchest", "a/first.orchest", "notes.txt", "a/orchest.json"]:
        touch(tmp_path, name)
    assert discover_pipelines(tmp_path) == [Path("a/b/c/deep.orchest"), Path("a/first.orchest"), Path("z.orchest")]


def test_skips_hidden_dot_orchest_node_modules_and_environments(tmp_path):
    skipped = [
        ".orchest/pipelines/x.orchest",
        ".git/y.orchest",
        ".hidden/z.orchest",
        "node_modules/pkg/p.orchest",
        "__pycache__/p.orchest",
        "venv/lib/p.orchest",
        "myenv/p.orchest",
        "condaenv/p.orchest",
        ".hidden.orchest",
    ]
    for name in skipped:
        touch(tmp_path, name)
    (tmp_path / "venv" / "pyvenv.cfg").write_text("home = /usr/bin\n")
    (tmp_path / "myenv" / "pyvenv.cfg").write_text("home = /usr/bin\n")
    (tmp_path / "condaenv" / "conda-meta").mkdir()
    touch(tmp_path, "keep/p.orchest")
    assert discover_pipelines(tmp_path) == [Path("keep/p.orchest")]


def test_custom_skip_list(tmp_path):
    touch(tmp_path, "build/p.orchest")
    touch(tmp_path, "node_modules/p.orchest")
    assert discover_pipelines(tmp_path, skip_dirs={"build"}) == [Path("node_modules/p.orchest")]


def test_does_not_follow_folder_symlinks_and_survives_loops(tmp_path):
    touch(tmp_path, "real/p.orchest")
    os.symlink(tmp_path, tmp_path / "real" / "loop")
    os.symlink(tmp_path / "real", tmp_path / "alias")
    assert discover_pipelines(tmp_path) == [Path("real/p.orchest")]


def test_unreadable_folders_are_passed_over(tmp_path):
    touch(tmp_path, "open/p.orchest")
    touch(tmp_path, "closed/q.orchest")
    (tmp_path / "closed").chmod(0)
    try:
        found = discover_pipelines(tmp_path)
    finally:
        (tmp_path / "closed").chmod(0o755)
    # root can read anything; other users cannot see the closed folder's pipeline.
    assert Path("open/p.orchest") in found
    assert os.geteuid() == 0 or Path("closed/q.orchest") not in found


def test_a_folder_named_like_a_pipeline_is_searched_not_listed(tmp_path):
    touch(tmp_path, "weird.orchest/inner.orchest")
    assert discover_pipelines(tmp_path) == [Path("weird.orchest/inner.orchest")]


def test_empty_or_missing_root(tmp_path):
    assert discover_pipelines(tmp_path) == []
    assert discover_pipelines(tmp_path / "missing") == []
