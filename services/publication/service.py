"""Use cases of the publication service for final reports: receiving one (with its pre-screen
and recommendations), confirming its publication (which puts it in the learning repository),
and the panel's quality review; and reading reports, SCRs and the registry copy.

A board sees only its own; another board's answers 404 exactly as a missing one does.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.publication import recommendations, repository
from services.publication.models import Lscb, QualityReview, Recommendation, Report, Scr
from services.publication.prescreen import Prescreen, prescreen
from services.publication.schemas import (
    LscbRead,
    PublicationCreate,
    QualityReviewCreate,
    QualityReviewRead,
    ReportCreate,
    ReportRead,
    ReportSummary,
    ScrRead,
)
from services.publication.states import REPORT_TRANSITIONS, ReportState, ReportStep, next_state
from services.publication.steps import (
    about,
    emit,
    not_before,
    scr_for_completion,
    working_together,
)
from shared.auth import Principal
from shared.calendar import today
from shared.errors import Conflict, Invalid
from shared.events.contracts import QualityReviewRecordedV1, ReportPublishedV1, ReportReceivedV1
from shared.events.vocab import QualityFeature
from shared.idempotency import IdempotencyRequest, commit_step
from shared.queries import dated_between, fetch_page, for_board, get_visible
from shared.schemas import Page

# Para 11's "prior to publication": a report planned to be published sooner is short notice.
MINIMUM_NOTICE_DAYS = 7
COMPLETED_BY_REPORT = "report"
COMPLETED_BY_NOTICE = "non_publication_notice"


def refuse_second_completion(scr: Scr) -> None:
    """An SCR is completed once: by a final report or by a notice not to publish it."""
    if scr.completed_by is not None:
        what = (
            "final report" if scr.completed_by == COMPLETED_BY_REPORT else "non-publication notice"
        )
        raise Conflict(
            f"SCR {scr.scr_id!r} already has a {what} (received {scr.completed_on})",
            state=scr.completed_by,
        )


# --- reading --------------------------------------------------------------------------------


async def list_lscbs(session: AsyncSession, active: bool | None) -> list[LscbRead]:
    query = select(Lscb).order_by(Lscb.name, Lscb.id)
    if active is not None:
        query = query.where(Lscb.active.is_(active))
    return [LscbRead.model_validate(b) for b in (await session.scalars(query)).all()]


async def get_scr(session: AsyncSession, principal: Principal, scr_id: str) -> ScrRead:
    return ScrRead.model_validate(await get_visible(session, Scr, scr_id, principal, "SCR"))


async def list_scrs(
    session: AsyncSession,
    principal: Principal,
    lscb_id: str | None,
    date_from: dt.date | None,
    date_to: dt.date | None,
    overdue: bool | None,
    limit: int,
    offset: int,
) -> Page[ScrRead]:
    query = for_board(select(Scr), principal, Scr.lscb_id, lscb_id)
    query = dated_between(query, Scr.initiated_on, date_from, date_to)
    if overdue is not None:
        query = query.where(Scr.overdue_on.is_not(None) if overdue else Scr.overdue_on.is_(None))
    ordered = query.order_by(Scr.initiated_on.desc(), Scr.scr_id)
    rows, total = await fetch_page(session, ordered, limit, offset)
    return Page[ScrRead](
        items=[ScrRead.model_validate(s) for s in rows], total=total, limit=limit, offset=offset
    )


async def report_read(session: AsyncSession, report: Report) -> ReportRead:
    rows = await session.scalars(
        select(Recommendation)
        .where(Recommendation.report_id == report.id)
        .order_by(Recommendation.position)
    )
    review = await session.scalar(select(QualityReview).where(QualityReview.report_id == report.id))
    return ReportRead(
        **ReportSummary.model_validate(report).model_dump(),
        text=report.text,
        learning_points=report.learning_points,
        notice_days=(report.planned_publication_on - report.submitted_on).days,
        recommendations=[recommendations.read(r) for r in rows],
        prescreen=Prescreen.model_validate(report.prescreen),
        quality_review=review_read(review) if review else None,
    )


async def get_report(session: AsyncSession, principal: Principal, report_id: str) -> ReportRead:
    return await report_read(
        session, await get_visible(session, Report, report_id, principal, "report")
    )


async def list_reports(
    session: AsyncSession,
    principal: Principal,
    lscb_id: str | None,
    state: ReportState | None,
    short_notice: bool | None,
    date_from: dt.date | None,
    date_to: dt.date | None,
    limit: int,
    offset: int,
) -> Page[ReportSummary]:
    query = for_board(select(Report), principal, Report.lscb_id, lscb_id)
    query = dated_between(query, Report.submitted_on, date_from, date_to)
    if state is not None:
        query = query.where(Report.state == state.value)
    if short_notice is not None:
        query = query.where(Report.short_notice.is_(short_notice))
    ordered = query.order_by(Report.submitted_on.desc(), Report.id)
    rows, total = await fetch_page(session, ordered, limit, offset)
    return Page[ReportSummary](
        items=[ReportSummary.model_validate(r) for r in rows],
        total=total,
        limit=limit,
        offset=offset,
    )


# --- a final report arrives -----------------------------------------------------------------


async def submit_report(
    session: AsyncSession, principal: Principal, data: ReportCreate, idem: IdempotencyRequest | None
) -> ReportRead:
    # The pre-screen reads up to 2 MB of text: off the event loop, and before any transaction.
    screened = await asyncio.to_thread(
        prescreen, data.text, [(r.text, r.addressee) for r in data.recommendations]
    )

    async def operation() -> ReportRead:
        scr = await scr_for_completion(session, principal, data.scr_id)
        refuse_second_completion(scr)
        submitted_on = data.submitted_on or today()
        not_before("submitted_on", submitted_on, scr.initiated_on, "the SCR's initiation")
        not_before(
            "planned_publication_on", data.planned_publication_on, submitted_on, "submission"
        )
        notice_days = (data.planned_publication_on - submitted_on).days
        report = Report(
            id=str(uuid.uuid4()),
            scr_id=scr.scr_id,
            lscb_id=scr.lscb_id,
            title=data.title,
            text=data.text,
            submitted_on=submitted_on,
            planned_publication_on=data.planned_publication_on,
            short_notice=notice_days < MINIMUM_NOTICE_DAYS,
            themes=sorted(set(data.themes)),
            learning_points=list(data.learning_points),
            prescreen=screened.model_dump(mode="json"),
            state=ReportState.RECEIVED.value,
            recorded_by=principal.sub,
        )
        session.add(report)
        await session.flush()
        rows = recommendations.add_recommendations(
            session,
            scr,
            submitted_on,
            data.recommendations,
            screened.recommendations,
            report_id=report.id,
        )
        scr.completed_by, scr.completed_on = COMPLETED_BY_REPORT, submitted_on
        await emit(
            session,
            ReportReceivedV1(
                **about(scr),
                report_id=report.id,
                submitted_on=submitted_on,
                planned_publication_on=data.planned_publication_on,
                short_notice=report.short_notice,
                notice_days=notice_days,
                initiated_on=scr.initiated_on,
                working_together=working_together(scr),
                recommendations=recommendations.facts(rows),
            ),
        )
        await session.flush()
        return await report_read(session, report)

    return await commit_step(session, idem, operation, ReportRead, "SCR")


async def publish_report(
    session: AsyncSession,
    principal: Principal,
    report_id: str,
    data: PublicationCreate,
    idem: IdempotencyRequest | None,
) -> ReportRead:
    async def operation() -> ReportRead:
        report = await get_visible(session, Report, report_id, principal, "report", True)
        after = next_state(
            REPORT_TRANSITIONS, "report", ReportState(report.state), ReportStep.PUBLISH
        )
        published_on = data.published_on or today()
        not_before("published_on", published_on, report.submitted_on, "the report's submission")
        report.state, report.published_on, report.url = after.value, published_on, str(data.url)
        scr = await session.get(Scr, report.scr_id)
        assert scr is not None  # a report is only ever received for a known SCR
        rows = await session.scalars(
            select(Recommendation)
            .where(Recommendation.report_id == report.id)
            .order_by(Recommendation.position)
        )
        await repository.index_report(session, report, scr, list(rows.all()))
        await emit(
            session,
            ReportPublishedV1(
                **about(scr), report_id=report.id, published_on=published_on, url=report.url
            ),
        )
        await session.flush()
        return await report_read(session, report)

    return await commit_step(session, idem, operation, ReportRead, "report")


# --- the panel's quality review -------------------------------------------------------------


def review_read(review: QualityReview) -> QualityReviewRead:
    return QualityReviewRead.model_validate(review)


async def record_quality_review(
    session: AsyncSession,
    principal: Principal,
    report_id: str,
    data: QualityReviewCreate,
    idem: IdempotencyRequest | None,
) -> QualityReviewRead:
    missing = [f.value for f in QualityFeature if f not in data.scores]
    if missing:
        raise Invalid(f"scores.{missing[0]}", "score each of the seven features of para 28")
    if len(set(data.problems)) != len(data.problems):
        raise Invalid("problems", "each problem once")

    async def operation() -> QualityReviewRead:
        report = await get_visible(session, Report, report_id, principal, "report", True)
        if await session.scalar(
            select(QualityReview.id).where(QualityReview.report_id == report.id)
        ):
            raise Conflict(f"report {report.id!r} has been reviewed already", state="reviewed")
        reviewed_on = data.reviewed_on or today()
        not_before("reviewed_on", reviewed_on, report.submitted_on, "the report's submission")
        scr = await session.get(Scr, report.scr_id)
        assert scr is not None
        review = QualityReview(
            id=str(uuid.uuid4()),
            report_id=report.id,
            scr_id=scr.scr_id,
            lscb_id=scr.lscb_id,
            reviewed_on=reviewed_on,
            working_together=working_together(scr).value,
            scores={f.value: data.scores[f].model_dump() for f in QualityFeature},
            problems=[p.value for p in data.problems],
            comment=data.comment,
            reviewer=principal.sub,
        )
        session.add(review)
        await emit(
            session,
            QualityReviewRecordedV1(
                **about(scr),
                review_id=review.id,
                report_id=report.id,
                reviewed_on=reviewed_on,
                working_together=working_together(scr),
                scores={f: data.scores[f].score for f in QualityFeature},
                problems=tuple(data.problems),
            ),
        )
        await session.flush()
        return review_read(review)

    return await commit_step(session, idem, operation, QualityReviewRead, "report")
