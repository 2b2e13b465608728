"""Use cases of the analytics service: the figures of DOMAIN.md §5, on business dates.

Every figure is "as of the end of the period": only facts dated on or before ``to`` count.
Counts are SQL aggregates, a handful of queries whatever the volume; the registry (a few hundred
boards) is read whole. ``bench/summary.py`` measures it. The publication figures are in
``publication_figures.py``; the rounding to one decimal, in ``arithmetic.py``.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from sqlalchemy import case, exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute, aliased

from services.analytics.arithmetic import in_period, one_decimal, percent
from services.analytics.models import (
    Consideration,
    Decision,
    DecisionReason,
    FollowUp,
    NoticeStep,
    Notification,
    Response,
)
from services.analytics.publication_figures import (
    non_publication_outcomes,
    quality,
    recommendations,
    report_counts,
)
from services.analytics.registry import (
    active_boards,
    all_boards,
    contact,
    not_in_touch,
    silent_boards,
)
from services.analytics.schemas import Period, SummaryRead
from shared.calendar import today
from shared.errors import Invalid
from shared.events.vocab import (
    ConsiderationOutcome,
    InitiationDecision,
    NonInitiationReason,
    ResponseAction,
)

# The panel began work in June 2013: the default period starts there.
DEFAULT_FROM = dt.date(2013, 6, 1)


# LSCBs were set up on 1 April 2006 (the LSCB Regulations 2006): nothing the figures count can be
# dated earlier. The floor also bounds a period's months (the monthly series, the report's
# tables and charts): a period from year 1 had 24,000 of them and took a PDF render to 13 GB.
EARLIEST_FROM = dt.date(2006, 4, 1)


def period(date_from: dt.date | None, date_to: dt.date | None) -> Period:
    """The period asked for: from 1 June 2013 to today unless given; ``from`` not before 1 April
    2006, ``to`` not before ``from``."""
    start = date_from or DEFAULT_FROM
    end = date_to or today()
    if start < EARLIEST_FROM:
        raise Invalid("from", f"must not be before {EARLIEST_FROM.isoformat()}, when LSCBs began")
    if end < start:
        raise Invalid("to", f"must not be before from ({start.isoformat()})")
    return Period(date_from=start, date_to=end)


# Every kind of panel consideration, by its business date: of non-initiation decisions, and of
# non-publication notices (only a notice's consideration steps have a ``considered_on``).
CONSIDERATION_DATES: tuple[InstrumentedAttribute[Any], ...] = (
    Consideration.considered_on,
    NoticeStep.considered_on,
)


async def summary(session: AsyncSession, p: Period) -> SummaryRead:
    received, late = await notification_counts(session, p)
    boards = await all_boards(session)
    active = active_boards(boards.values(), p.date_to)
    quiet = not_in_touch(active, await contact(session, boards, p))
    considered = await non_initiation_outcomes(session, p)
    referred_back, breaches = await consideration_counts(session, p)
    considerations = await panel_considerations(session, p)
    reports, short_notice = await report_counts(session, p)
    notices = await non_publication_outcomes(session, p)
    completed = reports + notices.considered
    return SummaryRead(
        period=p,
        notifications_received=received,
        notifications_late=late,
        lscbs_total=len(active),
        lscbs_silent_12_months=len(await silent_boards(session, boards, active, p.date_to)),
        lscbs_not_in_touch=len(quiet),
        lscbs_not_in_touch_pct=percent(len(quiet), len(active)),
        scr_initiation_decisions=await initiation_decisions(session, p),
        non_initiation_decisions_considered=considered.considered,
        agreed_without_challenge=considered.agreed_without_challenge,
        agreed_without_challenge_pct=percent(
            considered.agreed_without_challenge, considered.considered
        ),
        challenged_or_queried=considered.challenged_or_queried,
        scr_initiated_after_advice=considered.scr_initiated_after_advice,
        accepted_after_further_information=considered.accepted_after_further_information,
        awaiting_further_information=considered.awaiting_further_information,
        referrals_back=referred_back,
        statutory_breaches_flagged=breaches,
        reports_received_before_publication=reports,
        reports_short_notice=short_notice,
        non_publication_cases_considered=notices.considered,
        non_publication_accepted=notices.accepted,
        non_publication_being_reconsidered=notices.being_reconsidered,
        non_publication_since_published=notices.since_published,
        completed_scrs=completed,
        publication_rate_pct=percent(reports + notices.since_published, completed),
        panel_considerations=considerations,
        panel_considerations_per_month=per_month(considerations, p),
        non_initiation_reasons=await non_initiation_reasons(session, p),
        alternative_review_types=await alternative_review_types(session, p),
        follow_ups_overdue=await follow_ups_overdue(session, p.date_to),
        quality=await quality(session, p),
        recommendations=await recommendations(session, p),
    )


# --- the calendar -------------------------------------------------------------------------------


def calendar_months(start: dt.date, end: dt.date) -> Fraction:
    """The calendar months in [``start``, ``end``]: for each calendar month the period touches,
    the days of the period in it over the days of that month. Whole months count 1 each (June
    2013 to May 2014: 12); 1 to 15 June: 1/2."""
    if end < start:
        return Fraction(0)

    def length(day: dt.date) -> int:
        return calendar.monthrange(day.year, day.month)[1]

    def index(day: dt.date) -> int:
        return day.year * 12 + day.month

    if index(start) == index(end):
        return Fraction((end - start).days + 1, length(start))
    head = Fraction(length(start) - start.day + 1, length(start))
    tail = Fraction(end.day, length(end))
    return head + (index(end) - index(start) - 1) + tail


def per_month(count: int, p: Period) -> float | None:
    """``count`` / the calendar months in ``p``, to one decimal, halves rounded up; ``None`` for
    a period of no months (a period has at least one day, so never in practice)."""
    months = calendar_months(p.date_from, p.date_to)
    if months == 0:
        return None
    return one_decimal(count / months)


# --- the registry and notifications -------------------------------------------------------------


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


# --- decisions and considerations ---------------------------------------------------------------


async def initiation_decisions(session: AsyncSession, p: Period) -> int:
    """``scr_initiation_decisions``: decisions ``initiate`` with ``decided_on`` in [from, to]."""
    count = await session.scalar(
        select(func.count())
        .select_from(Decision)
        .where(
            Decision.decision == InitiationDecision.INITIATE.value,
            in_period(Decision.decided_on, p),
        )
    )
    return int(count or 0)


@dataclass(frozen=True)
class NonInitiationOutcomes:
    """Where the non-initiation decisions first considered in a period stand at its end."""

    considered: int
    agreed_without_challenge: int
    scr_initiated_after_advice: int
    accepted_after_further_information: int

    @property
    def challenged_or_queried(self) -> int:
        return self.considered - self.agreed_without_challenge

    @property
    def awaiting_further_information(self) -> int:
        return (
            self.challenged_or_queried
            - self.scr_initiated_after_advice
            - self.accepted_after_further_information
        )


async def non_initiation_outcomes(session: AsyncSession, p: Period) -> NonInitiationOutcomes:
    """The considered decisions and where they stand at ``to``, in one aggregate:

    - ``non_initiation_decisions_considered``: non-initiation decisions whose first consideration
      (``first_consideration``) has ``considered_on`` in [from, to]. Only non-initiation
      decisions are considered, and each has one first consideration (the decisions service's
      state table allows nothing else), so the first considerations alone count them, whether or
      not the decision's own event is here yet;
    - ``agreed_without_challenge``: of those, first consideration ``agree``;
    - of the others (challenged or queried), ``scr_initiated_after_advice``: those with an
      ``initiate_scr`` response with ``responded_on`` <= to; else
      ``accepted_after_further_information``: those with a later (not first) ``agree``
      consideration with ``considered_on`` <= to; else ``awaiting_further_information``. The
      "else" keeps the three apart, so they always add up to the challenged or queried.
    """
    first = aliased(Consideration, name="first")
    agreed = first.outcome == ConsiderationOutcome.AGREE.value
    initiated = exists().where(
        Response.decision_id == first.decision_id,
        Response.action == ResponseAction.INITIATE_SCR.value,
        Response.responded_on <= p.date_to,
    )
    accepted_later = exists().where(
        Consideration.decision_id == first.decision_id,
        ~Consideration.first_consideration,
        Consideration.outcome == ConsiderationOutcome.AGREE.value,
        Consideration.considered_on <= p.date_to,
    )

    def total(*whens: tuple[Any, int]) -> Any:
        # CASE takes the first branch that holds: that is the "else" of the definitions.
        return func.coalesce(func.sum(case(*whens, else_=0)), 0)

    row = (
        await session.execute(
            select(
                func.count(),
                total((agreed, 1)),
                total((agreed, 0), (initiated, 1)),
                total((agreed, 0), (initiated, 0), (accepted_later, 1)),
            ).where(first.first_consideration, in_period(first.considered_on, p))
        )
    ).one()
    return NonInitiationOutcomes(
        considered=int(row[0]),
        agreed_without_challenge=int(row[1]),
        scr_initiated_after_advice=int(row[2]),
        accepted_after_further_information=int(row[3]),
    )


async def consideration_counts(session: AsyncSession, p: Period) -> tuple[int, int]:
    """``referrals_back``: considerations ``refer_back`` with ``considered_on`` in [from, to];
    ``statutory_breaches_flagged``: considerations with ``considered_on`` in [from, to] that
    flagged a statutory breach, of decisions and of non-publication notices alike (para 9: any
    breach the panel sees). Both count records, first and later alike."""
    referred = case((Consideration.outcome == ConsiderationOutcome.REFER_BACK.value, 1), else_=0)
    breach = case((Consideration.statutory_breach, 1), else_=0)
    row = (
        await session.execute(
            select(func.coalesce(func.sum(referred), 0), func.coalesce(func.sum(breach), 0)).where(
                in_period(Consideration.considered_on, p)
            )
        )
    ).one()
    notice_breaches = await session.scalar(
        select(func.count())
        .select_from(NoticeStep)
        .where(NoticeStep.statutory_breach.is_(True), in_period(NoticeStep.considered_on, p))
    )
    return int(row[0]), int(row[1]) + int(notice_breaches or 0)


async def panel_considerations(session: AsyncSession, p: Period) -> int:
    """``panel_considerations``: every consideration record dated in [from, to], first and later,
    of every kind in :data:`CONSIDERATION_DATES`."""
    total = 0
    for considered_on in CONSIDERATION_DATES:
        count = await session.scalar(
            select(func.count())
            .select_from(considered_on.class_)
            .where(in_period(considered_on, p))
        )
        total += int(count or 0)
    return total


async def non_initiation_reasons(session: AsyncSession, p: Period) -> dict[str, int]:
    """``non_initiation_reasons``: for every reason code, the number of ``not_initiate``
    decisions with ``decided_on`` in [from, to] that gave it (a code given twice by one decision
    counts once). Every code is a key, 0 when unused, so that dashboards see stable keys."""
    rows = await session.execute(
        select(DecisionReason.reason, func.count())
        .join(Decision, Decision.id == DecisionReason.decision_id)
        .where(
            Decision.decision == InitiationDecision.NOT_INITIATE.value,
            in_period(Decision.decided_on, p),
        )
        .group_by(DecisionReason.reason)
    )
    counts = dict(rows.tuples().all())
    return {reason.value: int(counts.get(reason.value, 0)) for reason in NonInitiationReason}


async def alternative_review_types(session: AsyncSession, p: Period) -> dict[str, int]:
    """``alternative_review_types``: for each alternative review type cited by a decision with
    ``decided_on`` in [from, to], the number citing it; only types cited, sorted by key. The key
    is the type's code, or for ``other`` ``other:`` and the board's words, lower-cased with
    whitespace collapsed (see ``consumers.alternative_review_key``)."""
    rows = await session.execute(
        select(Decision.alternative_review_type, func.count())
        .where(Decision.alternative_review_type.is_not(None), in_period(Decision.decided_on, p))
        .group_by(Decision.alternative_review_type)
    )
    # Sorted here, not by ORDER BY: PostgreSQL's collation may order text otherwise than SQLite.
    return {key: int(count) for key, count in sorted(rows.tuples().all())}


async def follow_ups_overdue(session: AsyncSession, day: dt.date) -> int:
    """``follow_ups_overdue``: follow-ups open at ``day`` (``opened_on`` <= day, and not closed or
    ``closed_on`` > day) whose ``due_on`` is before ``day``."""
    count = await session.scalar(
        select(func.count())
        .select_from(FollowUp)
        .where(
            FollowUp.opened_on <= day,
            or_(FollowUp.closed_on.is_(None), FollowUp.closed_on > day),
            FollowUp.due_on < day,
        )
    )
    return int(count or 0)
