"""Each validation rule, with a broken file, reported with a pointer, the step's title and a sentence."""

import json
import os

import pytest

from orchest_jlab.pipelines import check_pipeline_file, find_project_root, validate_pipeline

from .conftest import EXAMPLES, new_uuid


def problems_of(report):
    return {(p.pointer, p.severity): p for p in report.problems}


def only_problem(report):
    assert len(report.problems) == 1, [p.describe() for p in report.problems]
    return report.problems[0]


def check(path):
    _, report = check_pipeline_file(path)
    return report


def first_step(data):
    return next(iter(data["steps"].values()))


def test_a_valid_pipeline_has_no_problems(project):
    path, _ = project.chain()
    report = check(path)
    assert report.valid and report.problems == []


def test_the_example_pipeline_is_valid(example_project):
    assert check(example_project / "quickstart.orchest").problems == []


@pytest.mark.parametrize(
    "mutate, pointer, words",
    [
        (lambda d: d.pop("name"), "", 'required field "name" is missing'),
        (lambda d: d.update(version="2.0.0"), "/version", 'Should be "1.0.0", not "2.0.0"'),
        (lambda d: d.update(uuid="not-a-uuid"), "/uuid", "lower-case UUID"),
        (lambda d: d["settings"].update(max_steps_parallelism=-1), "/settings/max_steps_parallelism", "at least 0"),
        (lambda d: d["settings"].update(max_steps_parallelism=1.5), "/settings/max_steps_parallelism", "a whole number"),
        (lambda d: d["settings"].update(data_passing_memory_size="lots"), "/settings/data_passing_memory_size", '"1GB"'),
        (lambda d: d["settings"].update(auto_eviction="yes"), "/settings/auto_eviction", "true or false"),
        (lambda d: d.update(parameters=[1]), "/parameters", "Should be an object, not an array"),
    ],
)
def test_schema_errors_on_the_pipeline(project, mutate, pointer, words):
    path, data = project.chain()
    mutate(data)
    report = validate_pipeline(data, path)
    problem = only_problem(report)
    assert (problem.pointer, problem.severity) == (pointer, "error")
    assert words in problem.message
    assert problem.message.endswith(".")


@pytest.mark.parametrize(
    "mutate, field, words",
    [
        (lambda s: s.pop("kernel"), "", 'required field "kernel" is missing'),
        (lambda s: s.update(title=3), "/title", "Should be a string, not a number (3)"),
        (lambda s: s.update(incoming_connections="abc"), "/incoming_connections", "Should be a list"),
        (lambda s: s["meta_data"].update(position=[1]), "/meta_data/position", "exactly 2 items"),
        (lambda s: s.update(kernel={"name": "python"}), "/kernel", '"display_name" is missing'),
    ],
)
def test_schema_errors_on_a_step_name_the_step(project, mutate, field, words):
    path, data = project.chain(titles=("Load",))
    step = first_step(data)
    mutate(step)
    problem = only_problem(validate_pipeline(data, path))
    assert problem.pointer == f"/steps/{step['uuid']}{field}"
    # A step whose title is broken is named by its uuid.
    assert problem.step_title == ("Load" if step["title"] == "Load" else step["uuid"])
    assert problem.step_uuid == step["uuid"]
    assert words in problem.message


def test_a_step_key_that_is_not_a_uuid(project):
    path, data = project.chain(titles=("Load",))
    step = data["steps"].pop(first_step(data)["uuid"])
    data["steps"]["load"] = step
    pointers = {p.pointer: p.message for p in validate_pipeline(data, path).problems}
    assert '"load" is not valid here' in pointers["/steps/load"]
    assert "differs from its key" in pointers["/steps/load/uuid"]


def test_connection_to_a_missing_step(project):
    path, data = project.chain(titles=("A", "B"))
    b = list(data["steps"].values())[1]
    ghost = new_uuid()
    b["incoming_connections"].append(ghost)
    problem = only_problem(validate_pipeline(data, path))
    assert problem.pointer == f"/steps/{b['uuid']}/incoming_connections/1"
    assert problem.step_title == "B"
    assert f'connection from step "{ghost}", which does not exist' in problem.message


def test_connection_listed_twice(project):
    path, data = project.chain(titles=("A", "B"))
    a, b = data["steps"].values()
    b["incoming_connections"].append(a["uuid"])
    problem = only_problem(validate_pipeline(data, path))
    assert problem.pointer == f"/steps/{b['uuid']}/incoming_connections/1"
    assert 'connection from "A" is listed twice' in problem.message


def test_mismatched_uuid(project):
    path, data = project.chain(titles=("A",))
    step = first_step(data)
    key, step["uuid"] = step["uuid"], new_uuid()
    problem = only_problem(validate_pipeline(data, path))
    assert problem.pointer == f"/steps/{key}/uuid" and "differs from its key" in problem.message


def test_duplicate_step_uuid_in_the_file(project):
    path, data = project.chain(titles=("A",))
    step = first_step(data)
    text = path.read_text()
    body = json.dumps(step, indent=4)
    path.write_text(text.replace('"steps": {', f'"steps": {{\n"{step["uuid"]}": {body},', 1))
    problem = only_problem(check(path))
    assert problem.pointer == f"/steps/{step['uuid']}"
    assert "used twice" in problem.message


def test_cycle_is_named_in_order(project):
    path, data = project.chain(titles=("Load", "Clean", "Train", "Report"))
    load, clean, train, report = data["steps"].values()
    load["incoming_connections"] = [train["uuid"]]  # Load → Clean → Train → Load
    problem = only_problem(validate_pipeline(data, path))
    assert "form a cycle" in problem.message
    cycle = problem.message.split(": ", 1)[1].split(". ")[0]
    rotations = {
        " → ".join(f'"{t}"' for t in names + names[:1])
        for names in (["Load", "Clean", "Train"], ["Clean", "Train", "Load"], ["Train", "Load", "Clean"])
    }
    assert cycle in rotations
    # The pointer is the connection that closes the cycle, in the step named first.
    first = cycle.split(" → ")[0].strip('"')
    assert problem.step_title == first
    assert problem.pointer.startswith(f"/steps/{problem.step_uuid}/incoming_connections/")


def test_a_step_connected_to_itself(project):
    path, data = project.chain(titles=("A",))
    step = first_step(data)
    step["incoming_connections"] = [step["uuid"]]
    problem = only_problem(validate_pipeline(data, path))
    assert '"A" → "A"' in problem.message


def test_absolute_file_path(project):
    path, data = project.chain(titles=("A",))
    first_step(data)["file_path"] = str(project.root / "a.py")
    problem = only_problem(validate_pipeline(data, path))
    assert problem.pointer.endswith("/file_path") and "is an absolute path" in problem.message


def test_file_path_escaping_with_dotdot(project):
    path, data = project.chain(titles=("A",))
    (project.root.parent / "outside.py").write_text("")
    first_step(data)["file_path"] = "../outside.py"
    assert "leads outside the project folder" in only_problem(validate_pipeline(data, path)).message


def test_file_path_escaping_through_a_symlink(project, tmp_path):
    path, data = project.chain(titles=("A",))
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "secret.py").write_text("")
    os.symlink(outside, project.root / "link")
    first_step(data)["file_path"] = "link/secret.py"
    assert "symbolic link that leads outside" in only_problem(validate_pipeline(data, path)).message


def test_symlink_inside_the_project_is_fine(project):
    path, data = project.chain(titles=("A",))
    os.symlink(project.root / "a.py", project.root / "alias.py")
    first_step(data)["file_path"] = "alias.py"
    assert validate_pipeline(data, path).problems == []


def test_missing_file(project):
    path, data = project.chain(titles=("A",))
    first_step(data)["file_path"] = "nope.ipynb"
    problem = only_problem(validate_pipeline(data, path))
    assert problem.message == 'The file "nope.ipynb" does not exist.' and problem.step_title == "A"


def test_folder_instead_of_file(project):
    path, data = project.chain(titles=("A",))
    (project.root / "data.py").mkdir()
    first_step(data)["file_path"] = "data.py"
    assert "is a folder" in only_problem(validate_pipeline(data, path)).message


@pytest.mark.parametrize("name", ["notes.txt", "Makefile", "model.pkl"])
def test_file_kind_that_cannot_run(project, name):
    path, data = project.chain(titles=("A",))
    project.file(name)
    first_step(data)["file_path"] = name
    assert "cannot run as a step" in only_problem(validate_pipeline(data, path)).message


@pytest.mark.parametrize("name", ["a.ipynb", "b.py", "c.sh", "d.R", "sub/e.py"])
def test_supported_file_kinds(project, name):
    path, data = project.chain(titles=("A",))
    project.file(name)
    first_step(data)["file_path"] = name
    assert validate_pipeline(data, path).problems == []


def test_file_path_is_relative_to_the_pipeline_file(project):
    project.file("pipelines/steps/a.py")
    env = project.environment()
    data = project.pipeline(project.step("A", "steps/a.py", env))
    path = project.write("pipelines/p.orchest", data)
    assert check(path).problems == []


def test_unknown_environment_is_an_error(project):
    path, data = project.chain(titles=("A",))
    first_step(data)["environment"] = missing = new_uuid()
    problem = only_problem(validate_pipeline(data, path))
    assert problem.severity == "error" and problem.pointer.endswith("/environment")
    assert f'Environment "{missing}" is not defined in this project (it has "Python 3")' in problem.message


def test_unknown_environment_is_a_warning_when_there_are_none(tmp_path):
    (tmp_path / "a.py").write_text("")
    from .conftest import ProjectBuilder

    data = ProjectBuilder.pipeline(ProjectBuilder.step("A", "a.py", new_uuid()))
    report = validate_pipeline(data, tmp_path / "p.orchest")
    problem = only_problem(report)
    assert problem.severity == "warning" and report.valid
    assert "no environments yet" in problem.message


def test_broken_environment_file_still_defines_its_uuid(project):
    path, data = project.chain(titles=("A",))
    env = first_step(data)["environment"]
    (project.root / ".orchest" / "environments" / env / "properties.json").write_text("{broken")
    assert validate_pipeline(data, path).problems == []


def test_without_a_path_only_the_content_is_checked(project):
    _, data = project.chain(titles=("A",))
    first_step(data)["file_path"] = "nope.py"
    first_step(data)["environment"] = new_uuid()
    assert validate_pipeline(data).problems == []


@pytest.mark.parametrize("value, kind", [([], "an array"), ("x", "a string"), (None, "null"), (3, "a number")])
def test_a_document_that_is_not_an_object(value, kind):
    assert only_problem(validate_pipeline(value)).message == f"A pipeline must be a JSON object, not {kind}."


def test_unreadable_file_reports_instead_of_raising(tmp_path):
    path = tmp_path / "p.orchest"
    path.write_text("{")
    document, report = check_pipeline_file(path)
    assert document is None and "not valid JSON" in only_problem(report).message


class TestProjectRoot:
    def test_nearest_folder_with_dot_orchest(self, tmp_path):
        (tmp_path / "proj" / ".orchest").mkdir(parents=True)
        (tmp_path / "proj" / "a" / "b").mkdir(parents=True)
        assert find_project_root(tmp_path / "proj" / "a" / "b" / "p.orchest") == tmp_path / "proj"

    def test_the_pipeline_folder_when_there_is_no_dot_orchest(self, tmp_path):
        (tmp_path / "a").mkdir()
        assert find_project_root(tmp_path / "a" / "p.orchest") == tmp_path / "a"

    def test_never_above_the_boundary(self, tmp_path):
        (tmp_path / ".orchest").mkdir()
        (tmp_path / "server" / "a").mkdir(parents=True)
        pipeline = tmp_path / "server" / "a" / "p.orchest"
        assert find_project_root(pipeline) == tmp_path
        assert find_project_root(pipeline, boundary=tmp_path / "server") == tmp_path / "server" / "a"

    def test_a_dot_orchest_file_is_not_a_project_marker(self, tmp_path):
        (tmp_path / ".orchest").write_text("")
        (tmp_path / "a").mkdir()
        assert find_project_root(tmp_path / "a" / "p.orchest") == tmp_path / "a"


def test_problems_come_in_the_order_of_the_file(project):
    path, data = project.chain(titles=("A", "B", "C"))
    for step in data["steps"].values():
        step["file_path"] = "gone.py"
    data["name"] = ""
    report = validate_pipeline(data, path)
    assert [p.step_title for p in report.problems] == [None, "A", "B", "C"]


def test_the_compiled_schema_check_is_kept_in_the_users_cache(tmp_path, monkeypatch):
    from orchest_jlab.pipelines import schemas

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    valid = json.loads((EXAMPLES / "quickstart.orchest").read_text())
    first = schemas._compiled_check("pipeline")
    [kept] = (tmp_path / "cache" / "orchest-jlab" / "validators").iterdir()
    again = schemas._compiled_check("pipeline")  # from the cache
    assert first(valid) == again(valid) and again is not first
    with pytest.raises(Exception, match="must contain"):
        again({})
    kept.write_bytes(b"not a code object")  # a damaged cache is compiled again, and replaced
    assert schemas._compiled_check("pipeline")(valid) == first(valid)
    assert kept.read_bytes() != b"not a code object"
    (tmp_path / "file").write_text("")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "file"))  # a cache that cannot be made: only slower
    assert schemas._compiled_check("pipeline")(valid) == first(valid)


def test_a_document_that_conformed_is_not_checked_again_by_a_process_without_the_check(tmp_path, monkeypatch):
    """schemas.conforming: a yes is kept in the user's cache (at most KEPT_CONFORMING of them); a no
    and a changed document are checked."""
    import subprocess
    import sys

    from orchest_jlab.pipelines import schemas

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    kept = tmp_path / "cache" / "orchest-jlab" / "conforming"
    valid = json.loads((EXAMPLES / "quickstart.orchest").read_text())
    script = ("import json, sys\nfrom orchest_jlab.pipelines.schemas import conforming\n"
              "print(conforming('pipeline', json.loads(sys.argv[1])), 'fastjsonschema' in sys.modules)\n")

    def in_a_new_process(document) -> list[str]:
        done = subprocess.run([sys.executable, "-c", script, json.dumps(document)], capture_output=True, text=True,
                              timeout=120)
        assert done.returncode == 0, done.stderr
        return done.stdout.split()

    assert in_a_new_process(valid) == ["True", "True"]  # checked, and kept
    assert in_a_new_process(valid) == ["True", "False"]  # known: the check is not even loaded
    invalid = {**valid, "name": ""}
    assert in_a_new_process(invalid) == ["False", "True"] and in_a_new_process(invalid) == ["False", "True"]
    assert in_a_new_process({**valid, "name": "renamed"}) == ["True", "True"]
    assert len(list(kept.iterdir())) == 2

    monkeypatch.setattr(schemas, "_loaded", set())  # as in a process that has not loaded the check
    monkeypatch.setattr(schemas, "KEPT_CONFORMING", 3)
    for i in range(5):
        assert schemas.conforming("pipeline", {**valid, "name": f"p{i}"})
        schemas._loaded.clear()
    assert len(list(kept.iterdir())) == 3
    assert schemas.conforming("pipeline", {**valid, "name": ""}) is False
