"""Event handlers of the analytics service: copy the registry and the notifications.

Each runs inside the consumer's transaction (which also records the event in the inbox), so none
commits. Each is safe to apply twice in its own right as well: it looks before it inserts.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.analytics.models import Lscb, Notification
from shared.consumer import Handler
from shared.events.contracts import LscbRegisteredV1, LscbUpdatedV1, NotificationReceivedV1
from shared.events.envelope import CloudEvent, EventData


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


HANDLERS: dict[type[EventData], Handler] = {
    LscbRegisteredV1: on_lscb_registered,
    LscbUpdatedV1: on_lscb_updated,
    NotificationReceivedV1: on_notification_received,
}
