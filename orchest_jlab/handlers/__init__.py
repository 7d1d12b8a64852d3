"""The REST API under ``/orchest/api/``; every route here is described in ``openapi.yaml``."""

from __future__ import annotations

from .pipelines import PipelineHandler, PipelinesHandler, ValidateHandler

API_PREFIX = "/orchest/api"


def routes() -> list[tuple[str, type]]:
    return [
        (rf"{API_PREFIX}/pipelines", PipelinesHandler),
        (rf"{API_PREFIX}/pipelines/(?P<path>.+)", PipelineHandler),
        (rf"{API_PREFIX}/validate", ValidateHandler),
    ]
