"""The JSON Schemas in ``schemas/``: the single source of truth for the file formats."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from jsonschema import Draft202012Validator

_PACKAGE = Path(__file__).resolve().parents[1]
# Wheels carry the schemas inside the package; a source checkout keeps them at the repository root.
_SCHEMA_DIRS = (_PACKAGE / "schemas", _PACKAGE.parent / "schemas")


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
def validator(name: str) -> Draft202012Validator:
    schema = load_schema(name)
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)
