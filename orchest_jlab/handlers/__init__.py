"""The REST API and websocket under ``/orchest/api/``; every route here is described in ``openapi.yaml``."""

from __future__ import annotations

from .events import EventsHandler
from .pipelines import PipelineHandler, PipelinesHandler, ValidateHandler
from .runs import RunHandler, RunsHandler, StepLogHandler

API_PREFIX = "/orchest/api"
UUID = r"[0-9a-fA-F-]{36}"


def routes() -> list[tuple[str, type]]:
    return [
        (rf"{API_PREFIX}/pipelines", PipelinesHandler),
        (rf"{API_PREFIX}/pipelines/(?P<path>.+)", PipelineHandler),
        (rf"{API_PREFIX}/validate", ValidateHandler),
        (rf"{API_PREFIX}/runs", RunsHandler),
        (rf"{API_PREFIX}/runs/(?P<run_uuid>{UUID})", RunHandler),
        (rf"{API_PREFIX}/runs/(?P<run_uuid>{UUID})/steps/(?P<step_uuid>{UUID})/log", StepLogHandler),
        (rf"{API_PREFIX}/events", EventsHandler),
    ]
