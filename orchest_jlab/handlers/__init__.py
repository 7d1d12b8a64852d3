"""The REST API and websocket under ``/orchest/api/``; every route here is described in ``openapi.yaml``."""

from __future__ import annotations

from .cache import CacheHandler
from .cluster import ClusterHandler
from .environments import BuildHandler, BuildLogHandler, EnvironmentHandler, EnvironmentsHandler
from .events import EventsHandler
from .jobs import ACTIONS, JobGridHandler, JobHandler, JobsHandler
from .notifications import DeliveriesHandler, WebhookHandler, WebhooksHandler, WebhookTestHandler
from .pipelines import PipelineHandler, PipelinesHandler, StepsHandler, ValidateHandler
from .runs import (CopyPipelineHandler, RunCleanupHandler, RunFileHandler, RunHandler, RunPipelineHandler, RunsHandler,
                   StepLogHandler)
from .proxy import ROUTE as PROXY_ROUTE
from .proxy import DASHBOARD_ROUTE, DashboardProxyHandler, ServiceProxyHandler
from .services import ServiceLogHandler, ServicesHandler
from .sessions import SessionHandler, SessionsHandler
from .variables import EnvVariablesHandler

API_PREFIX = "/orchest/api"
UUID = r"[0-9a-fA-F-]{36}"


def routes() -> list[tuple[str, type]]:
    return [
        (rf"{API_PREFIX}/pipelines", PipelinesHandler),
        (rf"{API_PREFIX}/pipelines/(?P<path>.+)", PipelineHandler),
        (rf"{API_PREFIX}/validate", ValidateHandler),
        (rf"{API_PREFIX}/runs", RunsHandler),
        (rf"{API_PREFIX}/runs/(?P<run_uuid>{UUID})", RunHandler),
        (rf"{API_PREFIX}/runs/cleanup/(?P<run_uuid>{UUID})", RunCleanupHandler),
        (rf"{API_PREFIX}/runs/(?P<run_uuid>{UUID})/steps/(?P<step_uuid>{UUID})/log", StepLogHandler),
        (rf"{API_PREFIX}/runs/(?P<run_uuid>{UUID})/pipeline", RunPipelineHandler),
        (rf"{API_PREFIX}/runs/(?P<run_uuid>{UUID})/files/(?P<path>.+)", RunFileHandler),
        (rf"{API_PREFIX}/runs/(?P<run_uuid>{UUID})/copy-pipeline", CopyPipelineHandler),
        (rf"{API_PREFIX}/steps", StepsHandler),
        (rf"{API_PREFIX}/cache", CacheHandler),
        (rf"{API_PREFIX}/events", EventsHandler),
        (rf"{API_PREFIX}/sessions", SessionsHandler),
        (rf"{API_PREFIX}/sessions/(?P<path>.+)", SessionHandler),
        (rf"{API_PREFIX}/jobs", JobsHandler),
        (rf"{API_PREFIX}/jobs/grid", JobGridHandler),
        (rf"{API_PREFIX}/jobs/(?P<job_uuid>{UUID})", JobHandler),
        *((rf"{API_PREFIX}/jobs/(?P<job_uuid>{UUID})/{action}", handler) for action, handler in ACTIONS.items()),
        (rf"{API_PREFIX}/env-variables", EnvVariablesHandler),
        (rf"{API_PREFIX}/environments", EnvironmentsHandler),
        (rf"{API_PREFIX}/environments/(?P<env_uuid>{UUID})", EnvironmentHandler),
        (rf"{API_PREFIX}/environments/(?P<env_uuid>{UUID})/build", BuildHandler),
        (rf"{API_PREFIX}/environments/(?P<env_uuid>{UUID})/build/log", BuildLogHandler),
        (rf"{API_PREFIX}/services", ServicesHandler),
        (rf"{API_PREFIX}/services/log", ServiceLogHandler),
        (rf"{API_PREFIX}/notifications/webhooks", WebhooksHandler),
        (rf"{API_PREFIX}/notifications/webhooks/(?P<webhook_uuid>{UUID})", WebhookHandler),
        (rf"{API_PREFIX}/notifications/webhooks/(?P<webhook_uuid>{UUID})/test", WebhookTestHandler),
        (rf"{API_PREFIX}/notifications/deliveries", DeliveriesHandler),
        (rf"{API_PREFIX}/cluster", ClusterHandler),
    ]


def proxy_routes() -> list[tuple[str, type]]:
    """The services' external URLs and the cluster's dashboard (outside the API: proxied, not in
    openapi.yaml)."""
    return [(PROXY_ROUTE, ServiceProxyHandler), (DASHBOARD_ROUTE, DashboardProxyHandler)]
