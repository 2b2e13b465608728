"""Event handlers of the analytics service: copy the registry, the notifications and the
decisions, considerations, responses and follow-ups that the figures count.

Each runs inside the consumer's transaction (which also records the event in the inbox), so none
commits. Each is safe to apply twice in its own right as well: it looks before it inserts. None
relies on another event of the case having been applied first; a follow-up's opening and closing
each fill in their own columns of one row, so they may arrive in either order.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.analytics.models import (
    Consideration,
    Decision,
    DecisionReason,
    FollowUp,
    Lscb,
    Notification,
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
    NotificationReceivedV1,
)
from shared.events.envelope import CloudEvent, EventData

OTHER_REVIEW_TYPE = "other"


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


HANDLERS: dict[type[EventData], Handler] = {
    LscbRegisteredV1: on_lscb_registered,
    LscbUpdatedV1: on_lscb_updated,
    NotificationReceivedV1: on_notification_received,
    DecisionRecordedV1: on_decision_recorded,
    ConsiderationRecordedV1: on_consideration_recorded,
    FollowUpOpenedV1: on_follow_up_opened,
    FollowUpClosedV1: on_follow_up_closed,
    LscbResponseRecordedV1: on_lscb_response_recorded,
}
