"""Event handlers of the decisions service: a serious incident notification opens a case.

The case may exist already: a decision posted before the event arrived opened it from the
notifications service over HTTP (``notifications_client.py``).

The handler runs inside the consumer's transaction (which also records the event in the inbox), so
it does not commit. It is safe to apply twice in its own right too: a case is never reopened.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.ext.asyncio import AsyncSession

from services.decisions.models import Case
from shared.consumer import Handler
from shared.events.contracts import NotificationReceivedV1
from shared.events.envelope import CloudEvent, EventData
from shared.events.vocab import CaseState


async def on_notification_received(
    session: AsyncSession, data: NotificationReceivedV1, envelope: CloudEvent
) -> None:
    if await session.get(Case, data.case_id) is not None:
        return
    # The event's own time, not ours: a replayed history opens its cases at the same instants.
    opened_at = envelope.time if envelope.time.tzinfo else envelope.time.replace(tzinfo=dt.UTC)
    session.add(
        Case(
            case_id=data.case_id,
            notification_id=data.notification_id,
            reference=data.reference,
            lscb_id=data.lscb_id,
            notified_on=data.notified_on,
            state=CaseState.AWAITING_INITIATION_DECISION.value,
            state_since=data.notified_on,
            opened_at=opened_at,
        )
    )


HANDLERS: dict[type[EventData], Handler] = {
    NotificationReceivedV1: on_notification_received,
}
