"""The floor for bench/intake.py: a bare FastAPI endpoint that inserts one row per POST into a
table of the same kind of database, through the same driver and engine settings
(``shared.db.make_engine``), with none of the service's auth, validation, idempotency, registry
look-up or outbox.

Run by the benchmark as ``uvicorn bench.bare_app:create_app --factory`` with
``BENCH_BARE_DATABASE_URL`` set.
"""

from __future__ import annotations

import contextlib
import json
import os
import uuid
from collections.abc import AsyncIterator
from typing import Any

from fastapi import Body, FastAPI, Request, status
from sqlalchemy import Column, MetaData, String, Table, Text, insert

from shared.db import UTCDateTime, make_engine, utcnow

metadata = MetaData()

rows = Table(
    "bench_bare_notifications",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("lscb_id", String(20), nullable=True),
    Column("body", Text, nullable=False),
    Column("recorded_at", UTCDateTime, nullable=False),
)


def create_app() -> FastAPI:
    url = os.environ["BENCH_BARE_DATABASE_URL"]

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = make_engine(url)
        async with engine.begin() as conn:
            await conn.run_sync(metadata.create_all)
        app.state.engine = engine
        try:
            yield
        finally:
            await engine.dispose()

    app = FastAPI(title="bare insert", lifespan=lifespan)

    @app.post("/v1/notifications", status_code=status.HTTP_201_CREATED)
    async def create(request: Request, body: dict[str, Any] = Body(...)) -> dict[str, str]:
        row_id = str(uuid.uuid4())
        async with request.app.state.engine.begin() as conn:
            await conn.execute(
                insert(rows).values(
                    id=row_id,
                    lscb_id=body.get("lscb_id"),
                    body=json.dumps(body),
                    recorded_at=utcnow(),
                )
            )
        return {"id": row_id}

    @app.get("/readyz")
    async def readyz() -> dict[str, str]:
        return {"status": "ready"}

    return app
