"""What the publication tests look at besides the HTTP answers: how many rows each table of the
service's database holds, the events its outbox holds, and the shape of its problem documents."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import httpx
from sqlalchemy import func, select

from services.publication.models import (
    NonPublicationNotice,
    NoticeStep,
    QualityReview,
    Recommendation,
    RecommendationUpdate,
    Report,
    RepositoryEntry,
    Scr,
)
from shared.db import idempotency_table, make_engine, make_sessionmaker, outbox_table
from tests.support.publication import Publication

PROBLEM = "application/problem+json"
DROP = object()  # in a table of changes: remove the field
D = dt.date

TABLES = {
    "reports": Report.__table__,
    "notices": NonPublicationNotice.__table__,
    "notice_steps": NoticeStep.__table__,
    "recommendations": Recommendation.__table__,
    "recommendation_updates": RecommendationUpdate.__table__,
    "quality_reviews": QualityReview.__table__,
    "repository_entries": RepositoryEntry.__table__,
    "outbox": outbox_table,
    "idempotency_keys": idempotency_table,
}


async def written(pub: Publication) -> dict[str, Any]:
    """How many rows each table of the publication database holds, and what each SCR says of
    its completion and overdue marking (a refused step changes none of it)."""
    engine = make_engine(pub.database_url)
    try:
        async with make_sessionmaker(engine)() as session:
            counts: dict[str, Any] = {
                name: (await session.execute(select(func.count()).select_from(t))).scalar_one()
                for name, t in TABLES.items()
            }
            scrs = await session.execute(
                select(Scr.scr_id, Scr.completed_by, Scr.completed_on, Scr.overdue_on)
            )
            counts["scrs"] = sorted(tuple(row) for row in scrs.all())
            return counts
    finally:
        await engine.dispose()


async def events(pub: Publication, event_type: str | None = None) -> list[dict[str, Any]]:
    """Events in the outbox, oldest first: each as ``{"type", "key", "subject", **data}``."""
    query = select(outbox_table.c.event_type, outbox_table.c.key, outbox_table.c.payload)
    if event_type is not None:
        query = query.where(outbox_table.c.event_type == event_type)
    engine = make_engine(pub.database_url)
    try:
        async with make_sessionmaker(engine)() as session:
            rows = (await session.execute(query.order_by(outbox_table.c.seq))).all()
    finally:
        await engine.dispose()
    found = []
    for event_type_, key, payload in rows:
        envelope = json.loads(payload)
        found.append(
            {"type": event_type_, "key": key, "subject": envelope["subject"], **envelope["data"]}
        )
    return found


def changed(base: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    out = {**base, **changes}
    return {k: v for k, v in out.items() if v is not DROP}


def field_at_fault(response: httpx.Response) -> str:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    return str(response.json()["errors"][0]["field"])


def masked(response: httpx.Response, *ids: str) -> dict[str, Any]:
    """The problem document with the ids asked about blanked out."""
    text = response.text
    for value in ids:
        text = text.replace(value, "<id>")
    return dict(json.loads(text))


async def get(
    pub: Publication, path: str, headers: dict[str, str] | None = None, **params: Any
) -> Any:
    """GET ``path`` (as the panel unless told), expecting 200; the JSON answer."""
    response = await pub.client.get(path, params=params, headers=headers or pub.panel())
    assert response.status_code == 200, (path, response.text)
    return response.json()
