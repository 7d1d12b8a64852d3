"""The compiled schema check (fastjsonschema, ``schemas.conforms``) answers as jsonschema does on our
schemas, and validation asks jsonschema only for documents that do not conform."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

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
def test_every_schema_compiles_and_stays_as_written(name):
    before = json.dumps(load_schema(name))
    assert conforms(name)(None) is False
    assert json.dumps(load_schema(name)) == before  # the compiler never rewrites the shared schema


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


def test_a_valid_pipeline_never_imports_jsonschema(tmp_path):
    """Importing jsonschema costs more than a command's whole start (format checkers, IRI grammars)."""
    from .conftest import EXAMPLES

    code = ("import sys, json; from orchest_jlab.pipelines import check_pipeline_file; "
            f"_, report = check_pipeline_file({str(EXAMPLES / 'quickstart.orchest')!r}); "
            "print(json.dumps([report.valid, 'jsonschema' in sys.modules]))")
    valid, imported = json.loads(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                                check=True).stdout)
    assert valid and not imported
