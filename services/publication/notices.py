"""Decisions not to publish an SCR report in full (paras 22-23): the board's notice, the panel's
consideration (accept or challenge), the board's response (publish after all, or maintain the
decision and go back to the panel). The states are the table in ``states.py``.

Every step appends to the notice's history under its row lock, numbered by ``seq`` (unique per
notice), writes its events and commits once. An accepted anonymised summary goes into the
learning repository; a withheld report never does.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.publication import recommendations, repository
from services.publication.models import NonPublicationNotice, NoticeStep, Recommendation, Scr
from services.publication.prescreen import prescreen
from services.publication.schemas import (
    NoticeConsiderationCreate,
    NoticeCreate,
    NoticeRead,
    NoticeResponseCreate,
    NoticeStepRead,
    NoticeSummary,
)
from services.publication.service import COMPLETED_BY_NOTICE, refuse_second_completion
from services.publication.states import NOTICE_TRANSITIONS, next_state
from services.publication.states import NoticeStep as Step
from services.publication.steps import about, emit, not_before, scr_for_completion
from shared.auth import Principal
from shared.calendar import today
from shared.errors import Invalid
from shared.events.contracts import (
    NonPublicationConsideredV1,
    NonPublicationNotifiedV1,
    NonPublicationResolvedV1,
    NonPublicationRespondedV1,
)
from shared.events.vocab import (
    NonPublicationAction,
    NonPublicationOutcome,
    NonPublicationProposal,
    NonPublicationReason,
    NonPublicationState,
)
from shared.idempotency import IdempotencyRequest, commit_step
from shared.queries import fetch_page, for_board, get_visible
from shared.schemas import Page

P = NonPublicationProposal


# --- reading --------------------------------------------------------------------------------


async def notice_read(session: AsyncSession, notice: NonPublicationNotice) -> NoticeRead:
    steps = await session.scalars(
        select(NoticeStep).where(NoticeStep.notice_id == notice.id).order_by(NoticeStep.seq)
    )
    rows = await session.scalars(
        select(Recommendation)
        .where(Recommendation.notice_id == notice.id)
        .order_by(Recommendation.position)
    )
    return NoticeRead(
        **NoticeSummary.model_validate(notice).model_dump(),
        anonymised_summary=notice.anonymised_summary,
        recommendations=[recommendations.read(r) for r in rows],
        history=[NoticeStepRead.model_validate(s) for s in steps],
    )


async def get_notice(session: AsyncSession, principal: Principal, notice_id: str) -> NoticeRead:
    notice = await get_visible(session, NonPublicationNotice, notice_id, principal, "notice")
    return await notice_read(session, notice)


async def list_notices(
    session: AsyncSession,
    principal: Principal,
    lscb_id: str | None,
    state: NonPublicationState | None,
    limit: int,
    offset: int,
) -> Page[NoticeSummary]:
    query = for_board(
        select(NonPublicationNotice), principal, NonPublicationNotice.lscb_id, lscb_id
    )
    if state is not None:
        query = query.where(NonPublicationNotice.state == state.value)
    ordered = query.order_by(NonPublicationNotice.notified_on.desc(), NonPublicationNotice.id)
    rows, total = await fetch_page(session, ordered, limit, offset)
    return Page[NoticeSummary](
        items=[NoticeSummary.model_validate(n) for n in rows],
        total=total,
        limit=limit,
        offset=offset,
    )


# --- shared by every step -------------------------------------------------------------------


async def _append_step(
    session: AsyncSession,
    notice: NonPublicationNotice,
    step: str,
    on: dt.date,
    principal: Principal,
    before: NonPublicationState | None,
    after: NonPublicationState,
    change: dict[str, Any],
) -> NoticeStep:
    """Move the notice to ``after`` on ``on`` and write the step into its history."""
    notice.seq += 1
    notice.state, notice.state_since = after.value, on
    entry = NoticeStep(
        id=str(uuid.uuid4()),
        notice_id=notice.id,
        seq=notice.seq,
        step=step,
        on=on,
        actor=principal.sub,
        actor_role=principal.role.value,
        state_before=before.value if before else None,
        state_after=after.value,
        change=change,
    )
    session.add(entry)
    await session.flush()
    return entry


def _notice_facts(notice: NonPublicationNotice) -> dict[str, Any]:
    return {"notice_id": notice.id, "state": NonPublicationState(notice.state), "seq": notice.seq}


async def _resolve(
    session: AsyncSession, notice: NonPublicationNotice, scr: Scr, on: dt.date
) -> None:
    """The notice reached an outcome (accepted or published): say so, and let an accepted
    anonymised summary into the learning repository (a withheld report never goes there)."""
    state = NonPublicationState(notice.state)
    if state is NonPublicationState.ACCEPTED and notice.proposal == P.ANONYMISED_SUMMARY:
        rows = await session.scalars(
            select(Recommendation).where(Recommendation.notice_id == notice.id)
        )
        await repository.index_anonymised_summary(session, notice, scr, on, list(rows.all()))
    await emit(
        session,
        NonPublicationResolvedV1(
            **about(scr),
            **_notice_facts(notice),
            resolved_on=on,
            resolution=state,
            proposal=NonPublicationProposal(notice.proposal),
        ),
    )


async def _locked_notice(
    session: AsyncSession, principal: Principal, notice_id: str
) -> tuple[NonPublicationNotice, Scr]:
    notice = await get_visible(
        session, NonPublicationNotice, notice_id, principal, "notice", for_update=True
    )
    scr = await session.get(Scr, notice.scr_id)
    assert scr is not None  # a notice is only ever received for a known SCR
    return notice, scr


# --- the board's notice ---------------------------------------------------------------------


def _check_notice_fields(data: NoticeCreate) -> None:
    if not data.reasons:
        raise Invalid("reasons", "give at least one reason for not publishing")
    if len(set(data.reasons)) != len(data.reasons):
        raise Invalid("reasons", "each reason once")
    if (NonPublicationReason.OTHER in data.reasons) != (data.other_reason is not None):
        raise Invalid("other_reason", "needed with reason 'other' only")
    delaying = data.proposal is P.DELAY
    if delaying and data.delay_until is None and data.delay_until_event is None:
        raise Invalid("delay_until", "a delay needs a date (delay_until) or an event")
    for name in ("delay_until", "delay_until_event"):
        if not delaying and getattr(data, name) is not None:
            raise Invalid(name, "only with proposal 'delay'")
    if (data.proposal is P.ANONYMISED_SUMMARY) != (data.anonymised_summary is not None):
        raise Invalid("anonymised_summary", "needed with proposal 'anonymised_summary' only")
    if data.proposal is P.RECOMMENDATIONS_ONLY and not data.recommendations:
        raise Invalid("recommendations", "give the recommendations that are to be published")


async def notify(
    session: AsyncSession, principal: Principal, data: NoticeCreate, idem: IdempotencyRequest | None
) -> NoticeRead:
    _check_notice_fields(data)
    screened = await asyncio.to_thread(
        prescreen,
        data.anonymised_summary or "",
        [(r.text, r.addressee) for r in data.recommendations],
    )

    async def operation() -> NoticeRead:
        scr = await scr_for_completion(session, principal, data.scr_id)
        refuse_second_completion(scr)
        notified_on = data.notified_on or today()
        not_before("notified_on", notified_on, scr.initiated_on, "the SCR's initiation")
        if data.delay_until is not None and data.delay_until <= notified_on:
            raise Invalid("delay_until", "must be after notified_on")
        notice = NonPublicationNotice(
            id=str(uuid.uuid4()),
            scr_id=scr.scr_id,
            lscb_id=scr.lscb_id,
            notified_on=notified_on,
            reasons=[r.value for r in data.reasons],
            other_reason=data.other_reason,
            proposal=data.proposal.value,
            delay_until=data.delay_until,
            delay_until_event=data.delay_until_event,
            anonymised_summary=data.anonymised_summary,
            rationale=data.rationale,
            state=NonPublicationState.AWAITING_PANEL.value,
            state_since=notified_on,
            seq=0,
            recorded_by=principal.sub,
        )
        session.add(notice)
        await session.flush()
        change = data.model_dump(
            mode="json", exclude={"scr_id", "anonymised_summary", "recommendations"}
        ) | {"notified_on": notified_on.isoformat()}
        await _append_step(
            session,
            notice,
            "notify",
            notified_on,
            principal,
            None,
            NonPublicationState.AWAITING_PANEL,
            change,
        )
        rows = recommendations.add_recommendations(
            session,
            scr,
            notified_on,
            data.recommendations,
            screened.recommendations,
            notice_id=notice.id,
        )
        scr.completed_by, scr.completed_on = COMPLETED_BY_NOTICE, notified_on
        await emit(
            session,
            NonPublicationNotifiedV1(
                **about(scr),
                **_notice_facts(notice),
                notified_on=notified_on,
                reasons=tuple(data.reasons),
                proposal=data.proposal,
                delay_until=data.delay_until,
                initiated_on=scr.initiated_on,
                recommendations=recommendations.facts(rows),
            ),
        )
        await session.flush()
        return await notice_read(session, notice)

    return await commit_step(session, idem, operation, NoticeRead, "SCR")


# --- the panel's consideration --------------------------------------------------------------


async def consider(
    session: AsyncSession,
    principal: Principal,
    notice_id: str,
    data: NoticeConsiderationCreate,
    idem: IdempotencyRequest | None,
) -> NoticeRead:
    async def operation() -> NoticeRead:
        notice, scr = await _locked_notice(session, principal, notice_id)
        before = NonPublicationState(notice.state)
        after = next_state(NOTICE_TRANSITIONS, "notice", before, Step(data.outcome.value))
        considered_on = data.considered_on or today()
        not_before("considered_on", considered_on, notice.state_since, "it reached the panel")
        if data.outcome is NonPublicationOutcome.CHALLENGE and data.rationale is None:
            raise Invalid("rationale", "say why the panel challenges the decision")
        first = not await session.scalar(
            select(func.count())
            .select_from(NoticeStep)
            .where(NoticeStep.notice_id == notice.id, NoticeStep.step.in_(["accept", "challenge"]))
        )
        change = data.model_dump(mode="json", exclude_none=True) | {
            "considered_on": considered_on.isoformat(),
            "first_consideration": first,
        }
        entry = await _append_step(
            session, notice, data.outcome.value, considered_on, principal, before, after, change
        )
        await emit(
            session,
            NonPublicationConsideredV1(
                **about(scr),
                **_notice_facts(notice),
                consideration_id=entry.id,
                considered_on=considered_on,
                outcome=data.outcome,
                first_consideration=first,
                statutory_breach=data.statutory_breach,
            ),
        )
        if after is NonPublicationState.ACCEPTED:
            await _resolve(session, notice, scr, considered_on)
        return await notice_read(session, notice)

    return await commit_step(session, idem, operation, NoticeRead, "notice")


# --- the board's response -------------------------------------------------------------------


async def respond(
    session: AsyncSession,
    principal: Principal,
    notice_id: str,
    data: NoticeResponseCreate,
    idem: IdempotencyRequest | None,
) -> NoticeRead:
    publishing = data.action is NonPublicationAction.PUBLISH
    if publishing and data.url is None:
        raise Invalid("url", "say where the report is published")
    if not publishing and data.url is not None:
        raise Invalid("url", "only when publishing")
    if not publishing and data.information is None:
        raise Invalid("information", "say why the board maintains its decision")

    async def operation() -> NoticeRead:
        notice, scr = await _locked_notice(session, principal, notice_id)
        before = NonPublicationState(notice.state)
        after = next_state(NOTICE_TRANSITIONS, "notice", before, Step(data.action.value))
        responded_on = data.responded_on or today()
        not_before("responded_on", responded_on, notice.state_since, f"it became {before.value}")
        url = str(data.url) if data.url is not None else None
        if publishing:
            notice.published_on, notice.url = responded_on, url
        change = data.model_dump(mode="json", exclude_none=True) | {
            "responded_on": responded_on.isoformat()
        }
        entry = await _append_step(
            session, notice, data.action.value, responded_on, principal, before, after, change
        )
        await emit(
            session,
            NonPublicationRespondedV1(
                **about(scr),
                **_notice_facts(notice),
                response_id=entry.id,
                responded_on=responded_on,
                action=data.action,
                published_on=responded_on if publishing else None,
                url=url,
            ),
        )
        if after is NonPublicationState.PUBLISHED:
            await _resolve(session, notice, scr, responded_on)
        return await notice_read(session, notice)

    return await commit_step(session, idem, operation, NoticeRead, "notice")
