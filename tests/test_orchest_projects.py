"""An Orchest-made project (tests/fixtures/orchest_project: its files as Orchest writes them) opens
and runs unchanged: on the host, in containers once its base image is aliased to a local one (the
default alias), and as a job with its ``main.parameters.json``."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest


FIXTURE = Path(__file__).parent / "fixtures" / "orchest_project"
STEPS = {"Fetch data": "0c7e3e1f-6a3b-4f3e-9d77-0f5a7c2b8e01", "Clean": "5e0d9b44-2f1c-4a8e-b7a3-8c1d2e3f4a02"}


@pytest.fixture
def project(tmp_path) -> Path:
    target = tmp_path / "orchest_project"
    shutil.copytree(FIXTURE, target)
    return target


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "orchest_jlab", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=600)


def unchanged_files(project: Path) -> dict[str, bytes]:
    """The user's files that a run must not touch (notebooks are executed in place: left out)."""
    return {p.relative_to(project).as_posix(): p.read_bytes() for p in project.rglob("*")
            if p.is_file() and p.suffix != ".ipynb" and "runs" not in p.parts and "pipelines" not in p.parts
            and "builds" not in p.parts and not p.name.startswith("orchest-jlab.sqlite") and p.name != "report.json"
            and p.relative_to(project).as_posix() != ".orchest/.gitignore"}  # runtime patterns are added to it


@pytest.mark.parametrize("backend", ["local", "docker"])
def test_an_orchest_project_runs_unchanged(project, backend, request):
    if backend == "docker":
        request.getfixturevalue("needs_docker")
    before = unchanged_files(project)
    assert cli("validate", ".", cwd=project).stdout.strip().endswith("main.orchest: ok")

    done = cli("run", "main.orchest", "--json", "--backend", backend, cwd=project)
    assert done.returncode == 0, done.stdout + done.stderr
    record = json.loads(done.stdout)
    assert record["status"] == "SUCCESS" and record["backend"] == backend
    assert {s["title"]: s["state"] for s in record["steps"].values()} == {
        "Fetch data": "COMPUTED", "Clean": "COMPUTED", "Report": "COMPUTED"}
    # Step parameter rows=8, pipeline parameter threshold=10: y = x*x >= 10 keeps x = 4..7.
    assert json.loads((project / "report.json").read_text()) == {"rows": 4, "first": {"x": 4, "y": 16}}
    notebook = json.loads((project / "fetch_data.ipynb").read_text())
    assert notebook["metadata"]["kernelspec"]["name"] == "orchest-kernel-9d2b6d3e-8f53-4c43-9a9e-3f0c6a7e1b21"
    assert "fetched 8 rows" in "".join(notebook["cells"][0]["outputs"][0]["text"])
    assert unchanged_files(project) == before  # the pipeline, environments and scripts as Orchest wrote them
    gitignore = (project / ".orchest" / ".gitignore").read_text()
    assert gitignore.startswith((FIXTURE / ".orchest" / ".gitignore").read_text()) and "runs/" in gitignore


def test_an_orchest_projects_parameter_file_makes_its_job_grid(project):
    done = cli("job", "run", "main.orchest", "--json", "--backend", "local", cwd=project)
    assert done.returncode == 0, done.stdout + done.stderr
    job = json.loads(done.stdout)
    grid = sorted((r["parameters"]["pipeline_parameters"]["threshold"], r["parameters"][STEPS["Fetch data"]]["rows"])
                  for r in job["runs"])
    assert job["status"] == "SUCCESS" and grid == [(10, 8), (10, 12), (50, 8), (50, 12)]
