"""``GET /v1/annual-report``: the annual report for a period, as HTML, Markdown or PDF."""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from sqlalchemy.ext.asyncio import AsyncSession

from services.analytics import annual_report
from services.analytics.annual_report import MEDIA_TYPES, ReportFormat, report_period
from services.analytics.schemas import Period
from shared.auth import Principal, require_roles
from shared.calendar import BusinessDate
from shared.errors import COMMON_PROBLEMS, Unavailable
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


# A PDF takes a core for a second or more. At most this many render at once in a process; a
# request that cannot start within PDF_WAIT_SECONDS is told to come back (503 with Retry-After)
# instead of queueing without bound behind the others (a burst once took the process to 13 GB).
PDF_RENDERS_AT_ONCE = 2
PDF_WAIT_SECONDS = 20.0


def pdf_slots(request: Request) -> asyncio.Semaphore:
    """The process's PDF rendering slots (made on first use, in the app's own event loop)."""
    state = request.app.state
    if getattr(state, "pdf_slots", None) is None:
        state.pdf_slots = asyncio.Semaphore(PDF_RENDERS_AT_ONCE)
    slots: asyncio.Semaphore = state.pdf_slots
    return slots


async def render_pdf(slots: asyncio.Semaphore, html: str) -> bytes:
    try:
        async with asyncio.timeout(PDF_WAIT_SECONDS):
            await slots.acquire()
    except TimeoutError:
        raise Unavailable(
            "the annual report's PDF renderer is busy; try again shortly, or ask for html or md",
            headers={"Retry-After": "10"},
        ) from None
    try:
        # WeasyPrint is CPU-bound: off the event loop.
        return await asyncio.to_thread(annual_report.to_pdf, html)
    finally:
        slots.release()


async def respond(
    session: AsyncSession, p: Period, report_format: ReportFormat, slots: asyncio.Semaphore
) -> Response:
    report = await annual_report.load(session, p)
    # The figures are read: give the connection back before the (slow) rendering.
    await session.close()
    name = f"annual-report-{p.date_from.isoformat()}-{p.date_to.isoformat()}"
    headers = {"Content-Disposition": f'inline; filename="{name}.{report_format.value}"'}
    if report_format is ReportFormat.MD:
        body: str | bytes = annual_report.to_markdown(report)
    elif report_format is ReportFormat.PDF:
        body = await render_pdf(slots, annual_report.to_html(report))
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
    request: Request,
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
    p = report_period(date_from, date_to)
    return await respond(session, p, report_format, pdf_slots(request))
