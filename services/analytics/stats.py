"""The figures beyond the summary: a monthly series, each board's contact with the panel, and the
summary as CSV. Like the summary, all on business dates and as of the end of the period."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import Counter
from typing import Any

from pydantic import BaseModel
from sqlalchemy import extract, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.analytics.arithmetic import in_period
from services.analytics.models import Decision, Notification, Report
from services.analytics.registry import (
    active_boards,
    all_boards,
    contact,
    last_notified,
    silent,
)
from services.analytics.schemas import (
    BoardRead,
    BoardsRead,
    MonthlyRead,
    MonthRead,
    Period,
    SummaryRead,
)
from services.analytics.service import CONSIDERATION_DATES

# --- the monthly series -------------------------------------------------------------------------


def months_of(p: Period) -> list[str]:
    """Every calendar month ``p`` touches, as YYYY-MM, in order."""
    months, year, month = [], p.date_from.year, p.date_from.month
    while (year, month) <= (p.date_to.year, p.date_to.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


async def _per_month(session: AsyncSession, date: Any, p: Period) -> Counter[str]:
    """How many rows have ``date`` in ``p``, per calendar month (EXTRACT works on both SQLite
    and PostgreSQL; a format function would not)."""
    year, month = extract("year", date), extract("month", date)
    rows = await session.execute(
        select(year, month, func.count()).where(in_period(date, p)).group_by(year, month)
    )
    return Counter({f"{int(y):04d}-{int(m):02d}": int(n) for y, m, n in rows.tuples()})


async def monthly(session: AsyncSession, p: Period) -> MonthlyRead:
    notifications = await _per_month(session, Notification.notified_on, p)
    decisions = await _per_month(session, Decision.decided_on, p)
    reports = await _per_month(session, Report.submitted_on, p)
    considerations: Counter[str] = Counter()
    for considered_on in CONSIDERATION_DATES:
        considerations.update(await _per_month(session, considered_on, p))
    return MonthlyRead(
        period=p,
        months=[
            MonthRead(
                month=month,
                notifications=notifications[month],
                decisions=decisions[month],
                considerations=considerations[month],
                reports=reports[month],
            )
            for month in months_of(p)
        ],
    )


# --- each board ---------------------------------------------------------------------------------


async def boards(session: AsyncSession, p: Period) -> BoardsRead:
    registry = await all_boards(session)
    active = active_boards(registry.values(), p.date_to)
    seen = await contact(session, registry, p)
    latest = await last_notified(session, registry, p.date_to)
    quiet = silent(active, latest, p.date_to)
    touching = seen.in_touch()
    rows = [
        BoardRead(
            lscb_id=lscb_id,
            name=registry[lscb_id].name,
            last_notified_on=latest.get(lscb_id),
            in_touch=lscb_id in touching,
            silent_12_months=lscb_id in quiet,
            **{kind: seen.counts[kind][lscb_id] for kind in seen.counts},
        )
        for lscb_id in active
    ]
    # The least in touch first: out of touch, then the longest silent (never notified first).
    rows.sort(key=lambda b: (b.in_touch, b.last_notified_on or dt.date.min, b.lscb_id))
    return BoardsRead(
        period=p,
        boards=rows,
        not_in_touch=sorted(b.lscb_id for b in rows if not b.in_touch),
        silent_12_months=sorted(quiet),
    )


# --- the summary as CSV -------------------------------------------------------------------------


def _flatten(prefix: str, value: Any) -> list[tuple[str, Any]]:
    """Nested figures (reasons, quality, recommendations) as dotted names, one value each."""
    if isinstance(value, BaseModel):
        value = value.model_dump(mode="json", by_alias=True)
    if isinstance(value, dict):
        pairs: list[tuple[str, Any]] = []
        for key, item in value.items():
            pairs.extend(_flatten(f"{prefix}.{key}" if prefix else str(key), item))
        return pairs
    return [(prefix, value)]


def summary_csv(summary: SummaryRead) -> str:
    """One row per figure: ``figure,value``, dotted names for nested figures (the period's
    ``from`` and ``to`` first), empty for a share with nothing to share."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["figure", "value"])
    for name, value in _flatten("", summary):
        writer.writerow([name, "" if value is None else value])
    return out.getvalue()
