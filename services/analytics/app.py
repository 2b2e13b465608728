"""The analytics service: the panel's figures, computed from the other services' events."""

from __future__ import annotations

from fastapi import FastAPI

from services.analytics.api import router
from services.analytics.consumers import HANDLERS
from shared.config import ServiceSettings, service_settings
from shared.service_app import ServiceSpec, build_app

NAME = "analytics"


def create_app(settings: ServiceSettings | None = None) -> FastAPI:
    spec = ServiceSpec(
        name=NAME,
        title="SCR panel: analytics",
        description="Statistics for any period, from the events of the other services.",
        router=router,
        handlers=HANDLERS,
    )
    return build_app(spec, settings or service_settings(NAME))
