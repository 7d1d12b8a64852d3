"""A JSON Schema compiled into plain Python checks that answer one question fast: does a value
conform?

jsonschema says *why* a value does not conform, at about 100x the cost of parsing it, and importing
it (format checkers, 38 IRI grammars) takes longer than a whole command. Nearly every document is
valid and needs only the yes; ``validation.py`` asks jsonschema for the reasons only on a no.

Only the keywords our schemas use are compiled, with jsonschema's meaning (draft 2020-12): an
unknown keyword raises ``Unsupported`` when the schema is compiled, never is silently ignored.
``tests/test_conformance.py`` compares the answers with jsonschema's on random documents.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

Check = Callable[[Any], bool]

# Keywords that say nothing about validity.
ANNOTATIONS = frozenset({"$schema", "$id", "$defs", "$comment", "title", "description", "default", "examples",
                         "deprecated", "readOnly", "writeOnly"})
_OBJECT = frozenset({"required", "properties", "additionalProperties", "propertyNames"})
KEYWORDS = _OBJECT | {"$ref", "type", "const", "enum", "pattern", "minLength", "minimum", "items", "minItems",
                      "maxItems"}


def _every(checks: list[Check]) -> Check:
    """One check that passes when each of ``checks`` does, in order (the first one that fails ends it)."""
    if not checks:
        return lambda _: True
    if len(checks) == 1:
        return checks[0]
    if len(checks) == 2:
        first, second = checks
        return lambda v: first(v) and second(v)

    def every(v: Any) -> bool:
        for check in checks:
            if not check(v):
                return False
        return True

    return every


class Unsupported(ValueError):
    """The schema uses a keyword this module does not compile."""


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


TYPES: dict[str, Check] = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
    "number": _is_number,
    "integer": lambda v: _is_number(v) and (isinstance(v, int) or v.is_integer()),
}


def json_equal(one: Any, two: Any) -> bool:
    """Equality as JSON Schema means it: 1 == 1.0, but true is not 1."""
    if isinstance(one, bool) or isinstance(two, bool):
        return type(one) is type(two) and one == two
    if isinstance(one, list) and isinstance(two, list):
        return len(one) == len(two) and all(map(json_equal, one, two))
    if isinstance(one, dict) and isinstance(two, dict):
        return one.keys() == two.keys() and all(json_equal(v, two[k]) for k, v in one.items())
    if isinstance(one, (list, dict)) or isinstance(two, (list, dict)):
        return False
    return one == two


def compile_schema(schema: dict | bool) -> Check:
    """A function telling whether a value conforms to ``schema``. Raises Unsupported."""
    return _Compiler(schema).compile(schema)


class _Compiler:
    def __init__(self, root: dict | bool):
        self.root = root
        self.refs: dict[str, Check] = {}
        self.compiling: set[str] = set()

    def compile(self, schema: dict | bool) -> Check:
        if schema is True:
            return lambda _: True
        if schema is False:
            return lambda _: False
        if not isinstance(schema, dict):
            raise Unsupported(f"a schema must be an object or a boolean, not {schema!r}")
        unknown = set(schema) - KEYWORDS - ANNOTATIONS
        if unknown:
            raise Unsupported(f"keywords not compiled: {', '.join(sorted(unknown))}")
        checks = [self._ref(schema["$ref"])] if "$ref" in schema else []
        if "type" in schema:
            names = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
            kinds = [TYPES[name] for name in names]
            checks.append(kinds[0] if len(kinds) == 1 else lambda v: any(kind(v) for kind in kinds))
        if "const" in schema:
            expected = schema["const"]
            checks.append(lambda v: json_equal(v, expected))
        if "enum" in schema:
            allowed = schema["enum"]
            checks.append(lambda v: any(json_equal(v, a) for a in allowed))
        checks += self._string(schema, typed=schema.get("type") == "string")
        checks += self._number(schema) + self._array(schema)
        if _OBJECT & schema.keys():
            checks.append(self._object(schema))
        return _every(checks)

    def _ref(self, ref: str) -> Check:
        if ref in self.refs:
            return self.refs[ref]
        if ref in self.compiling:  # a recursive schema: looked up when called, once compiled
            return lambda v: self.refs[ref](v)
        self.compiling.add(ref)
        self.refs[ref] = self.compile(self._resolve(ref))
        self.compiling.discard(ref)
        return self.refs[ref]

    def _resolve(self, ref: str) -> Any:
        if not ref.startswith("#"):
            raise Unsupported(f"only references inside the schema are compiled, not {ref!r}")
        target = self.root
        for token in filter(None, ref[1:].split("/")):
            token = token.replace("~1", "/").replace("~0", "~")
            target = target[int(token)] if isinstance(target, list) else target[token]
        return target

    @staticmethod
    def _string(schema: dict, typed: bool) -> list[Check]:
        """``typed``: the type check before these already said the value is a string."""
        checks = []
        if "pattern" in schema:
            search = re.compile(schema["pattern"]).search
            checks.append((lambda v: search(v) is not None) if typed else
                          (lambda v: not isinstance(v, str) or search(v) is not None))
        if "minLength" in schema:
            least = schema["minLength"]
            checks.append((lambda v: len(v) >= least) if typed else
                          (lambda v: not isinstance(v, str) or len(v) >= least))
        return checks

    @staticmethod
    def _number(schema: dict) -> list[Check]:
        if "minimum" not in schema:
            return []
        least = schema["minimum"]
        return [lambda v: not _is_number(v) or v >= least]

    def _array(self, schema: dict) -> list[Check]:
        checks = []
        if "items" in schema:
            item = self.compile(schema["items"])
            checks.append(lambda v: not isinstance(v, list) or all(map(item, v)))
        least, most = schema.get("minItems", 0), schema.get("maxItems")
        if least or most is not None:
            checks.append(lambda v: not isinstance(v, list) or (least <= len(v) and (most is None or len(v) <= most)))
        return checks

    def _object(self, schema: dict) -> Check:
        required = frozenset(schema.get("required", ()))
        properties = {k: self.compile(s) for k, s in schema.get("properties", {}).items()}
        additional = self.compile(schema["additionalProperties"]) if "additionalProperties" in schema else None
        names = self.compile(schema["propertyNames"]) if "propertyNames" in schema else None

        if additional is None and names is None:
            listed = tuple(properties.items())

            def check(v: Any) -> bool:
                if not isinstance(v, dict):
                    return True
                if required and not required <= v.keys():
                    return False
                for key, sub in listed:
                    if key in v and not sub(v[key]):
                        return False
                return True

            return check

        def check_every_key(v: Any) -> bool:
            if not isinstance(v, dict):
                return True
            if required and not required <= v.keys():
                return False
            for key, value in v.items():
                sub = properties.get(key, additional)
                if (sub is not None and not sub(value)) or (names is not None and not names(key)):
                    return False
            return True

        return check_every_key
