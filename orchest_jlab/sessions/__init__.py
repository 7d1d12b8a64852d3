"""Interactive sessions: per pipeline, the images of its environments, the kernels opened on its step
files and its interactive run; interactive runs need the session RUNNING.

``session`` is one session's state, ``kernels`` finds and shuts down the Jupyter kernels a session
owns, ``service`` is what the REST API calls.
"""

from .kernels import JupyterKernels, KernelDirectory, OpenKernel
from .service import SessionService
from .session import IMAGE_STATES, Session, SessionStatus

__all__ = ["IMAGE_STATES", "JupyterKernels", "KernelDirectory", "OpenKernel", "Session", "SessionService",
           "SessionStatus"]
