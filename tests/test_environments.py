"""Environments without Docker: Orchest's files, the service, the REST API, the CLI, kernelspecs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from tornado.httpclient import HTTPClientError

from orchest_jlab.cli import main
from orchest_jlab.environments import Builder, EnvironmentService, image_tag
from orchest_jlab.environments.files import (
    DEFAULT_BASE_IMAGE,
    create_environment,
    list_environment_files,
    read_environment,
    update_environment,
)
from orchest_jlab.errors import BadRequest, Conflict, NotFound
from orchest_jlab.kernels.specs import project_environments, sync_kernelspecs
from orchest_jlab.pipelines import list_environments
from orchest_jlab.workspace import Workspace

from .conftest import ProjectBuilder


def test_create_writes_orchests_format(project):
    env = create_environment(project.root, {"name": "Data", "setup_script": "pip install x\n"})
    folder = project.root / ".orchest" / "environments" / env.uuid
    properties = json.loads((folder / "properties.json").read_text())
    assert properties == {"uuid": env.uuid, "name": "Data", "language": "python",
                          "base_image": DEFAULT_BASE_IMAGE, "gpu_support": False}
    assert (folder / "properties.json").read_text() == json.dumps(properties, indent=4, sort_keys=True) + "\n"
    assert (folder / "setup_script.sh").read_text() == "pip install x\n"
    # The pipeline core sees it too (validation of step environments).
    assert list_environments(project.root)[env.uuid].name == "Data"


def test_update_keeps_unknown_fields_and_refuses_bad_values(project):
    env_uuid = project.environment("Old")
    path = project.root / ".orchest" / "environments" / env_uuid / "properties.json"
    path.write_text(json.dumps({**json.loads(path.read_text()), "extra": {"kept": True}}))
    env = update_environment(project.root, env_uuid, {"name": "New", "network": True})
    assert env.properties["extra"] == {"kept": True} and env.name == "New" and env.to_json()["network"] is True
    with pytest.raises(BadRequest, match="language"):
        update_environment(project.root, env_uuid, {"language": "cobol"})
    with pytest.raises(BadRequest, match="uuid cannot be changed"):
        update_environment(project.root, env_uuid, {"uuid": "x"})
    with pytest.raises(BadRequest, match="Unknown field"):
        update_environment(project.root, env_uuid, {"colour": "red"})
    assert read_environment(project.root, env_uuid).name == "New"


def test_broken_environments_are_listed_with_their_problems(project):
    good = project.environment("Good")
    folder = project.root / ".orchest" / "environments" / "11111111-1111-4111-8111-111111111111"
    folder.mkdir(parents=True)
    (folder / "properties.json").write_text("{not json")
    envs = {e.uuid: e for e in list_environment_files(project.root)}
    assert envs[good].problems == []
    assert "cannot be read" in envs[folder.name].problems[0]


def test_an_older_orchest_setup_script_in_properties(project):
    env_uuid = project.environment()
    folder = project.root / ".orchest" / "environments" / env_uuid
    (folder / "setup_script.sh").unlink()
    data = json.loads((folder / "properties.json").read_text())
    (folder / "properties.json").write_text(json.dumps({**data, "setup_script": "echo old"}))
    assert read_environment(project.root, env_uuid).setup_script == "echo old"


@pytest.fixture
def service(tmp_path) -> tuple[EnvironmentService, ProjectBuilder]:
    root = ProjectBuilder(tmp_path / "root")
    return EnvironmentService(Workspace(root.root)), root


def test_projects_are_addressed_by_folder_or_pipeline(service):
    svc, root = service
    path, _ = root.chain(pipeline_name="proj/p.orchest")
    (root.root / "proj" / ".orchest").mkdir()
    assert svc.project_dir("proj/p.orchest") == root.root / "proj"
    assert svc.project_dir("proj") == root.root / "proj"
    assert svc.project_dir("") == root.root
    with pytest.raises(BadRequest):
        svc.project_dir("../elsewhere")
    with pytest.raises(NotFound):
        svc.project_dir("nope")


def test_listing_writes_nothing_and_an_empty_creation_makes_the_default_environment(service):
    svc, root = service
    (root.root / "new").mkdir()
    assert svc.list("new") == {"project": "new", "environments": []}
    assert list((root.root / "new").iterdir()) == []  # a GET writes nothing
    env = svc.create("new", {})
    assert env["name"] == "Python 3" and env["base_image"] == DEFAULT_BASE_IMAGE
    assert env["kernel_name"] == f"orchest-kernel-{env['uuid']}"
    assert svc.list("new")["environments"] == [env]


def test_delete_is_refused_while_a_step_uses_it(service):
    svc, root = service
    path, data = root.chain(titles=("Load", "Train"))
    env_uuid = next(iter(data["steps"].values()))["environment"]
    with pytest.raises(Conflict) as info:
        svc.delete("", env_uuid)
    assert '"Load", "Train" of pipeline chain.orchest' in info.value.message
    unused = svc.create("", {"name": "Spare"})["uuid"]
    svc.delete("", unused)
    with pytest.raises(NotFound):
        svc.get("", unused)


def test_aliases_and_image_names():
    builder = Builder(bus=None, aliases={"orchest/base-kernel-py": "local/base:1"})
    assert builder.resolve_base("orchest/base-kernel-py") == "local/base:1"
    assert builder.resolve_base("orchest/base-kernel-py:v2022.10.0") == "local/base:1"
    assert builder.resolve_base("my/own:2") == "my/own:2"
    tag = image_tag(Path("/home/Me/My Project"), "0b2bb1c3-0000-4000-8000-000000000000")
    assert tag.startswith("orchest-jlab/my-project-") and tag.endswith(":0b2bb1c3-0000-4000-8000-000000000000")


def test_kernelspecs_follow_the_environments(tmp_path, project):
    env_uuid = project.environment("Py")
    r_env = create_environment(project.root, {"name": "R env", "language": "r"}).uuid
    create_environment(project.root, {"name": "Julia env", "language": "julia"})
    folder = tmp_path / "kernels"
    found = project_environments(project.root)
    assert found == {env_uuid: (f"Py · Orchest environment ({project.root.name})", "python"),
                     r_env: (f"R env · Orchest environment ({project.root.name})", "r")}  # no Julia kernel
    sync_kernelspecs(folder, found)
    spec = json.loads((folder / f"orchest-kernel-{env_uuid}" / "kernel.json").read_text())
    assert spec["metadata"]["kernel_provisioner"] == {"provisioner_name": "orchest-docker",
                                                      "config": {"environment_uuid": env_uuid}}
    r_spec = json.loads((folder / f"orchest-kernel-{r_env}" / "kernel.json").read_text())
    assert r_spec["language"] == "R" and r_spec["argv"][:4] == ["R", "--slave", "-e", "IRkernel::main()"]
    sync_kernelspecs(folder, {})
    assert not list(folder.iterdir())


def test_cli_env_list(project):
    env_uuid = project.environment("Analysis")
    result = CliRunner().invoke(main, ["env", "list", str(project.root)])
    assert result.exit_code == 0 and env_uuid in result.output and "Analysis" in result.output
    listed = json.loads(CliRunner().invoke(main, ["env", "list", "--json", str(project.root)]).output)
    assert [e["uuid"] for e in listed["environments"]] == [env_uuid]


def test_cli_env_build_of_an_unknown_environment(project):
    project.environment("Analysis")
    result = CliRunner().invoke(main, ["env", "build", "Nope", "--project", str(project.root)])
    assert result.exit_code == 2 and 'no environment with the uuid or name "Nope"' in result.output


# --- REST ----------------------------------------------------------------------------------------

async def api(jp_fetch, method, *parts, body=None, **params):
    response = await jp_fetch("orchest", "api", *parts, method=method, params=params,
                              body=json.dumps(body) if body is not None else None)
    return response.code, (json.loads(response.body) if response.body else None)


async def api_error(jp_fetch, method, *parts, body=None, **params):
    with pytest.raises(HTTPClientError) as info:
        await api(jp_fetch, method, *parts, body=body, **params)
    return info.value.code, json.loads(info.value.response.body)


async def test_rest_crud(jp_fetch, jp_root_dir):
    root = ProjectBuilder(Path(jp_root_dir) / "proj")
    path, data = root.chain(titles=("A",), pipeline_name="p.orchest")
    used = next(iter(data["steps"].values()))["environment"]
    code, listed = await api(jp_fetch, "GET", "environments", project="proj/p.orchest")
    assert code == 200 and listed["project"] == "proj" and [e["uuid"] for e in listed["environments"]] == [used]
    code, created = await api(jp_fetch, "POST", "environments", body={"name": "GPU", "gpu_support": True},
                              project="proj")
    assert code == 201 and created["gpu_support"] is True
    code, changed = await api(jp_fetch, "PATCH", "environments", created["uuid"],
                              body={"setup_script": "echo hi\n"}, project="proj")
    assert changed["setup_script"] == "echo hi\n" and changed["name"] == "GPU"
    code, error = await api_error(jp_fetch, "PATCH", "environments", created["uuid"], body={"name": ""},
                                  project="proj")
    assert code == 400 and "name" in error["message"]
    code, error = await api_error(jp_fetch, "DELETE", "environments", used, project="proj")
    assert code == 409 and 'step "A" of pipeline p.orchest' in error["message"]
    code, _ = await api(jp_fetch, "DELETE", "environments", created["uuid"], project="proj")
    assert code == 204
    code, error = await api_error(jp_fetch, "GET", "environments", created["uuid"], project="proj")
    assert code == 404
    code, error = await api_error(jp_fetch, "GET", "environments", project="../up")
    assert code == 400


def test_builds_need_docker(service):
    svc, root = service
    env_uuid = svc.create("", {})["uuid"]
    with pytest.raises(Conflict, match="no Docker engine"):
        svc.build("", env_uuid)
    assert svc.get("", env_uuid).get("build") is None


def test_events_name_projects_by_their_api_path(tmp_path):
    from orchest_jlab.engine import Engine, EventBus, LocalBackend

    root = ProjectBuilder(tmp_path / "root")
    (root.root / "proj" / ".orchest").mkdir(parents=True)
    bus = EventBus()
    events: list[dict] = []
    bus.subscribe(events.append)
    svc = EnvironmentService(Workspace(root.root), Engine(bus, LocalBackend()))
    created = svc.create("proj", {"name": "E"})
    bus.publish("build", build_uuid="b", environment_uuid=created["uuid"], project_dir=str(root.root / "proj"))
    bus.publish("build", build_uuid="c", environment_uuid=created["uuid"], project_dir=str(tmp_path / "elsewhere"))
    assert [(e["type"], e.get("action"), e.get("project_path")) for e in events] == [
        ("environment", "created", "proj"), ("build", None, "proj"), ("build", None, None)]
