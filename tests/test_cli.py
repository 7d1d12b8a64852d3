"""The orchest-jlab command line, through click's runner and as the installed console script."""

import json
import shutil
import subprocess

import pytest
from click.testing import CliRunner

from orchest_jlab.cli import main


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_validate_ok(project):
    path, _ = project.chain()
    result = run("validate", path)
    assert result.exit_code == 0 and result.output == f"{path}: ok\n"


def test_validate_prints_one_line_per_problem_and_exits_1(project):
    path, data = project.chain(titles=("A", "B"))
    a, b = data["steps"].values()
    a["file_path"] = "missing.py"
    b["environment"] = "00000000-0000-4000-8000-000000000000"
    project.write("chain.orchest", data)
    result = run("validate", path)
    assert result.exit_code == 1
    # In the order of the steps in the file, which Orchest sorts by uuid.
    assert result.output.splitlines() == sorted([
        f'{path}: /steps/{a["uuid"]}/file_path: step "A": The file "missing.py" does not exist.',
        f'{path}: /steps/{b["uuid"]}/environment: step "B": Environment '
        '"00000000-0000-4000-8000-000000000000" is not defined in this project (it has "Python 3").',
    ])


def test_validate_warnings_do_not_fail(tmp_path):
    from .conftest import ProjectBuilder

    (tmp_path / "a.py").write_text("")
    data = ProjectBuilder.pipeline(ProjectBuilder.step("A", "a.py", "00000000-0000-4000-8000-000000000000"))
    path = tmp_path / "p.orchest"
    path.write_text(json.dumps(data))
    result = run("validate", path)
    assert result.exit_code == 0 and ": warning: " in result.output


def test_validate_several_paths_and_folders(project, tmp_path):
    good, _ = project.chain()
    broken = project.root / "sub" / "broken.orchest"
    broken.parent.mkdir()
    broken.write_text("{")
    result = run("validate", project.root)
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        f"{good}: ok",
        f"{broken}: /: The file is not valid JSON: Expecting property name enclosed in double quotes "
        "at line 1, column 2.",
    ]
    assert run("validate", good).exit_code == 0


def test_validate_a_missing_file(tmp_path):
    result = run("validate", tmp_path / "nope.orchest")
    assert result.exit_code == 1 and "cannot be read" in result.output


def test_list(project):
    project.chain(pipeline_name="a/first.orchest")
    (project.root / "b.orchest").write_text("[]")
    result = run("list", project.root)
    assert result.exit_code == 0
    assert result.output.splitlines() == [
        "a/first.orchest  test pipeline  (3 steps, ok)",
        "b.orchest        b  (0 steps, 1 error(s))",
    ]
    listed = json.loads(run("list", "--json", project.root).output)
    assert [p["path"] for p in listed["pipelines"]] == ["a/first.orchest", "b.orchest"]


def test_list_without_pipelines(tmp_path):
    result = run("list", tmp_path)
    assert result.exit_code == 0 and "no pipelines" in result.output


@pytest.mark.skipif(shutil.which("orchest-jlab") is None, reason="the package is not installed (pip install -e .)")
def test_console_script(example_project):
    done = subprocess.run(["orchest-jlab", "validate", example_project], capture_output=True, text=True)
    assert done.returncode == 0 and done.stdout == f"{example_project / 'quickstart.orchest'}: ok\n"
