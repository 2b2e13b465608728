"""The decisions service: cases, initiation decisions and the panel's considerations of them."""

from __future__ import annotations

from fastapi import FastAPI

from services.decisions.api import router
from services.decisions.consumers import HANDLERS
from services.decisions.scheduler import run_overdue_scheduler
from shared.config import ServiceSettings, service_settings
from shared.service_app import ServiceSpec, build_app

NAME = "decisions"


def create_app(settings: ServiceSettings | None = None) -> FastAPI:
    spec = ServiceSpec(
        name=NAME,
        title="SCR panel: decisions",
        description="Cases opened by notifications; boards' decisions to initiate an SCR or not, "
        "the panel's considerations of them, follow-ups and the boards' responses.",
        router=router,
        handlers=HANDLERS,
        workers=[run_overdue_scheduler],
    )
    return build_app(spec, settings or service_settings(NAME))
