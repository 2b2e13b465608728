"""The publication service: final reports, non-publication notices, quality reviews,
recommendations and the learning repository."""

from __future__ import annotations

from fastapi import FastAPI

from services.publication.api import router
from services.publication.consumers import HANDLERS
from services.publication.scheduler import run_overdue_scheduler
from shared.config import ServiceSettings, service_settings
from shared.service_app import ServiceSpec, build_app

NAME = "publication"


def create_app(settings: ServiceSettings | None = None) -> FastAPI:
    spec = ServiceSpec(
        name=NAME,
        title="SCR panel: publication",
        description="Final reports and their publication, non-publication notices, quality "
        "reviews, recommendations and the learning repository.",
        router=router,
        handlers=HANDLERS,
        workers=[run_overdue_scheduler],
    )
    return build_app(spec, settings or service_settings(NAME))
