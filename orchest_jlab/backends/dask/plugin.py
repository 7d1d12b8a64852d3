"""The ``dask`` plug-in: usable when distributed is installed and the scheduler (if one is
configured) answers; with no scheduler, a LocalCluster is started for this process."""

from __future__ import annotations

import importlib.util
import logging
import socket
from urllib.parse import urlsplit

from ..plugin import BackendSetup, Capabilities


def scheduler_address(setup: BackendSetup) -> str | None:
    """``c.OrchestApp.dask_scheduler``, else Dask's own ``scheduler-address``; None: a local cluster."""
    if setup.settings.dask_scheduler:
        return setup.settings.dask_scheduler
    import dask.config

    return dask.config.get("scheduler-address", None) or None


def _answers(address: str) -> str | None:
    """None when something listens at a tcp:// address (other protocols are left to the client)."""
    parts = urlsplit(address if "://" in address else f"tcp://{address}")
    if parts.scheme not in ("tcp", "tls") or not parts.hostname:
        return None
    try:
        with socket.create_connection((parts.hostname, parts.port or 8786), timeout=3):
            return None
    except OSError as exc:
        return f"the Dask scheduler at {address} does not answer ({exc.strerror or exc})"


def _store_problem(url: str) -> str | None:
    """Why the outputs URL cannot be used from here (an unknown protocol, its package missing)."""
    import fsspec

    try:
        fsspec.get_filesystem_class(fsspec.utils.get_protocol(url))
    except (ImportError, ValueError) as exc:
        return f"c.OrchestApp.dask_outputs_url {url!r} cannot be used: {exc}"
    return None


class DaskPlugin:
    name = "dask"
    description = ("Steps run on the workers of a Dask cluster (c.OrchestApp.dask_scheduler, else a local "
                   "cluster started for the server); needs orchest-jlab[dask].")
    where = "on the Dask cluster"
    capabilities = Capabilities(needs_images=False, auto_rank=None)

    def unavailable(self, setup: BackendSetup) -> str | None:
        if importlib.util.find_spec("distributed") is None:
            return "the Python package distributed is not installed (pip install 'orchest-jlab[dask]')"
        if setup.settings.dask_outputs_url:
            problem = _store_problem(setup.settings.dask_outputs_url)
            if problem:
                return problem
        address = scheduler_address(setup)
        return _answers(address) if address else None

    def create(self, setup: BackendSetup):
        from .cluster import DaskBackend
        from .containers import options

        url = setup.settings.dask_outputs_url or None
        if url:  # what runs kept there goes with them
            setup.bus.subscribe(lambda event: _forget_outputs(url, event))
        return DaskBackend(scheduler_address(setup), retries=setup.settings.dask_worker_retries,
                           local_workers=setup.settings.dask_local_workers or None, containers=options(setup.settings),
                           outputs_url=url)


def _forget_outputs(url: str, event: dict) -> None:
    runs = {event.get("run_uuid")} if event["type"] in ("run-deleted", "job-run-deleted") else set()
    if event["type"] == "job-deleted":
        runs = set(event.get("run_uuids") or ())
    runs.discard(None)
    if runs:
        import threading

        from .outputs import forget

        # Off the event loop: a remote store can be slow; a failure is logged, never the deletion's.
        threading.Thread(target=_logged, args=(forget, url, runs), daemon=True).start()


def _logged(fn, *args) -> None:
    try:
        fn(*args)
    except Exception:
        logging.getLogger(__name__).exception("outputs at %s of deleted runs were not removed", args[0])


plugin = DaskPlugin()
