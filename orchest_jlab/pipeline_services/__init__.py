"""Orchest's services of pipelines: containers started with interactive sessions and non-interactive
runs on a private network shared with their steps and kernels (docs/services.md).

``group`` runs one session's or run's services; ``service`` is what the sessions, the engine, the
REST API, the proxy and container kernels call.
"""

from .group import Owner, RunningService, ServiceGroup
from .service import PipelineServices

__all__ = ["Owner", "PipelineServices", "RunningService", "ServiceGroup"]
