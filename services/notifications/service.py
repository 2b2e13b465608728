"""Use cases of the notifications service: validate, change state, add events, one commit."""

from __future__ import annotations

import base64
import csv
import datetime as dt
import logging
import secrets
import uuid
from importlib import resources

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.notifications.models import WITH_AUTHORITIES, LocalAuthority, Lscb, Notification
from services.notifications.schemas import (
    LATE_AFTER_WORKING_DAYS,
    LscbMerge,
    LscbRead,
    LscbRename,
    NotificationCreate,
    NotificationPage,
    NotificationRead,
)
from shared.auth import Principal
from shared.calendar import today, working_days_after
from shared.errors import Conflict, Forbidden, Invalid, NotFound
from shared.events.contracts import (
    Authority,
    LscbRegisteredV1,
    LscbUpdatedV1,
    NotificationReceivedV1,
)
from shared.idempotency import IdempotencyRequest, commit_once
from shared.outbox import add_event
from shared.queries import dated_between, fetch_page, for_board, get_visible

log = logging.getLogger(__name__)

# The registry as it stood in 2013-14, when the panel began: one board per upper-tier authority.
REGISTRY_CSV = "local_authorities_england_2013.csv"
REGISTRY_STARTS_ON = dt.date(2013, 4, 1)


# --- the board registry ---------------------------------------------------------------------


def _authorities(lscb: Lscb) -> tuple[Authority, ...]:
    return tuple(
        Authority(ons_code=a.ons_code, name=a.name, dfe_la_code=a.dfe_la_code)
        for a in lscb.authorities
    )


async def seed_registry(session: AsyncSession) -> int:
    """Create one board per authority on first start (and announce each); later starts skip."""
    if (await session.execute(select(func.count()).select_from(Lscb))).scalar_one():
        return 0
    source = resources.files("services.notifications") / "reference" / REGISTRY_CSV
    with source.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        authority = LocalAuthority(
            ons_code=row["ons_code"], name=row["name"], dfe_la_code=row["dfe_la_code"]
        )
        board = Lscb(
            id=row["ons_code"],
            name=row["name"],
            active=True,
            registered_on=REGISTRY_STARTS_ON,
            authorities=[authority],
        )
        session.add(board)
        await add_event(
            session,
            LscbRegisteredV1(
                lscb_id=board.id,
                name=board.name,
                registered_on=REGISTRY_STARTS_ON,
                authorities=_authorities(board),
            ),
            subject=board.id,
        )
    try:
        await session.commit()
    except IntegrityError:  # another replica seeded it first
        await session.rollback()
        return 0
    log.info("seeded the board registry with %d boards", len(rows))
    return len(rows)


async def list_lscbs(session: AsyncSession, active: bool | None) -> list[LscbRead]:
    query = select(Lscb).options(WITH_AUTHORITIES).order_by(Lscb.name)
    if active is not None:
        query = query.where(Lscb.active.is_(active))
    return [LscbRead.model_validate(b) for b in (await session.scalars(query)).all()]


async def _board(session: AsyncSession, lscb_id: str) -> Lscb:
    board = await session.get(Lscb, lscb_id, options=[WITH_AUTHORITIES])
    if board is None:
        raise NotFound(f"no board {lscb_id!r}")
    return board


async def get_lscb(session: AsyncSession, lscb_id: str) -> LscbRead:
    return LscbRead.model_validate(await _board(session, lscb_id))


async def rename_lscb(session: AsyncSession, lscb_id: str, change: LscbRename) -> LscbRead:
    board = await _board(session, lscb_id)
    if not board.active:
        raise Conflict(f"board {lscb_id} is merged into {board.merged_into}; rename that one")
    board.name = change.name
    board.changed_on = change.changed_on or today()
    await _announce_update(session, board)
    await session.commit()
    return LscbRead.model_validate(board)


async def merge_lscbs(session: AsyncSession, lscb_id: str, merge: LscbMerge) -> LscbRead:
    """``lscb_id`` joins ``merge.into``: its authorities move; it stays, inactive, for history."""
    if merge.into == lscb_id:
        raise Invalid("into", "a board cannot be merged into itself")
    source = await _board(session, lscb_id)
    target = await session.get(Lscb, merge.into, options=[WITH_AUTHORITIES])
    if target is None:
        raise Invalid("into", f"no board {merge.into!r}")
    if not source.active:
        raise Conflict(f"board {lscb_id} is already merged into {source.merged_into}")
    if not target.active:
        raise Invalid("into", f"board {merge.into} is itself merged into {target.merged_into}")
    merged_on = merge.merged_on or today()
    if merged_on < source.registered_on:
        raise Invalid("merged_on", "must not be before the board was registered")
    for authority in list(source.authorities):
        authority.lscb_id = target.id
    await session.flush()
    await session.refresh(source, ["authorities"])
    await session.refresh(target, ["authorities"])
    source.active, source.merged_into, source.changed_on = False, target.id, merged_on
    target.changed_on = merged_on
    await _announce_update(session, source)
    await _announce_update(session, target)
    await session.commit()
    return LscbRead.model_validate(target)


async def _announce_update(session: AsyncSession, board: Lscb) -> None:
    assert board.changed_on is not None
    await add_event(
        session,
        LscbUpdatedV1(
            lscb_id=board.id,
            name=board.name,
            active=board.active,
            merged_into=board.merged_into,
            changed_on=board.changed_on,
            authorities=_authorities(board),
        ),
        subject=board.id,
    )


# --- notifications --------------------------------------------------------------------------


def _new_reference(notified_on: dt.date) -> str:
    token = base64.b32encode(secrets.token_bytes(5)).decode()  # 8 characters, 40 bits
    return f"SIN-{notified_on.year}-{token}"


async def create_notification(
    session: AsyncSession,
    principal: Principal,
    data: NotificationCreate,
    idem: IdempotencyRequest | None,
) -> NotificationRead:
    async def operation() -> NotificationRead:
        lscb_id = data.lscb_id or principal.lscb_id
        if lscb_id is None:
            raise Invalid("lscb_id", "is required")
        if not principal.can_see_board(lscb_id):
            raise Forbidden(f"this token speaks for board {principal.lscb_id}, not {lscb_id}")
        board = await session.get(Lscb, lscb_id)
        if board is None:
            raise Invalid("lscb_id", f"no board {lscb_id!r} in the registry")
        if not board.active:
            raise Invalid("lscb_id", f"board {lscb_id} was merged into {board.merged_into}")
        notified_on = data.notified_on or today()
        if data.became_aware_on < data.incident_date:
            raise Invalid("became_aware_on", "must not be before incident_date")
        if notified_on < data.became_aware_on:
            raise Invalid("notified_on", "must not be before became_aware_on")
        working_days = working_days_after(data.became_aware_on, notified_on)
        notification = Notification(
            id=str(uuid.uuid4()),
            reference=_new_reference(notified_on),
            lscb_id=lscb_id,
            incident_date=data.incident_date,
            became_aware_on=data.became_aware_on,
            notified_on=notified_on,
            outcome=data.outcome.value,
            abuse_or_neglect=[a.value for a in data.abuse_or_neglect],
            age_years=data.age_years,
            sex=data.sex.value,
            looked_after=data.looked_after,
            on_child_protection_plan=data.on_child_protection_plan,
            agencies_involved=[a.value for a in data.agencies_involved],
            summary=data.summary,
            working_days_to_notify=working_days,
            late=working_days > LATE_AFTER_WORKING_DAYS,
            recorded_by=principal.sub,
        )
        session.add(notification)
        await session.flush()
        await add_event(
            session,
            NotificationReceivedV1(
                notification_id=notification.id,
                case_id=notification.id,
                reference=notification.reference,
                lscb_id=lscb_id,
                incident_date=notification.incident_date,
                became_aware_on=notification.became_aware_on,
                notified_on=notified_on,
                outcome=data.outcome,
                abuse_or_neglect=tuple(data.abuse_or_neglect),
                child_age_years=data.age_years,
                child_sex=data.sex,
                looked_after=data.looked_after,
                on_child_protection_plan=data.on_child_protection_plan,
                working_days_to_notify=working_days,
                late=notification.late,
            ),
            subject=notification.id,
        )
        return NotificationRead.model_validate(notification)

    return await commit_once(session, idem, operation, NotificationRead)


async def get_notification(
    session: AsyncSession, principal: Principal, notification_id: str
) -> NotificationRead:
    found = await get_visible(session, Notification, notification_id, principal, "notification")
    return NotificationRead.model_validate(found)


async def list_notifications(
    session: AsyncSession,
    principal: Principal,
    lscb_id: str | None,
    date_from: dt.date | None,
    date_to: dt.date | None,
    limit: int,
    offset: int,
) -> NotificationPage:
    query = for_board(select(Notification), principal, Notification.lscb_id, lscb_id)
    query = dated_between(query, Notification.notified_on, date_from, date_to)
    ordered = query.order_by(Notification.notified_on.desc(), Notification.id)
    rows, total = await fetch_page(session, ordered, limit, offset)
    return NotificationPage(
        items=[NotificationRead.model_validate(n) for n in rows],
        total=total,
        limit=limit,
        offset=offset,
    )
