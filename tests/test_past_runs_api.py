"""Read-only mode's API: the pipeline a past run ran, its files, an editable copy; steps of a file."""

from __future__ import annotations

import json
import os
from pathlib import Path

import nbformat
import pytest

from orchest_jlab.engine.folders import ProjectFolders
from orchest_jlab.errors import BadRequest
from orchest_jlab.runs import run_file

from .conftest import ProjectBuilder
from .session_helpers import start_session
from .test_runs_api import api, api_error, finished, next_message


@pytest.fixture
def root(jp_root_dir) -> ProjectBuilder:
    return ProjectBuilder(Path(jp_root_dir))


def notebook_pipeline(root: ProjectBuilder, folder: str = "") -> tuple[dict, dict]:
    env = root.environment()
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("import orchest\nprint('n =', orchest.get_step_param('n'))")]
    root.file(f"{folder}nb.ipynb", nbformat.writes(nb))
    root.file(f"{folder}after.py", "print('after')\n")
    first = root.step("Notebook", "nb.ipynb", env, parameters={"n": 1})
    second = root.step("After", "after.py", env, [first["uuid"]])
    data = root.pipeline(first, second, name="Readonly")
    root.write(f"{folder}p.orchest", data)
    return data, first


async def test_a_non_interactive_run_shows_its_snapshot_and_executed_notebook(jp_fetch, root):
    data, nb_step = notebook_pipeline(root)
    _, run = await api(jp_fetch, "POST", "runs", body={
        "pipeline": "p.orchest", "interactive": False, "parameters": {nb_step["uuid"]: {"n": 7}}})
    run = await finished(jp_fetch, run["uuid"])
    assert run["status"] == "SUCCESS", run

    # The pipeline file changes after the run; the run still shows what it ran.
    changed = {**data, "name": "Renamed"}
    root.write("p.orchest", changed)
    code, shown = await api(jp_fetch, "GET", "runs", run["uuid"], "pipeline")
    assert code == 200 and shown["source"] == "snapshot" and shown["pipeline_path"] == "p.orchest"
    assert shown["pipeline"]["name"] == "Readonly"
    assert shown["pipeline"]["steps"][nb_step["uuid"]]["parameters"] == {"n": 7}  # written into the snapshot

    response = await jp_fetch("orchest", "api", "runs", run["uuid"], "files", "nb.ipynb")
    assert response.headers["Content-Type"].startswith("application/json")
    executed = nbformat.reads(response.body.decode(), as_version=4)
    assert "n = 7" in "".join(o.get("text", "") for o in executed.cells[0].outputs)
    # The project's own notebook was not executed: the run ran on its snapshot.
    assert not nbformat.read(root.root / "nb.ipynb", as_version=4).cells[0].outputs

    code, error = await api_error(jp_fetch, "GET", "runs", run["uuid"], "files", "missing.ipynb")
    assert code == 404 and "snapshot has no file" in error["message"]


async def test_an_interactive_run_keeps_the_document_it_ran(jp_fetch, root):
    data, nb_step = notebook_pipeline(root)
    await start_session(jp_fetch)
    _, run = await api(jp_fetch, "POST", "runs", body={
        "pipeline": "p.orchest", "run_type": "selection", "steps": [nb_step["uuid"]],
        "parameters": {nb_step["uuid"]: {"n": 3}}})
    run = await finished(jp_fetch, run["uuid"])
    assert run["status"] == "SUCCESS", run
    root.write("p.orchest", {**data, "steps": {nb_step["uuid"]: {**nb_step, "title": "Changed"}}})

    _, shown = await api(jp_fetch, "GET", "runs", run["uuid"], "pipeline")
    assert shown["source"] == "recorded"
    assert set(shown["pipeline"]["steps"]) == set(data["steps"])
    assert shown["pipeline"]["steps"][nb_step["uuid"]]["title"] == "Notebook"
    assert shown["pipeline"]["steps"][nb_step["uuid"]]["parameters"] == {"n": 3}
    # An interactive run executed the project's notebook in place, and kept a copy as it ran it.
    assert "n = 3" in (root.root / "nb.ipynb").read_text()
    response = await jp_fetch("orchest", "api", "runs", run["uuid"], "files", "nb.ipynb")
    assert "n = 3" in response.body.decode()

    # The project's notebook changes afterwards (a cell added, a later run): the past run still
    # shows the notebook as it executed it; a file it did not execute is the project's.
    root.write("p.orchest", data)
    _, later = await api(jp_fetch, "POST", "runs", body={
        "pipeline": "p.orchest", "run_type": "selection", "steps": [nb_step["uuid"]],
        "parameters": {nb_step["uuid"]: {"n": 5}}})
    assert (await finished(jp_fetch, later["uuid"]))["status"] == "SUCCESS"
    nb = nbformat.read(root.root / "nb.ipynb", as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell("added_after_the_run = 1"))
    nbformat.write(nb, root.root / "nb.ipynb")
    first = (await jp_fetch("orchest", "api", "runs", run["uuid"], "files", "nb.ipynb")).body.decode()
    second = (await jp_fetch("orchest", "api", "runs", later["uuid"], "files", "nb.ipynb")).body.decode()
    assert "n = 3" in first and "n = 5" not in first and "added_after_the_run" not in first
    assert "n = 5" in second and "added_after_the_run" not in second
    response = await jp_fetch("orchest", "api", "runs", run["uuid"], "files", "after.py")
    assert response.body.decode() == "print('after')\n"


async def test_create_an_editable_copy_of_a_runs_pipeline(jp_fetch, root):
    data, _ = notebook_pipeline(root, folder="project/")
    (root.root / "project" / ".orchest").mkdir()
    (root.root / "project" / "copies").mkdir()
    _, run = await api(jp_fetch, "POST", "runs", body={"pipeline": "project/p.orchest", "interactive": False})
    run = await finished(jp_fetch, run["uuid"])

    code, created = await api(jp_fetch, "POST", "runs", run["uuid"], "copy-pipeline", body={})
    assert code == 201 and created["path"] == f"project/p-run-{run['uuid'][:8]}.orchest"
    copy = json.loads((root.root / created["path"]).read_text())
    assert copy["uuid"] != data["uuid"] and copy["name"] == f"Readonly (run {run['number']})"
    assert copy["steps"] == data["steps"]
    code, listed = await api(jp_fetch, "GET", "pipelines", created["path"])
    assert listed["report"]["valid"], listed["report"]

    code, error = await api_error(jp_fetch, "POST", "runs", run["uuid"], "copy-pipeline", body={})
    assert code == 409 and "already exists" in error["message"]

    # Into another folder of the project: the steps' files are re-pointed, so the copy stays valid.
    code, created = await api(jp_fetch, "POST", "runs", run["uuid"], "copy-pipeline",
                              body={"path": "project/copies/mine.orchest"})
    copy = json.loads((root.root / "project/copies/mine.orchest").read_text())
    assert sorted(s["file_path"] for s in copy["steps"].values()) == ["../after.py", "../nb.ipynb"]
    _, listed = await api(jp_fetch, "GET", "pipelines", "project/copies/mine.orchest")
    assert listed["report"]["valid"], listed["report"]

    for body, status, words in [
        ({"path": "elsewhere.orchest"}, 400, "project folder"),
        ({"path": "project/nowhere/x.orchest"}, 404, "does not exist"),
        ({"path": "project/x.txt"}, 400, "not a pipeline"),
        ({"path": "../x.orchest"}, 400, "inside the server"),
        ({"path": 3}, 400, '"path"'),
    ]:
        code, error = await api_error(jp_fetch, "POST", "runs", run["uuid"], "copy-pipeline", body=body)
        assert (code, words in error["message"]) == (status, True), error
    assert not (root.root / "elsewhere.orchest").exists()


def test_a_file_too_large_to_show_is_refused(tmp_path):
    (tmp_path / "big.csv").touch()
    os.truncate(tmp_path / "big.csv", 65 * 2**20)  # sparse: nothing is written
    record = {"uuid": "r", "project_dir": str(tmp_path), "snapshot_dir": None, "steps": {}}
    with pytest.raises(BadRequest, match="too large to show"):
        run_file(record, "big.csv", ProjectFolders(tmp_path / "runs"))


def test_run_files_never_leave_the_runs_folder(tmp_path):
    project = tmp_path / "project"
    project.mkdir()
    (tmp_path / "secret.txt").write_text("no")
    os.symlink(tmp_path / "secret.txt", project / "link.txt")
    record = {"uuid": "r", "project_dir": str(project), "snapshot_dir": None, "steps": {}}
    for relative in ["../secret.txt", "/etc/passwd", "a/../../secret.txt", "link.txt", ""]:
        with pytest.raises(BadRequest):
            run_file(record, relative, ProjectFolders(tmp_path / "runs"))


async def test_steps_of_a_file(jp_fetch, root):
    env = root.environment()
    root.file("shared.py")
    root.file("other.py")
    one = root.step("One", "shared.py", env)
    root.write("a.orchest", root.pipeline(one))
    two = root.step("Two", "../shared.py", env)
    root.write("sub/b.orchest", root.pipeline(two, root.step("Else", "../other.py", env)))
    root.file("broken.orchest", "{nope")

    _, found = await api(jp_fetch, "GET", "steps", params={"file": "shared.py"})
    assert sorted((s["pipeline_path"], s["step_uuid"], s["title"]) for s in found["steps"]) == [
        ("a.orchest", one["uuid"], "One"), ("sub/b.orchest", two["uuid"], "Two")]
    _, found = await api(jp_fetch, "GET", "steps", params={"file": "nothing.py"})
    assert found == {"steps": []}
    code, error = await api_error(jp_fetch, "GET", "steps")
    assert code == 400 and "file" in error["message"]
    with pytest.raises(Exception) as info:
        await jp_fetch("orchest", "api", "steps", params={"file": "../x.py"})
    assert info.value.code == 400


async def test_events_name_the_pipeline_and_the_environments_that_change(jp_fetch, jp_ws_fetch, root):
    root.chain(pipeline_name="sub/c.orchest")
    ws = await jp_ws_fetch("orchest", "api", "events")
    await next_message(ws)
    _, run = await api(jp_fetch, "POST", "runs", body={"pipeline": "sub/c.orchest", "interactive": False})
    created = await next_message(ws)
    assert created["type"] == "run-created" and created["pipeline_path"] == "sub/c.orchest"
    await finished(jp_fetch, run["uuid"])

    _, env = await api(jp_fetch, "POST", "environments", body={"name": "Extra"})
    event = await next_message(ws)
    while event["type"] != "environment":
        event = await next_message(ws)
    assert event == {"seq": event["seq"], "type": "environment", "action": "created", "project_path": "",
                     "environment_uuid": env["uuid"]}
    ws.close()
