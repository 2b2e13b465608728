"""The pull feed of alerts (``GET /v1/alerts?since=``), for those who cannot receive webhooks.

The cursor is the alert's ``seq``: alerts are numbered in commit order (``alerts.raise_alert``), so
reading on from the last cursor seen misses nothing and repeats nothing. ``since`` may also be a
timestamp: the alerts raised at or after it.
"""

from __future__ import annotations

import datetime as dt

from pydantic import TypeAdapter, ValidationError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.analytics.alert_schemas import AlertFeed, AlertLinks, AlertRead
from services.analytics.models import Alert
from services.analytics.webhooks import links
from shared.auth import Principal
from shared.config import AnalyticsSettings
from shared.errors import Invalid, NotFound
from shared.events.vocab import AlertType
from shared.queries import for_board

_TIMESTAMP = TypeAdapter(dt.datetime)
LARGEST_CURSOR = 2**62


def alert_read(settings: AnalyticsSettings, alert: Alert) -> AlertRead:
    return AlertRead(
        id=alert.id,
        type=AlertType(alert.type),
        lscb_id=alert.lscb_id,
        case_id=alert.case_id,
        raised_on=alert.raised_on,
        raised_at=alert.raised_at,
        cursor=str(alert.seq),
        links=AlertLinks(**links(settings, alert)),
    )


def _after(since: str | None) -> tuple[int | None, dt.datetime | None]:
    """``since`` as a cursor or as a timestamp (with its offset); 422 naming it otherwise."""
    if since is None:
        return None, None
    if since.isdigit():
        cursor = int(since)
        if cursor > LARGEST_CURSOR:
            raise Invalid("since", "is not a cursor this feed gave")
        return cursor, None
    try:
        moment = _TIMESTAMP.validate_python(since)
    except ValidationError:
        raise Invalid(
            "since", "must be a cursor from this feed or a timestamp (2015-03-31T12:00:00Z)"
        ) from None
    if moment.tzinfo is None:
        raise Invalid("since", "a timestamp must give its offset (Z for UTC)")
    return None, moment


async def feed(
    session: AsyncSession,
    settings: AnalyticsSettings,
    principal: Principal,
    since: str | None,
    alert_type: AlertType | None,
    lscb_id: str | None,
    limit: int,
) -> AlertFeed:
    cursor, moment = _after(since)
    query = for_board(select(Alert), principal, Alert.lscb_id, lscb_id)
    if cursor is not None:
        query = query.where(Alert.seq > cursor)
    if moment is not None:
        query = query.where(Alert.raised_at >= moment)
    if alert_type is not None:
        query = query.where(Alert.type == alert_type.value)
    rows = list((await session.scalars(query.order_by(Alert.seq).limit(limit + 1))).all())
    items = [alert_read(settings, a) for a in rows[:limit]]
    next_since = items[-1].cursor if items else (str(cursor) if cursor is not None else None)
    return AlertFeed(items=items, next_since=next_since, has_more=len(rows) > limit)


async def get_alert(
    session: AsyncSession, settings: AnalyticsSettings, principal: Principal, alert_id: str
) -> AlertRead:
    found = await session.scalar(select(Alert).where(Alert.id == alert_id))
    if found is None or not principal.can_see_board(found.lscb_id):
        raise NotFound(f"no alert {alert_id!r}")
    return alert_read(settings, found)
