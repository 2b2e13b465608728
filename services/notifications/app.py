"""The notifications service: serious incident notifications from LSCBs, and the board registry."""

from __future__ import annotations

from fastapi import FastAPI

from services.notifications import service
from services.notifications.api import router
from services.notifications.consumers import HANDLERS
from shared.config import ServiceSettings, service_settings
from shared.service_app import Runtime, ServiceSpec, build_app

NAME = "notifications"


async def _seed(runtime: Runtime) -> None:
    async with runtime.sessionmaker() as session:
        await service.seed_registry(session)


def create_app(settings: ServiceSettings | None = None) -> FastAPI:
    spec = ServiceSpec(
        name=NAME,
        title="SCR panel: notifications",
        description="LSCBs notify serious incidents here; the registry of boards.",
        router=router,
        handlers=HANDLERS,
        on_startup=_seed,
    )
    return build_app(spec, settings or service_settings(NAME))
