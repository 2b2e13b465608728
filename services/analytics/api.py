"""HTTP routes of the analytics service: thin, the use cases live in ``service.py``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from sqlalchemy.ext.asyncio import AsyncSession

from services.analytics import service
from services.analytics.schemas import SummaryRead
from shared.auth import Principal, require_roles
from shared.calendar import BusinessDate
from shared.errors import COMMON_PROBLEMS
from shared.events.vocab import Role
from shared.service_app import get_session

router = APIRouter(prefix="/v1", responses=COMMON_PROBLEMS)
Session = Annotated[AsyncSession, Depends(get_session)]
# Boards do not read national statistics; everyone else who oversees may.
StatsReader = Annotated[
    Principal, Depends(require_roles(Role.PANEL, Role.DFE, Role.OFSTED, Role.ADMIN))
]


@router.get("/stats/summary", tags=["statistics"], summary="The figures for a period")
async def stats_summary(
    session: Session,
    _: StatsReader,
    date_from: Annotated[
        BusinessDate | None, Query(alias="from", description="Defaults to 2013-06-01.")
    ] = None,
    date_to: Annotated[
        BusinessDate | None, Query(alias="to", description="Defaults to today.")
    ] = None,
) -> SummaryRead:
    return await service.summary(session, service.period(date_from, date_to))
