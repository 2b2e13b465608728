"""The dashboard: ``GET /dashboard``, server-rendered (Jinja2), with Chart.js served from the
package (no page needs the internet) and live updates by Server-Sent Events.

The figures are rendered once, on the server, as an HTML fragment (``/dashboard/panel``): the
full page includes it, and the page's script fetches it again and swaps it in when the stream
says analytics has applied new events. So the numbers shown are always the template's, never a
second rendering in JavaScript; the script only draws the charts from the JSON the fragment
carries, and a table of the same figures sits behind every chart.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Query, Request
from fastapi.responses import HTMLResponse, Response, StreamingResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.analytics import report_api, service, stats
from services.analytics.annual_report import ReportFormat, report_period
from services.analytics.dashboard_auth import access_page, sign_in, sign_out, viewer
from services.analytics.rendering import STATIC, render
from services.analytics.report_text import FEATURES, PROBLEMS, REASONS, STATUSES, capitalised
from services.analytics.schemas import BoardsRead, MonthlyRead, Period, SummaryRead
from shared.auth import Principal
from shared.calendar import BusinessDate
from shared.db import inbox_table
from shared.errors import DomainError
from shared.events.vocab import NonInitiationReason
from shared.service_app import Runtime, get_session, reject_nul

router = APIRouter(prefix="/dashboard", tags=["dashboard"], include_in_schema=False)
Session = Annotated[AsyncSession, Depends(get_session)]
Viewer = Annotated[Principal, Depends(viewer)]
From = Annotated[BusinessDate | None, Query(alias="from")]
To = Annotated[BusinessDate | None, Query(alias="to")]

# How often the stream looks for newly applied events, and how long one stream lasts before the
# browser reconnects (EventSource does so by itself): a bounded stream never holds up a
# shutdown for long, and a reconnection costs one cheap query.
POLL_SECONDS = 2.0
STREAM_SECONDS = 25.0
# The page's own files only: no inline script, nothing from another origin.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
    " connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)
PAGE_HEADERS = {
    "Content-Security-Policy": CSP,
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}


def install(app: FastAPI) -> None:
    """Add the dashboard, its static files and the annual report to the analytics app."""
    app.include_router(router, dependencies=[Depends(reject_nul)])
    app.include_router(report_api.router, dependencies=[Depends(reject_nul)])
    app.mount("/dashboard/static", StaticFiles(directory=STATIC), name="dashboard-static")


# --- what the page shows ---------------------------------------------------------------------


def _bars(labels: list[str], *series: tuple[str, list[Any]], **options: Any) -> dict[str, Any]:
    return {
        "type": "bar",
        "labels": labels,
        "series": [{"name": n, "values": v} for n, v in series],
        **options,
    }


def charts(s: SummaryRead, m: MonthlyRead) -> dict[str, Any]:
    """What the script draws: labels and series per chart (the tables carry the same)."""
    names = ("notifications", "decisions", "considerations", "reports")
    before = s.quality.before_working_together_2013
    under = s.quality.under_working_together_2013
    sides = (("Before Working Together 2013", before), ("Under Working Together 2013", under))
    return {
        "monthly": {
            "type": "line",
            "labels": [x.month for x in m.months],
            "series": [
                {"name": n.capitalize(), "values": [getattr(x, n) for x in m.months]} for n in names
            ],
        },
        "outcomes": _bars(
            [label for label, _, _ in outcomes(s)],
            ("Decisions", [value for _, _, value in outcomes(s)]),
            horizontal=True,
        ),
        "reasons": _bars(
            [label for label, _, _ in reasons(s)],
            ("Decisions", [value for _, _, value in reasons(s)]),
            horizontal=True,
        ),
        "publication": _bars(
            [label for label, _, _ in publication(s)],
            ("SCRs", [value for _, _, value in publication(s)]),
            horizontal=True,
        ),
        "quality": _bars(
            list(FEATURES.values()),
            *((name, [side.mean_scores.get(f) for f in FEATURES]) for name, side in sides),
            horizontal=True,
            max=4,
        ),
        "problems": _bars(
            list(PROBLEMS.values()),
            *((name, [side.problem_share_pct.get(p) for p in PROBLEMS]) for name, side in sides),
            horizontal=True,
            max=100,
            unit="%",
        ),
        "recommendations": _bars(
            [status.value.replace("_", " ").capitalize() for status in STATUSES],
            ("Recommendations", [s.recommendations.by_status.get(st, 0) for st in STATUSES]),
        ),
    }


def outcomes(s: SummaryRead) -> list[tuple[str, str, int]]:
    """The non-initiation decisions considered, by where they stand: (label, figure, value)."""
    return [
        ("Agreed without challenge", "agreed_without_challenge", s.agreed_without_challenge),
        (
            "SCR initiated after the panel's advice",
            "scr_initiated_after_advice",
            s.scr_initiated_after_advice,
        ),
        (
            "Accepted after further information",
            "accepted_after_further_information",
            s.accepted_after_further_information,
        ),
        (
            "Awaiting further information",
            "awaiting_further_information",
            s.awaiting_further_information,
        ),
    ]


def reasons(s: SummaryRead) -> list[tuple[str, str, int]]:
    return [
        (
            capitalised(REASONS[r]),
            f"non_initiation_reasons.{r.value}",
            s.non_initiation_reasons.get(r.value, 0),
        )
        for r in NonInitiationReason
    ]


def publication(s: SummaryRead) -> list[tuple[str, str, int]]:
    return [
        (
            "Reports received before publication",
            "reports_received_before_publication",
            s.reports_received_before_publication,
        ),
        ("Not to publish: accepted", "non_publication_accepted", s.non_publication_accepted),
        (
            "Not to publish: being reconsidered",
            "non_publication_being_reconsidered",
            s.non_publication_being_reconsidered,
        ),
        (
            "Not to publish: since published",
            "non_publication_since_published",
            s.non_publication_since_published,
        ),
    ]


def panel_context(s: SummaryRead, m: MonthlyRead, b: BoardsRead) -> dict[str, Any]:
    return {
        "s": s,
        "monthly": m,
        "flagged_boards": [x for x in b.boards if not x.in_touch or x.silent_12_months],
        "boards": b,
        "outcomes": outcomes(s),
        "reasons": reasons(s),
        "publication": publication(s),
        "features": FEATURES,
        "problems": PROBLEMS,
        "statuses": STATUSES,
        "charts": charts(s, m),
    }


async def _figures(session: AsyncSession, p: Period) -> dict[str, Any]:
    # The version first: an event applied while the figures are read makes the page fetch them
    # once more (harmless), never miss them.
    version = await inbox_version(session)
    summary = await service.summary(session, p)
    context = panel_context(
        summary, await stats.monthly(session, p), await stats.boards(session, p)
    )
    return {**context, "version": version}


# The panel's first year: the twelve months of its first annual report.
FIRST_YEAR = Period(date_from=dt.date(2013, 6, 1), date_to=dt.date(2014, 5, 31))


def presets() -> list[tuple[str, Period]]:
    # The default (the twelve months up to today) first; then the panel's first year, whose
    # figures the first annual report gives; then everything since the panel began.
    return [
        ("Last twelve months", report_period(None, None)),
        ("The panel's first year", FIRST_YEAR),
        ("Since June 2013", service.period(None, None)),
    ]


# --- routes -----------------------------------------------------------------------------------


@router.get("", response_class=HTMLResponse)
async def dashboard(
    request: Request,
    session: Session,
    date_from: From = None,
    date_to: To = None,
    token: Annotated[str | None, Query(description="A bearer token, swapped for a cookie")] = None,
) -> Response:
    """The dashboard for a period: by default the twelve months up to today, the view of the
    panel's current year (the first year and the whole history are one click away)."""
    try:
        if token is not None:
            return sign_in(request, token)
        principal = viewer(request)
    except DomainError as error:
        if error.status in (401, 403):
            return access_page(request, error)
        raise
    p = report_period(date_from, date_to)
    context = await _figures(session, p)
    body = render(
        "dashboard.html",
        principal=principal,
        period=p,
        presets=presets(),
        formats=list(ReportFormat),
        **context,
    )
    return HTMLResponse(body, headers=PAGE_HEADERS)


@router.get("/panel", response_class=HTMLResponse)
async def panel(
    session: Session, _: Viewer, date_from: From = None, date_to: To = None
) -> HTMLResponse:
    """The figures alone (the fragment the page swaps in when new events have been applied)."""
    p = report_period(date_from, date_to)
    body = render("dashboard_panel.html", period=p, **(await _figures(session, p)))
    return HTMLResponse(body, headers=PAGE_HEADERS)


async def inbox_version(session: AsyncSession) -> str:
    """Changes whenever analytics applies an event, whichever replica applied it: the number of
    inbox rows and the latest ``applied_at`` (one aggregate over the inbox table)."""
    row = (await session.execute(select(func.count(), func.max(inbox_table.c.applied_at)))).one()
    latest = row[1].isoformat() if row[1] is not None else "-"
    return f"{int(row[0])}/{latest}"


@router.get("/stream")
async def stream(request: Request, _: Viewer) -> StreamingResponse:
    """Server-Sent Events: ``event: version`` with the inbox version, at once and whenever it
    changes; comments in between keep proxies from closing the connection."""
    runtime: Runtime = request.app.state.runtime

    async def events() -> AsyncIterator[str]:
        yield f"retry: {int(POLL_SECONDS * 1000)}\n\n"
        last, ends = None, time.monotonic() + STREAM_SECONDS
        while time.monotonic() < ends and not runtime.stopping.is_set():
            if await request.is_disconnected():
                return
            async with runtime.sessionmaker() as session:
                version = await inbox_version(session)
            yield f"event: version\ndata: {version}\n\n" if version != last else ": idle\n\n"
            last = version
            await asyncio.sleep(POLL_SECONDS)

    return StreamingResponse(
        events(),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )


@router.get("/annual-report", response_class=Response)
async def annual_report(
    request: Request,
    session: Session,
    _: Viewer,
    date_from: From = None,
    date_to: To = None,
    report_format: report_api.FormatQuery = ReportFormat.HTML,
) -> Response:
    """The annual report for the dashboard's period, with the dashboard's sign-in (the /v1
    route wants a bearer header, which a link cannot send)."""
    p = report_period(date_from, date_to)
    return await report_api.respond(session, p, report_format, report_api.pdf_slots(request))


@router.get("/sign-out")
async def leave() -> Response:
    return sign_out()


@router.get("/signed-out", response_class=HTMLResponse)
async def signed_out() -> HTMLResponse:
    return HTMLResponse(render("signed_out.html"), headers=PAGE_HEADERS)
