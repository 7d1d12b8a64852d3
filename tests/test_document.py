"""Loading and saving .orchest files: byte-identical round trips, atomic writes, parse errors."""

import json
import os

import pytest

from orchest_jlab.pipelines import PipelineFileError, read_pipeline, save_pipeline, write_pipeline
from orchest_jlab.pipelines.document import parse


def round_trip(path):
    before = path.read_bytes()
    save_pipeline(read_pipeline(path))
    return before, path.read_bytes()


def test_example_round_trip_is_byte_identical(example_project):
    before, after = round_trip(example_project / "quickstart.orchest")
    assert before == after


def test_round_trip_keeps_unknown_fields_and_non_ascii_text(project):
    path, data = project.chain()
    data["x_custom"] = {"nested": [1, 2.5, None, True], "ünïcode": "温度"}
    first = next(iter(data["steps"].values()))
    first["meta_data"]["color"] = "#ff0000"
    first["title"] = "Données"
    path.write_text(json.dumps(data, indent=4, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")
    before, after = round_trip(path)
    assert before == after
    assert "温度" in after.decode()


def test_round_trip_of_an_escaped_orchest_file_stays_escaped(project):
    path, data = project.chain()
    next(iter(data["steps"].values()))["title"] = "Données"
    path.write_text(json.dumps(data, indent=4, sort_keys=True) + "\n")  # Orchest escapes non-ASCII
    before, after = round_trip(path)
    assert before == after and b"\\u00e9" in after


def test_save_normalizes_key_order_and_indent(tmp_path):
    path = tmp_path / "p.orchest"
    path.write_text('{"version": "1.0.0", "name": "x",\n  "steps": {}}')
    save_pipeline(read_pipeline(path))
    assert path.read_text() == '{\n    "name": "x",\n    "steps": {},\n    "version": "1.0.0"\n}\n'


def test_a_failed_write_leaves_the_old_file_and_no_temp_file(tmp_path):
    path = tmp_path / "p.orchest"
    path.write_text('{"name": "old"}\n')
    with pytest.raises(TypeError):
        write_pipeline(path, {"name": object()})  # not serializable: fails half way
    assert path.read_text() == '{"name": "old"}\n'
    assert os.listdir(tmp_path) == ["p.orchest"]


def test_write_keeps_the_file_mode(tmp_path):
    path = tmp_path / "p.orchest"
    path.write_text("{}")
    path.chmod(0o640)
    write_pipeline(path, {"name": "x"})
    assert path.stat().st_mode & 0o777 == 0o640


@pytest.mark.parametrize(
    "text, message",
    [
        ('{"name": "x",}', "not valid JSON: Expecting property name enclosed in double quotes at line 1, column 14"),
        ("[1, 2]", "must be a JSON object, not an array"),
        ("", "not valid JSON"),
    ],
)
def test_unparsable_files_raise_with_the_reason(tmp_path, text, message):
    path = tmp_path / "p.orchest"
    path.write_text(text)
    with pytest.raises(PipelineFileError) as info:
        read_pipeline(path)
    assert message in info.value.problem.message


def test_non_utf8_file_is_reported(tmp_path):
    path = tmp_path / "p.orchest"
    path.write_bytes(b'{"name": "\xff"}')
    with pytest.raises(PipelineFileError, match="not UTF-8"):
        read_pipeline(path)


def test_duplicate_keys_are_reported_with_their_pointer():
    text = '{"steps": {"a": {"title": "1"}, "a": {"title": "2"}}, "name": "x", "meta": {"k": 1, "k": 2}}'
    value, problems = parse(text)
    assert value["steps"]["a"]["title"] == "2"
    assert {(p.pointer, "twice" in p.message) for p in problems} == {("/steps/a", True), ("/meta/k", True)}
    assert "only the last step would be kept" in next(p for p in problems if p.pointer == "/steps/a").message

