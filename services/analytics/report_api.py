"""``GET /v1/annual-report``: the annual report for a period, as HTML, Markdown or PDF."""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response
from sqlalchemy.ext.asyncio import AsyncSession

from services.analytics import annual_report
from services.analytics.annual_report import MEDIA_TYPES, ReportFormat, report_period
from services.analytics.schemas import Period
from shared.auth import Principal, require_roles
from shared.calendar import BusinessDate
from shared.errors import COMMON_PROBLEMS
from shared.events.vocab import Role
from shared.service_app import get_session

router = APIRouter(prefix="/v1", responses=COMMON_PROBLEMS)
Session = Annotated[AsyncSession, Depends(get_session)]
# As the statistics it is written from: every overseer, no board.
ReportReader = Annotated[
    Principal, Depends(require_roles(Role.PANEL, Role.DFE, Role.OFSTED, Role.ADMIN))
]
FormatQuery = Annotated[
    ReportFormat,
    Query(alias="format", description="html (the default), md (Markdown) or pdf."),
]


async def respond(session: AsyncSession, p: Period, report_format: ReportFormat) -> Response:
    report = await annual_report.load(session, p)
    # The figures are read: give the connection back before the (slow) rendering.
    await session.close()
    name = f"annual-report-{p.date_from.isoformat()}-{p.date_to.isoformat()}"
    headers = {"Content-Disposition": f'inline; filename="{name}.{report_format.value}"'}
    if report_format is ReportFormat.MD:
        body: str | bytes = annual_report.to_markdown(report)
    elif report_format is ReportFormat.PDF:
        # WeasyPrint is CPU-bound (a second or two): off the event loop.
        body = await asyncio.to_thread(annual_report.to_pdf, annual_report.to_html(report))
    else:
        body = annual_report.to_html(report)
    return Response(body, media_type=MEDIA_TYPES[report_format], headers=headers)


@router.get(
    "/annual-report",
    tags=["reports"],
    summary="The annual report for a period (HTML, Markdown or PDF)",
    response_class=Response,
    responses={
        200: {
            "description": "The report, in the format asked for",
            "content": {media.split(";")[0]: {} for media in MEDIA_TYPES.values()},
        }
    },
)
async def get_annual_report(
    session: Session,
    _: ReportReader,
    date_from: Annotated[
        BusinessDate | None,
        Query(alias="from", description="Defaults to the day after `to` a year before."),
    ] = None,
    date_to: Annotated[
        BusinessDate | None, Query(alias="to", description="Defaults to today.")
    ] = None,
    report_format: FormatQuery = ReportFormat.HTML,
) -> Response:
    """The sections of the panel's first annual report (July 2014), their figures taken from
    the summary of the period and their sentences written from them, with charts (inline SVG;
    nothing is fetched from elsewhere). The period defaults to the twelve months up to today."""
    return await respond(session, report_period(date_from, date_to), report_format)
