"""The Jupyter kernels a session owns: those of the Jupyter sessions (a notebook or console opened in
JupyterLab) whose path is a step file of its pipeline.

Read from, and shut down through, the Jupyter server's session manager, so that JupyterLab sees the
kernel go; a kernel in a container (the ``orchest-docker`` provisioner) takes its container with it.
"""

from __future__ import annotations

import logging
import posixpath
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Protocol

from ..pipelines.env_variables import KERNEL_NAMES_VARIABLE as USER_VARIABLES

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class OpenKernel:
    """A kernel of a Jupyter session."""

    session_id: str
    kernel_id: str
    kernel_name: str
    path: str  # the session's path, relative to the server's root

    def to_json(self) -> dict[str, Any]:
        return {"id": self.kernel_id, "name": self.kernel_name, "path": self.path}


class KernelDirectory(Protocol):
    async def list(self) -> list[OpenKernel]: ...

    async def shut_down(self, kernel: OpenKernel) -> None: ...


def normalize(path: str) -> str:
    """A Jupyter session path as an API path (no leading slash, no ``./``)."""
    return posixpath.normpath(path.strip().lstrip("/")) if path and path.strip("/ ") else ""


class JupyterKernels:
    """A KernelDirectory over a jupyter_server ``SessionManager``."""

    def __init__(self, session_manager):
        self.session_manager = session_manager

    def give_env_variables(self, variables_of: Callable[[Path], dict[str, str]]) -> None:
        """Kernels started for a Jupyter session get ``variables_of(<the session's file>)`` (the
        project's and pipeline's environment variables), as Orchest's session kernels did."""
        original = self.session_manager.get_kernel_env

        def get_kernel_env(path, name=None):
            env = original(path, name)
            try:
                variables = variables_of(Path(env["JPY_SESSION_NAME"]))
            except Exception as exc:  # a kernel starts without them rather than not at all
                log.warning("environment variables of the kernel of %s: %s", path, exc)
                variables = {}
            return {**env, **variables, USER_VARIABLES: ",".join(variables)}

        self.session_manager.get_kernel_env = get_kernel_env

    async def list(self) -> list[OpenKernel]:
        found = []
        for model in await self.session_manager.list_sessions():
            kernel = model.get("kernel") or {}
            if kernel.get("id"):
                found.append(OpenKernel(model["id"], kernel["id"], kernel.get("name") or "", normalize(model.get("path") or "")))
        return found

    async def shut_down(self, kernel: OpenKernel) -> None:
        try:
            await self.session_manager.delete_session(kernel.session_id)
        except Exception as exc:  # e.g. closed in JupyterLab meanwhile (404), or culled
            log.info("could not shut down kernel %s of %s: %s", kernel.kernel_id, kernel.path, exc)
