"""HTTP routes of the analytics service: thin, the use cases live in ``service.py`` and
``stats.py``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response
from sqlalchemy.ext.asyncio import AsyncSession

from services.analytics import service, stats
from services.analytics.schemas import BoardsRead, MonthlyRead, Period, SummaryRead
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


def asked_period(
    date_from: Annotated[
        BusinessDate | None,
        Query(alias="from", description="Defaults to 2013-06-01; not before 2006-04-01."),
    ] = None,
    date_to: Annotated[
        BusinessDate | None, Query(alias="to", description="Defaults to today.")
    ] = None,
) -> Period:
    return service.period(date_from, date_to)


AskedPeriod = Annotated[Period, Depends(asked_period)]


@router.get("/stats/summary", tags=["statistics"], summary="The figures for a period")
async def stats_summary(session: Session, _: StatsReader, p: AskedPeriod) -> SummaryRead:
    return await service.summary(session, p)


@router.get(
    "/stats/summary.csv",
    tags=["statistics"],
    summary="The figures for a period, as CSV",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}, "description": "figure,value rows"}},
)
async def stats_summary_csv(session: Session, _: StatsReader, p: AskedPeriod) -> Response:
    body = stats.summary_csv(await service.summary(session, p))
    name = f"scr-panel-summary-{p.date_from.isoformat()}-{p.date_to.isoformat()}.csv"
    return Response(
        body,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/stats/monthly", tags=["statistics"], summary="A monthly series for a period")
async def stats_monthly(session: Session, _: StatsReader, p: AskedPeriod) -> MonthlyRead:
    return await stats.monthly(session, p)


@router.get(
    "/stats/lscbs",
    tags=["statistics"],
    summary="Each board's contact with the panel: who is not in touch, who is silent",
)
async def stats_lscbs(session: Session, _: StatsReader, p: AskedPeriod) -> BoardsRead:
    return await stats.boards(session, p)
