"""What every service's ``app.py`` builds on: lifespan (migrate, outbox relay, consumer,
schedulers), error handlers, ``/healthz`` and ``/readyz``, and the session dependency."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from shared.bus import broker_reachable, ensure_topics_forever
from shared.calendar import today
from shared.config import ServiceSettings
from shared.consumer import EventConsumer, Handler
from shared.db import make_engine
from shared.errors import Invalid, install_error_handlers
from shared.events.envelope import EventData
from shared.migrations import upgrade
from shared.outbox import OutboxRelay, pending_count, session_factory_with_wakeup
from shared.schemas import holds_nul

log = logging.getLogger(__name__)


@dataclass
class Runtime:
    """The live parts of one running service, kept on ``app.state.runtime``."""

    settings: ServiceSettings
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    relay: OutboxRelay
    consumer: EventConsumer
    # Set at shutdown: workers finish what they hold and return. Cancelling them instead could
    # cut a transaction short and leave a connection (and SQLite's write lock) behind.
    stopping: asyncio.Event
    topics_ready: asyncio.Event = field(default_factory=asyncio.Event)


Worker = Callable[[Runtime], Awaitable[None]]


def periodic(
    job: Callable[[async_sessionmaker[AsyncSession], dt.date], Awaitable[int]],
    what: str,
    every: str = "scheduler_interval_seconds",
) -> Worker:
    """A worker that runs ``job`` for today now, then every ``every`` seconds (the name of a
    setting), until the service stops. A failing round (the database away, say) is logged and
    tried again next round; ``job`` returns how many things it did, logged as ``what``."""

    async def worker(runtime: Runtime) -> None:
        interval = float(getattr(runtime.settings, every))
        while not runtime.stopping.is_set():
            try:
                done = await job(runtime.sessionmaker, today())
                if done:
                    log.info("%s: %d", what, done)
            except Exception:
                log.exception("%s failed", what)
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(interval):
                    await runtime.stopping.wait()

    return worker


@dataclass
class ServiceSpec:
    name: str
    title: str
    description: str
    router: APIRouter
    handlers: dict[type[EventData], Handler] = field(default_factory=dict)
    on_startup: Worker | None = None
    # Long-running tasks started once the topics exist (schedulers and the like).
    workers: list[Worker] = field(default_factory=list)


async def _start_workers(runtime: Runtime, spec: ServiceSpec) -> None:
    # Topics first (the broker may still be down); cancelling this wait touches no database.
    creating = asyncio.create_task(ensure_topics_forever(runtime.settings.platform))
    stopping = asyncio.create_task(runtime.stopping.wait())
    await asyncio.wait({creating, stopping}, return_when=asyncio.FIRST_COMPLETED)
    for task in (creating, stopping):
        task.cancel()
    if runtime.stopping.is_set():
        return
    runtime.topics_ready.set()
    tasks = [runtime.relay.run(), runtime.consumer.run(), *(w(runtime) for w in spec.workers)]
    await asyncio.gather(*tasks)


def build_app(spec: ServiceSpec, settings: ServiceSettings) -> FastAPI:
    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        url = settings.resolved_database_url()
        if settings.migrate_on_start:
            await asyncio.to_thread(upgrade, spec.name, url)
        engine = make_engine(url)
        stopping = asyncio.Event()
        relay = OutboxRelay(settings, engine, stopping)
        sessionmaker = session_factory_with_wakeup(engine, relay)
        consumer = EventConsumer(settings, sessionmaker, spec.handlers, stopping)
        runtime = Runtime(settings, engine, sessionmaker, relay, consumer, stopping)
        app.state.runtime = runtime
        if spec.on_startup is not None:
            await spec.on_startup(runtime)
        workers = (
            asyncio.create_task(_start_workers(runtime, spec)) if settings.run_workers else None
        )
        try:
            yield
        finally:
            if workers is not None:
                await _stop(runtime, workers)
            await engine.dispose()

    app = FastAPI(
        title=spec.title, description=spec.description, version="1.0.0", lifespan=lifespan
    )
    app.state.settings = settings
    install_error_handlers(app)
    app.include_router(spec.router, dependencies=[Depends(reject_nul)])
    app.include_router(_health_router(spec.name))
    return app


async def _stop(runtime: Runtime, workers: asyncio.Task[None], grace: float = 15.0) -> None:
    """Ask the workers to stop; cancel them only if they have not within ``grace``."""
    runtime.relay.request_stop()
    runtime.consumer.request_stop()
    _, pending = await asyncio.wait({workers}, timeout=grace)
    if pending:
        log.error("background workers still busy after %.0fs; cancelling them", grace)
        workers.cancel()
        await asyncio.wait({workers}, timeout=5)
    if workers.done() and not workers.cancelled() and workers.exception() is not None:
        log.error("background workers had failed", exc_info=workers.exception())


def reject_nul(request: Request) -> None:
    """A NUL character in a path segment, query parameter or idempotency key answers 422 naming
    it (bodies are checked by ``StrictInput``): PostgreSQL would refuse it with a 500."""
    for name, value in (
        *request.path_params.items(),
        *request.query_params.multi_items(),
        ("Idempotency-Key", request.headers.get("idempotency-key", "")),
    ):
        if holds_nul(value):
            raise Invalid(name, "must not contain the NUL character")


def _health_router(name: str) -> APIRouter:
    router = APIRouter(tags=["health"])

    @router.get("/healthz", summary="The process is up")
    async def healthz() -> dict[str, str]:
        return {"status": "ok", "service": name}

    @router.get("/readyz", summary="Database and broker reachable")
    async def readyz(request: Request) -> JSONResponse:
        runtime: Runtime = request.app.state.runtime
        checks: dict[str, Any] = {}
        try:
            async with runtime.engine.connect() as conn:
                async with asyncio.timeout(3):
                    await conn.execute(text("SELECT 1"))
            checks["database"] = "ok"
            checks["outbox_pending"] = await pending_count(runtime.sessionmaker)
        except Exception as exc:
            checks["database"] = f"unreachable: {exc!r}"[:300]
        broker_ok = await broker_reachable(runtime.settings.platform)
        checks["broker"] = "ok" if broker_ok else "unreachable"
        checks["outbox_relay"] = {
            "leader": runtime.relay.is_leader,
            "last_error": runtime.relay.last_error,
        }
        consumer = runtime.consumer
        checks["consumer"] = (
            {
                "group": consumer.group_id,
                "alive": consumer.alive,
                "lag": await _within(consumer.lag(), seconds=2),
                "applied": consumer.applied_total,
                "dead_lettered": consumer.dead_lettered_total,
            }
            if consumer.topics
            else "consumes nothing"
        )
        ready = checks["database"] == "ok" and broker_ok
        return JSONResponse(
            {"status": "ready" if ready else "not ready", "service": name, "checks": checks},
            status_code=200 if ready else 503,
        )

    return router


async def _within(awaitable: Awaitable[Any], seconds: float) -> Any:
    """The value, or None if it takes longer: a readiness probe must answer quickly."""
    try:
        async with asyncio.timeout(seconds):
            return await awaitable
    except TimeoutError:
        return None


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """One session per request; use cases commit it once (``shared.idempotency.commit_once``)."""
    async with request.app.state.runtime.sessionmaker() as session:
        yield session
