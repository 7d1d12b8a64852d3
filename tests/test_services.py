"""Orchest's services end to end on a real Docker engine (images built locally, nothing pulled): a
service made from an environment, reachable by name from a script step and a notebook step of an
interactive run and of a non-interactive run, get_services() in Orchest's shape, its URL through the
Jupyter server with a token (refused without), everything stopped with its session or run; and the
refusal where services cannot run."""

from __future__ import annotations

import asyncio
import contextlib
import json
from pathlib import Path

import pytest
from tornado.httpclient import HTTPClientError

from orchest_jlab.errors import BadRequest
from orchest_jlab.pipelines.env_variables import write_env_variables
from orchest_jlab.pipelines.services import session_uuid_of
from orchest_jlab.runs import prepare_run
from orchest_jlab.services import Services
from orchest_jlab.settings import OrchestSettings

from .conftest import ProjectBuilder
from .engine_helpers import notebook
from .session_helpers import start_session, stop_session
from .test_runs_api import api, finished, next_message
from .test_sessions import TestOnDocker as SessionsOnDocker
from .test_sessions import open_notebook

# What both steps run: the service by its name and by Orchest's internal hostname, get_services()'s
# shape, and nothing outside the private network.
PROBE = """
import json, socket, urllib.request
import orchest
services = orchest.get_services()
web = orchest.get_service("web")
assert "web" in services and web == services["web"]
assert web["internal_hostname"].startswith("web-") and web["ports"] == [8000] and "scope" not in web
assert list(web["external_urls"]) == [8000] and web["base_paths"][8000].endswith(f"/service-{web['internal_hostname']}_8000")
for host in ("web", web["internal_hostname"]):
    assert urllib.request.urlopen(f"http://{host}:8000/hello.txt", timeout=10).read() == b"hello from the project"
try:
    socket.create_connection(("192.0.2.1", 80), timeout=1)
    raise AssertionError("the step reached outside its session's network")
except OSError:
    pass
print("PROBE OK", json.dumps({k: web[k] for k in ("internal_hostname", "image")}))
"""


# A websocket echo service that keeps its base path (Streamlit's and TensorBoard's kind): tornado
# comes with the image's ipykernel.
ECHO = """
import os, tornado.ioloop, tornado.web, tornado.websocket
base = "/" + os.environ["BASE"]
class Echo(tornado.websocket.WebSocketHandler):
    def on_message(self, message):
        self.write_message("echo: " + message)
class Root(tornado.web.RequestHandler):
    def get(self):
        self.write(base)
tornado.web.Application([(base + "/ws", Echo), (base + "/", Root)]).listen(8001)
tornado.ioloop.IOLoop.current().start()
"""


@pytest.fixture
def root(jp_root_dir) -> ProjectBuilder:
    return ProjectBuilder(Path(jp_root_dir))


def services_pipeline(root: ProjectBuilder, env: str, scope=("interactive", "noninteractive"), echo=False) -> dict:
    root.file("hello.txt", "hello from the project")
    root.file("echo.py", ECHO)
    root.file("probe.py", PROBE)
    root.file("probe.ipynb", notebook(PROBE, kernel=f"orchest-kernel-{env}"))
    script = root.step("Script", "probe.py", env)
    nb = root.step("Notebook", "probe.ipynb", env, kernel={"name": f"orchest-kernel-{env}", "display_name": "Py"})
    data = root.pipeline(script, nb, services={"web": {
        "name": "web", "image": f"environment@{env}", "command": "python3",
        "args": "-m http.server 8000 --directory /srv/project", "binds": {"/project-dir": "/srv/project"},
        "ports": [8000], "scope": list(scope), "order": 1, "preserve_base_path": False,
        "requires_authentication": True, "env_variables": {"GREETING": "hi", "SHARED": "service"},
        "env_variables_inherit": ["SHARED", "ONLY_PROJECT", "ABSENT"]}, **({"echo": {
        "name": "echo", "image": f"environment@{env}", "command": "python3", "args": "/srv/project/echo.py",
        "binds": {"/project-dir": "/srv/project"}, "ports": [8001], "scope": ["interactive"], "order": 2,
        "preserve_base_path": True, "env_variables": {"BASE": "$BASE_PATH_PREFIX_8001"}}} if echo else {})})
    root.write("p.orchest", data)
    return data


def step_errors(root: ProjectBuilder, run: dict) -> dict:
    """What each step said (its error and log), for a failed assertion."""
    logs = {}
    for uuid, step in run["steps"].items():
        log = Path(step["log_path"]).read_text() if step.get("log_path") and Path(step["log_path"]).exists() else ""
        logs[step["title"]] = (step["state"], step["error"], log[-1500:])
    return {"error": run["error"], "steps": logs}


def containers(client, **labels) -> list:
    from orchest_jlab.docker import LABEL

    return client.containers.list(all=True, ignore_removed=True, filters={"label": [f"{LABEL}.{k}={v}" for k, v in labels.items()]})


@pytest.mark.usefixtures("needs_docker")
class TestOnDocker:
    # The docker backend, and the environments' images removed afterwards (docker_client, autouse).
    jp_server_config = SessionsOnDocker.jp_server_config
    docker_client = SessionsOnDocker.docker_client

    async def test_services_of_a_session_and_of_a_run(self, docker_client, jp_fetch, jp_ws_fetch, jp_serverapp, root):
        client = docker_client
        env = root.environment("Py")
        data = services_pipeline(root, env, echo=True)
        write_env_variables(root.root, project={"SHARED": "project", "ONLY_PROJECT": "p1", "OTHER": "o"},
                            pipeline_uuid=data["uuid"], pipeline={"SHARED": "pipeline"})
        ws = await jp_ws_fetch("orchest", "api", "events")
        session = await start_session(jp_fetch)  # builds the environment's image, then starts the service
        web, echo = session["services"]  # in their order
        sid = session_uuid_of(str((root.root / "p.orchest").resolve()))  # the file, wherever the root is
        assert web["status"] == "RUNNING" and web["session_uuid"] == sid and web["scope"] == "interactive"
        assert web["hostnames"] == ["web", f"web-{sid}"] and web["image_spec"] == f"environment@{env}"
        assert web["owner"] == {"kind": "session", "pipeline_path": "p.orchest"}
        assert len(containers(client, kind="service", session=sid)) == 2
        # env_variables_inherit: the project's and pipeline's variables it names, over its own.
        [web_container] = containers(client, kind="service", session=sid, service="web")
        web_env = dict(v.split("=", 1) for v in web_container.attrs["Config"]["Env"])
        assert {k: web_env.get(k) for k in ("SHARED", "ONLY_PROJECT", "GREETING", "ABSENT", "OTHER")} == {
            "SHARED": "pipeline", "ONLY_PROJECT": "p1", "GREETING": "hi", "ABSENT": None, "OTHER": None}

        # An interactive run: both steps reach the service by name.
        _, run = await api(jp_fetch, "POST", "runs", body={"pipeline": "p.orchest"})
        run = await finished(jp_fetch, run["uuid"], timeout=180)
        assert run["status"] == "SUCCESS", step_errors(root, run)

        # The step's notebook opened in JupyterLab: its kernel joins the session's network.
        kernel = await open_notebook(jp_fetch, "probe.ipynb", f"orchest-kernel-{env}")
        kc = jp_serverapp.kernel_manager.get_kernel(kernel["id"]).client()
        kc.start_channels()
        outputs: list[str] = []
        try:
            await kc.wait_for_ready(timeout=60)
            reply = await kc.execute_interactive(PROBE, timeout=60, output_hook=lambda m: outputs.append(
                m["content"].get("text") or "\n".join(m["content"].get("traceback") or [])))
        finally:
            kc.stop_channels()
            await jp_fetch("api", "kernels", kernel["id"], method="DELETE")
        assert reply["content"]["status"] == "ok" and "PROBE OK" in "".join(outputs), outputs

        # Its URL through the Jupyter server: with the token (jp_fetch sends it), not without.
        url = web["external_urls"]["8000"]
        assert url.endswith(f"/orchest/services/service-web-{sid}_8000/")
        response = await jp_fetch("orchest", "services", f"service-web-{sid}_8000", "hello.txt")
        assert response.code == 200 and response.body == b"hello from the project"
        with pytest.raises(HTTPClientError) as refused:
            await jp_fetch("orchest", "services", f"service-web-{sid}_8000", "hello.txt",
                           headers={"Authorization": ""}, follow_redirects=False)
        assert refused.value.code in (302, 403) and b"hello" not in (refused.value.response.body or b"")

        # Websockets too, and a service that keeps its base path gets it whole ($BASE_PATH_PREFIX_8001).
        echo_path = f"pbp-service-echo-{sid}_8001"
        assert echo["status"] == "RUNNING" and echo["base_paths"]["8001"] == f"/a%40b/orchest/services/{echo_path}"
        response = await jp_fetch("orchest", "services", echo_path + "/")
        assert response.body.decode() == f"/a%40b/orchest/services/{echo_path}"
        echo_ws = await jp_ws_fetch("orchest", "services", echo_path, "ws")
        await echo_ws.write_message("hi")
        assert await asyncio.wait_for(echo_ws.read_message(), 10) == "echo: hi"
        echo_ws.close()

        _, log = await api(jp_fetch, "GET", "services", "log", params={"pipeline": "p.orchest", "name": "web"})
        assert "GET /hello.txt" in log["log"]
        events = []
        while not any(e["type"] == "service-log" and "GET /hello.txt" in e["line"] for e in events):
            events.append(await next_message(ws, 10))
        ws.close()

        # A non-interactive run starts its own services on its own network, and stops them.
        _, run = await api(jp_fetch, "POST", "runs", body={"pipeline": "p.orchest", "interactive": False})
        run = await finished(jp_fetch, run["uuid"], timeout=180)
        assert run["status"] == "SUCCESS", step_errors(root, run)
        _, listed = await api(jp_fetch, "GET", "services", params={"run": run["uuid"]})
        [ran] = listed["services"]
        assert ran["status"] == "STOPPED" and ran["session_uuid"] == run["uuid"] and ran["scope"] == "noninteractive"
        assert containers(client, kind="service", run=run["uuid"]) == []
        assert client.networks.list(names=[f"orchest-jlab-{run['uuid']}"]) == []

        # Stopping the session stops its service and removes its network.
        stopped = await stop_session(jp_fetch)
        assert stopped["status"] == "STOPPED"
        assert containers(client, kind="service", session=sid) == []
        assert client.networks.list(names=[f"orchest-jlab-{sid}"]) == []
        _, listed = await api(jp_fetch, "GET", "services", params={"pipeline": "p.orchest"})
        assert listed["services"] == []


async def test_a_service_proxy_is_authenticated(jp_fetch):
    with pytest.raises(HTTPClientError) as refused:
        await jp_fetch("orchest", "services", "service-web-0123456789abcdef_8000", "x",
                       headers={"Authorization": ""}, follow_redirects=False)
    assert refused.value.code in (302, 403)
    with pytest.raises(HTTPClientError) as missing:  # with the token: not running
        await jp_fetch("orchest", "services", "service-web-0123456789abcdef_8000", "x")
    assert missing.value.code == 404
    assert b"its session or run is not running" in missing.value.response.body  # the page says why


async def test_services_are_refused_where_steps_run_on_the_host(jp_fetch, root):
    env = root.environment("Py")
    services_pipeline(root, env)
    with pytest.raises(HTTPClientError) as refused:
        await jp_fetch("orchest", "api", "sessions", method="POST", body=json.dumps({"pipeline": "p.orchest"}))
    message = json.loads(refused.value.response.body)["message"]
    assert refused.value.code == 400 and 'Service "web" of p.orchest' in message and "docker backend" in message
    with pytest.raises(HTTPClientError) as refused:
        await jp_fetch("orchest", "api", "runs", method="POST",
                       body=json.dumps({"pipeline": "p.orchest", "interactive": False}))
    assert refused.value.code == 400 and 'Service "web"' in json.loads(refused.value.response.body)["message"]


def test_without_a_docker_engine_services_are_refused_naming_them(tmp_path, monkeypatch):
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path}/no-docker.sock")
    root = ProjectBuilder(tmp_path / "project")
    services_pipeline(root, root.environment("Py"), scope=("noninteractive",))
    services = Services(OrchestSettings(backend="auto"), root.root)
    with pytest.raises(BadRequest) as refused:
        services.engine.choose_backend(prepare_run(root.root / "p.orchest", interactive=False))
    assert refused.value.message.startswith('Service "web" of p.orchest needs a Docker engine, and none is reachable')
    # A pipeline without services in that scope runs as before.
    assert services.engine.choose_backend(prepare_run(root.root / "p.orchest", interactive=True)).name == "local"


@pytest.mark.usefixtures("needs_docker")
async def test_closing_stops_a_runs_services_and_a_killed_owners_are_removed(tmp_path):
    import socket
    import subprocess

    import docker

    from orchest_jlab.docker import LABEL, create_network
    from orchest_jlab.environments import LOCAL_BASE_IMAGE

    client = docker.from_env()
    root = ProjectBuilder(tmp_path / "project")
    env = root.environment("Py")
    data = services_pipeline(root, env, scope=("noninteractive",))
    root.file("probe.py", "import time\ntime.sleep(120)\n")
    services = Services(OrchestSettings(backend="docker", docker_data_dir=str(tmp_path / "data"), build_network="none"),
                        root.root)
    request = prepare_run(root.root / "p.orchest", interactive=False, run_type="selection",
                          steps=[next(iter(data["steps"]))])
    run = services.engine.start(request)
    try:
        for _ in range(1200):  # its image is built, then its service starts, then its step
            if containers(client, kind="step", run=run.uuid):
                break
            await asyncio.sleep(0.1)
        assert len(containers(client, kind="service", run=run.uuid)) == 1
    finally:
        await services.close()  # what a server shutting down does
    assert containers(client, kind="service", run=run.uuid) == [] and containers(client, kind="step", run=run.uuid) == []
    assert client.networks.list(names=[f"orchest-jlab-{run.uuid}"]) == []

    # What a killed process leaves (a service and its network) is removed when the next one starts.
    dead = subprocess.Popen(["true"])
    dead.wait()
    labels = {f"{LABEL}.pid": str(dead.pid), f"{LABEL}.host": socket.gethostname(), f"{LABEL}.project": str(root.root)}
    network = create_network(client, "orchest-jlab-killed-owner-test", labels)
    service = client.containers.create(LOCAL_BASE_IMAGE, ["sleep", "60"], network=network.name,
                                       labels={**labels, f"{LABEL}.kind": "service"})
    try:
        assert Services(OrchestSettings(backend="docker"), tmp_path).builder is not None  # what a start does
        assert containers(client, kind="service", project=str(root.root)) == []
        assert client.networks.list(names=[network.name]) == []
    finally:
        with contextlib.suppress(Exception):
            service.remove(force=True)
        with contextlib.suppress(Exception):
            network.remove()
        for image in client.images.list(filters={"label": [f"{LABEL}.kind=environment-image"]}):
            if image.labels.get(f"{LABEL}.project", "").startswith(str(tmp_path)):
                client.images.remove(image.id, force=True)
        client.close()


@pytest.mark.usefixtures("needs_docker")
def test_a_step_of_an_environment_asking_for_the_network_also_gets_the_outbound_one(tmp_path):
    import docker

    from orchest_jlab.docker import (OUTBOUND_NETWORK, ContainerSettings, StepImage, container_options,
                                     create_container, create_network, owner_labels, remove_network)
    from orchest_jlab.environments import LOCAL_BASE_IMAGE

    client = docker.from_env()
    network = create_network(client, "orchest-jlab-outbound-test", owner_labels())
    made = []
    try:
        for asks in (False, True):
            options = container_options(ContainerSettings(data_dir=None), StepImage(LOCAL_BASE_IMAGE, network=asks),
                                        tmp_path, tmp_path, {}, owner_labels(), network=network.name)
            made.append(create_container(client, {**options, "command": ["true"]}))
        attached = [set(c.attrs["NetworkSettings"]["Networks"]) for c in (client.containers.get(c.id) for c in made)]
        assert attached == [{network.name}, {network.name, OUTBOUND_NETWORK}]
        assert client.networks.get(network.name).attrs["Internal"] is True
    finally:
        for container in made:
            container.remove(force=True)
        remove_network(client, network.name)
        client.close()


# The command line has no proxy, and its runs' services are named after the run.
CLI_PROBE = """
import os, urllib.request
import orchest
web = orchest.get_service("web")
assert web["external_urls"] == {} and web["internal_hostname"] == "web-" + os.environ["ORCHEST_RUN_UUID"], web
for host in ("web", web["internal_hostname"]):
    assert urllib.request.urlopen(f"http://{host}:8000/hello.txt", timeout=10).read() == b"hello from the project"
print("PROBE OK", os.environ["ORCHEST_SESSION_TYPE"])
"""


@pytest.mark.usefixtures("needs_docker")
def test_command_line_runs_start_the_services_of_their_scope(tmp_path):
    """``orchest-jlab run`` (interactive: no session to join, so it starts the interactive services
    itself) and ``run --snapshot`` (the noninteractive ones), stopped when the run ends."""
    import subprocess
    import sys

    import docker

    from orchest_jlab.docker import LABEL

    client = docker.from_env()
    root = ProjectBuilder(tmp_path / "project")
    env = root.environment("Py")
    services_pipeline(root, env)
    root.file("probe.py", CLI_PROBE)  # the script step only: a notebook step's kernel reaches services as above
    config = tmp_path / "config.json"
    config.write_text(json.dumps({"OrchestApp": {"docker_data_dir": str(tmp_path / "data"), "build_network": "none"}}))
    try:
        for extra, session_type in (((), "interactive"), (("--snapshot",), "noninteractive")):
            done = subprocess.run([sys.executable, "-m", "orchest_jlab", "run", "p.orchest", "--backend", "docker",
                                   "--config", str(config), "--type", "selection", "--step", "Script", "--json", *extra], cwd=root.root, capture_output=True,
                                  text=True, timeout=300)
            assert done.returncode == 0, done.stdout + done.stderr
            assert f"PROBE OK {session_type}" in done.stderr, done.stderr
            run_uuid = json.loads(done.stdout)["uuid"]
            assert containers(client, kind="service", run=run_uuid) == []
            assert client.networks.list(names=[f"orchest-jlab-{run_uuid}"]) == []
    finally:
        for image in client.images.list(filters={"label": [f"{LABEL}.kind=environment-image"]}):
            if image.labels.get(f"{LABEL}.project", "").startswith(str(tmp_path)):
                client.images.remove(image.id, force=True)
        client.close()


@pytest.mark.usefixtures("needs_docker")
async def test_a_second_process_never_takes_the_network_of_live_services(tmp_path):
    """Two servers on one Docker engine: the session uuid is the file's (another root with its own
    "p.orchest" gets its own), and a network still owned by a live process is never removed."""
    import socket
    import subprocess

    import docker

    from orchest_jlab.docker import LABEL, create_network, remove_network
    from orchest_jlab.environments import LOCAL_BASE_IMAGE
    from orchest_jlab.identity import ProcessIdentity

    first, second = ProjectBuilder(tmp_path / "a"), ProjectBuilder(tmp_path / "b")
    for root in (first, second):
        root.write("p.orchest", root.pipeline(services={"web": {"name": "web", "image": LOCAL_BASE_IMAGE, "command": "sleep",
                                                                "args": "60", "scope": ["interactive"], "order": 1}}))
    sids = {root: session_uuid_of(str((root.root / "p.orchest").resolve())) for root in (first, second)}
    assert sids[first] != sids[second]

    client = docker.from_env()
    other = subprocess.Popen(["sleep", "60"])  # a live process that owns the network
    owner = ProcessIdentity.of(other.pid)
    network = create_network(client, f"orchest-jlab-{sids[first]}", {
        f"{LABEL}.pid": str(other.pid), f"{LABEL}.pid-started": f"{owner.started:.2f}", f"{LABEL}.host": socket.gethostname()})
    services = Services(OrchestSettings(backend="docker", docker_data_dir=str(tmp_path / "data")), tmp_path)
    try:
        with pytest.raises(RuntimeError, match=f"in use by another process \\(pid {other.pid}\\)"):
            await services.pipeline_services.start_session(first.root / "p.orchest", first.root,
                                                          json.loads((first.root / "p.orchest").read_text()))
        assert client.networks.list(names=[network.name]) and containers(client, kind="service", session=sids[first]) == []
    finally:
        other.kill()
        other.wait()
        await services.close()
        remove_network(client, network.name)
        client.close()
