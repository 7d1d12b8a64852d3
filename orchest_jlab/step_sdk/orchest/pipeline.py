"""``orchest.pipeline``: a pipeline definition as objects, with the API of Orchest's SDK
(``Pipeline.from_json``, ``to_dict``, ``get_step_by_uuid``, ``get_params``; ``PipelineStep`` with
``properties``, ``parents``, ``children``, ``get_params``)."""

from __future__ import annotations

from typing import Any, Dict, List, Optional, TypedDict

from . import error

__all__ = ["Pipeline", "PipelineStep", "PipelineDefinition", "PipelineSettings", "PipelineStepProperties",
           "ServiceDefinition"]


# The pipeline file's parts as types, under Orchest's names: code annotated with them imports them.
class PipelineStepProperties(TypedDict, total=False):
    uuid: str
    title: str
    file_path: str
    environment: str
    incoming_connections: List[str]  # step uuids, in order
    parameters: Dict[str, Any]
    kernel: Dict[str, Any]  # {"name", "display_name"}
    meta_data: Dict[str, Any]  # {"hidden", "position"}: the editor's


class PipelineSettings(TypedDict, total=False):
    auto_eviction: bool
    data_passing_memory_size: str  # e.g. "1GB"
    max_steps_parallelism: int


class ServiceDefinition(TypedDict, total=False):
    name: str
    image: str  # an image, or "environment@<uuid>"
    command: Optional[str]
    args: Optional[str]
    entrypoint: Optional[str]  # Orchest's older form
    env_variables: Optional[Dict[str, str]]
    env_variables_inherit: Optional[List[str]]
    binds: Optional[Dict[str, str]]  # "/project-dir", "/data" -> a path in the container
    ports: Optional[List[int]]
    preserve_base_path: Optional[bool]
    requires_authentication: bool
    exposed: bool
    scope: List[str]  # "interactive", "noninteractive"
    order: int


class PipelineDefinition(TypedDict, total=False):
    name: str
    uuid: str
    version: str
    settings: PipelineSettings
    parameters: Dict[str, Any]
    services: Dict[str, ServiceDefinition]
    steps: Dict[str, PipelineStepProperties]


class PipelineStep:
    """A step (node) of a pipeline.

    Attributes:
        properties: The step's definition (``uuid``, ``title``, ``file_path``, ``parameters``, ...).
        parents: The steps of its incoming connections, in their order.
        children: The steps that have it as an incoming connection.
    """

    def __init__(self, properties: Dict[str, Any], parents: Optional[List["PipelineStep"]] = None):
        self.properties = properties
        self.parents = list(parents) if parents is not None else []
        self.children: List["PipelineStep"] = []

    def get_params(self) -> Dict[str, Any]:
        return self.properties.get("parameters", {})

    def _label(self) -> Optional[str]:
        # Orchest printed properties["name"], which steps do not have: the title says more.
        if not self.properties:
            return None
        return self.properties.get("title") or self.properties.get("uuid")

    def __str__(self) -> str:
        return f"<PipelineStep: {self._label()}>"

    def __repr__(self) -> str:
        return f"PipelineStep({self._label()!r})"


class Pipeline:
    """A pipeline: its steps (``PipelineStep``) and its other properties (``name``, ``uuid``,
    ``settings``, ``parameters``, ``services``)."""

    def __init__(self, steps: List[PipelineStep], properties: Dict[str, Any]):
        self.steps = steps
        self.properties = properties

    @classmethod
    def from_json(cls, description: Dict[str, Any]) -> "Pipeline":
        """The pipeline of a definition (the parsed ``.orchest`` file)."""
        by_uuid = {uuid: PipelineStep(props) for uuid, props in description["steps"].items()}
        for step in by_uuid.values():
            for parent_uuid in step.properties.get("incoming_connections", []):
                parent = by_uuid.get(parent_uuid)
                if parent is None:
                    raise error.PipelineDefinitionNotFoundError(
                        f'Step "{step.properties.get("title", "")}" has an incoming connection from '
                        f'"{parent_uuid}", which is not a step of the pipeline.'
                    )
                step.parents.append(parent)
                parent.children.append(step)
        properties = {
            "name": description["name"],
            "uuid": description["uuid"],
            "settings": description.get("settings"),
            "parameters": description.get("parameters", {}),
            "services": description.get("services", {}),
        }
        return cls(list(by_uuid.values()), properties)

    def to_dict(self) -> Dict[str, Any]:
        """The definition again: ``steps`` keyed by uuid, plus the pipeline's properties."""
        description: Dict[str, Any] = {
            "steps": {step.properties["uuid"]: step.properties for step in self.steps}
        }
        description.update(self.properties)
        return description

    def get_step_by_uuid(self, uuid: str) -> PipelineStep:
        """The step with that uuid; raises :exc:`~orchest.error.StepUUIDResolveError` if none."""
        for step in self.steps:
            if step.properties.get("uuid") == uuid:
                return step
        raise error.StepUUIDResolveError(f"Step does not exist in the pipeline with UUID: {uuid}.")

    def get_params(self) -> Dict[str, Any]:
        return self.properties.get("parameters", {})

    def __repr__(self) -> str:
        return f"Pipeline({self.steps!r})"
