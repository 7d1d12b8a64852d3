"""Backends as plug-ins: where steps run (``local``, ``docker``, and any installed plug-in).

``plugin`` says what a plug-in is, ``registry`` finds the installed ones (entry-point group
``orchest_jlab.backends``), ``selection`` picks one per run (``auto``, or a name); ``local`` and
``docker`` are the built-in plug-ins. docs/backends.md tells how to write one.
"""

from .plugin import BackendPlugin, BackendSetup, Capabilities
from .registry import AUTO, GROUP, BackendRegistry
from .selection import BackendSelection

__all__ = ["AUTO", "GROUP", "BackendPlugin", "BackendRegistry", "BackendSelection", "BackendSetup", "Capabilities"]
