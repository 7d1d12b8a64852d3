"""``orchest.Config``: where the SDK is working, as class attributes like Orchest's.

The location attributes (``PROJECT_DIR``, ``PIPELINE_DEFINITION_PATH``, ``PIPELINE_UUID``,
``STEP_UUID``, ``RUN_UUID``, ``DATA_DIR``) are worked out when read, from the environment (see
``docs/step-sdk.md``); they are ``None`` where the running code is not a pipeline step.
"""

from __future__ import annotations

import os

from . import _context, error


def _context_attr(name: str):
    def get(cls):
        try:
            ctx = _context.current()
        except error.Error:
            return None
        return ctx.data_dir if name == "data_dir" else getattr(ctx, name)

    return property(get)


class _ConfigType(type):
    PROJECT_DIR = _context_attr("project_dir")
    PIPELINE_DEFINITION_PATH = _context_attr("pipeline_path")
    PIPELINE_UUID = _context_attr("pipeline_uuid")
    STEP_UUID = _context_attr("step_uuid")
    RUN_UUID = _context_attr("run_uuid")
    DATA_DIR = _context_attr("data_dir")

    @property
    def PROJECT_UUID(cls):
        return os.environ.get("ORCHEST_PROJECT_UUID")

    @property
    def SESSION_UUID(cls):
        return os.environ.get("ORCHEST_SESSION_UUID")

    @property
    def SESSION_TYPE(cls):
        value = os.environ.get("ORCHEST_SESSION_TYPE")
        if value:
            return value
        return "noninteractive" if os.environ.get("ORCHEST_STEP_UUID") else "interactive"


class Config(metaclass=_ConfigType):
    """Configuration of the SDK (Orchest's names)."""

    # Reserved key of the list of unnamed outputs in the dictionary ``get_inputs()`` returns.
    _RESERVED_UNNAMED_OUTPUTS_STR = "unnamed"

    # Kept for compatibility with Orchest's Config; names may contain it here.
    __METADATA_SEPARATOR__ = "; "

    # A step calling output() more than once warns (only the last output is kept); set this to
    # True to silence the warning.
    silence_multiple_data_transfer_calls_warning: bool = False
