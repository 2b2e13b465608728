"""Alert rules: which events raise ``alert.raised``, and raising an alert once per cause.

A rule reads one event and names the alert's cause, or ``None``; it touches nothing. The rules
are a table (event type -> rule) composed after the projections into the consumer's handlers
(``consumers.HANDLERS``), so an alert is raised in the same transaction as the event's inbox row
and projection: a redelivered event raises nothing twice, and a rebuild (which replays the
projections alone, ``consumers.READ_MODEL_HANDLERS``) raises nothing again.

Raising an alert writes, in the caller's transaction: the alert row (unique by type and cause),
its ``alert.raised`` event in the outbox, and a pending delivery for every active subscription
that wants it (``webhooks.py`` sends them). The silent-board rule has no event: ``lscb_silent.py``
checks the registry daily and on demand, and raises through :func:`raise_alert` too.
"""

from __future__ import annotations

import datetime as dt
import uuid
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.analytics.models import Alert, Delivery, Subscription
from shared.consumer import Handler
from shared.db import utcnow
from shared.events.contracts import (
    AlertRaisedV1,
    ConsiderationRecordedV1,
    FollowUpOverdueV1,
    NonPublicationConsideredV1,
    ReportReceivedV1,
    ScrOverdueV1,
)
from shared.events.envelope import CloudEvent, EventData
from shared.events.vocab import AlertType, Role
from shared.outbox import add_event

PENDING, SUCCEEDED, FAILED, CANCELLED = "pending", "succeeded", "failed", "cancelled"
# Held by every transaction that raises an alert, until it commits (PostgreSQL): alerts are then
# numbered (``Alert.seq``) in commit order, so the pull feed's cursor never skips a late commit.
_ALERTS_LOCK = zlib.crc32(b"scr-panel:analytics:alerts")


@dataclass(frozen=True)
class Cause:
    """Why an alert is raised; ``(type, key)`` is unique: an alert per cause, once."""

    type: AlertType
    key: str
    lscb_id: str
    case_id: str | None
    raised_on: dt.date
    # The API resource it is about: the service that serves it and its path there.
    service: str
    path: str


# --- the rules ------------------------------------------------------------------------------------


def breach_in_consideration(data: ConsiderationRecordedV1) -> Cause | None:
    if not data.statutory_breach:
        return None
    return Cause(
        AlertType.STATUTORY_BREACH,
        f"consideration:{data.consideration_id}",
        data.lscb_id,
        data.case_id,
        data.considered_on,
        "decisions",
        f"/v1/decisions/{data.decision_id}",
    )


def breach_in_notice(data: NonPublicationConsideredV1) -> Cause | None:
    if not data.statutory_breach:
        return None
    return Cause(
        AlertType.STATUTORY_BREACH,
        f"notice-consideration:{data.consideration_id}",
        data.lscb_id,
        data.case_id,
        data.considered_on,
        "publication",
        f"/v1/non-publication-notices/{data.notice_id}",
    )


def follow_up_overdue(data: FollowUpOverdueV1) -> Cause:
    return Cause(
        AlertType.FOLLOW_UP_OVERDUE,
        f"follow-up:{data.follow_up_id}",
        data.lscb_id,
        data.case_id,
        data.overdue_on,
        "decisions",
        f"/v1/decisions/{data.decision_id}",
    )


def short_notice(data: ReportReceivedV1) -> Cause | None:
    if not data.short_notice:
        return None
    return Cause(
        AlertType.PUBLICATION_SHORT_NOTICE,
        f"report:{data.report_id}",
        data.lscb_id,
        data.case_id,
        data.submitted_on,
        "publication",
        f"/v1/reports/{data.report_id}",
    )


def scr_overdue(data: ScrOverdueV1) -> Cause:
    return Cause(
        AlertType.SCR_OVERDUE,
        f"scr:{data.scr_id}",
        data.lscb_id,
        data.case_id,
        data.overdue_on,
        "publication",
        f"/v1/scrs/{data.scr_id}",
    )


Rule = Callable[[Any], Cause | None]

# Event type -> rule. ``lscb_silent`` is not here: no event says a board has gone quiet.
RULES: dict[type[EventData], Rule] = {
    ConsiderationRecordedV1: breach_in_consideration,
    NonPublicationConsideredV1: breach_in_notice,
    FollowUpOverdueV1: follow_up_overdue,
    ReportReceivedV1: short_notice,
    ScrOverdueV1: scr_overdue,
}


def with_alerts(
    projections: dict[type[EventData], Handler], rules: dict[type[EventData], Rule] = RULES
) -> dict[type[EventData], Handler]:
    """The projections, each followed by its event's rule (a rule without a projection alone)."""
    handlers = dict(projections)
    for event_type, rule in rules.items():
        handlers[event_type] = _then_alert(projections.get(event_type), rule)
    return handlers


def _then_alert(projection: Handler | None, rule: Rule) -> Handler:
    async def handle(session: AsyncSession, data: Any, envelope: CloudEvent) -> None:
        if projection is not None:
            await projection(session, data, envelope)
        cause = rule(data)
        if cause is not None:
            await raise_alert(session, cause)

    return handle


# --- raising --------------------------------------------------------------------------------------


async def _serialise(session: AsyncSession) -> None:
    bind = session.get_bind()
    if bind.dialect.name == "postgresql":
        await session.execute(select(func.pg_advisory_xact_lock(_ALERTS_LOCK)))
    # SQLite: every write transaction already holds the one write lock from its start.


async def raise_alert(session: AsyncSession, cause: Cause) -> Alert | None:
    """Raise the alert of ``cause`` in the session's transaction, unless it was raised before
    (then ``None``). Never commits."""
    await _serialise(session)
    raised = await session.scalar(
        select(Alert.seq).where(Alert.type == cause.type.value, Alert.cause == cause.key)
    )
    if raised is not None:
        return None
    now = utcnow()
    alert = Alert(
        id=str(uuid.uuid4()),
        type=cause.type.value,
        cause=cause.key,
        lscb_id=cause.lscb_id,
        case_id=cause.case_id,
        raised_on=cause.raised_on,
        raised_at=now,
        resource_service=cause.service,
        resource_path=cause.path,
    )
    session.add(alert)
    await add_event(
        session,
        AlertRaisedV1(
            alert_id=alert.id,
            alert_type=cause.type,
            cause=cause.key,
            lscb_id=cause.lscb_id,
            case_id=cause.case_id,
            raised_on=cause.raised_on,
        ),
        # Keyed like the other services' events: by case, or by board for a board's alert.
        subject=cause.case_id or cause.lscb_id,
        time=now,
    )
    for subscription in await _subscribers(session, cause):
        session.add(new_delivery(subscription.id, alert.id, now))
    await session.flush()
    return alert


def wants(subscription: Subscription, alert_type: str, lscb_id: str) -> bool:
    """Whether ``subscription`` receives an alert: of a type it chose and, for a board's
    subscription, about that board only."""
    if not subscription.active or alert_type not in subscription.alert_types:
        return False
    return subscription.owner_role != Role.LSCB.value or subscription.owner_lscb_id == lscb_id


async def _subscribers(session: AsyncSession, cause: Cause) -> list[Subscription]:
    # A handful of subscriptions: the JSON list of types is filtered here, alike on both databases.
    active = await session.scalars(select(Subscription).where(Subscription.active))
    return [s for s in active.all() if wants(s, cause.type.value, cause.lscb_id)]


def new_delivery(subscription_id: str, alert_id: str, now: dt.datetime) -> Delivery:
    """A delivery due at once. Its message id (``webhook-id``) is kept across retries."""
    return Delivery(
        id=str(uuid.uuid4()),
        subscription_id=subscription_id,
        alert_id=alert_id,
        message_id=f"msg_{uuid.uuid4().hex}",
        status=PENDING,
        attempts=0,
        round_attempts=0,
        next_attempt_at=now,
        created_at=now,
    )
