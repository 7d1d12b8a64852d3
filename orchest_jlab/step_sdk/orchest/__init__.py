"""The Orchest step SDK of orchest-jlab: pass data between pipeline steps and read parameters.

Importable as ``orchest`` inside pipeline steps and their kernels (the runner puts the folder that
holds this package on the step's ``PYTHONPATH``). Compatible with Orchest's SDK::

    import orchest

    data = orchest.get_inputs()          # {"unnamed": [...], "<name>": value, ...}
    alpha = orchest.get_step_param("alpha", default=0.1)
    orchest.output(result, name="result")

Standard library only; NumPy, pandas and pyarrow are used when the data is of their kind.
See ``docs/step-sdk.md``.
"""

from . import error, parameters, pipeline, transfer, utils
from .config import Config
from .parameters import (
    get_params,
    get_pipeline_param,
    get_step_param,
    update_params,
    update_pipeline_param,
    update_step_param,
)
from .transfer import Serialization, get_inputs, output, output_to_disk, output_to_memory

__version__ = "0.1.0"

__all__ = [
    "Config",
    "Serialization",
    "error",
    "get_inputs",
    "get_params",
    "get_pipeline_param",
    "get_step_param",
    "output",
    "output_to_disk",
    "output_to_memory",
    "parameters",
    "pipeline",
    "transfer",
    "update_params",
    "update_pipeline_param",
    "update_step_param",
    "utils",
]
