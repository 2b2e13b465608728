"""Use cases of the decisions service that only read: cases, decisions with their history, the
panel's agenda and the open follow-ups. A board sees only its own; the panel sees everything."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.decisions.models import AuditEntry, Case, Decision, FollowUp
from services.decisions.schemas import (
    AgendaItem,
    AgendaPage,
    AuditEntryRead,
    CasePage,
    CaseRead,
    DecisionPage,
    DecisionRead,
    DecisionSummary,
    FollowUpPage,
    FollowUpRead,
    FollowUpStatus,
)
from services.decisions.states import CONSIDERATION_STEPS, CaseState
from shared.auth import Principal
from shared.events.vocab import InitiationDecision
from shared.queries import dated_between, fetch_page, for_board, get_visible

OPEN_STATUSES: tuple[FollowUpStatus, ...] = ("open", "overdue")

# --- cases ------------------------------------------------------------------------------------


async def get_case(session: AsyncSession, principal: Principal, case_id: str) -> CaseRead:
    return CaseRead.model_validate(await get_visible(session, Case, case_id, principal, "case"))


async def list_cases(
    session: AsyncSession,
    principal: Principal,
    lscb_id: str | None,
    state: CaseState | None,
    limit: int,
    offset: int,
) -> CasePage:
    query = for_board(select(Case), principal, Case.lscb_id, lscb_id)
    if state is not None:
        query = query.where(Case.state == state.value)
    ordered = query.order_by(Case.notified_on.desc(), Case.case_id)
    rows, total = await fetch_page(session, ordered, limit, offset)
    items = [CaseRead.model_validate(c) for c in rows]
    return CasePage(items=items, total=total, limit=limit, offset=offset)


# --- decisions --------------------------------------------------------------------------------


def decision_summary(decision: Decision) -> DecisionSummary:
    case = decision.case
    return DecisionSummary.model_validate(
        {
            **{c.key: getattr(decision, c.key) for c in Decision.__table__.columns},
            "reference": case.reference,
            "notification_id": case.notification_id,
            "state": case.state,
            "state_since": case.state_since,
        }
    )


def follow_up_read(follow_up: FollowUp) -> FollowUpRead:
    return FollowUpRead.model_validate(follow_up)


async def _history(
    session: AsyncSession, decision_ids: list[str]
) -> dict[str, list[AuditEntryRead]]:
    entries = await session.scalars(
        select(AuditEntry)
        .where(AuditEntry.decision_id.in_(decision_ids))
        .order_by(AuditEntry.decision_id, AuditEntry.seq)
    )
    history: dict[str, list[AuditEntryRead]] = defaultdict(list)
    for entry in entries:
        history[entry.decision_id].append(AuditEntryRead.model_validate(entry))
    return history


async def decision_read(session: AsyncSession, decision: Decision) -> DecisionRead:
    open_follow_up = await session.scalar(
        select(FollowUp).where(
            FollowUp.decision_id == decision.id, FollowUp.status.in_(OPEN_STATUSES)
        )
    )
    history = await _history(session, [decision.id])
    return DecisionRead(
        **decision_summary(decision).model_dump(),
        open_follow_up=follow_up_read(open_follow_up) if open_follow_up else None,
        history=history[decision.id],
    )


async def get_decision(
    session: AsyncSession, principal: Principal, decision_id: str
) -> DecisionRead:
    decision = await get_visible(session, Decision, decision_id, principal, "decision")
    return await decision_read(session, decision)


async def list_decisions(
    session: AsyncSession,
    principal: Principal,
    lscb_id: str | None,
    state: CaseState | None,
    decision: InitiationDecision | None,
    date_from: dt.date | None,
    date_to: dt.date | None,
    limit: int,
    offset: int,
) -> DecisionPage:
    query = for_board(select(Decision).join(Decision.case), principal, Decision.lscb_id, lscb_id)
    query = dated_between(query, Decision.decided_on, date_from, date_to)
    if state is not None:
        query = query.where(Case.state == state.value)
    if decision is not None:
        query = query.where(Decision.decision == decision.value)
    ordered = query.order_by(Decision.decided_on.desc(), Decision.id)
    rows, total = await fetch_page(session, ordered, limit, offset)
    items = [decision_summary(d) for d in rows]
    return DecisionPage(items=items, total=total, limit=limit, offset=offset)


# --- the panel's agenda -------------------------------------------------------------------


async def agenda(session: AsyncSession, day: dt.date, limit: int, offset: int) -> AgendaPage:
    """Decisions awaiting the panel, the longest waiting first, each with its history."""
    query = (
        select(Decision)
        .join(Decision.case)
        .where(Case.state == CaseState.AWAITING_PANEL.value)
        .order_by(Case.state_since, Decision.recorded_at, Decision.id)
    )
    rows, total = await fetch_page(session, query, limit, offset)
    history = await _history(session, [d.id for d in rows])
    items = []
    for decision in rows:
        entries = history[decision.id]
        waiting_since = decision.case.state_since
        items.append(
            AgendaItem(
                decision=decision_summary(decision),
                waiting_since=waiting_since,
                days_waiting=(day - waiting_since).days,
                first_consideration=not any(e.step in CONSIDERATION_STEPS for e in entries),
                history=entries,
            )
        )
    return AgendaPage(items=items, total=total, limit=limit, offset=offset)


# --- follow-ups -------------------------------------------------------------------------------


async def list_follow_ups(
    session: AsyncSession,
    principal: Principal,
    lscb_id: str | None,
    status: FollowUpStatus | None,
    limit: int,
    offset: int,
) -> FollowUpPage:
    """Open and overdue follow-ups (or only one status), the earliest due first."""
    query = for_board(select(FollowUp), principal, FollowUp.lscb_id, lscb_id)
    statuses = (status,) if status else OPEN_STATUSES
    query = query.where(FollowUp.status.in_(statuses))
    ordered = query.order_by(FollowUp.due_on, FollowUp.id)
    rows, total = await fetch_page(session, ordered, limit, offset)
    items = [follow_up_read(f) for f in rows]
    return FollowUpPage(items=items, total=total, limit=limit, offset=offset)
