"""Event handlers of the analytics service: copy the registry, the notifications, the
decisions, considerations, responses and follow-ups, and the reports, non-publication notices and
their steps, quality reviews and recommendations that the figures count.

Each runs inside the consumer's transaction (which also records the event in the inbox), so none
commits. Each is safe to apply twice in its own right as well: it looks before it inserts. None
relies on another event of the case having been applied first; a follow-up's opening and closing
each fill in their own columns of one row, so they may arrive in either order (so do a report's
receipt and publication); a notice's steps and a recommendation's changes are rows keyed by the
producer's step number, so any order gives the same rows.

``non_publication.resolved`` is not consumed: no figure needs it (the notice's steps already say
where it stands), and the consumer skips a type it has no handler for. ``scr.overdue`` and
``follow_up.overdue`` feed no figure either, only alert rules (``alerts.py``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.analytics.alerts import with_alerts
from services.analytics.models import (
    Consideration,
    Decision,
    DecisionReason,
    FollowUp,
    Lscb,
    Notice,
    NoticeStep,
    Notification,
    QualityProblemFlag,
    QualityReview,
    QualityScore,
    Recommendation,
    RecommendationStep,
    Report,
    Response,
)
from shared.consumer import Handler
from shared.events.contracts import (
    ConsiderationRecordedV1,
    DecisionRecordedV1,
    FollowUpClosedV1,
    FollowUpOpenedV1,
    LscbRegisteredV1,
    LscbResponseRecordedV1,
    LscbUpdatedV1,
    NonPublicationConsideredV1,
    NonPublicationNotifiedV1,
    NonPublicationRespondedV1,
    NoticeEventData,
    NotificationReceivedV1,
    QualityReviewRecordedV1,
    RecommendationFacts,
    RecommendationUpdatedV1,
    ReportPublishedV1,
    ReportReceivedV1,
)
from shared.events.envelope import CloudEvent, EventData

OTHER_REVIEW_TYPE = "other"
# ``NoticeStep.kind``: which event a step of a notice came from.
NOTIFIED, CONSIDERED, RESPONDED = "notified", "considered", "responded"


async def on_lscb_registered(
    session: AsyncSession, data: LscbRegisteredV1, envelope: CloudEvent
) -> None:
    board = await session.get(Lscb, data.lscb_id)
    if board is None:
        session.add(
            Lscb(id=data.lscb_id, name=data.name, active=True, registered_on=data.registered_on)
        )
        return
    # Seen before: a replay must not undo a later rename or merge; only the date is its own.
    board.registered_on = data.registered_on


async def on_lscb_updated(session: AsyncSession, data: LscbUpdatedV1, envelope: CloudEvent) -> None:
    board = await session.get(Lscb, data.lscb_id)
    if board is None:
        # A board's events share its key and so arrive in order; this only happens if its
        # registration never reached us. Its change date is the earliest date we know of.
        board = Lscb(id=data.lscb_id, name=data.name, active=True, registered_on=data.changed_on)
        session.add(board)
    board.name = data.name
    if not data.active:
        board.active = False
        board.merged_into = data.merged_into
        board.merged_on = data.changed_on


async def on_notification_received(
    session: AsyncSession, data: NotificationReceivedV1, envelope: CloudEvent
) -> None:
    if await session.get(Notification, data.notification_id) is not None:
        return
    session.add(
        Notification(
            id=data.notification_id,
            lscb_id=data.lscb_id,
            notified_on=data.notified_on,
            late=data.late,
        )
    )


def alternative_review_key(code: str | None, label: str | None) -> str | None:
    """How ``alternative_review_types`` tells review types apart: the code, except for ``other``,
    where it is ``other:`` and the board's own words, lower-cased with their whitespace collapsed
    (so "Multi-agency  Audit" and "multi-agency audit" are one type). ``other`` without words
    stays ``other``."""
    if not code:
        return None
    if code != OTHER_REVIEW_TYPE:
        return code
    words = " ".join((label or "").split()).lower()
    return f"{OTHER_REVIEW_TYPE}:{words}" if words else OTHER_REVIEW_TYPE


async def on_decision_recorded(
    session: AsyncSession, data: DecisionRecordedV1, envelope: CloudEvent
) -> None:
    if await session.get(Decision, data.decision_id) is not None:
        return
    session.add(
        Decision(
            id=data.decision_id,
            case_id=data.case_id,
            lscb_id=data.lscb_id,
            decision=data.decision.value,
            decided_on=data.decided_on,
            alternative_review_type=alternative_review_key(
                data.alternative_review_type, data.alternative_review_type_label
            ),
        )
    )
    # A reason given twice by one decision counts once.
    session.add_all(
        DecisionReason(decision_id=data.decision_id, reason=reason.value)
        for reason in set(data.reasons)
    )


async def on_consideration_recorded(
    session: AsyncSession, data: ConsiderationRecordedV1, envelope: CloudEvent
) -> None:
    if await session.get(Consideration, data.consideration_id) is not None:
        return
    session.add(
        Consideration(
            id=data.consideration_id,
            decision_id=data.decision_id,
            considered_on=data.considered_on,
            outcome=data.outcome.value,
            first_consideration=data.first_consideration,
            statutory_breach=data.statutory_breach,
        )
    )


async def on_lscb_response_recorded(
    session: AsyncSession, data: LscbResponseRecordedV1, envelope: CloudEvent
) -> None:
    if await session.get(Response, data.response_id) is not None:
        return
    session.add(
        Response(
            id=data.response_id,
            decision_id=data.decision_id,
            responded_on=data.responded_on,
            action=data.action.value,
        )
    )


async def _follow_up(
    session: AsyncSession, follow_up_id: str, decision_id: str, lscb_id: str
) -> FollowUp:
    """The follow-up's row, made if neither its opening nor its closing has been seen yet."""
    row = await session.get(FollowUp, follow_up_id)
    if row is None:
        row = FollowUp(id=follow_up_id, decision_id=decision_id, lscb_id=lscb_id)
        session.add(row)
    return row


async def on_follow_up_opened(
    session: AsyncSession, data: FollowUpOpenedV1, envelope: CloudEvent
) -> None:
    # Only sets what the opening says, so it may come before or after the closing, or twice.
    row = await _follow_up(session, data.follow_up_id, data.decision_id, data.lscb_id)
    row.opened_on = data.opened_on
    row.due_on = data.due_on


async def on_follow_up_closed(
    session: AsyncSession, data: FollowUpClosedV1, envelope: CloudEvent
) -> None:
    row = await _follow_up(session, data.follow_up_id, data.decision_id, data.lscb_id)
    row.closed_on = data.closed_on


# --- publication --------------------------------------------------------------------------------


async def _add_recommendations(
    session: AsyncSession, lscb_id: str, made_on: dt.date, facts: Iterable[RecommendationFacts]
) -> None:
    """The recommendations of a report or notice, made on its date, that are not here yet."""
    by_id = {f.recommendation_id: f for f in facts}
    if not by_id:
        return
    known = set(
        await session.scalars(select(Recommendation.id).where(Recommendation.id.in_(by_id)))
    )
    session.add_all(
        Recommendation(
            id=f.recommendation_id,
            lscb_id=lscb_id,
            made_on=made_on,
            names_addressee=f.names_addressee,
            due_on=f.due_on,
        )
        for rid, f in by_id.items()
        if rid not in known
    )


async def _report(session: AsyncSession, report_id: str, scr_id: str, lscb_id: str) -> Report:
    """The report's row, made if neither its receipt nor its publication has been seen yet."""
    row = await session.get(Report, report_id)
    if row is None:
        row = Report(id=report_id, scr_id=scr_id, lscb_id=lscb_id)
        session.add(row)
    return row


async def on_report_received(
    session: AsyncSession, data: ReportReceivedV1, envelope: CloudEvent
) -> None:
    # Only sets what the receipt says, so it may come before or after the publication, or twice.
    row = await _report(session, data.report_id, data.scr_id, data.lscb_id)
    row.submitted_on = data.submitted_on
    row.short_notice = data.short_notice
    await _add_recommendations(session, data.lscb_id, data.submitted_on, data.recommendations)


async def on_report_published(
    session: AsyncSession, data: ReportPublishedV1, envelope: CloudEvent
) -> None:
    row = await _report(session, data.report_id, data.scr_id, data.lscb_id)
    row.published_on = data.published_on


async def _notice_step(
    session: AsyncSession, data: NoticeEventData, kind: str, on: dt.date
) -> NoticeStep | None:
    """The step's row, added; ``None`` if this step of the notice is here already."""
    if await session.get(NoticeStep, (data.notice_id, data.seq)) is not None:
        return None
    step = NoticeStep(
        notice_id=data.notice_id, seq=data.seq, kind=kind, on=on, state=data.state.value
    )
    session.add(step)
    return step


async def on_non_publication_notified(
    session: AsyncSession, data: NonPublicationNotifiedV1, envelope: CloudEvent
) -> None:
    if await session.get(Notice, data.notice_id) is None:
        session.add(
            Notice(
                id=data.notice_id,
                scr_id=data.scr_id,
                lscb_id=data.lscb_id,
                notified_on=data.notified_on,
            )
        )
    await _notice_step(session, data, NOTIFIED, data.notified_on)
    await _add_recommendations(session, data.lscb_id, data.notified_on, data.recommendations)


async def on_non_publication_considered(
    session: AsyncSession, data: NonPublicationConsideredV1, envelope: CloudEvent
) -> None:
    step = await _notice_step(session, data, CONSIDERED, data.considered_on)
    if step is not None:
        step.considered_on = data.considered_on
        step.outcome = data.outcome.value
        step.first_consideration = data.first_consideration
        step.statutory_breach = data.statutory_breach


async def on_non_publication_responded(
    session: AsyncSession, data: NonPublicationRespondedV1, envelope: CloudEvent
) -> None:
    await _notice_step(session, data, RESPONDED, data.responded_on)


async def on_quality_review_recorded(
    session: AsyncSession, data: QualityReviewRecordedV1, envelope: CloudEvent
) -> None:
    if await session.get(QualityReview, data.review_id) is not None:
        return
    session.add(
        QualityReview(
            id=data.review_id,
            report_id=data.report_id,
            lscb_id=data.lscb_id,
            reviewed_on=data.reviewed_on,
            working_together=data.working_together.value,
        )
    )
    session.add_all(
        QualityScore(review_id=data.review_id, feature=feature.value, score=score)
        for feature, score in data.scores.items()
    )
    # A problem flagged twice by one review counts once.
    session.add_all(
        QualityProblemFlag(review_id=data.review_id, problem=problem.value)
        for problem in set(data.problems)
    )


async def on_recommendation_updated(
    session: AsyncSession, data: RecommendationUpdatedV1, envelope: CloudEvent
) -> None:
    if await session.get(RecommendationStep, (data.recommendation_id, data.seq)) is not None:
        return
    session.add(
        RecommendationStep(
            recommendation_id=data.recommendation_id,
            seq=data.seq,
            changed_on=data.changed_on,
            status=data.status.value,
        )
    )


# The projections: they copy facts into the read models (``models.READ_MODELS``) and nothing
# else, so ``scr-panel analytics rebuild`` replays every outbox through these alone.
READ_MODEL_HANDLERS: dict[type[EventData], Handler] = {
    LscbRegisteredV1: on_lscb_registered,
    LscbUpdatedV1: on_lscb_updated,
    NotificationReceivedV1: on_notification_received,
    DecisionRecordedV1: on_decision_recorded,
    ConsiderationRecordedV1: on_consideration_recorded,
    FollowUpOpenedV1: on_follow_up_opened,
    FollowUpClosedV1: on_follow_up_closed,
    LscbResponseRecordedV1: on_lscb_response_recorded,
    ReportReceivedV1: on_report_received,
    ReportPublishedV1: on_report_published,
    NonPublicationNotifiedV1: on_non_publication_notified,
    NonPublicationConsideredV1: on_non_publication_considered,
    NonPublicationRespondedV1: on_non_publication_responded,
    QualityReviewRecordedV1: on_quality_review_recorded,
    RecommendationUpdatedV1: on_recommendation_updated,
}

# What the running consumer applies: the projections, each followed by its alert rule (in the
# same transaction), and the rules of events no figure needs (``follow_up.overdue``,
# ``scr.overdue``). A rebuild replays the projections alone: it raises no alert again.
HANDLERS: dict[type[EventData], Handler] = with_alerts(READ_MODEL_HANDLERS)
