"""HTTP routes of the publication service: thin, the use cases live in ``service.py`` (reports,
quality reviews), ``notices.py``, ``recommendations.py`` and ``repository.py``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, status
from sqlalchemy.ext.asyncio import AsyncSession

from services.publication import notices, recommendations, repository, service
from services.publication.schemas import (
    ChairsReport,
    LscbRead,
    NoticeConsiderationCreate,
    NoticeCreate,
    NoticeRead,
    NoticeResponseCreate,
    NoticeSummary,
    PublicationCreate,
    QualityReviewCreate,
    QualityReviewRead,
    RecommendationDetail,
    RecommendationRead,
    RecommendationUpdateCreate,
    ReportCreate,
    ReportRead,
    ReportSummary,
    RepositoryPage,
    ScrRead,
)
from services.publication.states import ReportState
from shared.auth import Principal, current_principal, require_roles
from shared.calendar import BusinessDate
from shared.errors import COMMON_PROBLEMS, problem_responses
from shared.events.vocab import (
    NonPublicationState,
    RecommendationLevel,
    RecommendationStatus,
    Role,
    Sector,
)
from shared.idempotency import IdempotencyKeyHeader, IdempotencyRequest
from shared.queries import PageLimit, PageOffset
from shared.schemas import Page
from shared.service_app import get_session

router = APIRouter(prefix="/v1", responses=COMMON_PROBLEMS)
Session = Annotated[AsyncSession, Depends(get_session)]
Anyone = Annotated[Principal, Depends(current_principal)]
ScrReader = Annotated[
    Principal,
    Depends(require_roles(Role.LSCB, Role.PANEL, Role.DFE, Role.OFSTED, Role.ADMIN)),
]
# Reports and notices before publication: the board, the panel, DfE and operators.
ReportReader = Annotated[
    Principal, Depends(require_roles(Role.LSCB, Role.PANEL, Role.DFE, Role.ADMIN))
]
# Implementation of recommendations is an inspection matter too: Ofsted reads them.
RecommendationReader = ScrReader
# A board sends its own reports, notices and responses; an operator may load them for it.
Board = Annotated[Principal, Depends(require_roles(Role.LSCB, Role.ADMIN))]
Panel = Annotated[Principal, Depends(require_roles(Role.PANEL))]
DateFrom = Annotated[BusinessDate | None, Query(alias="from")]
DateTo = Annotated[BusinessDate | None, Query(alias="to")]


# --- registry and SCRs ------------------------------------------------------------------------


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
    date_from: DateFrom = None,
    date_to: DateTo = None,
    overdue: Annotated[
        bool | None, Query(description="Only those marked overdue (or only those not).")
    ] = None,
    limit: PageLimit = 50,
    offset: PageOffset = 0,
) -> Page[ScrRead]:
    return await service.list_scrs(
        session, principal, lscb_id, date_from, date_to, overdue, limit, offset
    )


@router.get("/scrs/{scr_id}", tags=["scrs"], responses=problem_responses(404))
async def get_scr(scr_id: str, session: Session, principal: ScrReader) -> ScrRead:
    return await service.get_scr(session, principal, scr_id)


# --- final reports ----------------------------------------------------------------------------


@router.post(
    "/reports",
    status_code=status.HTTP_201_CREATED,
    tags=["reports"],
    summary="Send an SCR's final report before publication, with its recommendations",
    description="Answers with the report's `short_notice` flag (fewer than 7 days before its "
    "planned publication) and its pre-screen: signals for a reviewer, not verdicts.",
    responses=problem_responses(409),
)
async def create_report(
    body: ReportCreate,
    request: Request,
    session: Session,
    principal: Board,
    idempotency_key: IdempotencyKeyHeader = None,
) -> ReportRead:
    idem = IdempotencyRequest.from_request(idempotency_key, request, principal, body)
    return await service.submit_report(session, principal, body, idem)


@router.get("/reports", tags=["reports"], summary="Final reports, the latest submitted first")
async def list_reports(
    session: Session,
    principal: ReportReader,
    lscb_id: str | None = None,
    state: ReportState | None = None,
    short_notice: bool | None = None,
    date_from: DateFrom = None,
    date_to: DateTo = None,
    limit: PageLimit = 50,
    offset: PageOffset = 0,
) -> Page[ReportSummary]:
    return await service.list_reports(
        session, principal, lscb_id, state, short_notice, date_from, date_to, limit, offset
    )


@router.get("/reports/{report_id}", tags=["reports"], responses=problem_responses(404))
async def get_report(report_id: str, session: Session, principal: ReportReader) -> ReportRead:
    return await service.get_report(session, principal, report_id)


@router.post(
    "/reports/{report_id}/publication",
    status_code=status.HTTP_201_CREATED,
    tags=["reports"],
    summary="Confirm a report's publication (it enters the learning repository)",
    responses=problem_responses(404, 409),
)
async def publish_report(
    report_id: str,
    body: PublicationCreate,
    request: Request,
    session: Session,
    principal: Board,
    idempotency_key: IdempotencyKeyHeader = None,
) -> ReportRead:
    idem = IdempotencyRequest.from_request(idempotency_key, request, principal, body)
    return await service.publish_report(session, principal, report_id, body, idem)


@router.post(
    "/reports/{report_id}/quality-reviews",
    status_code=status.HTTP_201_CREATED,
    tags=["reports"],
    summary="The panel's quality review: para 28's seven features scored, para 27's problems",
    responses=problem_responses(404, 409),
)
async def create_quality_review(
    report_id: str,
    body: QualityReviewCreate,
    request: Request,
    session: Session,
    principal: Panel,
    idempotency_key: IdempotencyKeyHeader = None,
) -> QualityReviewRead:
    idem = IdempotencyRequest.from_request(idempotency_key, request, principal, body)
    return await service.record_quality_review(session, principal, report_id, body, idem)


# --- decisions not to publish -----------------------------------------------------------------


@router.post(
    "/non-publication-notices",
    status_code=status.HTTP_201_CREATED,
    tags=["non-publication"],
    summary="Notify a decision not to publish an SCR report in full",
    responses=problem_responses(409),
)
async def create_notice(
    body: NoticeCreate,
    request: Request,
    session: Session,
    principal: Board,
    idempotency_key: IdempotencyKeyHeader = None,
) -> NoticeRead:
    idem = IdempotencyRequest.from_request(idempotency_key, request, principal, body)
    return await notices.notify(session, principal, body, idem)


@router.get(
    "/non-publication-notices",
    tags=["non-publication"],
    summary="Non-publication notices, the latest first",
)
async def list_notices(
    session: Session,
    principal: ReportReader,
    lscb_id: str | None = None,
    state: NonPublicationState | None = None,
    limit: PageLimit = 50,
    offset: PageOffset = 0,
) -> Page[NoticeSummary]:
    return await notices.list_notices(session, principal, lscb_id, state, limit, offset)


@router.get(
    "/non-publication-notices/{notice_id}",
    tags=["non-publication"],
    summary="A notice: where it stands and its whole history",
    responses=problem_responses(404),
)
async def get_notice(notice_id: str, session: Session, principal: ReportReader) -> NoticeRead:
    return await notices.get_notice(session, principal, notice_id)


@router.post(
    "/non-publication-notices/{notice_id}/considerations",
    status_code=status.HTTP_201_CREATED,
    tags=["non-publication"],
    summary="The panel accepts or challenges a decision not to publish",
    responses=problem_responses(404, 409),
)
async def create_notice_consideration(
    notice_id: str,
    body: NoticeConsiderationCreate,
    request: Request,
    session: Session,
    principal: Panel,
    idempotency_key: IdempotencyKeyHeader = None,
) -> NoticeRead:
    idem = IdempotencyRequest.from_request(idempotency_key, request, principal, body)
    return await notices.consider(session, principal, notice_id, body, idem)


@router.post(
    "/non-publication-notices/{notice_id}/responses",
    status_code=status.HTTP_201_CREATED,
    tags=["non-publication"],
    summary="The board publishes after all, or maintains its decision (back to the panel)",
    responses=problem_responses(404, 409),
)
async def create_notice_response(
    notice_id: str,
    body: NoticeResponseCreate,
    request: Request,
    session: Session,
    principal: Board,
    idempotency_key: IdempotencyKeyHeader = None,
) -> NoticeRead:
    idem = IdempotencyRequest.from_request(idempotency_key, request, principal, body)
    return await notices.respond(session, principal, notice_id, body, idem)


# --- recommendations --------------------------------------------------------------------------


@router.get(
    "/recommendations",
    tags=["recommendations"],
    summary="Recommendations and their implementation, the latest made first",
)
async def list_recommendations(
    session: Session,
    principal: RecommendationReader,
    lscb_id: str | None = None,
    status: RecommendationStatus | None = None,
    addressee: Annotated[
        str | None, Query(max_length=300, description="Part of the addressee's name.")
    ] = None,
    level: RecommendationLevel | None = None,
    sector: Sector | None = None,
    overdue: Annotated[
        bool | None, Query(description="Past due, neither implemented nor rejected.")
    ] = None,
    date_from: DateFrom = None,
    date_to: DateTo = None,
    limit: PageLimit = 50,
    offset: PageOffset = 0,
) -> Page[RecommendationRead]:
    return await recommendations.list_recommendations(
        session,
        principal,
        lscb_id,
        status,
        addressee,
        level,
        sector,
        overdue,
        date_from,
        date_to,
        limit,
        offset,
    )


@router.get(
    "/recommendations/{recommendation_id}",
    tags=["recommendations"],
    summary="A recommendation with the history of its implementation",
    responses=problem_responses(404),
)
async def get_recommendation(
    recommendation_id: str, session: Session, principal: RecommendationReader
) -> RecommendationDetail:
    return await recommendations.get_recommendation(session, principal, recommendation_id)


@router.patch(
    "/recommendations/{recommendation_id}",
    tags=["recommendations"],
    summary="The board moves a recommendation's status, saying what was done, by whom",
    responses=problem_responses(404, 409),
)
async def update_recommendation(
    recommendation_id: str,
    body: RecommendationUpdateCreate,
    session: Session,
    principal: Board,
) -> RecommendationDetail:
    return await recommendations.update_recommendation(session, principal, recommendation_id, body)


@router.get(
    "/lscbs/{lscb_id}/recommendations-report",
    tags=["recommendations"],
    summary="What a board's chair publishes in the annual report (para 29)",
    description="Each SCR recommendation made in the period (default: the twelve months up to "
    "today), its status at the period's end, and each action taken on it, and by whom.",
    responses=problem_responses(404),
)
async def recommendations_report(
    lscb_id: str,
    session: Session,
    principal: RecommendationReader,
    date_from: DateFrom = None,
    date_to: DateTo = None,
) -> ChairsReport:
    return await recommendations.chairs_report(session, principal, lscb_id, date_from, date_to)


@router.get(
    "/repository/search",
    tags=["repository"],
    summary="Search the learning repository: published reports and anonymised summaries, "
    "best match first",
)
async def search_repository(
    session: Session,
    _: Anyone,
    q: Annotated[
        str,
        Query(
            min_length=1,
            max_length=repository.MAX_QUERY_LENGTH,
            description='Words (all required), "quoted phrases", `or` between alternatives, '
            "`-word` to leave out.",
        ),
    ],
    year: Annotated[int | None, Query(ge=1, le=9999, description="Year published.")] = None,
    lscb_id: Annotated[str | None, Query(max_length=20, description="The board.")] = None,
    harm_type: Annotated[
        str | None,
        Query(
            description="The case's outcome (died, seriously_harmed) or a category of abuse "
            "or neglect (physical_abuse, emotional_abuse, sexual_abuse, neglect)."
        ),
    ] = None,
    theme: Annotated[str | None, Query(max_length=100, description="A theme.")] = None,
    limit: PageLimit = 20,
    offset: PageOffset = 0,
) -> RepositoryPage:
    return await repository.search(session, q, year, lscb_id, harm_type, theme, limit, offset)
