"""The engine's side of data passing: a step's previous output is cleared before it runs again.

The layout of outputs belongs to the step SDK (docs/step-sdk.md); its ``_layout`` module needs only
the standard library and is loaded here by path, so that the SDK package (named ``orchest``) never
enters the server's own imports.
"""

from __future__ import annotations

import importlib.util
from functools import cache
from pathlib import Path

from ..sdk import SDK_PATH


@cache
def _sdk_layout():
    spec = importlib.util.spec_from_file_location("orchest_jlab._sdk_layout", SDK_PATH / "orchest" / "_layout.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def clear(data_dir: Path, step_uuid: str) -> None:
    _sdk_layout().clear_output(data_dir, step_uuid)
