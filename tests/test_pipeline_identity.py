"""Runs and jobs belong to a pipeline's uuid, not to its file's name: renaming or moving the
`.orchest` file keeps its history, and a new file never inherits another pipeline's."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .conftest import ProjectBuilder
from .test_runs_api import api, finished


@pytest.fixture
def root(jp_root_dir) -> ProjectBuilder:
    return ProjectBuilder(Path(jp_root_dir))


async def listed(jp_fetch, what: str, pipeline: str) -> list[str]:
    _, body = await api(jp_fetch, "GET", what, params={"pipeline": pipeline})
    return [item["uuid"] for item in body[what]]


async def test_a_renamed_pipeline_keeps_its_runs_and_jobs_and_a_new_file_inherits_none(jp_fetch, root):
    path, data = root.chain(pipeline_name="untitled.orchest")
    _, run = await api(jp_fetch, "POST", "runs", body={"pipeline": "untitled.orchest", "interactive": False})
    await finished(jp_fetch, run["uuid"])
    _, job = await api(jp_fetch, "POST", "jobs", body={"pipeline": "untitled.orchest", "name": "nightly"})
    assert await listed(jp_fetch, "runs", "untitled.orchest") == [run["uuid"]]

    (root.root / "cleaning").mkdir()
    path.rename(root.root / "cleaning" / "cleaning.orchest")  # renamed and moved within the project
    assert await listed(jp_fetch, "runs", "cleaning/cleaning.orchest") == [run["uuid"]]
    assert await listed(jp_fetch, "jobs", "cleaning/cleaning.orchest") == [job["uuid"]]

    fresh = root.pipeline(name="untitled")  # "New pipeline" in the same folder: a new uuid
    root.write("untitled.orchest", fresh)
    assert await listed(jp_fetch, "runs", "untitled.orchest") == []
    assert await listed(jp_fetch, "jobs", "untitled.orchest") == []
    assert json.loads((root.root / "untitled.orchest").read_text())["uuid"] != data["uuid"]


async def test_two_copies_of_one_pipeline_file_each_keep_their_own_runs(jp_fetch, root):
    path, data = root.chain(pipeline_name="a.orchest")
    root.write("b.orchest", data)  # a copy made in the file browser: the same uuid
    _, run_a = await api(jp_fetch, "POST", "runs", body={"pipeline": "a.orchest", "interactive": False})
    _, run_b = await api(jp_fetch, "POST", "runs", body={"pipeline": "b.orchest", "interactive": False})
    await finished(jp_fetch, run_a["uuid"])
    await finished(jp_fetch, run_b["uuid"])
    assert await listed(jp_fetch, "runs", "a.orchest") == [run_a["uuid"]]
    assert await listed(jp_fetch, "runs", "b.orchest") == [run_b["uuid"]]
    path.unlink()  # a.orchest is gone (as if renamed to b.orchest): its runs go to the file that has its uuid
    assert sorted(await listed(jp_fetch, "runs", "b.orchest")) == sorted([run_a["uuid"], run_b["uuid"]])
