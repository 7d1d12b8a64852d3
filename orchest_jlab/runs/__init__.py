"""Runs as users ask for them: ``request`` turns what was asked into a RunRequest for the engine,
``service`` is what the REST API calls, ``past`` is what a past run ran (read-only mode)."""

from .past import copy_run_pipeline, run_file, run_pipeline
from .request import find_steps, parse_parameters, prepare_run
from .service import RunService

__all__ = ["RunService", "copy_run_pipeline", "find_steps", "parse_parameters", "prepare_run", "run_file",
           "run_pipeline"]
