"""The analytics service: the panel's figures, computed from the other services' events."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI

from services.analytics import dashboard
from services.analytics.alerts_api import router as alerts_router
from services.analytics.api import router
from services.analytics.consumers import HANDLERS
from services.analytics.lscb_silent import run_silent_check
from services.analytics.webhooks import run_delivery_worker
from shared.config import ServiceSettings, service_settings
from shared.service_app import ServiceSpec, build_app

NAME = "analytics"


def create_app(settings: ServiceSettings | None = None) -> FastAPI:
    spec = ServiceSpec(
        name=NAME,
        title="SCR panel: analytics",
        description="Statistics for any period, from the events of the other services.",
        router=_routes(),
        handlers=HANDLERS,
        # Webhook deliveries, and the daily look for boards silent for twelve months.
        workers=[run_delivery_worker, run_silent_check],
    )
    app = build_app(spec, settings or service_settings(NAME))
    dashboard.install(app)  # /dashboard, its static files and /v1/annual-report
    return app


def _routes() -> APIRouter:
    """The figures' routes and the alerts' (``ServiceSpec`` takes one router)."""
    routes = APIRouter()
    routes.include_router(router)
    routes.include_router(alerts_router)
    return routes
