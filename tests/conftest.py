from __future__ import annotations

import functools
import json
import os
import shutil
import uuid
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples"

pytest_plugins = ["pytest_jupyter.jupyter_server"]

# Steps run on the host in tests (server and command line); the docker backend's tests ask for it,
# and tests of the default (auto) choice clear it.
os.environ["ORCHEST_JLAB_BACKEND"] = "local"


@pytest.fixture(autouse=True)
def own_jupyter_data_dir(tmp_path, monkeypatch):
    """Each test its own Jupyter data folder: the runs' and jobs' folders (engine/folders.py) and
    the /data folders go there by default. The runtime folder stays (kernels' ipc paths stay short)."""
    from jupyter_core.paths import jupyter_runtime_dir

    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", jupyter_runtime_dir())
    monkeypatch.setenv("JUPYTER_DATA_DIR", str(tmp_path / "jupyter-data"))


@functools.cache
def docker_problem() -> str | None:
    """Why the Docker tests cannot run here (no engine, or no local base image), or None."""
    from orchest_jlab.docker import engine_unavailable
    from orchest_jlab.environments import LOCAL_BASE_IMAGE

    problem = engine_unavailable()
    if problem:
        return problem
    import docker

    client = docker.from_env()
    try:
        client.images.get(LOCAL_BASE_IMAGE)
    except docker.errors.ImageNotFound:
        return f"the base image {LOCAL_BASE_IMAGE} is missing (run .ci/docker-setup.sh)"
    finally:
        client.close()
    return None


@pytest.fixture(scope="session")
def needs_docker() -> None:
    """A test that needs Docker skips, saying why, where Docker cannot be used; in CI it fails
    instead, so that CI never goes green without the Docker tests."""
    problem = docker_problem()
    if problem is None:
        return
    if os.environ.get("CI", "").lower() in ("true", "1"):
        pytest.fail(f"CI needs Docker for this test, and Docker cannot be used: {problem}")
    pytest.skip(f"needs Docker: {problem}")


def new_uuid() -> str:
    return str(uuid.uuid4())


class ProjectBuilder:
    """Writes small Orchest projects for tests: files, environments and pipelines."""

    def __init__(self, root: Path):
        self.root = root
        (root / ".orchest").mkdir(parents=True, exist_ok=True)

    def file(self, relative: str, text: str = "print('hi')\n") -> Path:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        return path

    def environment(self, name: str = "Python 3", env_uuid: str | None = None) -> str:
        env_uuid = env_uuid or new_uuid()
        folder = self.root / ".orchest" / "environments" / env_uuid
        folder.mkdir(parents=True)
        (folder / "properties.json").write_text(json.dumps(
            {"uuid": env_uuid, "name": name, "language": "python", "base_image": "orchest/base-kernel-py",
             "gpu_support": False}))
        (folder / "setup_script.sh").write_text("#!/bin/bash\n")
        return env_uuid

    @staticmethod
    def step(title: str, file_path: str, environment: str, incoming=(), step_uuid=None, **extra) -> dict:
        return {
            "uuid": step_uuid or new_uuid(), "title": title, "file_path": file_path,
            "incoming_connections": list(incoming), "environment": environment,
            "parameters": {}, "kernel": {"name": "python", "display_name": "Python 3"},
            "meta_data": {"hidden": False, "position": [0, 0]}, **extra,
        }

    @staticmethod
    def pipeline(*steps: dict, name: str = "test pipeline", **extra) -> dict:
        return {
            "name": name, "uuid": new_uuid(), "version": "1.0.0",
            "settings": {"auto_eviction": False, "data_passing_memory_size": "1GB", "max_steps_parallelism": 0},
            "parameters": {}, "services": {}, "steps": {s["uuid"]: s for s in steps}, **extra,
        }

    def chain(self, titles=("A", "B", "C"), pipeline_name="chain.orchest") -> tuple[Path, dict]:
        """A valid pipeline whose steps run one after the other, with their files."""
        env = self.environment()
        folder = Path(pipeline_name).parent
        steps, previous = [], []
        for title in titles:
            self.file(str(folder / f"{title.lower()}.py"))
            steps.append(self.step(title, f"{title.lower()}.py", env, incoming=previous))
            previous = [steps[-1]["uuid"]]
        data = self.pipeline(*steps)
        return self.write(pipeline_name, data), data

    def write(self, relative: str, data) -> Path:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(data, indent=4, sort_keys=True) + "\n")
        return path


@pytest.fixture
def project(tmp_path) -> ProjectBuilder:
    return ProjectBuilder(tmp_path / "project")


@pytest.fixture
def example_project(tmp_path) -> Path:
    target = tmp_path / "examples"
    shutil.copytree(EXAMPLES, target)
    return target


@pytest.fixture
def jp_server_config():
    # Kernels on the host too (the docker tests ask for environment kernels): nothing runs in images.
    return {"ServerApp": {"jpserver_extensions": {"orchest_jlab": True}}, "OrchestApp": {"environment_kernels": False}}
