"""``orchest.Config``: where the SDK is working, as class attributes like Orchest's.

The location attributes (``PROJECT_DIR``, ``PIPELINE_DEFINITION_PATH``, ``PIPELINE_UUID``,
``STEP_UUID``, ``RUN_UUID``, ``DATA_DIR``, ``STEP_DATA_DIR``) are worked out when read, from the environment (see
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
    def STEP_DATA_DIR(cls):
        # Orchest's template: a folder per step under the data-passing folder (outputs themselves
        # are the files "<step uuid>.*" beside it here).
        data_dir = cls.DATA_DIR
        return None if data_dir is None else os.path.join(data_dir, "{step_uuid}")

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

    # Orchest's separator of output metadata: output names may not contain it, as in Orchest.
    __METADATA_SEPARATOR__ = "; "

    # A step calling output() more than once warns (only the last output is kept); set this to
    # True to silence the warning.
    silence_multiple_data_transfer_calls_warning: bool = False

    # True: get_step_param / get_pipeline_param raise ParameterNotFoundError for a missing
    # parameter without default; False: return None as Orchest does; None (default): the
    # ORCHEST_STRICT_PARAMETERS variable decides ("1" is strict).
    strict_parameters = None

    @classmethod
    def get_step_data_dir(cls, step_uuid: str):
        """Orchest's folder of a step's data (``STEP_DATA_DIR`` for ``step_uuid``); not created."""
        template = cls.STEP_DATA_DIR
        if template is None:
            raise error.StepUUIDResolveError(
                "Cannot tell the data folder: this code is not running as a pipeline step."
            )
        return template.format(step_uuid=step_uuid)
