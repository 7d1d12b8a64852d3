"""The pipeline core: a pure library (no server, no processes) for ``.orchest`` files.

Load, validate and save pipelines, walk their DAG, find them on disk, compute their parameters.
"""

from .dag import (
    RUN_TYPES,
    CycleError,
    ancestors,
    children_of,
    descendants,
    find_cycle,
    graph_of,
    induced_subgraph,
    resolve_run,
    topological_order,
)
from .discovery import DEFAULT_SKIP_DIRS, discover_pipelines
from .document import (
    PIPELINE_SUFFIX,
    PipelineDocument,
    PipelineFileError,
    dumps,
    pipeline_uuid,
    read_pipeline,
    save_pipeline,
    write_pipeline,
)
from .parameters import ParameterError, pipeline_parameters, step_parameters
from .policy import STEP_SETTINGS, StepPolicy, step_policy
from .problems import Problem, Report, json_pointer
from .project import (
    STEP_FILE_KINDS,
    Environment,
    StepPathError,
    find_project_root,
    list_environments,
    resolve_step_file,
)
from .validation import check_pipeline_file, validate_pipeline

__all__ = [
    "DEFAULT_SKIP_DIRS", "PIPELINE_SUFFIX", "RUN_TYPES", "STEP_FILE_KINDS",
    "CycleError", "Environment", "ParameterError", "PipelineDocument", "PipelineFileError", "Problem",
    "Report", "STEP_SETTINGS", "StepPathError", "StepPolicy",
    "ancestors", "check_pipeline_file", "children_of", "descendants", "discover_pipelines", "dumps",
    "find_cycle", "find_project_root", "graph_of", "induced_subgraph", "json_pointer",
    "list_environments", "pipeline_parameters", "pipeline_uuid", "read_pipeline", "resolve_run", "resolve_step_file",
    "save_pipeline", "step_parameters", "step_policy", "topological_order", "validate_pipeline", "write_pipeline",
]
