"""The JSON Schemas in ``schemas/``: the single source of truth for the file formats.

``conforms(name)`` is the fast yes/no of a schema (fastjsonschema compiles it to Python code);
``validator(name)`` is jsonschema's, which says what is wrong, at about 100x the cost of parsing the
document and with an import that takes longer than a whole command: ask it only when the answer is no.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator

_PACKAGE = Path(__file__).resolve().parents[1]
# Wheels carry the schemas inside the package; a source checkout keeps them at the repository root.
_SCHEMA_DIRS = (_PACKAGE / "schemas", _PACKAGE.parent / "schemas")
SCHEMA_NAMES = ("pipeline", "environment")


def schema_path(name: str) -> Path:
    for folder in _SCHEMA_DIRS:
        path = folder / f"{name}.schema.json"
        if path.is_file():
            return path
    raise FileNotFoundError(f"schema {name!r} not found in {', '.join(map(str, _SCHEMA_DIRS))}")


@cache
def load_schema(name: str) -> dict:
    return json.loads(schema_path(name).read_text(encoding="utf-8"))


@cache
def conforms(name: str) -> Callable[[Any], bool]:
    """Whether a value conforms to the schema ``name``: True or False, nothing about why."""
    import fastjsonschema

    check = fastjsonschema.compile(copy.deepcopy(load_schema(name)))  # it rewrites references in place

    def conforms_(value: Any) -> bool:
        try:
            check(value)
        except fastjsonschema.JsonSchemaException:
            return False
        return True

    return conforms_


@cache
def validator(name: str) -> Draft202012Validator:
    """jsonschema's validator of ``name``, for the errors of a value that does not conform (importing
    jsonschema takes longer than validating thousands of documents with ``conforms``)."""
    from jsonschema import Draft202012Validator

    schema = load_schema(name)
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)
