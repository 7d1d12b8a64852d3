"""The Docker toolkit: the engine's client, step and kernel containers, and their owners.

The low layer that the docker backend, environment builds, container kernels and sessions share;
it imports nothing of theirs.
"""

from .client import docker_client, engine_unavailable
from .containers import (
    DATA_MOUNT,
    LABEL,
    SDK_MOUNT,
    STEP_CAPABILITIES,
    ContainerSettings,
    StepImage,
    container_options,
    data_folder,
    docker_failure,
    project_key,
    remove_container,
    run_container,
)
from .networks import OUTBOUND_NETWORK, create_container, create_network, network_name, remove_network
from .owners import owner_gone, owner_labels, remove_leftovers, remove_orphans, remove_own_containers

__all__ = ["DATA_MOUNT", "LABEL", "SDK_MOUNT", "STEP_CAPABILITIES", "ContainerSettings", "StepImage",
           "container_options", "create_container", "create_network", "data_folder", "docker_client", "docker_failure", "engine_unavailable", "network_name", "OUTBOUND_NETWORK", "owner_gone", "owner_labels",
           "project_key", "remove_container", "remove_network",
           "remove_leftovers", "remove_orphans", "remove_own_containers", "run_container"]
