"""A worker's working copies (backends/dask/copies.py) on a real file system, without a cluster: what
a step's event loop takes at once, and what it leaves to a thread."""

from __future__ import annotations

import time
from pathlib import Path

from orchest_jlab.backends.dask import outputs
from orchest_jlab.backends.dask.copies import Copies


def project(root: Path) -> Path:
    folder = root / "projects" / "h1"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.py").write_text("print('a')\n")
    (folder / "sub" / "b.txt").write_text("b")
    return folder


def test_a_copy_is_taken_at_once_only_when_it_exists_or_a_spare_becomes_it(tmp_path):
    root = tmp_path / "orchest-jlab"
    folder = project(root)
    copies = Copies(root)
    assert copies.enter("run-1", "h1", None, False, wait=False) is None  # to be copied: a thread's work
    made, _ = copies.enter("run-1", "h1", folder, False)
    again, _ = copies.enter("run-1", "h1", None, False, wait=False)  # the run's copy: taken at once
    assert again is made and made.users == 2
    assert (made.path / "sub" / "b.txt").read_text() == "b"
    (made.path / "written.txt").write_text("by a step")
    copies.leave(made)
    copies.leave(made)
    copies.end_run("run-1")
    deadline = time.monotonic() + 10
    spare = None
    while spare is None and time.monotonic() < deadline:  # put back in the background, then kept
        spare = copies.enter("run-2", "h1", None, True, wait=False)
        time.sleep(0.05)
    assert spare is not None
    copy, before = spare
    assert sorted(before) == ["a.py", "sub/b.txt"]  # an interactive run's state, listed at once
    assert not (copy.path / "written.txt").exists()
    # A step's log (what the step runner records beside it) is in one folder of the process, not the run's.
    assert copies.steps.is_dir() and copies.steps.parent == root / "runs"


def test_only_small_inputs_received_through_the_cluster_are_placed_at_once(tmp_path):
    assert outputs.small({}) and outputs.small({"s": {"outputs": {"s.x": b"1" * 100}, "stored": None}})
    assert not outputs.small({"s": {"outputs": {"s.x": b"1" * outputs.SMALL}, "stored": None}})
    assert not outputs.small({"s": {"outputs": {}, "stored": {"url": "memory://x", "names": ["s.x"]}}})
    data = tmp_path / "data"
    data.mkdir()
    for name in ("step.x", "step.x.meta.json", "other.x", "stepx"):
        (data / name).write_text(name)
    assert sorted(outputs.collect(data, "step", None)["outputs"]) == ["step.x", "step.x.meta.json"]
    outputs.clear(data, "step")
    assert sorted(p.name for p in data.iterdir()) == ["other.x", "stepx"]
    outputs.clear(tmp_path / "none", "step")  # no data folder: nothing to clear
