"""Which process owns a container (labels naming its host, pid and start time), and removing the
containers whose owner is gone: what a server or a command-line run killed with SIGKILL leaves."""

from __future__ import annotations

import contextlib
import os
import socket

from ..identity import ProcessIdentity
from .labels import LABEL
from .networks import remove_network, remove_orphaned_networks


def owner_labels() -> dict[str, str]:
    """Labels naming this process as a container's owner (a pid alone is reused, e.g. by a server
    restarted in a container)."""
    me = ProcessIdentity.current()
    return {f"{LABEL}.pid": str(me.pid), f"{LABEL}.host": socket.gethostname(),
            f"{LABEL}.pid-started": f"{me.started:.2f}"}


def owner_gone(labels: dict[str, str]) -> bool:
    if labels.get(f"{LABEL}.host", socket.gethostname()) != socket.gethostname():
        return False  # another machine's (or pid namespace's) server: not ours to judge
    pid, started = labels.get(f"{LABEL}.pid", ""), labels.get(f"{LABEL}.pid-started")
    if not pid.isdigit():
        return False
    if started is None:  # labelled by an older version: the pid is all there is
        import psutil

        return not psutil.pid_exists(int(pid))
    try:
        return not ProcessIdentity(int(pid), float(started)).alive()
    except ValueError:
        return False


def remove_leftovers(client, labels: dict[str, str] | None = None) -> int:
    """Remove the containers this code made that match ``labels`` (all of ours by default)."""
    filters = [f"{LABEL}.kind"] + [f"{k}={v}" for k, v in (labels or {}).items()]
    removed = 0
    for container in client.containers.list(all=True, ignore_removed=True, filters={"label": filters}):
        with contextlib.suppress(Exception):
            container.remove(force=True)
            removed += 1
    return removed


def remove_orphans(client) -> int:
    """Remove the containers of ours whose owning process is gone (killed before it could remove them),
    then the private networks of services they leave."""
    removed = 0
    for container in client.containers.list(all=True, ignore_removed=True, filters={"label": [f"{LABEL}.kind", f"{LABEL}.pid"]}):
        if owner_gone(container.labels):
            with contextlib.suppress(Exception):
                container.remove(force=True)
                removed += 1
    with contextlib.suppress(Exception):
        remove_orphaned_networks(client, owner_gone)
    return removed


def remove_own_containers(client) -> int:
    """Remove the containers of this process that are left (when it closes), and its networks."""
    removed = remove_leftovers(client, {f"{LABEL}.pid": str(os.getpid())})
    with contextlib.suppress(Exception):
        for network in client.networks.list(filters={"label": [f"{LABEL}.kind=network", f"{LABEL}.pid={os.getpid()}"]}):
            remove_network(client, network.name)
    return removed
