"""HTTP routes of the notifications service: thin, the use cases live in ``service.py``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, status
from sqlalchemy.ext.asyncio import AsyncSession

from services.notifications import service
from services.notifications.schemas import (
    LscbMerge,
    LscbRead,
    LscbRename,
    NotificationCreate,
    NotificationPage,
    NotificationRead,
)
from shared.auth import Principal, current_principal, require_roles
from shared.calendar import BusinessDate
from shared.errors import COMMON_PROBLEMS, problem_responses
from shared.events.vocab import Role
from shared.idempotency import IdempotencyKeyHeader, IdempotencyRequest
from shared.queries import PageLimit, PageOffset
from shared.service_app import get_session

router = APIRouter(prefix="/v1", responses=COMMON_PROBLEMS)
Session = Annotated[AsyncSession, Depends(get_session)]
Anyone = Annotated[Principal, Depends(current_principal)]
Admin = Annotated[Principal, Depends(require_roles(Role.ADMIN))]
Notifier = Annotated[Principal, Depends(require_roles(Role.LSCB, Role.ADMIN))]
CaseReader = Annotated[Principal, Depends(require_roles(Role.LSCB, Role.PANEL, Role.ADMIN))]


@router.get("/lscbs", tags=["registry"], summary="The board registry")
async def list_lscbs(session: Session, _: Anyone, active: bool | None = None) -> list[LscbRead]:
    return await service.list_lscbs(session, active)


@router.get("/lscbs/{lscb_id}", tags=["registry"], responses=problem_responses(404))
async def get_lscb(lscb_id: str, session: Session, _: Anyone) -> LscbRead:
    return await service.get_lscb(session, lscb_id)


@router.patch(
    "/lscbs/{lscb_id}",
    tags=["registry"],
    summary="Rename a board (admin)",
    responses=problem_responses(404, 409),
)
async def rename_lscb(lscb_id: str, body: LscbRename, session: Session, _: Admin) -> LscbRead:
    return await service.rename_lscb(session, lscb_id, body)


@router.post(
    "/lscbs/{lscb_id}/merge",
    tags=["registry"],
    summary="Merge a board into another (admin); answers the board that remains",
    responses=problem_responses(404, 409),
)
async def merge_lscb(lscb_id: str, body: LscbMerge, session: Session, _: Admin) -> LscbRead:
    return await service.merge_lscbs(session, lscb_id, body)


@router.post(
    "/notifications",
    status_code=status.HTTP_201_CREATED,
    tags=["notifications"],
    summary="Notify a serious incident",
)
async def create_notification(
    body: NotificationCreate,
    request: Request,
    session: Session,
    principal: Notifier,
    idempotency_key: IdempotencyKeyHeader = None,
) -> NotificationRead:
    idem = IdempotencyRequest.from_request(idempotency_key, request, principal, body)
    return await service.create_notification(session, principal, body, idem)


@router.get("/notifications", tags=["notifications"])
async def list_notifications(
    session: Session,
    principal: CaseReader,
    lscb_id: str | None = None,
    date_from: Annotated[BusinessDate | None, Query(alias="from")] = None,
    date_to: Annotated[BusinessDate | None, Query(alias="to")] = None,
    limit: PageLimit = 50,
    offset: PageOffset = 0,
) -> NotificationPage:
    return await service.list_notifications(
        session, principal, lscb_id, date_from, date_to, limit, offset
    )


@router.get(
    "/notifications/{notification_id}", tags=["notifications"], responses=problem_responses(404)
)
async def get_notification(
    notification_id: str, session: Session, principal: CaseReader
) -> NotificationRead:
    return await service.get_notification(session, principal, notification_id)
