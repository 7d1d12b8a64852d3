"""Round trip to Orchest: after this project has run, built and saved in an Orchest project, the
files still load the way Orchest loads them (its environment model, its pipeline checks), git sees
no runtime file, and ``run --json`` says why a step failed."""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from orchest_jlab.engine.folders import ProjectFolders
from orchest_jlab.environments.files import create_environment, read_environment, update_environment

FIXTURE = Path(__file__).parent / "fixtures" / "orchest_project"
ENV_UUID = "9d2b6d3e-8f53-4c43-9a9e-3f0c6a7e1b21"


@dataclasses.dataclass(kw_only=True)
class OrchestEnvironment:
    """The columns of Orchest's Environment model (orchest-webserver's models.py): its loader calls
    ``Environment(**properties)``, which raises on any other key."""

    uuid: str | None = None
    name: str | None = None
    project_uuid: str | None = None
    language: str | None = None
    setup_script: str | None = None
    base_image: str | None = None
    gpu_support: bool | None = None


# Orchest's step file kinds (_orchest.internals.config.ALLOWED_FILE_EXTENSIONS).
ORCHEST_FILE_KINDS = {"ipynb", "py", "R", "sh", "jl", "js"}


def load_environments_as_orchest(project: Path) -> list[OrchestEnvironment]:
    """Orchest's read of every environment folder: properties.json into the model, and the script
    beside it (both must be there)."""
    found = []
    for folder in sorted((project / ".orchest" / "environments").iterdir()):
        if folder.is_dir():
            env = OrchestEnvironment(**json.loads((folder / "properties.json").read_text()))
            env.setup_script = (folder / "setup_script.sh").read_text()
            found.append(env)
    return found


def check_pipeline_as_orchest(doc: dict) -> dict[str, str]:
    """Orchest's checks of a pipeline definition (check_pipeline_correctness, after its migrations,
    which start at version 1.0.0): the invalid entries, none when it loads."""
    invalid = {}
    if doc.get("version", "1.0.0") != "1.0.0":
        invalid["version"] = "unknown"
    if len(doc["name"]) > 255:
        invalid["name"] = "invalid_value"
    size = doc["settings"].get("data_passing_memory_size")
    if not isinstance(size, str) or not re.match(r"^\d+(\.\d+)?\s*(KB|MB|GB)$", size):
        invalid["data_passing_memory_size"] = "invalid_value"
    if not isinstance(doc["settings"].get("max_steps_parallelism", 0), int):
        invalid["max_steps_parallelism"] = "invalid_value"
    if not isinstance(doc.get("services", {}), dict):
        invalid["services"] = "invalid_value"
    for uuid, step in doc["steps"].items():
        for key in ("environment", "file_path", "incoming_connections", "kernel", "parameters", "title", "uuid"):
            if key not in step:
                invalid[f"{uuid}/{key}"] = "missing"
        if step["file_path"].rsplit(".", 1)[-1] not in ORCHEST_FILE_KINDS:
            invalid[f"{uuid}/file_path"] = "invalid_value"
    return invalid


def cli(*args, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "orchest_jlab", *map(str, args)], cwd=cwd, capture_output=True,
                          text=True, timeout=300)


def untracked(project: Path) -> list[str]:
    subprocess.run(["git", "init", "-q", str(project)], check=True)
    done = subprocess.run(["git", "status", "--porcelain", "--untracked-files=all"], cwd=project,
                          capture_output=True, text=True, check=True)
    return sorted(line[3:] for line in done.stdout.splitlines())


def test_what_this_project_writes_still_loads_in_orchest(tmp_path):
    project = tmp_path / "orchest_project"
    shutil.copytree(FIXTURE, project)
    user_gitignore = (project / ".orchest" / ".gitignore").read_text()
    before = untracked(project)

    # Environments: our own setting (network) set on Orchest's and on a new one.
    update_environment(project, ENV_UUID, {"network": True, "name": "Python 3 (net)"})
    created = create_environment(project, {"name": "Other", "network": True}).uuid
    assert read_environment(project, ENV_UUID).network and read_environment(project, created).network
    # A run and a job (its runs on snapshots), on the host: runs/, jobs/, data, logs, the database.
    grid = tmp_path / "one.parameters.json"  # one run is enough here
    grid.write_text(json.dumps({"pipeline_parameters": {"threshold": [10]}}))
    for args in (("run", "main.orchest", "--backend", "local"),
                 ("job", "run", "main.orchest", "--backend", "local", "--parameters", grid)):
        done = cli(*args, "--json", cwd=project)
        assert done.returncode == 0, done.stdout + done.stderr

    environments = load_environments_as_orchest(project)
    assert {e.uuid for e in environments} == {ENV_UUID, created}
    kept = ProjectFolders().project(project)  # the runs' and jobs' folders: outside the project
    recorded = [*kept.glob("runs/*/pipeline.orchest"), *kept.glob("jobs/*/runs/*/snapshot/main.orchest")]
    assert len(recorded) == 2
    for path in [project / "main.orchest", *recorded]:
        assert check_pipeline_as_orchest(json.loads(path.read_text())) == {}, path
    # Orchest's discovery walks the whole project, hidden folders too: it finds the one pipeline.
    assert [p for p in project.rglob("*.orchest") if p.is_file()] == [project / "main.orchest"]

    # git: only what the user would commit is new (environments, our settings file beside
    # properties.json, and the file the pipeline's last step writes).
    new = [p for p in untracked(project) if p not in before]
    assert new and all(p.startswith(".orchest/environments/") or p == "report.json" for p in new), new
    assert (project / ".orchest" / ".gitignore").read_text().startswith(user_gitignore)
    assert not (project / ".orchest" / "runs").exists() and not (project / ".orchest" / "jobs").exists()
    assert (project / ".orchest" / "orchest-jlab.sqlite").is_file()


def test_the_network_setting_leaves_properties_json(tmp_path):
    from .conftest import ProjectBuilder

    project = ProjectBuilder(tmp_path / "p")
    env_uuid = project.environment("Legacy")
    folder = project.root / ".orchest" / "environments" / env_uuid
    props = json.loads((folder / "properties.json").read_text())
    (folder / "properties.json").write_text(json.dumps({**props, "network": True}))  # written by earlier versions
    with pytest.raises(TypeError):
        OrchestEnvironment(**json.loads((folder / "properties.json").read_text()))
    assert read_environment(project.root, env_uuid).network is True  # still read
    update_environment(project.root, env_uuid, {"name": "Moved"})
    assert "network" not in json.loads((folder / "properties.json").read_text())
    assert json.loads((folder / "orchest-jlab.json").read_text()) == {"network": True}
    assert read_environment(project.root, env_uuid).to_json()["network"] is True
    update_environment(project.root, env_uuid, {"network": False})
    assert read_environment(project.root, env_uuid).network is False
    OrchestEnvironment(**json.loads((folder / "properties.json").read_text()))


def test_gitignore_keeps_the_users_lines(tmp_path):
    from orchest_jlab.pipelines.gitignore import RUNTIME_PATTERNS, ensure_gitignore

    project = tmp_path / "p"
    (project / ".orchest").mkdir(parents=True)
    (project / ".orchest" / ".gitignore").write_text("my-notes.txt\nruns/")  # no final newline
    ensure_gitignore(project)
    lines = (project / ".orchest" / ".gitignore").read_text().splitlines()
    assert lines[:2] == ["my-notes.txt", "runs/"] and lines.count("runs/") == 1
    assert set(RUNTIME_PATTERNS) <= set(lines)


def test_run_json_carries_each_failed_steps_error(tmp_path):
    from .conftest import ProjectBuilder

    project = ProjectBuilder(tmp_path / "p")
    env = project.environment()
    project.file("ok.py", "print('fine')\n")
    project.file("bad.py", "raise ValueError('the column \"price\" is missing')\n")
    ok, bad = project.step("ok", "ok.py", env), project.step("bad", "bad.py", env)
    bad["incoming_connections"] = [ok["uuid"]]
    path = project.write("p.orchest", project.pipeline(ok, bad))
    done = cli("run", path, "--json", "--backend", "local", cwd=project.root)
    assert done.returncode == 1
    record = json.loads(done.stdout)
    failed = record["steps"][bad["uuid"]]
    assert failed["state"] == "FAILURE" and failed["error"] == "bad.py exited with code 1"
    assert "ValueError: the column \"price\" is missing" in failed["log_tail"]
    assert record["steps"][ok["uuid"]]["error"] is None and "log_tail" not in record["steps"][ok["uuid"]]
