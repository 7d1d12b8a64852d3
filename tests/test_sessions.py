"""Interactive sessions through the REST API of a real Jupyter server: start, status, stop, the gate of
interactive runs, the kernels a session owns, events; on a real Docker engine, images and kernel
containers (skipped with the reason where there is none)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from .conftest import ProjectBuilder
from .engine_helpers import notebook
from .test_environments import api as environments_api
from .test_environments import api_error as environments_api_error
from .session_helpers import session_of, start_session, stop_session
from .test_runs_api import api, api_error, finished, next_message


@pytest.fixture
def root(jp_root_dir) -> ProjectBuilder:
    return ProjectBuilder(Path(jp_root_dir))


def notebook_pipeline(project: ProjectBuilder, env: str | None = None, sleep: float = 0.0,
                      kernel: str = "python3") -> tuple[str, dict, dict]:
    """p.orchest: a script step, then a notebook step use.ipynb (in a folder), in environment ``env``."""
    env = env or project.environment()
    project.file("make.py", f"import time\ntime.sleep({sleep})\nprint('made')\n")
    project.file("nb/use.ipynb", notebook("print('editing')", kernel=kernel))
    make = project.step("make", "make.py", env)
    use = project.step("use", "nb/use.ipynb", env, [make["uuid"]])
    project.write("p.orchest", project.pipeline(make, use))
    return env, make, use


async def open_notebook(jp_fetch, path: str, kernel: str = "python3") -> dict:
    """What JupyterLab does when the user opens a notebook: a Jupyter session with a kernel."""
    response = await jp_fetch("api", "sessions", method="POST", body=json.dumps(
        {"path": path, "name": Path(path).name, "type": "notebook", "kernel": {"name": kernel}}))
    return json.loads(response.body)["kernel"]


async def jupyter_session_paths(jp_fetch) -> set[str]:
    return {s["path"] for s in json.loads((await jp_fetch("api", "sessions")).body)}


async def test_start_status_and_stop(jp_fetch, jp_root_dir):
    project = ProjectBuilder(Path(jp_root_dir) / "proj")
    env, _, _ = notebook_pipeline(project)
    code, stopped = await api(jp_fetch, "GET", "sessions", "proj/p.orchest")
    assert code == 200 and stopped == {
        "pipeline_path": "proj/p.orchest", "project_path": "proj", "status": "STOPPED", "message": None,
        "started": None, "backend": "local", "environments": [{"uuid": env, "name": "Python 3", "image": "NOT_NEEDED"}],
        "kernels": [], "services": []}
    assert (await api(jp_fetch, "GET", "sessions"))[1] == {"sessions": []}

    code, session = await api(jp_fetch, "POST", "sessions", body={"pipeline": "proj/p.orchest"})
    assert code == 202 and session["status"] == "RUNNING" and session["started"]  # no images to build here
    assert session["environments"] == stopped["environments"] and session["kernels"] == []
    code, again = await api(jp_fetch, "POST", "sessions", body={"pipeline": "proj/p.orchest"})
    assert code == 202 and again == session  # idempotent: the same session
    assert (await api(jp_fetch, "GET", "sessions"))[1] == {"sessions": [session]}
    assert await session_of(jp_fetch, "proj/p.orchest") == session

    code, ended = await api(jp_fetch, "DELETE", "sessions", "proj/p.orchest")
    assert code == 202 and ended["status"] == "STOPPED" and ended["kernels"] == []
    assert (await api(jp_fetch, "GET", "sessions"))[1] == {"sessions": []}
    code, ended_again = await api(jp_fetch, "DELETE", "sessions", "proj/p.orchest")
    assert code == 202 and ended_again["status"] == "STOPPED"
    assert (await session_of(jp_fetch, "proj/p.orchest"))["status"] == "STOPPED"


async def test_interactive_runs_need_the_session(jp_fetch, root):
    notebook_pipeline(root, sleep=30)
    code, error = await api_error(jp_fetch, "POST", "runs", body={"pipeline": "p.orchest"})
    assert code == 409 and error == {
        "message": "The interactive session of p.orchest is not running; start it first.",
        "errors": [{"pipeline_path": "p.orchest", "session_status": "STOPPED"}]}
    code, other = await api(jp_fetch, "POST", "runs", body={"pipeline": "p.orchest", "interactive": False})
    assert code == 201  # non-interactive runs need no session
    await api(jp_fetch, "DELETE", "runs", other["uuid"])

    await start_session(jp_fetch)
    code, run = await api(jp_fetch, "POST", "runs", body={"pipeline": "p.orchest"})
    assert code == 201 and run["interactive"] is True
    # Stopping the session cancels its interactive run (the step's process is killed).
    stopped = await stop_session(jp_fetch)
    assert stopped["status"] == "STOPPED"
    run = await finished(jp_fetch, run["uuid"], timeout=10)
    assert run["status"] == "ABORTED" and {s["state"] for s in run["steps"].values()} == {"ABORTED"}
    code, error = await api_error(jp_fetch, "POST", "runs", body={"pipeline": "p.orchest"})
    assert code == 409 and error["errors"][0]["session_status"] == "STOPPED"


async def test_every_change_is_an_event(jp_fetch, jp_ws_fetch, root):
    notebook_pipeline(root)
    ws = await jp_ws_fetch("orchest", "api", "events")
    assert (await next_message(ws))["type"] == "hello"
    await start_session(jp_fetch)
    await stop_session(jp_fetch)
    events = [await next_message(ws) for _ in range(3)]
    ws.close()
    assert [e["type"] for e in events] == ["session"] * 3
    assert [e["session"]["status"] for e in events] == ["RUNNING", "STOPPING", "STOPPED"]
    assert {e["session"]["pipeline_path"] for e in events} == {"p.orchest"}
    assert events[1]["session"]["message"] == "Stopping."


async def test_the_session_owns_the_kernels_of_its_step_notebooks(jp_fetch, jp_serverapp, root):
    notebook_pipeline(root)
    root.file("other.ipynb", notebook("1"))
    await start_session(jp_fetch)
    step_kernel = await open_notebook(jp_fetch, "nb/use.ipynb")
    other_kernel = await open_notebook(jp_fetch, "other.ipynb")
    session = await session_of(jp_fetch, "p.orchest")
    assert session["kernels"] == [{"id": step_kernel["id"], "name": "python3", "path": "nb/use.ipynb"}]

    stopped = await stop_session(jp_fetch)
    assert stopped["status"] == "STOPPED" and stopped["kernels"] == []
    assert step_kernel["id"] not in jp_serverapp.kernel_manager.list_kernel_ids()
    assert await jupyter_session_paths(jp_fetch) == {"other.ipynb"}  # JupyterLab sees the kernel go
    assert other_kernel["id"] in jp_serverapp.kernel_manager.list_kernel_ids()  # not the session's
    await jp_fetch("api", "kernels", other_kernel["id"], method="DELETE")


async def test_server_shutdown_stops_every_session(jp_fetch, jp_serverapp, jp_root_dir):
    first, second = ProjectBuilder(Path(jp_root_dir) / "one"), ProjectBuilder(Path(jp_root_dir) / "two")
    notebook_pipeline(first, sleep=30)
    notebook_pipeline(second)
    for pipeline in ("one/p.orchest", "two/p.orchest"):
        await start_session(jp_fetch, pipeline)
    kernel = await open_notebook(jp_fetch, "two/nb/use.ipynb")
    _, run = await api(jp_fetch, "POST", "runs", body={"pipeline": "one/p.orchest"})

    await jp_serverapp.web_app.settings["orchest_sessions"].shutdown()  # what stop_extension does first
    assert (await api(jp_fetch, "GET", "sessions"))[1] == {"sessions": []}
    assert kernel["id"] not in jp_serverapp.kernel_manager.list_kernel_ids()
    assert (await finished(jp_fetch, run["uuid"], timeout=10))["status"] == "ABORTED"


@pytest.mark.parametrize("body, status, words", [
    ({"pipeline": "missing.orchest"}, 404, "no pipeline file"),
    ({"pipeline": "../p.orchest"}, 400, "not a path inside"),
    ({"pipeline": "notes.txt"}, 400, "not a pipeline"),
    ({}, 400, '"pipeline"'),
    ([1], 400, '"pipeline"'),
])
async def test_bad_start_requests(jp_fetch, root, body, status, words):
    notebook_pipeline(root)
    code, error = await api_error(jp_fetch, "POST", "sessions", body=body)
    assert code == status and words in error["message"]


async def test_an_invalid_pipeline_does_not_start(jp_fetch, root):
    _, make, _ = notebook_pipeline(root)
    (root.root / "make.py").unlink()
    code, error = await api_error(jp_fetch, "POST", "sessions", body={"pipeline": "p.orchest"})
    assert code == 400 and error["message"] == "p.orchest has errors; fix them before starting its session."
    assert [p["pointer"] for p in error["errors"]] == [f"/steps/{make['uuid']}/file_path"]
    assert (await session_of(jp_fetch, "p.orchest"))["status"] == "STOPPED"


async def test_an_unreadable_pipeline_has_a_stopped_session_that_does_not_start(jp_fetch, root):
    (root.root / "junk.orchest").write_text("{not json")
    code, session = await api(jp_fetch, "GET", "sessions", "junk.orchest")
    assert code == 200 and session["status"] == "STOPPED" and session["environments"] == []
    code, error = await api_error(jp_fetch, "POST", "sessions", body={"pipeline": "junk.orchest"})
    assert code == 400 and "not valid JSON" in error["errors"][0]["message"]
    code, error = await api_error(jp_fetch, "GET", "sessions", "missing.orchest")
    assert code == 404


async def test_an_unknown_environment_is_named_with_its_step(jp_fetch, root):
    _, make, use = notebook_pipeline(root)
    data = json.loads((root.root / "p.orchest").read_text())
    data["steps"][use["uuid"]]["environment"] = missing = "00000000-0000-4000-8000-00000000beef"
    root.write("p.orchest", data)
    code, error = await api_error(jp_fetch, "POST", "sessions", body={"pipeline": "p.orchest"})
    assert code == 400
    assert error["message"].startswith(f'Step "use" of p.orchest uses the environment "{missing}", which its project')
    assert error["errors"] == [{"step_uuid": use["uuid"], "step_title": "use", "environment_uuid": missing}]


async def test_an_environment_of_a_running_session_cannot_be_deleted(jp_fetch, jp_root_dir):
    project = ProjectBuilder(Path(jp_root_dir) / "proj")
    env, make, use = notebook_pipeline(project)
    other = project.environment("Other")
    await start_session(jp_fetch, "proj/p.orchest")
    # The steps move to another environment while the session runs: the session still uses the first.
    data = json.loads((project.root / "p.orchest").read_text())
    for step in data["steps"].values():
        step["environment"] = other
    project.write("p.orchest", data)
    code, error = await environments_api_error(jp_fetch, "DELETE", "environments", env, project="proj")
    assert code == 409 and "the interactive session of pipeline proj/p.orchest (running)" in error["message"]
    await stop_session(jp_fetch, "proj/p.orchest")
    code, _ = await environments_api(jp_fetch, "DELETE", "environments", env, project="proj")
    assert code == 204


# --- on a real Docker engine ---------------------------------------------------------------------------------


@pytest.mark.usefixtures("needs_docker")
class TestOnDocker:
    @pytest.fixture
    def jp_server_config(self, tmp_path):
        return {"ServerApp": {"jpserver_extensions": {"orchest_jlab": True}},
                "OrchestApp": {"backend": "docker", "docker_data_dir": str(tmp_path / "data"), "build_network": "none"}}

    @pytest.fixture(autouse=True)
    def docker_client(self, tmp_path):
        import docker

        from orchest_jlab.docker import LABEL

        client = docker.from_env()
        yield client
        for image in client.images.list(filters={"label": [f"{LABEL}.kind=environment-image"]}):
            if image.labels.get(f"{LABEL}.project", "").startswith(str(tmp_path)):
                client.images.remove(image.id, force=True)
        client.close()

    @staticmethod
    def containers(client, **labels) -> list:
        from orchest_jlab.docker import LABEL

        return client.containers.list(all=True, ignore_removed=True, filters={"label": [f"{LABEL}.{k}={v}" for k, v in labels.items()]})

    async def test_a_session_builds_its_images_and_stops_its_kernel_containers(
            self, jp_fetch, jp_ws_fetch, jp_serverapp, root, docker_client):
        env = root.environment("Py")
        notebook_pipeline(root, env, kernel=f"orchest-kernel-{env}")
        ws = await jp_ws_fetch("orchest", "api", "events")
        assert (await next_message(ws))["type"] == "hello"
        code, session = await api(jp_fetch, "POST", "sessions", body={"pipeline": "p.orchest"})
        assert code == 202 and session["status"] == "LAUNCHING" and session["backend"] == "docker"
        session = await start_session(jp_fetch)  # waits for the build
        assert session["environments"] == [{"uuid": env, "name": "Py", "image": "READY"}]
        events = []
        while not (events and events[-1]["type"] == "session" and events[-1]["session"]["status"] == "RUNNING"):
            events.append(await next_message(ws))
        ws.close()
        images = [[e["image"] for e in event["session"]["environments"]] for event in events if event["type"] == "session"]
        assert images == [["MISSING"], ["BUILDING"], ["READY"]]
        assert any(e["type"] == "build" and e["environment_uuid"] == env and e["status"] == "SUCCESS" for e in events)

        kernel = await open_notebook(jp_fetch, "nb/use.ipynb", f"orchest-kernel-{env}")
        client = jp_serverapp.kernel_manager.get_kernel(kernel["id"]).client()
        client.start_channels()
        try:
            await client.wait_for_ready(timeout=60)
        finally:
            client.stop_channels()
        [owned] = (await session_of(jp_fetch, "p.orchest"))["kernels"]
        assert owned == {"id": kernel["id"], "name": f"orchest-kernel-{env}", "path": "nb/use.ipynb"}
        assert len(self.containers(docker_client, kind="kernel", kernel=kernel["id"])) == 1

        await stop_session(jp_fetch)
        assert kernel["id"] not in jp_serverapp.kernel_manager.list_kernel_ids()
        assert self.containers(docker_client, kind="kernel", kernel=kernel["id"]) == []

    async def test_a_failing_build_fails_the_session(self, jp_fetch, root):
        env = root.environment("Broken")
        (root.root / ".orchest" / "environments" / env / "setup_script.sh").write_text("echo no luck\nexit 4\n")
        notebook_pipeline(root, env)
        await api(jp_fetch, "POST", "sessions", body={"pipeline": "p.orchest"})
        for _ in range(1200):
            session = await session_of(jp_fetch, "p.orchest")
            if session["status"] != "LAUNCHING":
                break
            await asyncio.sleep(0.1)
        assert session["status"] == "FAILURE", session
        assert session["message"] == 'The image of environment "Broken" could not be built: setup_script.sh exited with code 4.'
        assert session["environments"] == [{"uuid": env, "name": "Broken", "image": "FAILURE"}]
        code, error = await api_error(jp_fetch, "POST", "runs", body={"pipeline": "p.orchest"})
        assert code == 409 and error["errors"][0]["session_status"] == "FAILURE"
        assert (await stop_session(jp_fetch))["status"] == "STOPPED"

    async def test_stopping_a_launching_session_cancels_its_builds(self, jp_fetch, root, docker_client):
        env = root.environment("Slow")
        (root.root / ".orchest" / "environments" / env / "setup_script.sh").write_text("echo slow\nsleep 60\n")
        notebook_pipeline(root, env)
        await api(jp_fetch, "POST", "sessions", body={"pipeline": "p.orchest"})
        for _ in range(300):  # the build's container runs, and the session says so
            session = await session_of(jp_fetch, "p.orchest")
            if self.containers(docker_client, kind="build", environment=env) and session["environments"][0]["image"] == "BUILDING":
                break
            await asyncio.sleep(0.1)
        assert session["status"] == "LAUNCHING" and session["message"] == 'Building the image of environment "Slow".'
        assert session["environments"] == [{"uuid": env, "name": "Slow", "image": "BUILDING"}]

        assert (await stop_session(jp_fetch))["status"] == "STOPPED"
        for _ in range(300):
            _, build = await api(jp_fetch, "GET", "environments", env, "build")
            if build["status"] != "BUILDING":
                break
            await asyncio.sleep(0.1)
        assert build["status"] == "ABORTED"
        assert self.containers(docker_client, kind="build", environment=env) == []
