"""Start a service in-process (its real lifespan: relay, consumer, real broker, real database)."""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import uvicorn
from fastapi import FastAPI

from shared.auth import issue_token
from shared.config import PlatformSettings, ServiceSettings, service_settings
from shared.embedded_broker import free_port
from shared.events.vocab import Role


def settings_for(
    service: str, platform: PlatformSettings, database_url: str, **overrides: Any
) -> ServiceSettings:
    overrides.setdefault("migrate_on_start", False)
    overrides.setdefault("outbox_poll_seconds", 0.2)
    overrides.setdefault("consumer_retry_seconds", 0.05)
    return service_settings(service, database_url=database_url, platform=platform, **overrides)


@contextlib.asynccontextmanager
async def running_app(
    settings: ServiceSettings,
) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    module = importlib.import_module(f"services.{settings.service_name}.app")
    app: FastAPI = module.create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield app, client


def auth(
    platform: PlatformSettings, role: Role | str, lscb_id: str | None = None, sub: str | None = None
) -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_token(platform, role, lscb_id=lscb_id, sub=sub)}"}


async def eventually(
    check: Callable[[], Awaitable[Any]], timeout: float = 20.0, interval: float = 0.1
) -> Any:
    """Poll ``check`` until it returns a truthy value (or raise the last assertion)."""
    deadline = time.monotonic() + timeout
    last_error: AssertionError | None = None
    while time.monotonic() < deadline:
        try:
            result = await check()
            if result:
                return result
        except AssertionError as exc:
            last_error = exc
        await asyncio.sleep(interval)
    if last_error is not None:
        raise last_error
    raise AssertionError(f"condition not met within {timeout}s")


@contextlib.asynccontextmanager
async def serving_app(settings: ServiceSettings) -> AsyncIterator[str]:
    """Serve a service over real HTTP on a free port (for service-to-service calls); its URL."""
    module = importlib.import_module(f"services.{settings.service_name}.app")
    port = free_port()
    config = uvicorn.Config(
        module.create_app(settings), host="127.0.0.1", port=port, log_level="warning"
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    try:
        await eventually(lambda: asyncio.sleep(0, result=server.started), timeout=30)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task
