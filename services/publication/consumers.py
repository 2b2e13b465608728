"""Event handlers of the publication service: keep the copy of the board registry, the table of
initiated SCRs (each due six months after its initiation) and what harm each case is about.

Each runs inside the consumer's transaction (which also records the event in the inbox), so none
commits. Each is safe to apply twice in its own right as well: it looks before it inserts.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.publication.models import CaseHarm, Lscb, Scr
from services.publication.scheduler import SCR_DUE_MONTHS
from shared.calendar import months_after
from shared.consumer import Handler
from shared.events.contracts import (
    LscbRegisteredV1,
    LscbUpdatedV1,
    NotificationReceivedV1,
    ScrInitiatedV1,
)
from shared.events.envelope import CloudEvent, EventData


async def on_lscb_registered(
    session: AsyncSession, data: LscbRegisteredV1, envelope: CloudEvent
) -> None:
    # Seen before: leave it, a replayed registration must not undo a later rename or merge.
    if await session.get(Lscb, data.lscb_id) is None:
        session.add(Lscb(id=data.lscb_id, name=data.name, active=True))


async def on_lscb_updated(session: AsyncSession, data: LscbUpdatedV1, envelope: CloudEvent) -> None:
    # The update carries the board's whole state: mirror it (inserting it if never seen).
    board = await session.get(Lscb, data.lscb_id)
    if board is None:
        board = Lscb(id=data.lscb_id)
        session.add(board)
    board.name = data.name
    board.active = data.active
    board.merged_into = data.merged_into


async def on_scr_initiated(
    session: AsyncSession, data: ScrInitiatedV1, envelope: CloudEvent
) -> None:
    # An SCR is initiated once; a redelivered or replayed initiation leaves the first one as is.
    if await session.get(Scr, data.scr_id) is None:
        session.add(
            Scr(
                scr_id=data.scr_id,
                case_id=data.case_id,
                decision_id=data.decision_id,
                lscb_id=data.lscb_id,
                reference=data.reference,
                initiated_on=data.initiated_on,
                after_advice=data.after_advice,
                reviewers=list(data.reviewers),
                due_on=months_after(data.initiated_on, SCR_DUE_MONTHS),
            )
        )


async def on_notification_received(
    session: AsyncSession, data: NotificationReceivedV1, envelope: CloudEvent
) -> None:
    # Only the categories of harm, for the learning repository's filter: no child's details.
    if await session.get(CaseHarm, data.case_id) is None:
        session.add(
            CaseHarm(
                case_id=data.case_id,
                lscb_id=data.lscb_id,
                outcome=data.outcome.value,
                abuse_or_neglect=[a.value for a in data.abuse_or_neglect],
            )
        )


HANDLERS: dict[type[EventData], Handler] = {
    LscbRegisteredV1: on_lscb_registered,
    LscbUpdatedV1: on_lscb_updated,
    ScrInitiatedV1: on_scr_initiated,
    NotificationReceivedV1: on_notification_received,
}
