"""Private networks of sessions and runs with services: their steps, kernels and services share one,
where the services' names resolve. Internal (no route out); a container of an environment that asks
for the network is also attached to one shared outbound network.

Containers are created through ``create_container`` so that the second network is attached before
they start (Docker's API of this engine takes one network at creation).
"""

from __future__ import annotations

import contextlib
from typing import Any

from .labels import LABEL

OUTBOUND_NETWORK = f"{LABEL}-outbound"
EXTRA_NETWORKS = "orchest_jlab_extra_networks"  # an option of container_options, not Docker's


def network_name(session_uuid: str) -> str:
    return f"{LABEL}-{session_uuid}"


def create_network(client, name: str, labels: dict[str, str]):
    """The private network ``name`` (internal: no route out of the machine)."""
    return client.networks.create(name, driver="bridge", internal=True, check_duplicate=True,
                                  labels={f"{LABEL}.kind": "network", **labels})


def remove_network(client, name: str) -> None:
    """Remove the network, disconnecting what is left on it first (a kernel still open)."""
    with contextlib.suppress(Exception):
        network = client.networks.get(name)
        network.reload()
        for container in network.containers:
            with contextlib.suppress(Exception):
                network.disconnect(container, force=True)
        network.remove()


def _outbound(client):
    try:
        return client.networks.get(OUTBOUND_NETWORK)
    except Exception:
        with contextlib.suppress(Exception):  # another process made it meanwhile
            return client.networks.create(OUTBOUND_NETWORK, driver="bridge", labels={f"{LABEL}.kind": "outbound"})
        return client.networks.get(OUTBOUND_NETWORK)


def create_container(client, options: dict[str, Any]):
    """``client.containers.create`` with ``container_options``' options, the outbound network attached
    when they ask for it (removed again if that fails)."""
    options = dict(options)
    extra = options.pop(EXTRA_NETWORKS, [])
    container = client.containers.create(**options)
    try:
        for name in extra:
            network = _outbound(client) if name == OUTBOUND_NETWORK else client.networks.get(name)
            network.connect(container)
    except Exception:
        with contextlib.suppress(Exception):
            container.remove(force=True)
        raise
    return container


def remove_orphaned_networks(client, owner_gone) -> int:
    """Remove the private networks whose owner process is gone (after their containers)."""
    removed = 0
    for network in client.networks.list(filters={"label": [f"{LABEL}.kind=network", f"{LABEL}.pid"]}):
        if owner_gone(network.attrs.get("Labels") or {}):
            remove_network(client, network.name)
            removed += 1
    return removed
