"""JavaScript environments on a real Docker engine: the build adds Node.js and Deno's Jupyter kernel
to an image that lacks them (Orchest's JavaScript base image had both), `.js` scripts run with node
and notebooks on the environment's kernel in its container, and JupyterLab opens them on it.
Julia notebooks fail saying why. Skipped, with the reason, where there is no engine."""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
from pathlib import Path

import pytest

from orchest_jlab.environments import LOCAL_BASE_IMAGE, image_tag
from orchest_jlab.environments.files import create_environment
from orchest_jlab.environments.images import BUILD_SCRIPT, recipe_version

from .test_docker import Docker, leftovers, ours
from .test_js_kernels import js_notebook

pytestmark = pytest.mark.usefixtures("needs_docker")

JS_ENVIRONMENT = {"name": "JavaScript", "language": "javascript", "base_image": "orchest/base-kernel-javascript"}
CACHE_REPOSITORY = "orchest-jlab-test/js-base"


@pytest.fixture(scope="module")
def client():
    import docker

    client = docker.from_env()
    yield client
    client.close()


def cache_tag(client) -> str:
    """The image a JavaScript environment's build makes from the local base image, kept between
    tests (and test sessions) under a tag of what made it."""
    key = json.dumps([recipe_version("javascript"), BUILD_SCRIPT, client.images.get(LOCAL_BASE_IMAGE).id])
    return f"{CACHE_REPOSITORY}:{hashlib.sha256(key.encode()).hexdigest()[:12]}"


def keep(client, image: str) -> None:
    tag = cache_tag(client)
    for old in client.images.list(name=CACHE_REPOSITORY):  # made by an older recipe
        if tag not in old.tags:
            for name in old.tags:
                client.images.remove(name)
    client.images.get(image).tag(*tag.split(":"))


@pytest.fixture
def js_base(client, tmp_path, jp_asyncio_loop) -> str:
    """A base image with node and Deno, built the way a JavaScript environment is (once)."""
    import docker.errors

    try:
        client.images.get(cache_tag(client))
    except docker.errors.ImageNotFound:
        harness = Docker(tmp_path / "base-data", build_network="host")
        project = tmp_path / "base-project"
        project.mkdir()
        env = create_environment(project, JS_ENVIRONMENT).uuid
        try:
            build = jp_asyncio_loop.run_until_complete(harness.build(project, env))
            assert build["status"] == "SUCCESS", Path(build["log_path"]).read_text()[-3000:]
            keep(client, image_tag(project, env))
        finally:
            jp_asyncio_loop.run_until_complete(harness.close())
    return cache_tag(client)


async def test_a_javascript_environment_runs_js_scripts_and_notebooks_in_containers(tmp_path, project, client):
    """Orchest's JavaScript base image maps to the local one; the build installs node and Deno. A
    notebook whose cell fails is a FAILURE with the error; a Julia notebook fails saying why."""
    harness = Docker(tmp_path / "data", build_network="host")
    try:
        env = create_environment(project.root, JS_ENVIRONMENT).uuid
        julia = create_environment(project.root, {"name": "Julia", "language": "julia"}).uuid
        kernel = {"name": f"orchest-kernel-{env}", "display_name": "JavaScript"}
        project.file("load.js", "const fs = require('fs');\nfs.writeFileSync('rows.json', JSON.stringify({rows: 3,"
                     " container: fs.existsSync('/.dockerenv')}));\nconsole.log('node', process.version);\n")
        project.file("explore.ipynb", js_notebook(
            'const data = JSON.parse(Deno.readTextFileSync("rows.json"));\nconsole.log("rows", data.rows, data.container)',
            'console.log("step", Deno.env.get("ORCHEST_STEP_UUID"), Deno.cwd())',
            "data.rows * 2", kernel=kernel["name"]))
        project.file("fails.ipynb", js_notebook('throw new Error("no such table")', kernel=kernel["name"]))
        project.file("fit.ipynb", notebook_of_julia(julia))
        load = project.step("Load", "load.js", env)
        explore = project.step("Explore", "explore.ipynb", env, incoming=[load["uuid"]], kernel=kernel)
        fails = project.step("Fails", "fails.ipynb", env, incoming=[load["uuid"]], kernel=kernel)
        fit = project.step("Fit", "fit.ipynb", julia, kernel={"name": f"orchest-kernel-{julia}", "display_name": "Julia"})
        record = await harness.run(project.write("js.orchest", project.pipeline(load, explore, fails, fit)))

        lines = [e["line"] for e in harness.events if e["type"] == "build" and "line" in e]
        states = {s["title"]: s["state"] for s in record["steps"].values()}
        assert states == {"Load": "COMPUTED", "Explore": "COMPUTED", "Fails": "FAILURE", "Fit": "FAILURE"}, (
            {t: harness.log(record, t) for t in states}, lines[-30:])
        assert "--- the image has no node: installing Debian's nodejs" in lines
        assert "--- the image has no JavaScript kernel: installing Deno (its Jupyter kernel)" in lines
        assert harness.log(record, "Load").splitlines()[-1].startswith("node v")
        assert ["rows 3 true", f"step {explore['uuid']} {project.root}", "6"] == [
            line for line in harness.log(record, "Explore").splitlines() if not line.startswith("Environment ")]
        executed = json.loads((project.root / "explore.ipynb").read_text())
        outputs = [o for c in executed["cells"] for o in c["outputs"]]
        assert [o.get("text") for o in outputs[:2]] == [["rows 3 true\n"], [f"step {explore['uuid']} {project.root}\n"]]
        assert "".join(outputs[2]["data"]["text/plain"]) == "\x1b[33m6\x1b[39m"  # as Deno colours it
        assert record["steps"][fails["uuid"]]["error"] == "a cell of fails.ipynb raised Error: no such table"
        assert record["steps"][fit["uuid"]]["error"].startswith(
            'Step "Fit": fit.ipynb needs a julia kernel, and julia environments get none in their images')
        keep(client, image_tag(project.root, env))  # for the next tests
    finally:
        await harness.close()
    assert leftovers(client, project.root) == []


def notebook_of_julia(env: str) -> str:
    text = json.loads(js_notebook('println("never")', kernel=f"orchest-kernel-{env}"))
    text["metadata"]["kernelspec"]["language"] = "julia"
    return json.dumps(text)


@pytest.fixture
def jp_server_config(tmp_path):
    return {"ServerApp": {"jpserver_extensions": {"orchest_jlab": True}},
            "OrchestApp": {"backend": "docker", "docker_data_dir": str(tmp_path / "data"), "build_network": "none"}}


async def test_jupyterlab_opens_a_js_notebook_on_its_environment_kernel(js_base, jp_fetch, jp_root_dir, jp_serverapp,
                                                                       client):
    """The kernelspec orchest-kernel-<uuid> of a JavaScript environment (language javascript) starts
    Deno's kernel in the environment's image; a restart gets a new container."""
    async def api(method, *parts, body=None):
        response = await jp_fetch(*parts, method=method, body=json.dumps(body) if body is not None else None,
                                  allow_nonstandard_methods=True)
        return json.loads(response.body) if response.body else None

    env = (await api("POST", "orchest", "api", "environments", body={**JS_ENVIRONMENT, "base_image": js_base}))["uuid"]
    spec = (await api("GET", "api", "kernelspecs"))["kernelspecs"][f"orchest-kernel-{env}"]["spec"]
    assert spec["language"] == "javascript" and spec["argv"][:2] == ["deno", "jupyter"]
    Path(jp_root_dir, "nb.ipynb").write_text(js_notebook("1", kernel=f"orchest-kernel-{env}"))
    session = await api("POST", "api", "sessions", body={"path": "nb.ipynb", "type": "notebook", "name": "nb.ipynb",
                                                         "kernel": {"name": f"orchest-kernel-{env}"}})
    manager = jp_serverapp.kernel_manager.get_kernel(session["kernel"]["id"])

    async def value(code: str) -> str:
        """The cell's value (not a console.log: Deno's kernel may send those after the cell's end)."""
        kc = manager.client()
        kc.start_channels()
        try:
            await kc.wait_for_ready(timeout=60)
            values: list[str] = []

            def keep_value(msg: dict) -> None:
                if msg["msg_type"] == "execute_result":
                    values.append(msg["content"]["data"]["text/plain"])

            reply = await kc.execute_interactive(code, timeout=60, output_hook=keep_value)
            # Deno's kernel may send the value after its idle status (a busy machine): read on.
            while not values:
                msg = await kc.get_iopub_msg(timeout=10)
                if msg["parent_header"].get("msg_id") == reply["parent_header"]["msg_id"]:
                    keep_value(msg)
            return re.sub(r"\x1b\[[0-9;]*m", "", "".join(values)).strip('"')
        finally:
            kc.stop_channels()

    first = await value('[Deno.cwd(), (await Deno.stat("/.dockerenv")).isFile, typeof Deno.env.get("HOME")].join(" ")')
    assert first.split() == [str(jp_root_dir), "true", "string"]
    [container] = ours(client, kind="kernel")
    await manager.restart_kernel()
    assert await value("'again'") == "again"
    [restarted] = ours(client, kind="kernel")
    assert restarted.id != container.id
    # Deno's kernel ends on SIGINT: an interrupt is a restart, by the server's restarter.
    await manager.interrupt_kernel()
    for _ in range(300):
        if [c.id for c in ours(client, kind="kernel")] not in ([], [restarted.id]):
            break
        await asyncio.sleep(0.1)
    assert await value("'after the interrupt'") == "after the interrupt"
    await jp_fetch("api", "sessions", session["id"], method="DELETE")
    for _ in range(50):
        if not ours(client, kind="kernel"):
            break
        await asyncio.sleep(0.1)
    assert ours(client, kind="kernel") == []
