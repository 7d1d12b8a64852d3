"""Environments and the docker backend on a real Docker engine, from the local base image that
.ci/docker-setup.sh builds. Skipped, with the reason, where there is no engine or no base image."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from orchest_jlab.docker import LABEL, owner_labels, project_key
from orchest_jlab.environments import LOCAL_BASE_IMAGE, image_tag
from orchest_jlab.environments.files import create_environment, update_environment
from orchest_jlab.pipelines.env_variables import write_env_variables
from orchest_jlab.runs import prepare_run
from orchest_jlab.services import Services
from orchest_jlab.settings import OrchestSettings

from .conftest import ProjectBuilder
from .engine_helpers import notebook


pytestmark = pytest.mark.usefixtures("needs_docker")

# Installs a module the steps import: observable without a network.
OBSERVABLE = """set -e
mkdir -p /opt/observable
echo 'VALUE = 42' > /opt/observable/observable.py
echo /opt/observable > "$(python3 -c 'import site; print(site.getsitepackages()[0])')/observable.pth"
echo installed observable
"""


@pytest.fixture(scope="module")
def client():
    import docker

    client = docker.from_env()
    yield client
    client.close()


def ours(client, **labels) -> list:
    filters = [f"{LABEL}.pid={os.getpid()}"] + [f"{LABEL}.{k}={v}" for k, v in labels.items()]
    return client.containers.list(all=True, ignore_removed=True, filters={"label": filters})


def leftovers(client, project_dir: Path) -> list:
    return client.containers.list(all=True, ignore_removed=True, filters={"label": [f"{LABEL}.project={project_dir}"]})


class Docker:
    """An engine on the docker backend, its builder and a record of every event."""

    def __init__(self, data_dir: Path, build_network: str = "none"):
        settings = OrchestSettings(backend="docker", docker_data_dir=str(data_dir), build_network=build_network)
        self.services = Services(settings, data_dir)
        self.bus = self.services.bus
        self.events: list[dict] = []
        self.bus.subscribe(self.events.append)
        self.builder = self.services.builder
        self.engine = self.services.engine

    async def close(self) -> None:
        await self.services.close()

    async def build(self, project_dir: Path, env_uuid: str, **kwargs) -> dict:
        self.builder.start(project_dir, env_uuid, **kwargs)
        return await self.builder.wait(project_dir, env_uuid)

    async def run(self, path: Path, env: dict[str, str] | None = None, **kwargs) -> dict:
        request = prepare_run(path, **kwargs)
        request.env = env or {}  # a job's variables
        run = self.engine.start(request)
        await self.engine.wait(run.uuid)
        return run.to_json()

    def build_lines(self, build_uuid: str) -> list[str]:
        return [e["line"] for e in self.events if e["type"] == "build" and e["build_uuid"] == build_uuid and "line" in e]

    def log(self, record: dict, title: str) -> str:
        step = next(s for s in record["steps"].values() if s["title"] == title)
        return Path(step["log_path"]).read_text()


@pytest.fixture
def docker_env(tmp_path, client, jp_asyncio_loop):
    harness = Docker(tmp_path / "data")
    yield harness
    jp_asyncio_loop.run_until_complete(harness.close())
    assert ours(client) == []  # nothing left behind


async def test_build_skip_rebuild_and_labels(docker_env, project, client):
    env = create_environment(project.root, {"name": "Obs", "setup_script": OBSERVABLE})
    first = await docker_env.build(project.root, env.uuid)
    assert first["status"] == "SUCCESS" and not first["skipped"], first
    assert "installed observable" in docker_env.build_lines(first["uuid"])
    assert "installed observable" in Path(first["log_path"]).read_text()
    image = client.images.get(image_tag(project.root, env.uuid))
    assert image.labels[f"{LABEL}.kind"] == "environment-image"
    assert image.labels[f"{LABEL}.project"] == str(project.root)
    assert image.labels[f"{LABEL}.environment"] == env.uuid
    out = client.containers.run(image.id, ["python3", "-c", "import observable, ipykernel; print(observable.VALUE)"],
                                network_mode="none", remove=True)
    assert out.strip() == b"42"
    assert image.attrs["Config"]["Cmd"] == ["/bin/bash"] and not image.attrs["Config"].get("Entrypoint")

    again = await docker_env.build(project.root, env.uuid)
    assert again["status"] == "SUCCESS" and again["skipped"] is True
    assert client.images.get(image_tag(project.root, env.uuid)).id == image.id

    update_environment(project.root, env.uuid, {"setup_script": OBSERVABLE + "echo changed\n"})
    changed = await docker_env.build(project.root, env.uuid)
    assert changed["status"] == "SUCCESS" and not changed["skipped"]
    assert client.images.get(image_tag(project.root, env.uuid)).id != image.id
    statuses = [e["status"] for e in docker_env.events if e["type"] == "build" and e["build_uuid"] == changed["uuid"]
                and "build" in e]
    assert statuses == ["PENDING", "BUILDING", "SUCCESS"]


async def test_a_failing_build_is_reported_with_its_log(docker_env, project, client):
    env = create_environment(project.root, {"setup_script": "echo about to fail\nexit 3\n"})
    build = await docker_env.build(project.root, env.uuid)
    assert build["status"] == "FAILURE" and build["error"] == "setup_script.sh exited with code 3."
    assert "about to fail" in Path(build["log_path"]).read_text()
    assert not client.images.list(name=image_tag(project.root, env.uuid))
    assert leftovers(client, project.root) == []


async def test_an_unknown_base_image_is_named(docker_env, project):
    env = create_environment(project.root, {"base_image": "nobody/nothing:1"})
    build = await docker_env.build(project.root, env.uuid)
    assert build["status"] == "FAILURE"
    assert '"nobody/nothing:1" is not available' in build["error"] and "base_image_aliases" in build["error"]


async def test_cancel_a_build(docker_env, project, client):
    env = create_environment(project.root, {"setup_script": "echo sleeping; sleep 60\n"})
    docker_env.builder.start(project.root, env.uuid)
    for _ in range(200):
        if any(e.get("line") == "sleeping" for e in docker_env.events):
            break
        await asyncio.sleep(0.05)
    docker_env.builder.cancel(project.root, env.uuid)
    build = await docker_env.builder.wait(project.root, env.uuid)
    assert build["status"] == "ABORTED"
    assert leftovers(client, project.root) == []


def two_environment_pipeline(project: ProjectBuilder) -> tuple[Path, dict, str, str]:
    obs = create_environment(project.root, {"name": "Obs", "setup_script": OBSERVABLE}).uuid
    plain = create_environment(project.root, {"name": "Plain", "setup_script": "echo plain\n"}).uuid
    project.file("make.py", "import os, orchest, observable\n"
                 "assert os.path.exists('/.dockerenv'), 'not in a container'\n"
                 "print('value', observable.VALUE)\n"
                 "orchest.output({'value': observable.VALUE}, name='made')\n")
    project.file("use.ipynb", notebook(
        "import os, orchest\nassert os.path.exists('/.dockerenv')\n"
        "inputs = orchest.get_inputs()\nprint('got', inputs['made']['value'] + 1)\n"
        "orchest.output(inputs['made']['value'] + 1, name='used')",
        kernel=f"orchest-kernel-{plain}"))
    project.file("check.sh", "set -e\n"
                 "test ! -e /var/run/docker.sock && test ! -e /run/docker.sock && echo no-socket\n"
                 "ls /sys/class/net | tr '\\n' ' '; echo\n"
                 "if touch /orchest/sdk/x 2>/dev/null; then echo sdk-writable; else echo sdk-read-only; fi\n"
                 "echo shared > /data/from-step && echo data-ok\n"
                 "python3 -c 'import orchest; print(\"input\", orchest.get_inputs()[\"used\"])'\n")
    make = project.step("Make", "make.py", obs)
    use = project.step("Use", "use.ipynb", plain, incoming=[make["uuid"]],
                       kernel={"name": f"orchest-kernel-{plain}", "display_name": "Plain"})
    check = project.step("Check", "check.sh", plain, incoming=[use["uuid"]])
    data = project.pipeline(make, use, check)
    return project.write("p.orchest", data), data, obs, plain


async def test_a_pipeline_runs_in_containers(docker_env, project, tmp_path, client):
    path, data, obs, plain = two_environment_pipeline(project)
    record = await docker_env.run(path)
    states = {s["title"]: s["state"] for s in record["steps"].values()}
    assert record["backend"] == "docker" and states == {"Make": "COMPUTED", "Use": "COMPUTED", "Check": "COMPUTED"}, \
        {t: docker_env.log(record, t) for t in states}
    assert "value 42" in docker_env.log(record, "Make")
    assert "got 43" in docker_env.log(record, "Use")
    check = docker_env.log(record, "Check")
    assert "no-socket" in check and "sdk-read-only" in check and "data-ok" in check and "input 43" in check
    assert check.splitlines()[1].split() == ["lo"]  # no network but the loopback
    assert (tmp_path / "data" / project_key(project.root) / "from-step").read_text() == "shared\n"  # the project's own
    executed = json.loads((project.root / "use.ipynb").read_text())
    assert "".join(executed["cells"][0]["outputs"][0]["text"]) == "got 43\n"
    # A non-interactive run, on a snapshot, uses the same images: nothing is built again.
    builds_before = sum(1 for e in docker_env.events if e["type"] == "build")
    record = await docker_env.run(path, interactive=False)
    assert record["status"] == "SUCCESS" and record["snapshot_dir"]
    assert sum(1 for e in docker_env.events if e["type"] == "build") == builds_before
    assert leftovers(client, project.root) == []


async def test_an_r_environment_gets_its_kernel_and_runs_r_notebooks_and_scripts(tmp_path, project, client):
    """The setup script installs R (the base image has none, and packages come from Debian's mirror:
    the build uses the host's network); the build adds the missing IRkernel by itself."""
    harness = Docker(tmp_path / "data", build_network="host")
    try:
        env = create_environment(project.root, {
            "name": "R", "language": "r",
            "setup_script": "apt-get update -q && apt-get install -y -q --no-install-recommends r-base-core\n"}).uuid
        project.file("hello.R", 'cat("r says", 1 + 1, "in a container:", file.exists("/.dockerenv"), "\\n")\n')
        project.file("nb.ipynb", notebook('cat("step", Sys.getenv("ORCHEST_STEP_UUID"))', kernel=f"orchest-kernel-{env}"))
        script = project.step("Script", "hello.R", env)
        nb = project.step("Notebook", "nb.ipynb", env, incoming=[script["uuid"]],
                          kernel={"name": f"orchest-kernel-{env}", "display_name": "R"})
        record = await harness.run(project.write("r.orchest", project.pipeline(script, nb)))
        builds = [e for e in harness.events if e["type"] == "build" and "line" in e]
        assert record["status"] == "SUCCESS", ({t: harness.log(record, t) for t in ("Script", "Notebook")},
                                               [e["line"] for e in builds][-20:])
        assert any("no IRkernel: installing it" in e["line"] for e in builds)
        assert "r says 2 in a container: TRUE" in harness.log(record, "Script")
        executed = json.loads((project.root / "nb.ipynb").read_text())
        assert "".join(executed["cells"][0]["outputs"][0]["text"]) == f"step {nb['uuid']}"
    finally:
        await harness.close()
        assert leftovers(client, project.root) == []


async def test_a_jobs_variables_reach_scripts_and_notebooks_in_containers(docker_env, project):
    env = create_environment(project.root, {}).uuid
    project.file("s.sh", 'echo "script sees $JOB_TOKEN"\n')
    project.file("n.ipynb", notebook("import os\nprint('notebook sees', os.environ['JOB_TOKEN'])",
                                     kernel=f"orchest-kernel-{env}"))
    script = project.step("S", "s.sh", env)
    nb = project.step("N", "n.ipynb", env, incoming=[script["uuid"]])
    record = await docker_env.run(project.write("j.orchest", project.pipeline(script, nb)), env={"JOB_TOKEN": "t0k"},
                                  interactive=False)
    assert record["status"] == "SUCCESS", {t: docker_env.log(record, t) for t in ("S", "N")}
    assert "script sees t0k" in docker_env.log(record, "S") and "notebook sees t0k" in docker_env.log(record, "N")
    assert "t0k" not in json.dumps(record)


async def test_step_containers_have_no_new_privileges_few_capabilities_and_a_pids_limit(docker_env, project):
    env = create_environment(project.root, {}).uuid
    project.file("look.sh", "grep -E '^(NoNewPrivs|CapEff)' /proc/self/status\n"
                 "cat /sys/fs/cgroup/pids.max 2>/dev/null || cat /sys/fs/cgroup/pids/pids.max\n"
                 "if chroot / true 2>/dev/null; then echo chroot-allowed; else echo chroot-refused; fi\n")
    record = await docker_env.run(project.write("s.orchest", project.pipeline(project.step("Look", "look.sh", env))))
    lines = docker_env.log(record, "Look").splitlines()
    assert record["status"] == "SUCCESS", lines
    status = dict(line.split(":\t") for line in lines if ":\t" in line)
    assert status["NoNewPrivs"].strip() == "1"
    granted = int(status["CapEff"], 16)
    assert granted & (1 << 21) == 0 and granted & (1 << 18) == 0  # no CAP_SYS_ADMIN, no CAP_SYS_CHROOT
    assert "4096" in lines and "chroot-refused" in lines


async def test_an_environment_can_ask_for_the_network(docker_env, project):
    env = create_environment(project.root, {"network": True}).uuid
    assert "network" not in json.loads((project.root / ".orchest/environments" / env / "properties.json").read_text())
    project.file("net.sh", "ls /sys/class/net | wc -l\n")
    project.file("app.js", "console.log('no node here')\n")
    step, js = project.step("Net", "net.sh", env), project.step("App", "app.js", env)
    record = await docker_env.run(project.write("n.orchest", project.pipeline(step, js)))
    assert record["steps"][step["uuid"]]["state"] == "COMPUTED"
    assert int(docker_env.log(record, "Net").split()[-1]) > 1
    # The image has no node: the .js step fails naming the step and what is missing.
    assert record["steps"][js["uuid"]]["error"].startswith('Step "App": node (to run app.js) was not found in the image')


async def test_an_environment_with_gpu_support_asks_docker_for_the_gpus(docker_env, project, client):
    env = create_environment(project.root, {"gpu_support": True}).uuid
    project.file("gpu.py", "print('on a gpu machine')\n")
    record = await docker_env.run(project.write("g.orchest", project.pipeline(project.step("G", "gpu.py", env))))
    if "nvidia" in (client.info().get("Runtimes") or {}):
        assert record["status"] == "SUCCESS", record
    else:  # this engine cannot give a GPU: the step fails saying so, and leaves no container
        step = next(iter(record["steps"].values()))
        assert record["status"] == "FAILURE" and "asks for GPU support" in step["error"], step
        assert leftovers(client, project.root) == []


async def test_containers_of_a_killed_process_are_removed_at_the_next_start(client, tmp_path):
    import subprocess

    dead = subprocess.Popen(["true"])
    dead.wait()
    labels = {f"{LABEL}.kind": "step", f"{LABEL}.pid": str(dead.pid), f"{LABEL}.project": str(tmp_path)}
    orphan = client.containers.create(LOCAL_BASE_IMAGE, ["sleep", "60"], labels=labels, network_mode="none")
    mine = client.containers.create(LOCAL_BASE_IMAGE, ["sleep", "60"], network_mode="none",
                                    labels={**labels, **owner_labels()})
    # The same pid, started at another time: a restarted server in a container whose pid came back.
    reused = client.containers.create(LOCAL_BASE_IMAGE, ["sleep", "60"], network_mode="none",
                                      labels={**labels, **owner_labels(), f"{LABEL}.pid-started": "12.00"})
    elsewhere = client.containers.create(LOCAL_BASE_IMAGE, ["sleep", "60"], network_mode="none",
                                         labels={**labels, f"{LABEL}.host": "another-machine"})
    try:
        assert Services(OrchestSettings(backend="docker"), tmp_path).builder is not None  # what a server start does
        # A live owner's is kept, and so is another host's (not ours to judge).
        assert sorted(c.id for c in leftovers(client, tmp_path)) == sorted([mine.id, elsewhere.id])
    finally:
        for container in (orphan, mine, reused, elsewhere):
            with contextlib.suppress(Exception):
                container.remove(force=True)


async def test_a_failing_step_and_a_cancelled_run_leave_no_container(docker_env, project, client):
    env = create_environment(project.root, {}).uuid
    project.file("fail.py", "raise SystemExit(4)\n")
    project.file("slow.sh", "echo started; sleep 60\n")
    fail = project.step("Fail", "fail.py", env)
    record = await docker_env.run(project.write("f.orchest", project.pipeline(fail)))
    assert next(iter(record["steps"].values()))["error"] == "fail.py exited with code 4"

    slow = project.step("Slow", "slow.sh", env)
    run = docker_env.engine.start(prepare_run(project.write("s.orchest", project.pipeline(slow))))
    for _ in range(400):
        if any(e["type"] == "log" and e["line"] == "started" for e in docker_env.events):
            break
        await asyncio.sleep(0.05)
    assert ours(client, run=run.uuid), "the step's container is running"
    docker_env.engine.cancel(run.uuid)
    await docker_env.engine.wait(run.uuid)
    assert run.status.value == "ABORTED"
    assert ours(client, run=run.uuid) == [] and leftovers(client, project.root) == []


def test_cli_run_on_the_docker_backend(project):
    env = create_environment(project.root, {}).uuid
    project.file("hello.py", "import os; print('container', os.path.exists('/.dockerenv'))\n")
    path = project.write("h.orchest", project.pipeline(project.step("Hello", "hello.py", env)))
    result = CliRunner().invoke(main_cli(), ["run", str(path), "--backend", "docker", "--json"])
    assert result.exit_code == 0, result.output
    record = json.loads(result.output[result.output.index("{"):])
    assert record["backend"] == "docker" and "container True" in result.output
    result = CliRunner().invoke(main_cli(), ["env", "build", "Python 3", "--project", str(project.root), "--json"])
    assert result.exit_code == 0 and '"skipped": true' in result.output


def main_cli():
    from orchest_jlab.cli import main

    return main


@pytest.fixture(autouse=True)
def _remove_test_images(tmp_path, client):
    yield
    for image in client.images.list(filters={"label": [f"{LABEL}.kind=environment-image"]}):
        if image.labels.get(f"{LABEL}.project", "").startswith(str(tmp_path)):
            try:
                client.images.remove(image.id, force=True)
            except Exception:
                pass


@pytest.fixture
def jp_server_config(tmp_path):
    return {"ServerApp": {"jpserver_extensions": {"orchest_jlab": True}},
            "OrchestApp": {"backend": "docker", "docker_data_dir": str(tmp_path / "data"), "build_network": "none"}}


async def test_the_server_builds_and_serves_environment_kernels(jp_fetch, jp_root_dir, jp_serverapp, client):
    async def api(method, *parts, body=None):
        response = await jp_fetch(*parts, method=method, body=json.dumps(body) if body is not None else None,
                                  allow_nonstandard_methods=True)
        return json.loads(response.body) if response.body else None

    created = await api("POST", "orchest", "api", "environments", body={"name": "Obs", "setup_script": OBSERVABLE})
    env = created["uuid"]
    build = await api("POST", "orchest", "api", "environments", env, "build", body={})
    assert build["status"] == "PENDING"
    for _ in range(600):
        build = await api("GET", "orchest", "api", "environments", env, "build")
        if build["status"] in ("SUCCESS", "FAILURE", "ABORTED"):
            break
        await asyncio.sleep(0.05)
    assert build["status"] == "SUCCESS", build
    response = await jp_fetch("orchest", "api", "environments", env, "build", "log")
    assert "installed observable" in response.body.decode()
    shown = await api("GET", "orchest", "api", "environments", env)
    assert shown["build"]["source_hash"] == shown["source_hash"]  # built from the files as they are

    specs = await api("GET", "api", "kernelspecs")
    assert specs["kernelspecs"][f"orchest-kernel-{env}"]["spec"]["display_name"] == (
        f"Obs · Orchest environment ({Path(jp_root_dir).name})")
    Path(jp_root_dir, "nb.ipynb").write_text(notebook("1", kernel=f"orchest-kernel-{env}"))
    # A Jupyter session's kernel gets the project's environment variables, and not the server's others.
    write_env_variables(jp_root_dir, project={"PROJECT_VAR": "p1"})
    os.environ["SERVER_ONLY_VAR"] = "no"
    session = await api("POST", "api", "sessions", body={"path": "nb.ipynb", "type": "notebook", "name": "nb.ipynb",
                                                         "kernel": {"name": f"orchest-kernel-{env}"}})
    del os.environ["SERVER_ONLY_VAR"]
    kernel = session["kernel"]
    manager = jp_serverapp.kernel_manager.get_kernel(kernel["id"])
    kc = manager.client()
    kc.start_channels()
    try:
        await kc.wait_for_ready(timeout=60)
        outputs = []
        await kc.execute_interactive(
            "import os, observable, orchest; print(observable.VALUE, os.path.exists('/.dockerenv'), os.getcwd(), "
            "os.environ.get('PROJECT_VAR'), os.environ.get('SERVER_ONLY_VAR'))",
            output_hook=lambda msg: outputs.append(msg["content"].get("text", "")), timeout=60)
        assert "".join(outputs).split() == ["42", "True", str(jp_root_dir), "p1", "None"]
    finally:
        kc.stop_channels()
    assert ours(client, kind="kernel")
    await jp_fetch("api", "sessions", session["id"], method="DELETE")
    assert ours(client, kind="kernel") == []

    # A changed setup script: the last build no longer matches (the editor says it needs a rebuild).
    await api("PATCH", "orchest", "api", "environments", env, body={"setup_script": OBSERVABLE + "echo changed\n"})
    shown = await api("GET", "orchest", "api", "environments", env)
    assert shown["build"]["status"] == "SUCCESS" and shown["build"]["source_hash"] != shown["source_hash"]
