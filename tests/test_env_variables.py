"""Environment variables of a project, its pipelines and jobs: merged job over pipeline over project
(as Orchest), kept in .orchest/env_variables.json only (never the .orchest file, a snapshot, a run
record or a log), given to script and notebook steps of runs and jobs, and to session kernels."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner
from tornado.httpclient import HTTPClientError

from orchest_jlab.cli import main
from orchest_jlab.engine.folders import ProjectFolders
from orchest_jlab.engine.snapshots import make_snapshot
from orchest_jlab.pipelines.env_variables import (
    EnvVariablesError,
    environment_variables,
    read_env_variables,
    write_env_variables,
)

from .engine_helpers import notebook

# A script and a notebook step that print what they see, so the test reads it back from a file
# (never from the logs: the values must not be there).
SCRIPT = """import json, os
json.dump({k: os.environ.get(k) for k in ("SHARED", "ONLY_PROJECT", "ONLY_PIPELINE", "FROM_CLI")},
          open("script-seen.json", "w"))
"""
NOTEBOOK_CELL = """import json, os
json.dump({k: os.environ.get(k) for k in ("SHARED", "ONLY_PROJECT", "ONLY_PIPELINE", "FROM_CLI")},
          open("notebook-seen.json", "w"))"""


def cli(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def seeing_pipeline(project, name: str = "p.orchest", env: str | None = None, kernel: str = "python3") -> tuple[Path, dict]:
    env = env or project.environment()
    project.file("s.py", SCRIPT)
    project.file("n.ipynb", notebook(NOTEBOOK_CELL, kernel=kernel))
    script = project.step("S", "s.py", env)
    nb = project.step("N", "n.ipynb", env, incoming=[script["uuid"]])
    data = project.pipeline(script, nb)
    return project.write(name, data), data


def store_variables(project, data) -> None:
    write_env_variables(project.root, project={"SHARED": "project", "ONLY_PROJECT": "p1"})
    write_env_variables(project.root, pipeline_uuid=data["uuid"], pipeline={"SHARED": "pipeline", "ONLY_PIPELINE": "q2"})


def project_texts(root: Path) -> str:
    """Every file of the project but the variables' own."""
    return "".join(p.read_text(errors="replace") for p in root.rglob("*")
                   if p.is_file() and p.name != "env_variables.json" and not p.name.endswith("-seen.json"))


def test_pipeline_over_project_and_job_over_both(project):
    data = project.pipeline()
    store_variables(project, data)
    assert environment_variables(project.root) == {"SHARED": "project", "ONLY_PROJECT": "p1"}
    assert environment_variables(project.root, data["uuid"]) == {"SHARED": "pipeline", "ONLY_PROJECT": "p1",
                                                                 "ONLY_PIPELINE": "q2"}
    assert environment_variables(project.root, data["uuid"], {"SHARED": "job"})["SHARED"] == "job"
    assert environment_variables(project.root, "another-pipeline") == {"SHARED": "project", "ONLY_PROJECT": "p1"}
    # A pipeline left without variables is dropped from the file.
    write_env_variables(project.root, pipeline_uuid=data["uuid"], pipeline={})
    assert read_env_variables(project.root)["pipelines"] == {}


def test_kept_in_a_private_git_ignored_file_and_out_of_snapshots(project, tmp_path):
    path, data = project.chain()
    before = path.read_text()
    store_variables(project, data)
    stored = project.root / ".orchest" / "env_variables.json"
    assert stat.S_IMODE(stored.stat().st_mode) == 0o600
    assert "env_variables.json" in (project.root / ".orchest" / ".gitignore").read_text().splitlines()
    write_env_variables(project.root, project={"SHARED": "again"})  # listed once
    assert (project.root / ".orchest" / ".gitignore").read_text().count("env_variables.json") == 1
    assert path.read_text() == before
    make_snapshot(project.root, tmp_path / "snap", None)
    assert not (tmp_path / "snap" / ".orchest" / "env_variables.json").exists()


@pytest.mark.parametrize("values, words", [
    ({"1X": "v"}, "not a valid environment variable name"),
    ({"A-B": "v"}, "not a valid environment variable name"),
    ({"ORCHEST_X": "v"}, "reserved"),
    ({"K": 1}, "must be text"),
])
def test_bad_names_and_values_are_refused_and_nothing_is_written(project, values, words):
    with pytest.raises(EnvVariablesError, match=words) as info:
        write_env_variables(project.root, project=values)
    assert info.value.pointer.startswith("/project")
    assert not (project.root / ".orchest" / "env_variables.json").exists()


def test_cli_run_gives_them_to_script_and_notebook_steps_on_the_host(project):
    path, data = seeing_pipeline(project)
    store_variables(project, data)
    result = cli("run", path, "--backend", "local", "--env", "FROM_CLI=c=3", "--env", "SHARED=cli", "--json")
    assert result.exit_code == 0, result.output
    expected = {"SHARED": "cli", "ONLY_PROJECT": "p1", "ONLY_PIPELINE": "q2", "FROM_CLI": "c=3"}
    assert json.loads((project.root / "script-seen.json").read_text()) == expected
    assert json.loads((project.root / "notebook-seen.json").read_text()) == expected
    # Not in the output, the run record, the logs or the pipeline file.
    texts = result.output + project_texts(project.root)
    assert all(value not in texts for value in ("p1", "q2", "c=3"))


def test_cli_run_refuses_a_bad_env_option(project):
    path, _ = seeing_pipeline(project)
    assert cli("run", path, "--env", "NOEQUALS").exit_code == 2
    result = cli("run", path, "--env", "ORCHEST_RUN_UUID=x")
    assert result.exit_code == 2 and "reserved" in result.output


def test_cli_job_run_copies_project_and_pipeline_variables_under_its_own(project):
    path, data = seeing_pipeline(project)
    store_variables(project, data)
    result = cli("job", "run", path, "--env", "FROM_CLI=job", "--json")
    assert result.exit_code == 0, result.output
    run_uuid = json.loads(result.stdout)["runs"][0]["uuid"]
    [snapshot] = ProjectFolders().jobs(project.root).glob(f"*/runs/{run_uuid}/snapshot")
    expected = {"SHARED": "pipeline", "ONLY_PROJECT": "p1", "ONLY_PIPELINE": "q2", "FROM_CLI": "job"}
    assert json.loads((snapshot / "script-seen.json").read_text()) == expected
    assert json.loads((snapshot / "notebook-seen.json").read_text()) == expected
    assert not list(ProjectFolders().jobs(project.root).rglob("env_variables.json"))
    listed = cli("job", "list", path, "--json").stdout
    assert "p1" in listed  # the job's own copy (its settings), as Orchest shows a job's variables


async def test_rest_reads_and_replaces_them(jp_fetch, jp_root_dir):
    from .conftest import ProjectBuilder

    root = ProjectBuilder(jp_root_dir)
    path, data = root.chain(pipeline_name="p.orchest")
    response = await jp_fetch("orchest", "api", "env-variables", params={"pipeline": "p.orchest"})
    assert json.loads(response.body) == {"project": {}, "pipeline": {}, "merged": {}, "project_path": ""}
    body = {"project": {"A": "1", "B": "2"}, "pipeline": {"B": "3"}}
    response = await jp_fetch("orchest", "api", "env-variables", method="PUT", body=json.dumps(body),
                              params={"pipeline": "p.orchest"})
    assert json.loads(response.body)["merged"] == {"A": "1", "B": "3"}
    assert environment_variables(jp_root_dir, data["uuid"]) == {"A": "1", "B": "3"}
    with pytest.raises(HTTPClientError) as info:
        await jp_fetch("orchest", "api", "env-variables", method="PUT", params={"pipeline": "p.orchest"},
                       body=json.dumps({"project": {"A": "1"}, "pipeline": {"my-var": "x"}}))
    error = json.loads(info.value.response.body)
    assert info.value.code == 400 and "'my-var' is not a valid environment variable name" in error["message"]
    assert error["errors"][0]["pointer"] == "/pipeline/my-var"
    assert environment_variables(jp_root_dir, data["uuid"]) == {"A": "1", "B": "3"}  # nothing half-written
    with pytest.raises(HTTPClientError) as info:
        await jp_fetch("orchest", "api", "env-variables", method="PUT", params={"pipeline": "p.orchest"},
                       body=json.dumps({"jobs": {}}))
    assert info.value.code == 400


async def test_a_new_jobs_variables_default_to_the_merged_ones(jp_fetch, jp_root_dir):
    from .conftest import ProjectBuilder

    root = ProjectBuilder(jp_root_dir)
    _, data = root.chain(pipeline_name="p.orchest")
    write_env_variables(jp_root_dir, project={"A": "1"}, pipeline_uuid=data["uuid"], pipeline={"B": "2"})
    response = await jp_fetch("orchest", "api", "jobs", method="POST", body=json.dumps({"pipeline": "p.orchest"}))
    assert json.loads(response.body)["env_variables"] == {"A": "1", "B": "2"}
    response = await jp_fetch("orchest", "api", "jobs", method="POST",
                              body=json.dumps({"pipeline": "p.orchest", "env_variables": {"C": "3"}}))
    assert json.loads(response.body)["env_variables"] == {"C": "3"}  # given: exactly those (Orchest's rule)


async def test_session_kernels_get_the_pipelines_variables(jp_fetch, jp_root_dir, jp_serverapp):
    from .conftest import ProjectBuilder

    root = ProjectBuilder(jp_root_dir)
    env = root.environment()
    root.file("n.ipynb", notebook("1"))
    data = root.pipeline(root.step("N", "n.ipynb", env))
    root.write("p.orchest", data)
    write_env_variables(jp_root_dir, project={"A": "project", "B": "b"}, pipeline_uuid=data["uuid"],
                        pipeline={"A": "pipeline"})
    manager = jp_serverapp.session_manager
    assert manager.get_kernel_env("n.ipynb")["B"] == "b"  # no session: the project's
    await jp_fetch("orchest", "api", "sessions", method="POST", body=json.dumps({"pipeline": "p.orchest"}))
    env = manager.get_kernel_env("n.ipynb")
    assert env["A"] == "pipeline" and env["B"] == "b" and set(env["ORCHEST_JLAB_USER_VARIABLES"].split(",")) == {"A", "B"}
    # A real kernel of that session sees them.
    response = await jp_fetch("api", "sessions", method="POST", body=json.dumps(
        {"path": "n.ipynb", "type": "notebook", "name": "n.ipynb", "kernel": {"name": "python3"}}))
    kernel_id = json.loads(response.body)["kernel"]["id"]
    km = jp_serverapp.kernel_manager.get_kernel(kernel_id)
    client = km.client()
    seen: list[str] = []
    client.start_channels()
    try:
        await client.wait_for_ready(timeout=30)
        reply = await client.execute_interactive("import os; print(os.environ['A'])", timeout=30,
                                                 output_hook=lambda m: seen.append(m["content"].get("text", "")))
    finally:
        client.stop_channels()
    assert reply["content"]["status"] == "ok"
    assert "pipeline" in "".join(seen)
    await jp_serverapp.kernel_manager.shutdown_kernel(kernel_id)


def test_docker_steps_get_them(needs_docker, project):
    from orchest_jlab.environments.files import create_environment

    env = create_environment(project.root, {}).uuid
    path, data = seeing_pipeline(project, "d.orchest", env, kernel=f"orchest-kernel-{env}")
    store_variables(project, data)
    try:
        result = cli("run", path, "--backend", "docker", "--env", "FROM_CLI=x")
    finally:
        import docker

        from orchest_jlab.docker import LABEL

        client = docker.from_env()
        for image in client.images.list(filters={"label": [f"{LABEL}.project={project.root}"]}):
            client.images.remove(image.id, force=True)
        client.close()
    assert result.exit_code == 0, result.output
    expected = {"SHARED": "pipeline", "ONLY_PROJECT": "p1", "ONLY_PIPELINE": "q2", "FROM_CLI": "x"}
    assert json.loads((project.root / "script-seen.json").read_text()) == expected
    assert json.loads((project.root / "notebook-seen.json").read_text()) == expected
