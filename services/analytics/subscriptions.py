"""Use cases of alert subscriptions: create, read, disable, the delivery log, redeliver.

A subscription belongs to its creator's role (every ``dfe`` caller shares DfE's) or, for a board,
to the board; anyone else's answers 404, as a missing one does. A board's subscription only ever
receives that board's alerts (``alerts.wants``).
"""

from __future__ import annotations

import uuid
from collections import defaultdict

from sqlalchemy import ColumnElement, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.analytics.alert_schemas import (
    AttemptRead,
    DeliveryRead,
    SubscriptionCreate,
    SubscriptionCreated,
    SubscriptionRead,
)
from services.analytics.alerts import PENDING
from services.analytics.models import Delivery, DeliveryAttempt, Subscription
from services.analytics.webhooks import disable, new_secret
from shared.auth import Principal
from shared.db import utcnow
from shared.errors import Conflict, NotFound
from shared.events.vocab import AlertType, Role
from shared.idempotency import IdempotencyRequest, commit_once
from shared.queries import fetch_page
from shared.schemas import Page


def _read(subscription: Subscription) -> SubscriptionRead:
    return SubscriptionRead(
        id=subscription.id,
        url=subscription.url,
        alert_types=[AlertType(t) for t in subscription.alert_types],
        lscb_id=subscription.owner_lscb_id,
        active=subscription.active,
        created_at=subscription.created_at,
        disabled_at=subscription.disabled_at,
        disabled_reason=subscription.disabled_reason,
    )


def _owned(principal: Principal) -> ColumnElement[bool]:
    """The condition "belongs to the caller's role (and board)"."""
    owner = Subscription.owner_role == principal.role.value
    if principal.role is Role.LSCB:
        return owner & (Subscription.owner_lscb_id == principal.lscb_id)
    return owner


async def create(
    session: AsyncSession,
    principal: Principal,
    body: SubscriptionCreate,
    idem: IdempotencyRequest | None,
) -> SubscriptionCreated:
    async def operation() -> SubscriptionCreated:
        subscription = Subscription(
            id=str(uuid.uuid4()),
            owner_role=principal.role.value,
            owner_lscb_id=principal.lscb_id if principal.role is Role.LSCB else None,
            created_by=principal.sub,
            url=str(body.url),
            alert_types=[t.value for t in body.alert_types],
            secret=body.secret or new_secret(),
            active=True,
            created_at=utcnow(),
        )
        session.add(subscription)
        await session.flush()
        return SubscriptionCreated(**_read(subscription).model_dump(), secret=subscription.secret)

    return await commit_once(session, idem, operation, SubscriptionCreated)


async def _get_owned(
    session: AsyncSession, principal: Principal, subscription_id: str, for_update: bool = False
) -> Subscription:
    query = select(Subscription).where(Subscription.id == subscription_id, _owned(principal))
    if for_update:
        query = query.with_for_update().execution_options(populate_existing=True)
    found = await session.scalar(query)
    if found is None:
        raise NotFound(f"no subscription {subscription_id!r}")
    return found


async def list_subscriptions(
    session: AsyncSession, principal: Principal, limit: int, offset: int
) -> Page[SubscriptionRead]:
    query = (
        select(Subscription)
        .where(_owned(principal))
        .order_by(Subscription.created_at.desc(), Subscription.id)
    )
    rows, total = await fetch_page(session, query, limit, offset)
    return Page(items=[_read(s) for s in rows], total=total, limit=limit, offset=offset)


async def get_subscription(
    session: AsyncSession, principal: Principal, subscription_id: str
) -> SubscriptionRead:
    return _read(await _get_owned(session, principal, subscription_id))


async def disable_subscription(
    session: AsyncSession, principal: Principal, subscription_id: str
) -> None:
    """Stop sending: the subscription stays, disabled, with its delivery log; what it still had
    to receive is cancelled. Disabling twice changes nothing."""
    subscription = await _get_owned(session, principal, subscription_id, for_update=True)
    if subscription.active:
        await disable(session, subscription.id, f"disabled by {principal.sub}", utcnow())
        await session.commit()
    else:
        await session.rollback()


async def _delivery_reads(session: AsyncSession, deliveries: list[Delivery]) -> list[DeliveryRead]:
    attempts: dict[str, list[AttemptRead]] = defaultdict(list)
    if deliveries:
        rows = await session.scalars(
            select(DeliveryAttempt)
            .where(DeliveryAttempt.delivery_id.in_([d.id for d in deliveries]))
            .order_by(DeliveryAttempt.seq)
        )
        for row in rows:
            attempts[row.delivery_id].append(
                AttemptRead(
                    attempted_at=row.attempted_at,
                    duration_ms=row.duration_ms,
                    status_code=row.status_code,
                    error=row.error,
                )
            )
    return [
        DeliveryRead(
            id=d.id,
            alert_id=d.alert_id,
            message_id=d.message_id,
            status=d.status,  # type: ignore[arg-type]
            next_attempt_at=d.next_attempt_at,
            created_at=d.created_at,
            finished_at=d.finished_at,
            attempts=attempts[d.id],
        )
        for d in deliveries
    ]


async def list_deliveries(
    session: AsyncSession, principal: Principal, subscription_id: str, limit: int, offset: int
) -> Page[DeliveryRead]:
    """The delivery log, the newest delivery first, each with every attempt."""
    await _get_owned(session, principal, subscription_id)
    query = (
        select(Delivery)
        .where(Delivery.subscription_id == subscription_id)
        .order_by(Delivery.created_at.desc(), Delivery.id)
    )
    rows, total = await fetch_page(session, query, limit, offset)
    items = await _delivery_reads(session, rows)
    return Page(items=items, total=total, limit=limit, offset=offset)


async def redeliver(
    session: AsyncSession, principal: Principal, subscription_id: str, delivery_id: str
) -> DeliveryRead:
    """Send a delivery again, at once and with a fresh retry schedule, whatever became of it
    (the same ``webhook-id``, so a receiver that has it already can tell). 409 if the
    subscription is disabled: nothing is sent to it any more."""
    # Locked subscription first, then the delivery: the order every writer of both keeps.
    subscription = await _get_owned(session, principal, subscription_id, for_update=True)
    delivery = await session.get(
        Delivery, delivery_id, with_for_update=True, populate_existing=True
    )
    if delivery is None or delivery.subscription_id != subscription.id:
        raise NotFound(f"no delivery {delivery_id!r} in subscription {subscription_id!r}")
    if not subscription.active:
        raise Conflict(
            f"subscription {subscription_id!r} is disabled ({subscription.disabled_reason}); "
            "create a new one to receive alerts again"
        )
    delivery.status = PENDING
    delivery.round_attempts = 0
    delivery.next_attempt_at = utcnow()
    delivery.finished_at = None
    await session.commit()
    return (await _delivery_reads(session, [delivery]))[0]
