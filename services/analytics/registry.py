"""The boards: which are active at a date, who answers for a merged board, and which have been in
touch with the panel (para 13) or silent (para 29). The registry is a few hundred rows: it is read
whole, and each kind of contact is one grouped query whatever the volume."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.analytics.arithmetic import in_period
from services.analytics.consumers import RESPONDED
from services.analytics.models import Decision, Lscb, Notice, NoticeStep, Notification, Report
from services.analytics.models import Response as FollowUpResponse
from services.analytics.schemas import Period
from shared.calendar import months_before

SILENT_AFTER_MONTHS = 12


async def all_boards(session: AsyncSession) -> dict[str, Lscb]:
    return {b.id: b for b in (await session.scalars(select(Lscb))).all()}


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


async def last_notified(
    session: AsyncSession, boards: dict[str, Lscb], day: dt.date
) -> dict[str, dt.date]:
    """Each board's latest ``notified_on`` on or before ``day``, a merged board's counting for
    the board that answers for it at ``day``."""
    rows = await session.execute(
        select(Notification.lscb_id, func.max(Notification.notified_on))
        .where(Notification.notified_on <= day)
        .group_by(Notification.lscb_id)
    )
    latest: dict[str, dt.date] = {}
    for lscb_id, notified_on in rows.tuples():
        board = speaking_for(boards, lscb_id, day)
        if board not in latest or notified_on > latest[board]:
            latest[board] = notified_on
    return latest


def silent(active: set[str], latest: dict[str, dt.date], day: dt.date) -> set[str]:
    """``lscbs_silent_12_months``: of the boards active at ``day``, those with no notification
    with ``notified_on`` in (``day`` minus twelve months, ``day``]."""
    since = months_before(day, SILENT_AFTER_MONTHS)
    return {b for b in active if b not in latest or latest[b] <= since}


async def silent_boards(
    session: AsyncSession, boards: dict[str, Lscb], active: set[str], day: dt.date
) -> set[str]:
    """The boards of ``active`` silent at ``day`` (see :func:`silent`)."""
    return silent(active, await last_notified(session, boards, day), day)


# --- contact with the panel ---------------------------------------------------------------------

# What a board sends the panel, each as (board, business date) rows; DOMAIN §5 para 13 counts a
# board in touch if any of these is dated in the period. A response to a follow-up is the
# decision's board's; a notice's response (publish or maintain) is the notice's board's; a report
# counts when received and when its publication is confirmed.
CONTACT_KINDS = ("notifications", "decisions", "responses", "reports", "notices")


def _contacts(p: Period) -> dict[str, list[Select[Any]]]:
    return {
        "notifications": [
            select(Notification.lscb_id, func.count())
            .where(in_period(Notification.notified_on, p))
            .group_by(Notification.lscb_id)
        ],
        "decisions": [
            select(Decision.lscb_id, func.count())
            .where(in_period(Decision.decided_on, p))
            .group_by(Decision.lscb_id)
        ],
        "responses": [
            select(Decision.lscb_id, func.count())
            .join(FollowUpResponse, FollowUpResponse.decision_id == Decision.id)
            .where(in_period(FollowUpResponse.responded_on, p))
            .group_by(Decision.lscb_id),
            select(Notice.lscb_id, func.count())
            .join(NoticeStep, NoticeStep.notice_id == Notice.id)
            .where(NoticeStep.kind == RESPONDED, in_period(NoticeStep.on, p))
            .group_by(Notice.lscb_id),
        ],
        "reports": [
            select(Report.lscb_id, func.count())
            .where(or_(in_period(Report.submitted_on, p), in_period(Report.published_on, p)))
            .group_by(Report.lscb_id)
        ],
        "notices": [
            select(Notice.lscb_id, func.count())
            .where(in_period(Notice.notified_on, p))
            .group_by(Notice.lscb_id)
        ],
    }


@dataclass
class Contact:
    """How many of each kind of contact each board had in a period (merged boards folded into
    the board that answers for them at the period's end)."""

    counts: dict[str, Counter[str]] = field(default_factory=dict)

    def in_touch(self) -> set[str]:
        return {board for counter in self.counts.values() for board, n in counter.items() if n}


async def contact(session: AsyncSession, boards: dict[str, Lscb], p: Period) -> Contact:
    result = Contact()
    for kind, queries in _contacts(p).items():
        counter: Counter[str] = Counter()
        for query in queries:
            for lscb_id, count in (await session.execute(query)).tuples():
                counter[speaking_for(boards, lscb_id, p.date_to)] += int(count)
        result.counts[kind] = counter
    return result


def not_in_touch(active: set[str], seen: Contact) -> set[str]:
    """``lscbs_not_in_touch``: the boards active at ``to`` with no contact dated in the period."""
    return active - seen.in_touch()
