"""Text a database can hold: JSON lets a file or a request carry lone surrogates ("\\ud800"), which
UTF-8 cannot encode; what is stored has U+FFFD in their place instead of failing the write."""

from __future__ import annotations

import re
from typing import Any

SURROGATES = re.compile("[\ud800-\udfff]")


def storable(value: Any) -> Any:
    """``value`` with every string (keys included, in dicts and lists) encodable as UTF-8."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
            return value
        except UnicodeEncodeError:
            return SURROGATES.sub("\ufffd", value)
    if isinstance(value, dict):
        return {storable(k): storable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [storable(v) for v in value]
    return value
