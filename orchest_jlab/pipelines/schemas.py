"""The JSON Schemas in ``schemas/``: the single source of truth for the file formats.

``conforms(name)`` is the fast yes/no of a schema (fastjsonschema compiles it to Python code);
``validator(name)`` is jsonschema's, which says what is wrong, at about 100x the cost of parsing the
document and with an import that takes longer than a whole command: ask it only when the answer is no.
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import json
import marshal
import os
import sys
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


def _cache_dir() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "orchest-jlab" / "validators"


def _compiled_check(name: str) -> Callable[[Any], None]:
    """fastjsonschema's check of ``name``. Generating and compiling its code costs more than a
    command's whole start, so the code object is kept in the user's cache (as ``__pycache__`` keeps
    modules), keyed by the schema, this Python and the fastjsonschema installed; a cache that cannot
    be read or written is only slower."""
    import importlib.util

    schema = load_schema(name)
    spec = importlib.util.find_spec("fastjsonschema")
    library = Path(spec.origin).stat() if spec and spec.origin else None
    key = hashlib.sha256(json.dumps([schema, sys.version, spec and spec.origin, library and library.st_mtime_ns,
                                     library and library.st_size], sort_keys=True).encode()).hexdigest()[:32]
    path = _cache_dir() / f"{name}-{key}.marshal"
    try:
        code = marshal.loads(path.read_bytes())
    except (OSError, ValueError, EOFError, TypeError):
        import fastjsonschema

        source = fastjsonschema.compile_to_code(copy.deepcopy(schema))  # it rewrites references in place
        code = compile(source, f"<fastjsonschema {name}>", "exec")
        with contextlib.suppress(OSError):
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
            tmp.write_bytes(marshal.dumps(code))
            os.replace(tmp, path)
    namespace: dict[str, Any] = {}
    exec(code, namespace)  # noqa: S102 - fastjsonschema's own generated code, as fastjsonschema.compile runs it
    return next(v for k, v in namespace.items() if k.startswith("validate_") and callable(v))  # the root's, first


@cache
def conforms(name: str) -> Callable[[Any], bool]:
    """Whether a value conforms to the schema ``name``: True or False, nothing about why."""
    check = _compiled_check(name)
    from fastjsonschema import JsonSchemaException  # imported by the check's code already

    def conforms_(value: Any) -> bool:
        try:
            check(value)
        except JsonSchemaException:
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
