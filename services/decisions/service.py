"""Use cases of the decisions service that change something: the board's initiation decision,
the panel's considerations, the board's responses. Each one validates, moves the case through the
table in ``states.py``, writes its audit entry and its events, and commits once.

A board sees only its own decisions; another board's answers 404 exactly as a missing one does.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.decisions import reads
from services.decisions.models import AuditEntry, Case, Decision, FollowUp
from services.decisions.notifications_client import NotificationLookup
from services.decisions.reads import OPEN_STATUSES
from services.decisions.review_types import OTHER, review_types
from services.decisions.schemas import (
    ConsiderationCreate,
    ConsiderationRead,
    DecisionCreate,
    DecisionRead,
    ResponseCreate,
    ResponseRead,
)
from services.decisions.states import (
    CONSIDERATION_STEPS,
    CaseState,
    Step,
    consideration_step,
    next_state,
    response_step,
)
from shared.auth import Principal
from shared.calendar import today
from shared.db import insert_if_absent
from shared.errors import Conflict, Invalid
from shared.events.contracts import (
    ConsiderationRecordedV1,
    DecisionEventData,
    DecisionRecordedV1,
    FollowUpClosedV1,
    FollowUpOpenedV1,
    LscbResponseRecordedV1,
    ScrInitiatedV1,
)
from shared.events.vocab import (
    ConsiderationOutcome,
    InitiationDecision,
    NonInitiationReason,
    ResponseAction,
)
from shared.idempotency import IdempotencyRequest, commit_step
from shared.outbox import add_event
from shared.queries import get_visible


async def emit(session: AsyncSession, data: DecisionEventData) -> None:
    """Stage a decisions event; keyed by its case, so a case's events stay in order."""
    await add_event(session, data, subject=data.case_id)


def about(decision: Decision) -> dict[str, str]:
    """The fields every decisions event opens with."""
    return {
        "decision_id": decision.id,
        "case_id": decision.case_id,
        "lscb_id": decision.lscb_id,
    }


async def audit(
    session: AsyncSession,
    decision: Decision,
    step: str,
    on: dt.date,
    actor: str,
    actor_role: str,
    state_before: CaseState,
    state_after: CaseState,
    change: dict[str, Any],
) -> AuditEntry:
    """Append one entry to the decision's trail (the caller holds the decision's row lock)."""
    last = await session.scalar(
        select(func.max(AuditEntry.seq)).where(AuditEntry.decision_id == decision.id)
    )
    entry = AuditEntry(
        id=str(uuid.uuid4()),
        decision_id=decision.id,
        seq=(last or 0) + 1,
        step=step,
        on=on,
        actor=actor,
        actor_role=actor_role,
        state_before=state_before.value,
        state_after=state_after.value,
        change=change,
    )
    session.add(entry)
    await session.flush()
    return entry


def _move(case: Case, state: CaseState, on: dt.date) -> None:
    case.state, case.state_since = state.value, on


def _not_before(field: str, value: dt.date, earliest: dt.date, what: str) -> None:
    if value < earliest:
        raise Invalid(field, f"must not be before {earliest.isoformat()} ({what})")


# --- the board's initiation decision -------------------------------------------------------


def _no_such_notification(notification_id: str) -> Invalid:
    # The same words whether it does not exist or is another board's: nothing is given away.
    return Invalid("notification_id", f"no notification {notification_id!r} of this board")


async def _case_for_decision(
    session: AsyncSession, principal: Principal, notification_id: str, remote_values: dict | None
) -> Case:
    if remote_values is not None:
        # Learnt over HTTP; the event may land at the same moment, whichever is first wins.
        await insert_if_absent(session, Case.__table__, remote_values)
    case = await session.get(Case, notification_id, with_for_update=True, populate_existing=True)
    if case is None or not principal.can_see_board(case.lscb_id):
        raise _no_such_notification(notification_id)
    return case


def _review_type_fields(data: DecisionCreate) -> tuple[str | None, str | None]:
    """The code and label of the review proposed instead, checked against the seeded list."""
    code = data.alternative_review_type
    if code is None:
        if data.other_review_type is not None:
            raise Invalid("other_review_type", "only with alternative_review_type 'other'")
        return None, None
    known = review_types()
    if code not in known:
        raise Invalid(
            "alternative_review_type",
            f"unknown type {code!r}: use a code from GET /v1/alternative-review-types",
        )
    if (code == OTHER) != (data.other_review_type is not None):
        raise Invalid("other_review_type", "needed with alternative_review_type 'other' only")
    return code, data.other_review_type if code == OTHER else known[code]


def _check_decision_fields(data: DecisionCreate) -> None:
    if data.decision is InitiationDecision.INITIATE:
        for name in ("reasons", "other_reason", "alternative_review_type", "other_review_type"):
            if getattr(data, name):
                raise Invalid(name, "only for a decision not to initiate")
        return
    reasons = data.reasons
    if not reasons:
        raise Invalid("reasons", "give at least one reason for not initiating an SCR")
    if len(set(reasons)) != len(reasons):
        raise Invalid("reasons", "each reason once")
    if (NonInitiationReason.OTHER in reasons) != (data.other_reason is not None):
        raise Invalid("other_reason", "needed with reason 'other' only")
    if NonInitiationReason.OTHER_REVIEW_PREFERRED in reasons and not data.alternative_review_type:
        raise Invalid("alternative_review_type", "needed with reason 'other_review_preferred'")
    if data.reviewers:
        raise Invalid("reviewers", "reviewers are named only when an SCR is initiated")
    if data.rationale is None:
        raise Invalid("rationale", "explain the decision not to initiate an SCR")


async def record_decision(
    session: AsyncSession,
    principal: Principal,
    data: DecisionCreate,
    idem: IdempotencyRequest | None,
    lookup: NotificationLookup,
) -> DecisionRead:
    _check_decision_fields(data)
    review_type, review_label = _review_type_fields(data)
    remote_values = None
    if await session.get(Case, data.notification_id) is None:
        # Not heard of yet: ask, holding no transaction (nor SQLite's write lock) meanwhile.
        await session.rollback()
        remote = await lookup(data.notification_id)
        if remote is None:
            raise _no_such_notification(data.notification_id)
        remote_values = {
            "case_id": remote.id,
            "notification_id": remote.id,
            "reference": remote.reference,
            "lscb_id": remote.lscb_id,
            "notified_on": remote.notified_on,
            "state": CaseState.AWAITING_INITIATION_DECISION.value,
            "state_since": remote.notified_on,
            "opened_at": dt.datetime.now(dt.UTC),
        }

    async def operation() -> DecisionRead:
        case = await _case_for_decision(session, principal, data.notification_id, remote_values)
        before = CaseState(case.state)
        after = next_state(before, Step(data.decision.value))
        decided_on = data.decided_on or today()
        _not_before("decided_on", decided_on, case.notified_on, "the notification")
        decision = Decision(
            id=str(uuid.uuid4()),
            case_id=case.case_id,
            lscb_id=case.lscb_id,
            decision=data.decision.value,
            decided_on=decided_on,
            reasons=[r.value for r in data.reasons],
            other_reason=data.other_reason,
            alternative_review_type=review_type,
            alternative_review_type_label=review_label,
            rationale=data.rationale or "",
            reviewers=list(data.reviewers),
            recorded_by=principal.sub,
            case=case,
        )
        session.add(decision)
        _move(case, after, decided_on)
        await session.flush()
        await audit(
            session,
            decision,
            data.decision.value,
            decided_on,
            principal.sub,
            principal.role.value,
            before,
            after,
            data.model_dump(mode="json", exclude={"notification_id"}, exclude_none=True),
        )
        await emit(
            session,
            DecisionRecordedV1(
                **about(decision),
                notification_id=case.notification_id,
                reference=case.reference,
                decision=data.decision,
                decided_on=decided_on,
                reasons=tuple(data.reasons),
                other_reason=data.other_reason,
                alternative_review_type=review_type,
                alternative_review_type_label=review_label,
                reviewers=tuple(data.reviewers),
                state=after,
            ),
        )
        if after is CaseState.SCR_INITIATED:
            await _emit_scr_initiated(session, decision, decided_on, after_advice=False)
        return await reads.decision_read(session, decision)

    return await commit_step(session, idem, operation, DecisionRead, "case")


async def _emit_scr_initiated(
    session: AsyncSession, decision: Decision, on: dt.date, after_advice: bool
) -> None:
    await emit(
        session,
        ScrInitiatedV1(
            **about(decision),
            scr_id=decision.case_id,
            reference=decision.case.reference,
            initiated_on=on,
            after_advice=after_advice,
            reviewers=tuple(decision.reviewers),
        ),
    )


# --- the panel's consideration --------------------------------------------------------------


async def _considered_before(session: AsyncSession, decision_id: str) -> bool:
    count = await session.scalar(
        select(func.count())
        .select_from(AuditEntry)
        .where(AuditEntry.decision_id == decision_id, AuditEntry.step.in_(CONSIDERATION_STEPS))
    )
    return bool(count)


def _response_due_on(
    data: ConsiderationCreate, considered_on: dt.date, days: int
) -> dt.date | None:
    asks_for_response = data.outcome is not ConsiderationOutcome.AGREE
    if not asks_for_response:
        if data.response_due_on is not None:
            raise Invalid("response_due_on", "only a challenge or a referral back asks for one")
        return None
    if data.rationale is None:
        raise Invalid("rationale", "say why the panel challenges or refers the decision back")
    due_on = data.response_due_on or considered_on + dt.timedelta(days=days)
    if due_on <= considered_on:
        raise Invalid("response_due_on", "must be after considered_on")
    return due_on


async def record_consideration(
    session: AsyncSession,
    principal: Principal,
    decision_id: str,
    data: ConsiderationCreate,
    idem: IdempotencyRequest | None,
    response_days: int,
) -> ConsiderationRead:
    async def operation() -> ConsiderationRead:
        decision = await get_visible(
            session, Decision, decision_id, principal, "decision", for_update=True
        )
        case = decision.case
        first = not await _considered_before(session, decision.id)
        step = consideration_step(data.outcome, first)
        before = CaseState(case.state)
        after = next_state(before, step)
        considered_on = data.considered_on or today()
        _not_before("considered_on", considered_on, case.state_since, "the case reached the panel")
        due_on = _response_due_on(data, considered_on, response_days)
        change = data.model_dump(mode="json", exclude_none=True) | {
            "considered_on": considered_on.isoformat(),
            "first_consideration": first,
        }
        if due_on is not None:
            change["response_due_on"] = due_on.isoformat()
        entry = await audit(
            session,
            decision,
            step.value,
            considered_on,
            principal.sub,
            principal.role.value,
            before,
            after,
            change,
        )
        _move(case, after, considered_on)
        await emit(
            session,
            ConsiderationRecordedV1(
                **about(decision),
                consideration_id=entry.id,
                considered_on=considered_on,
                outcome=data.outcome,
                first_consideration=first,
                statutory_breach=data.statutory_breach,
                response_due_on=due_on,
                state=after,
            ),
        )
        follow_up = None
        if due_on is not None:
            follow_up = await _open_follow_up(
                session, decision, entry.id, data.outcome, considered_on, due_on
            )
        return ConsiderationRead(
            id=entry.id,
            decision_id=decision.id,
            considered_on=considered_on,
            outcome=data.outcome,
            first_consideration=first,
            rationale=data.rationale,
            response_due_on=due_on,
            statutory_breach=data.statutory_breach,
            state=after,
            follow_up=reads.follow_up_read(follow_up) if follow_up else None,
            recorded_by=entry.actor,
            recorded_at=entry.recorded_at,
        )

    return await commit_step(session, idem, operation, ConsiderationRead, "case")


async def _open_follow_up(
    session: AsyncSession,
    decision: Decision,
    consideration_id: str,
    reason: ConsiderationOutcome,
    opened_on: dt.date,
    due_on: dt.date,
) -> FollowUp:
    follow_up = FollowUp(
        id=str(uuid.uuid4()),
        decision_id=decision.id,
        case_id=decision.case_id,
        lscb_id=decision.lscb_id,
        consideration_id=consideration_id,
        reason=reason.value,
        opened_on=opened_on,
        due_on=due_on,
        status="open",
    )
    session.add(follow_up)
    await emit(
        session,
        FollowUpOpenedV1(
            **about(decision),
            follow_up_id=follow_up.id,
            consideration_id=consideration_id,
            reason=reason,
            opened_on=opened_on,
            due_on=due_on,
        ),
    )
    return follow_up


# --- the board's response -------------------------------------------------------------------


async def record_response(
    session: AsyncSession,
    principal: Principal,
    decision_id: str,
    data: ResponseCreate,
    idem: IdempotencyRequest | None,
) -> ResponseRead:
    async def operation() -> ResponseRead:
        decision = await get_visible(
            session, Decision, decision_id, principal, "decision", for_update=True
        )
        case = decision.case
        before = CaseState(case.state)
        after = next_state(before, response_step(data.action))
        follow_up = await session.scalar(
            select(FollowUp)
            .where(FollowUp.decision_id == decision.id, FollowUp.status.in_(OPEN_STATUSES))
            .with_for_update()
        )
        if follow_up is None:  # awaiting_lscb always has one; a broken invariant, not the caller's
            raise Conflict(f"the case is {before.value} but has no open follow-up")
        responded_on = data.responded_on or today()
        _not_before("responded_on", responded_on, follow_up.opened_on, "the follow-up opened")
        if data.action is ResponseAction.PROVIDE_INFORMATION and data.information is None:
            raise Invalid("information", "give the further information the panel asked for")
        change = data.model_dump(mode="json", exclude_none=True) | {
            "responded_on": responded_on.isoformat(),
            "follow_up_id": follow_up.id,
        }
        entry = await audit(
            session,
            decision,
            data.action.value,
            responded_on,
            principal.sub,
            principal.role.value,
            before,
            after,
            change,
        )
        # On business dates, like every figure: not on whether the scheduler has been round yet.
        was_overdue = responded_on > follow_up.due_on
        follow_up.status, follow_up.closed_on, follow_up.response_id = (
            "closed",
            responded_on,
            entry.id,
        )
        _move(case, after, responded_on)
        await emit(
            session,
            LscbResponseRecordedV1(
                **about(decision),
                response_id=entry.id,
                follow_up_id=follow_up.id,
                responded_on=responded_on,
                action=data.action,
                state=after,
            ),
        )
        await emit(
            session,
            FollowUpClosedV1(
                **about(decision),
                follow_up_id=follow_up.id,
                response_id=entry.id,
                closed_on=responded_on,
                action=data.action,
                was_overdue=was_overdue,
            ),
        )
        if after is CaseState.SCR_INITIATED_AFTER_ADVICE:
            await _emit_scr_initiated(session, decision, responded_on, after_advice=True)
        return ResponseRead(
            id=entry.id,
            decision_id=decision.id,
            follow_up_id=follow_up.id,
            responded_on=responded_on,
            action=data.action,
            information=data.information,
            state=after,
            recorded_by=entry.actor,
            recorded_at=entry.recorded_at,
        )

    return await commit_step(session, idem, operation, ResponseRead, "case")
