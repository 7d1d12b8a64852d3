"""The JSON Schemas in ``schemas/``: the single source of truth for the file formats.

``conforms(name)`` is the fast yes/no of a schema (fastjsonschema compiles it to Python code);
``validator(name)`` is jsonschema's, which says what is wrong, at about 100x the cost of parsing the
document and with an import that takes longer than a whole command: ask it only when the answer is no.

Loading the compiled check costs a command about 5 ms of CPU (fastjsonschema's modules, decimal,
the schema's patterns), more than checking a 60-step pipeline. ``conforming(name, value)`` asks it
only for a value that did not conform already: a process that has not loaded the check looks for
the value's digest (with the check's key) in the user's cache, where a yes is kept.
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


@cache
def _check_key(name: str) -> str:
    """What the check of ``name`` depends on: the schema, this Python and the fastjsonschema installed."""
    import importlib.util

    spec = importlib.util.find_spec("fastjsonschema")
    library = Path(spec.origin).stat() if spec and spec.origin else None
    return hashlib.sha256(json.dumps([load_schema(name), sys.version, spec and spec.origin,
                                      library and library.st_mtime_ns, library and library.st_size],
                                     sort_keys=True).encode()).hexdigest()[:32]


def _compiled_check(name: str) -> Callable[[Any], None]:
    """fastjsonschema's check of ``name``. Generating and compiling its code costs more than a
    command's whole start, so the code object is kept in the user's cache (as ``__pycache__`` keeps
    modules), keyed by the schema, this Python and the fastjsonschema installed; a cache that cannot
    be read or written is only slower."""
    schema = load_schema(name)
    path = _cache_dir() / f"{name}-{_check_key(name)}.marshal"
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


_loaded: set[str] = set()  # the schemas whose check this process has loaded


@cache
def conforms(name: str) -> Callable[[Any], bool]:
    """Whether a value conforms to the schema ``name``: True or False, nothing about why."""
    check = _compiled_check(name)
    _loaded.add(name)
    from fastjsonschema import JsonSchemaException  # imported by the check's code already

    def conforms_(value: Any) -> bool:
        try:
            check(value)
        except JsonSchemaException:
            return False
        return True

    return conforms_


# Digests of values known to conform, kept at most this many (the oldest go first).
KEPT_CONFORMING = 512


def conforming(name: str, value: Any) -> bool:
    """``conforms(name)(value)``, without loading the check for a value that conformed before, in
    this process or, while the check is not loaded here, in another (``KEPT_CONFORMING``)."""
    if name in _loaded:  # checking here costs less than a digest
        return conforms(name)(value)
    try:
        digest = hashlib.sha256(f"{_check_key(name)}\n".encode() + json.dumps(
            value, sort_keys=True, ensure_ascii=False, allow_nan=False).encode("utf-8", "surrogatepass")).hexdigest()
    except (TypeError, ValueError):  # not JSON: the check says
        return conforms(name)(value)
    folder = _cache_dir().parent / "conforming"
    marker = folder / f"{name}-{digest[:40]}"
    if marker.exists():
        return True
    if not conforms(name)(value):
        return False
    with contextlib.suppress(OSError):  # a cache that cannot be written is only slower
        folder.mkdir(parents=True, exist_ok=True)
        marker.touch()
        kept = sorted(folder.iterdir(), key=lambda p: p.stat().st_mtime_ns)
        for old in kept[:max(0, len(kept) - KEPT_CONFORMING)]:
            old.unlink(missing_ok=True)
    return True


@cache
def validator(name: str) -> Draft202012Validator:
    """jsonschema's validator of ``name``, for the errors of a value that does not conform (importing
    jsonschema takes longer than validating thousands of documents with ``conforms``)."""
    from jsonschema import Draft202012Validator

    schema = load_schema(name)
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)
