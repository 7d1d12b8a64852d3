"""orchest-jlab: Orchest-style pipelines in JupyterLab."""

try:
    from ._version import __version__
except ImportError:  # a source tree that was never built
    __version__ = "0.0.0.dev0"


def _jupyter_labextension_paths():
    return [{"src": "labextension", "dest": "orchest-jlab"}]


def _jupyter_server_extension_points():
    from .app import OrchestApp

    return [{"module": "orchest_jlab", "app": OrchestApp}]
