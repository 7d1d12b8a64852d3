"""One configuration for the server and every command: c.OrchestApp.* in the usual Jupyter config
files (or --config FILE) reaches `orchest-jlab run`, `job run` and `env build` as it reaches the server."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from orchest_jlab.docker import project_key
from orchest_jlab.environments import LOCAL_BASE_IMAGE
from orchest_jlab.settings import OrchestSettings, load_settings

from .conftest import ProjectBuilder
from .test_runs_api import api

REPO = Path(__file__).resolve().parents[1]
needs_docker = pytest.mark.usefixtures("needs_docker")


def cli(*args, config_dir: Path, env: dict[str, str] | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    """The whole `orchest-jlab` command, as a user runs it, with its Jupyter config in ``config_dir``."""
    environ = {**os.environ, "JUPYTER_CONFIG_DIR": str(config_dir), **(env or {})}
    environ.pop("ORCHEST_JLAB_BACKEND", None)  # the tests' preference must not hide the configuration's
    return subprocess.run([sys.executable, "-m", "orchest_jlab", *map(str, args)], capture_output=True, text=True,
                          env=environ, timeout=timeout)


def write_config(folder: Path, **settings) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    lines = [f"c.OrchestApp.{key} = {value!r}" for key, value in settings.items()]
    path = folder / "jupyter_server_config.py"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_settings_come_from_the_server_config_and_another_file(tmp_path, monkeypatch):
    monkeypatch.setenv("JUPYTER_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.delenv("ORCHEST_JLAB_BACKEND")
    write_config(tmp_path / "config", max_grid_size=7, backend="local")
    settings = load_settings()
    assert (settings.max_grid_size, settings.backend, settings.max_concurrent_runs) == (7, "local", 4)
    other = tmp_path / "other.json"
    other.write_text(json.dumps({"OrchestApp": {"max_concurrent_runs": 2}}))
    settings = load_settings(other)  # instead of jupyter_server_config, as `jupyter server --config` does
    assert (settings.max_grid_size, settings.max_concurrent_runs, settings.backend) == (1000, 2, "auto")


def test_a_broken_config_file_is_named(tmp_path):
    config = write_config(tmp_path / "config")
    config.write_text("c.OrchestApp.max_grid_size = (\n")
    project = ProjectBuilder(tmp_path / "project")
    path, _ = project.chain()
    done = cli("run", path, "--backend", "local", config_dir=tmp_path / "config")
    assert done.returncode == 2 and "jupyter_server_config" in done.stderr and "SyntaxError" in done.stderr, done.stderr


def test_cli_snapshot_runs_follow_snapshot_size_limit_mb(tmp_path):
    project = ProjectBuilder(tmp_path / "project")
    path, _ = project.chain()
    (project.root / "big.bin").write_bytes(b"x" * (2 * 2**20))
    config = write_config(tmp_path / "config", snapshot_size_limit_mb=1)
    done = cli("run", path, "--snapshot", "--backend", "local", "--json", config_dir=tmp_path / "config")
    record = json.loads(done.stdout)
    assert done.returncode == 0 and any("big.bin" in w for w in record["warnings"]), (done.stderr, record)
    config.unlink()  # the default, 50 MiB, takes it
    done = cli("run", path, "--snapshot", "--backend", "local", "--json", config_dir=tmp_path / "config")
    assert done.returncode == 0 and json.loads(done.stdout)["warnings"] == []


def test_cli_job_runs_follow_max_grid_size(tmp_path):
    project = ProjectBuilder(tmp_path / "project")
    env = project.environment()
    project.file("a.py")
    step = project.step("A", "a.py", env, parameters={"n": 1})
    path = project.write("p.orchest", project.pipeline(step))
    grid = tmp_path / "grid.json"
    grid.write_text(json.dumps({step["uuid"]: {"n": [1, 2, 3]}}))
    write_config(tmp_path / "config", max_grid_size=2)
    done = cli("job", "run", path, "--parameters", grid, "--backend", "local", config_dir=tmp_path / "config")
    assert done.returncode == 2 and "3 runs" in done.stderr, done.stderr


@pytest.fixture
def shared_database(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'shared' / 'runs.sqlite'}"


@pytest.fixture
def jp_server_config(jp_server_config, shared_database):
    return {**jp_server_config, "OrchestApp": {**jp_server_config["OrchestApp"], "database_url": shared_database}}


async def test_a_cli_run_recorded_in_database_url_is_in_the_servers_run_list(jp_fetch, jp_root_dir, tmp_path,
                                                                             shared_database):
    root = ProjectBuilder(Path(jp_root_dir))
    path, _ = root.chain()
    write_config(tmp_path / "config", database_url=shared_database)
    done = cli("run", path, "--backend", "local", "--json", config_dir=tmp_path / "config")
    assert done.returncode == 0, done.stderr
    run_uuid = json.loads(done.stdout)["uuid"]
    assert Path(shared_database.removeprefix("sqlite:///")).is_file()
    assert not (root.root / ".orchest" / "orchest-jlab.sqlite").exists()  # not the project's own database
    _, listed = await api(jp_fetch, "GET", "runs")
    assert [r["uuid"] for r in listed["runs"]] == [run_uuid] and listed["runs"][0]["status"] == "SUCCESS"
    _, run = await api(jp_fetch, "GET", "runs", run_uuid)
    assert run["pipeline_path"] == "chain.orchest"


@needs_docker
def test_cli_docker_runs_follow_base_image_aliases_and_docker_data_dir(tmp_path):
    project = ProjectBuilder(tmp_path / "project")
    env = project.environment()
    properties = project.root / ".orchest" / "environments" / env / "properties.json"
    data = json.loads(properties.read_text())
    properties.write_text(json.dumps({**data, "base_image": "example.org/team/python:3"}))  # not on this machine
    project.file("a.py", "open('/data/seen.txt', 'w').write('from a container')\n")
    path = project.write("p.orchest", project.pipeline(project.step("A", "a.py", env)))
    data_dir = tmp_path / "shared-data"
    config_dir = tmp_path / "config"
    # Without the alias the base image is not there, and the run says so.
    done = cli("run", path, "--backend", "docker", config_dir=config_dir)
    assert done.returncode == 1 and "example.org/team/python:3" in done.stderr, done.stderr
    write_config(config_dir, base_image_aliases={"example.org/team/python": LOCAL_BASE_IMAGE},
                 docker_data_dir=str(data_dir), build_network="none")
    done = cli("run", path, "--backend", "docker", "--json", config_dir=config_dir)
    assert done.returncode == 0 and json.loads(done.stdout)["backend"] == "docker", done.stderr
    assert (data_dir / project_key(project.root) / "seen.txt").read_text() == "from a container"
    # --config names another file: the same settings in JSON.
    other = tmp_path / "other.json"
    other.write_text(json.dumps({"OrchestApp": {"base_image_aliases": {"example.org/team/python": LOCAL_BASE_IMAGE},
                                                "docker_data_dir": str(tmp_path / "other-data"),
                                                "build_network": "none"}}))
    done = cli("run", path, "--backend", "docker", "--config", other, config_dir=tmp_path / "empty")
    assert done.returncode == 0 and (tmp_path / "other-data" / project_key(project.root) / "seen.txt").is_file(), done.stderr


@needs_docker
def test_cli_env_build_follows_base_image_aliases(tmp_path):
    project = ProjectBuilder(tmp_path / "project")
    env = project.environment("Aliased")
    properties = project.root / ".orchest" / "environments" / env / "properties.json"
    properties.write_text(json.dumps({**json.loads(properties.read_text()), "base_image": "example.org/team/python:3"}))
    write_config(tmp_path / "config", base_image_aliases={"example.org/team/python": LOCAL_BASE_IMAGE},
                 build_network="none")
    done = cli("env", "build", "Aliased", "--project", project.root, "--json", "-q", config_dir=tmp_path / "config")
    record = json.loads(done.stdout)
    try:
        assert done.returncode == 0 and record["resolved_base_image"] == LOCAL_BASE_IMAGE, done.stderr
    finally:
        import docker

        client = docker.from_env()
        client.images.remove(record["image"], force=True)
        client.close()


@needs_docker
def test_auto_with_a_missing_base_image_runs_on_the_host_and_says_why_once(tmp_path):
    project = ProjectBuilder(tmp_path / "project")
    env = project.environment()
    properties = project.root / ".orchest" / "environments" / env / "properties.json"
    properties.write_text(json.dumps({**json.loads(properties.read_text()), "base_image": "example.org/not-here:1"}))
    project.file("a.py", "import os\nprint('in a container:', os.path.isdir('/orchest/sdk'))\n")
    path = project.write("p.orchest", project.pipeline(project.step("A", "a.py", env)))
    done = cli("run", path, "--backend", "auto", "--json", config_dir=tmp_path / "config")
    record = json.loads(done.stdout)
    assert done.returncode == 0 and record["backend"] == "local", done.stderr
    assert "in a container: False" in done.stderr
    why = [line for line in done.stderr.splitlines() if line.startswith("warning:")]
    assert len(why) == 1 and "Steps run on the host (local backend)" in why[0] and "example.org/not-here:1" in why[0]
    assert done.stderr.index(why[0]) < done.stderr.index("A : RUNNING")  # said before the run
    assert record["warnings"] == [why[0].removeprefix("warning: ")]  # kept in the run's record


def test_every_setting_is_documented():
    docs = (REPO / "docs" / "configuration.md").read_text()
    for name, trait in OrchestSettings.class_traits(config=True).items():
        assert f"`{name}`" in docs, f"docs/configuration.md does not describe c.OrchestApp.{name}"


def test_a_commands_settings_without_a_config_file_are_the_traits_defaults(monkeypatch):
    """defaults.Defaults (a command with no config file: no traitlets) has every setting, each the
    trait's default (both come from defaults.DEFAULTS, dynamic ones too)."""
    from orchest_jlab.defaults import DEFAULTS, Defaults
    from orchest_jlab.settings import Settings

    monkeypatch.setenv("ORCHEST_JLAB_BACKEND", "local")
    names = Settings.class_trait_names()
    assert set(names) == set(DEFAULTS)
    traits, plain = Settings(), Defaults()
    assert [(getattr(plain, n), type(getattr(plain, n))) for n in names] == \
        [(getattr(traits, n), type(getattr(traits, n))) for n in names]
    assert plain.backend == "local" and plain.parallel_steps_cap is None and plain.snapshot_size_limit == 50 * 2**20
    with pytest.raises(AttributeError):
        plain.no_such_setting


@needs_docker
def test_the_default_backend_runs_steps_in_containers_where_docker_runs(tmp_path):
    project = ProjectBuilder(tmp_path / "project")
    env = project.environment()  # orchest/base-kernel-py: aliased to the local base image by default
    project.file("a.py", "import os\nprint('in a container:', os.path.isdir('/orchest/sdk'))\n")
    path = project.write("p.orchest", project.pipeline(project.step("A", "a.py", env)))
    write_config(tmp_path / "config", build_network="none")
    done = cli("run", path, "--json", config_dir=tmp_path / "config")  # no --backend, no $ORCHEST_JLAB_BACKEND
    record = json.loads(done.stdout)
    try:
        assert done.returncode == 0 and record["backend"] == "docker", done.stderr
        assert "in a container: True" in done.stderr and "note:" not in done.stderr and record["warnings"] == []
    finally:
        import docker

        from orchest_jlab.environments import image_tag

        client = docker.from_env()
        client.images.remove(image_tag(project.root, env), force=True)
        client.close()


def test_the_default_backend_runs_steps_on_the_host_without_a_docker_engine_and_says_why(tmp_path):
    project = ProjectBuilder(tmp_path / "project")
    path, _ = project.chain()
    done = cli("run", path, "--json", config_dir=tmp_path / "config",
               env={"DOCKER_HOST": f"unix://{tmp_path}/no-engine.sock"})
    record = json.loads(done.stdout)
    assert done.returncode == 0 and record["backend"] == "local", done.stderr
    [note] = [line for line in done.stderr.splitlines() if line.startswith("note:")]
    assert "Steps run on the host (local backend)" in note and "no Docker engine is reachable" in note
    assert record["warnings"] == []  # no engine at all is no surprise: a note, not a warning on the run
