"""The compiled schema check (pipelines/conformance.py) answers as jsonschema does, and validation
asks jsonschema only for documents that do not conform."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from orchest_jlab.pipelines.conformance import Unsupported, compile_schema
from orchest_jlab.pipelines.schemas import SCHEMA_NAMES, conforms, load_schema

from .test_fuzz import json_values, mutated_pipelines

ENVIRONMENT = {"uuid": "0c7f5a2e-4d6b-4a55-9a3c-2f9e7b1d8c01", "name": "Python", "language": "python",
               "base_image": "orchest/base-kernel-py", "gpu_support": False}

environments = st.fixed_dictionaries({}, optional={
    "uuid": st.sampled_from([ENVIRONMENT["uuid"], "X", ENVIRONMENT["uuid"].upper()]) | json_values,
    "name": st.sampled_from(["", "py"]) | json_values,
    "language": st.sampled_from(["python", "r", "julia", "javascript", "go"]) | json_values,
    "base_image": st.sampled_from(["", "img"]) | json_values,
    "gpu_support": st.booleans() | json_values,
    "setup_script": json_values,
})


def jsonschema_says(name: str, value) -> bool:
    return Draft202012Validator(load_schema(name)).is_valid(value)


@pytest.mark.parametrize("name", SCHEMA_NAMES)
def test_every_schema_compiles(name):
    compile_schema(load_schema(name))


@settings(max_examples=400, deadline=None)
@given(mutated_pipelines())
def test_same_answer_as_jsonschema_on_mutated_pipelines(document):
    assert conforms("pipeline")(document) == jsonschema_says("pipeline", document)


@settings(max_examples=200, deadline=None)
@given(json_values)
def test_same_answer_as_jsonschema_on_random_json(value):
    for name in SCHEMA_NAMES:
        assert conforms(name)(value) == jsonschema_says(name, value)


@settings(max_examples=300, deadline=None)
@given(environments)
def test_same_answer_as_jsonschema_on_environments(properties):
    assert conforms("environment")(properties) == jsonschema_says("environment", properties)


@pytest.mark.parametrize(("schema", "good", "bad"), [
    ({"type": "integer"}, [1, 1.0, -3], [1.5, True, "1", None]),
    ({"type": "number", "minimum": 0}, [0, 2.5], [-1, False]),
    ({"const": 1}, [1, 1.0], [True, "1"]),
    ({"enum": [[1, True], {"a": 0}]}, [[1.0, True], {"a": 0.0}], [[1, 1], {"a": False}, [1]]),
    ({"type": "string", "pattern": "^a"}, ["ab"], ["ba", 3]),
    ({"pattern": "^a"}, ["ab", 3, None], ["ba"]),
    ({"type": "array", "items": {"type": "string"}, "minItems": 1, "maxItems": 2}, [["a"], ["a", "b"]], [[], [1], ["a"] * 3]),
    ({"properties": {"a": {"type": "string"}}, "required": ["a"]}, [{"a": "x"}, [], "s"], [{}, {"a": 1}]),
    ({"additionalProperties": {"type": "integer"}, "propertyNames": {"pattern": "^[a-z]+$"}}, [{"ab": 1}], [{"ab": "1"}, {"A": 1}]),
    ({"$defs": {"n": {"type": "null"}}, "$ref": "#/$defs/n"}, [None], [0]),
    ({"$defs": {"tree": {"type": "array", "items": {"$ref": "#/$defs/tree"}}}, "$ref": "#/$defs/tree"}, [[[], [[]]]], [[1]]),
])
def test_keywords_mean_what_jsonschema_says(schema, good, bad):
    check = compile_schema(schema)
    validator = Draft202012Validator(schema)
    for value in good:
        assert check(value) and validator.is_valid(value), value
    for value in bad:
        assert not check(value) and not validator.is_valid(value), value


@pytest.mark.parametrize("schema", [{"format": "uri"}, {"oneOf": [{}]}, {"$ref": "other.json#/x"}, {"items": [{}]}])
def test_a_keyword_it_does_not_compile_is_refused_not_ignored(schema):
    with pytest.raises(Unsupported):
        compile_schema(schema)


def test_a_valid_pipeline_never_imports_jsonschema(tmp_path):
    """Importing jsonschema costs more than a command's whole start (format checkers, IRI grammars)."""
    from .conftest import EXAMPLES

    code = ("import sys, json; from orchest_jlab.pipelines import check_pipeline_file; "
            f"_, report = check_pipeline_file({str(EXAMPLES / 'quickstart.orchest')!r}); "
            "print(json.dumps([report.valid, 'jsonschema' in sys.modules]))")
    valid, imported = json.loads(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                                check=True).stdout)
    assert valid and not imported
