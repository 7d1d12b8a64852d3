"""Text a database can hold: JSON lets a file or a request carry lone surrogates ("\\ud800"), which
UTF-8 cannot encode; what is stored has U+FFFD in their place instead of failing the write."""

from __future__ import annotations

import json
import re
from typing import Any

SURROGATES = re.compile("[\ud800-\udfff]")


def storable(value: Any) -> Any:
    """``value`` with every string (keys included, in dicts and lists) encodable as UTF-8."""
    try:  # the usual case, checked in C (json's encoder): nothing to replace, the value itself
        json.dumps(value, ensure_ascii=False).encode("utf-8")
        return value
    except (UnicodeEncodeError, TypeError, ValueError, RecursionError):
        return _replaced(value)


def _replaced(value: Any) -> Any:
    if isinstance(value, str):
        try:
            value.encode("utf-8")
            return value
        except UnicodeEncodeError:
            return SURROGATES.sub("\ufffd", value)
    if isinstance(value, dict):
        return {_replaced(k): _replaced(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_replaced(v) for v in value]
    return value
