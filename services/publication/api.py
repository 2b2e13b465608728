"""HTTP routes of the publication service: thin, the use cases live in ``service.py``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from sqlalchemy.ext.asyncio import AsyncSession

from services.publication import service
from services.publication.schemas import LscbRead, ScrPage, ScrRead
from shared.auth import Principal, current_principal, require_roles
from shared.calendar import BusinessDate
from shared.errors import COMMON_PROBLEMS, problem_responses
from shared.events.vocab import Role
from shared.queries import PageLimit, PageOffset
from shared.service_app import get_session

router = APIRouter(prefix="/v1", responses=COMMON_PROBLEMS)
Session = Annotated[AsyncSession, Depends(get_session)]
Anyone = Annotated[Principal, Depends(current_principal)]
ScrReader = Annotated[
    Principal,
    Depends(require_roles(Role.LSCB, Role.PANEL, Role.DFE, Role.OFSTED, Role.ADMIN)),
]


@router.get(
    "/lscbs",
    tags=["registry"],
    summary="This service's copy of the board registry (as the registry's events left it)",
)
async def list_lscbs(session: Session, _: Anyone, active: bool | None = None) -> list[LscbRead]:
    return await service.list_lscbs(session, active)


@router.get("/scrs", tags=["scrs"], summary="SCRs initiated, newest initiation first")
async def list_scrs(
    session: Session,
    principal: ScrReader,
    lscb_id: str | None = None,
    date_from: Annotated[BusinessDate | None, Query(alias="from")] = None,
    date_to: Annotated[BusinessDate | None, Query(alias="to")] = None,
    limit: PageLimit = 50,
    offset: PageOffset = 0,
) -> ScrPage:
    return await service.list_scrs(session, principal, lscb_id, date_from, date_to, limit, offset)


@router.get("/scrs/{scr_id}", tags=["scrs"], responses=problem_responses(404))
async def get_scr(scr_id: str, session: Session, principal: ScrReader) -> ScrRead:
    return await service.get_scr(session, principal, scr_id)
