"""Use cases of the analytics service: the figures of DOMAIN.md §5, on business dates.

Every figure is "as of the end of the period": only facts dated on or before ``to`` count.
Notifications are counted by SQL aggregates; the registry (a few hundred boards) is read whole.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.analytics.models import Lscb, Notification
from services.analytics.schemas import Period, SummaryRead
from shared.calendar import months_before, today
from shared.errors import Invalid

# The panel began work in June 2013: the default period starts there.
DEFAULT_FROM = dt.date(2013, 6, 1)
SILENT_AFTER_MONTHS = 12


def period(date_from: dt.date | None, date_to: dt.date | None) -> Period:
    """The period asked for: from 1 June 2013 to today unless given; ``to`` not before ``from``."""
    start = date_from or DEFAULT_FROM
    end = date_to or today()
    if end < start:
        raise Invalid("to", f"must not be before from ({start.isoformat()})")
    return Period(date_from=start, date_to=end)


async def summary(session: AsyncSession, p: Period) -> SummaryRead:
    received, late = await notification_counts(session, p)
    boards = {b.id: b for b in (await session.scalars(select(Lscb))).all()}
    active = active_boards(boards.values(), p.date_to)
    return SummaryRead(
        period=p,
        notifications_received=received,
        notifications_late=late,
        lscbs_total=len(active),
        lscbs_silent_12_months=len(await silent_boards(session, boards, active, p.date_to)),
    )


async def notification_counts(session: AsyncSession, p: Period) -> tuple[int, int]:
    """``notifications_received``: notifications with ``notified_on`` in [from, to];
    ``notifications_late``: of those, the late ones (more than 5 working days after the
    authority became aware, as the notifications service decided)."""
    late = func.coalesce(func.sum(case((Notification.late, 1), else_=0)), 0)
    row = (
        await session.execute(
            select(func.count(), late).where(
                Notification.notified_on >= p.date_from, Notification.notified_on <= p.date_to
            )
        )
    ).one()
    return int(row[0]), int(row[1])


def _merged_by(board: Lscb, day: dt.date) -> bool:
    return board.merged_on is not None and board.merged_on <= day


def active_boards(boards: Iterable[Lscb], day: dt.date) -> set[str]:
    """``lscbs_total`` counts these: boards registered on or before ``day`` and not merged on or
    before it (a board merged later was still active then)."""
    return {b.id for b in boards if b.registered_on <= day and not _merged_by(b, day)}


def speaking_for(boards: dict[str, Lscb], lscb_id: str, day: dt.date) -> str:
    """The board that answers for ``lscb_id`` at ``day``: follows merges made on or before it."""
    seen: set[str] = set()
    current = lscb_id
    while current not in seen:
        seen.add(current)
        board = boards.get(current)
        if board is None or board.merged_into is None or not _merged_by(board, day):
            return current
        current = board.merged_into
    return current  # only a corrupt registry has a cycle; stop where it closes


async def silent_boards(
    session: AsyncSession, boards: dict[str, Lscb], active: set[str], day: dt.date
) -> set[str]:
    """``lscbs_silent_12_months``: of the boards active at ``day``, those with no notification
    with ``notified_on`` in (``day`` minus twelve months, ``day``]. A notification from a board
    merged on or before ``day`` counts for the board it was merged into (through any chain)."""
    since = months_before(day, SILENT_AFTER_MONTHS)
    notifying = await session.scalars(
        select(Notification.lscb_id)
        .where(Notification.notified_on > since, Notification.notified_on <= day)
        .distinct()
    )
    heard_from = {speaking_for(boards, lscb_id, day) for lscb_id in notifying.all()}
    return active - heard_from
