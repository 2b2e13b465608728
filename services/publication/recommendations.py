"""Recommendations: made with a report (or a notice), their implementation kept up to date by
the board with evidence (para 29), listed for the panel, DfE and Ofsted, and gathered into what
a board's chair publishes in the annual report."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter, defaultdict
from collections.abc import Sequence

from sqlalchemy import Select, func, not_, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.publication.models import Lscb, Recommendation, RecommendationUpdate, Scr
from services.publication.prescreen import RecommendationSignal
from services.publication.schemas import (
    ChairsReport,
    ChairsReportItem,
    RecommendationCreate,
    RecommendationDetail,
    RecommendationRead,
    RecommendationUpdateCreate,
    RecommendationUpdateRead,
)
from services.publication.states import (
    RECOMMENDATION_TRANSITIONS,
    SETTLED_STATUSES,
    next_state,
)
from services.publication.steps import about, emit, not_before
from shared.auth import Principal
from shared.calendar import months_before, today
from shared.errors import NotFound
from shared.events.contracts import RecommendationFacts, RecommendationUpdatedV1
from shared.events.vocab import (
    AddresseeKind,
    RecommendationLevel,
    RecommendationStatus,
    Sector,
)
from shared.idempotency import commit_step
from shared.queries import dated_between, fetch_page, for_board, get_visible
from shared.schemas import Page

SETTLED = sorted(s.value for s in SETTLED_STATUSES)  # as stored, for SQL


def add_recommendations(
    session: AsyncSession,
    scr: Scr,
    made_on: dt.date,
    items: Sequence[RecommendationCreate],
    signals: Sequence[RecommendationSignal],
    report_id: str | None = None,
    notice_id: str | None = None,
) -> list[Recommendation]:
    """The recommendations of a report or a notice, each ``proposed`` as of ``made_on``."""
    for index, item in enumerate(items):
        # Due before it was made, it would be overdue from its first day: a mistyped date.
        if item.due_on is not None:
            field = f"recommendations.{index}.due_on"
            not_before(field, item.due_on, made_on, "the recommendation was made")
    rows = [
        Recommendation(
            id=str(uuid.uuid4()),
            report_id=report_id,
            notice_id=notice_id,
            scr_id=scr.scr_id,
            lscb_id=scr.lscb_id,
            position=position,
            text=item.text,
            addressee=item.addressee,
            addressee_kind=item.addressee_kind.value,
            level=item.level.value,
            sector=item.sector.value,
            due_on=item.due_on,
            made_on=made_on,
            status=RecommendationStatus.PROPOSED.value,
            status_since=made_on,
            seq=0,
            names_addressee=signal.names_addressee,
            measurable_action=signal.measurable_action,
        )
        for position, (item, signal) in enumerate(zip(items, signals, strict=True), start=1)
    ]
    session.add_all(rows)
    return rows


def facts(rows: Sequence[Recommendation]) -> tuple[RecommendationFacts, ...]:
    """What the events say of each recommendation: what is counted, never the text."""
    return tuple(
        RecommendationFacts(
            recommendation_id=r.id,
            level=RecommendationLevel(r.level),
            sector=Sector(r.sector),
            addressee_kind=AddresseeKind(r.addressee_kind),
            names_addressee=r.names_addressee,
            due_on=r.due_on,
        )
        for r in rows
    )


def read(row: Recommendation) -> RecommendationRead:
    return RecommendationRead.model_validate(row)


def _overdue_clause(on: dt.date):  # type: ignore[no-untyped-def]
    return (
        Recommendation.due_on.is_not(None)
        & (Recommendation.due_on < on)
        & Recommendation.status.not_in(SETTLED)
    )


async def list_recommendations(
    session: AsyncSession,
    principal: Principal,
    lscb_id: str | None,
    status: RecommendationStatus | None,
    addressee: str | None,
    level: RecommendationLevel | None,
    sector: Sector | None,
    overdue: bool | None,
    date_from: dt.date | None,
    date_to: dt.date | None,
    limit: int,
    offset: int,
) -> Page[RecommendationRead]:
    query: Select[tuple[Recommendation]] = for_board(
        select(Recommendation), principal, Recommendation.lscb_id, lscb_id
    )
    query = dated_between(query, Recommendation.made_on, date_from, date_to)
    if status is not None:
        query = query.where(Recommendation.status == status.value)
    if addressee:
        # Case-insensitive "contains", the caller's % and _ taken literally.
        pattern = addressee.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(func.lower(Recommendation.addressee).like(f"%{pattern}%", escape="\\"))
    if level is not None:
        query = query.where(Recommendation.level == level.value)
    if sector is not None:
        query = query.where(Recommendation.sector == sector.value)
    on = today()
    if overdue is not None:
        query = query.where(_overdue_clause(on) if overdue else not_(_overdue_clause(on)))
    ordered = query.order_by(
        Recommendation.made_on.desc(), Recommendation.scr_id, Recommendation.position
    )
    rows, total = await fetch_page(session, ordered, limit, offset)
    return Page[RecommendationRead](
        items=[read(r) for r in rows], total=total, limit=limit, offset=offset
    )


async def _history(session: AsyncSession, recommendation_id: str) -> list[RecommendationUpdate]:
    rows = await session.scalars(
        select(RecommendationUpdate)
        .where(RecommendationUpdate.recommendation_id == recommendation_id)
        .order_by(RecommendationUpdate.seq)
    )
    return list(rows.all())


async def _detail(session: AsyncSession, row: Recommendation) -> RecommendationDetail:
    history = [RecommendationUpdateRead.model_validate(u) for u in await _history(session, row.id)]
    return RecommendationDetail(**read(row).model_dump(), history=history)


async def get_recommendation(
    session: AsyncSession, principal: Principal, recommendation_id: str
) -> RecommendationDetail:
    row = await get_visible(session, Recommendation, recommendation_id, principal, "recommendation")
    return await _detail(session, row)


async def update_recommendation(
    session: AsyncSession,
    principal: Principal,
    recommendation_id: str,
    data: RecommendationUpdateCreate,
) -> RecommendationDetail:
    async def operation() -> RecommendationDetail:
        row = await get_visible(
            session, Recommendation, recommendation_id, principal, "recommendation", True
        )
        before = RecommendationStatus(row.status)
        after = next_state(RECOMMENDATION_TRANSITIONS, "recommendation", before, data.status)
        changed_on = data.changed_on or today()
        not_before("changed_on", changed_on, row.status_since, f"it became {before.value}")
        row.seq += 1
        session.add(
            RecommendationUpdate(
                id=str(uuid.uuid4()),
                recommendation_id=row.id,
                seq=row.seq,
                changed_on=changed_on,
                status_before=before.value,
                status=after.value,
                action_taken=data.action_taken,
                by_whom=data.by_whom,
                evidence=data.evidence,
                actor=principal.sub,
            )
        )
        row.status, row.status_since = after.value, changed_on
        scr = await session.get(Scr, row.scr_id)
        assert scr is not None  # a recommendation is only ever made for a known SCR
        await emit(
            session,
            RecommendationUpdatedV1(
                **about(scr),
                recommendation_id=row.id,
                report_id=row.report_id,
                notice_id=row.notice_id,
                changed_on=changed_on,
                status_before=before,
                status=after,
                seq=row.seq,
            ),
        )
        await session.flush()
        return await _detail(session, row)

    return await commit_step(session, None, operation, RecommendationDetail, "recommendation")


def _twelve_months_up_to(end: dt.date) -> dt.date:
    """The first day of the twelve months ending on ``end``; the calendar's first day for an
    end in its first year (there is no year 0 to count back into)."""
    if end.year == dt.MINYEAR:
        return dt.date.min
    return months_before(end, 12) + dt.timedelta(days=1)


async def chairs_report(
    session: AsyncSession,
    principal: Principal,
    lscb_id: str,
    date_from: dt.date | None,
    date_to: dt.date | None,
) -> ChairsReport:
    """Para 29: each recommendation made in the period, its status at the period's end, and
    every action taken on it up to then, and by whom. The period defaults to the twelve months
    up to today."""
    if not principal.can_see_board(lscb_id):
        raise NotFound(f"no board {lscb_id!r}")
    end = date_to or today()
    start = date_from or _twelve_months_up_to(end)
    board = await session.get(Lscb, lscb_id)
    query = dated_between(
        select(Recommendation).where(Recommendation.lscb_id == lscb_id),
        Recommendation.made_on,
        start,
        end,
    ).order_by(Recommendation.made_on, Recommendation.scr_id, Recommendation.position)
    rows = list((await session.scalars(query)).all())
    # A board unknown here with nothing to show is no board, unless it is the caller's own: its
    # token vouches for it, and the registry's copy may not have heard of it yet.
    if board is None and not rows and principal.lscb_id != lscb_id:
        raise NotFound(f"no board {lscb_id!r}")
    # Every action up to the end, for all of them in one query (a board may have hundreds).
    updates = await session.scalars(
        select(RecommendationUpdate)
        .where(
            RecommendationUpdate.recommendation_id.in_([r.id for r in rows]),
            RecommendationUpdate.changed_on <= end,
        )
        .order_by(RecommendationUpdate.recommendation_id, RecommendationUpdate.seq)
    )
    history: dict[str, list[RecommendationUpdate]] = defaultdict(list)
    for update in updates:
        history[update.recommendation_id].append(update)
    items = []
    for row in rows:
        actions = history[row.id]
        status_at_end = RecommendationStatus(actions[-1].status if actions else "proposed")
        items.append(
            ChairsReportItem(
                recommendation=read(row),
                status_at_end=status_at_end,
                actions=[RecommendationUpdateRead.model_validate(u) for u in actions],
            )
        )
    counts = Counter(item.status_at_end for item in items)
    overdue = sum(
        1
        for item in items
        if item.recommendation.due_on is not None
        and item.recommendation.due_on < end
        and item.status_at_end not in SETTLED_STATUSES
    )
    return ChairsReport(
        lscb_id=lscb_id,
        lscb_name=board.name if board else None,
        date_from=start,
        date_to=end,
        by_status={status: counts.get(status, 0) for status in RecommendationStatus},
        overdue=overdue,
        items=items,
    )
