"""HTTP routes of the decisions service: thin, the use cases live in ``service.py`` and
``reads.py``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, status
from sqlalchemy.ext.asyncio import AsyncSession

from services.decisions import reads, service
from services.decisions.notifications_client import http_lookup
from services.decisions.review_types import review_types
from services.decisions.schemas import (
    AgendaPage,
    CasePage,
    CaseRead,
    ConsiderationCreate,
    ConsiderationRead,
    DecisionCreate,
    DecisionPage,
    DecisionRead,
    FollowUpPage,
    FollowUpStatus,
    ResponseCreate,
    ResponseRead,
    ReviewTypeRead,
)
from services.decisions.states import CaseState
from shared.auth import Principal, current_principal, require_roles
from shared.calendar import BusinessDate, today
from shared.config import DecisionsSettings
from shared.errors import COMMON_PROBLEMS, problem_responses
from shared.events.vocab import InitiationDecision, Role
from shared.idempotency import IdempotencyKeyHeader, IdempotencyRequest
from shared.queries import PageLimit, PageOffset
from shared.service_app import get_session

router = APIRouter(prefix="/v1", responses=COMMON_PROBLEMS)
Session = Annotated[AsyncSession, Depends(get_session)]
Anyone = Annotated[Principal, Depends(current_principal)]
CaseReader = Annotated[Principal, Depends(require_roles(Role.LSCB, Role.PANEL, Role.ADMIN))]
# A board records its own decisions and responses; an operator may load them on its behalf.
Board = Annotated[Principal, Depends(require_roles(Role.LSCB, Role.ADMIN))]
Panel = Annotated[Principal, Depends(require_roles(Role.PANEL))]
PanelReader = Annotated[Principal, Depends(require_roles(Role.PANEL, Role.ADMIN))]


def _settings(request: Request) -> DecisionsSettings:
    settings = request.app.state.settings
    assert isinstance(settings, DecisionsSettings)
    return settings


# --- cases ------------------------------------------------------------------------------------


@router.get("/cases", tags=["cases"], summary="Cases, newest notification first")
async def list_cases(
    session: Session,
    principal: CaseReader,
    lscb_id: str | None = None,
    state: CaseState | None = None,
    limit: PageLimit = 50,
    offset: PageOffset = 0,
) -> CasePage:
    return await reads.list_cases(session, principal, lscb_id, state, limit, offset)


@router.get("/cases/{case_id}", tags=["cases"], responses=problem_responses(404))
async def get_case(case_id: str, session: Session, principal: CaseReader) -> CaseRead:
    return await reads.get_case(session, principal, case_id)


# --- decisions --------------------------------------------------------------------------------


@router.post(
    "/decisions",
    status_code=status.HTTP_201_CREATED,
    tags=["decisions"],
    summary="Record a board's decision to initiate an SCR, or not to",
    responses=problem_responses(409, 503),
)
async def create_decision(
    body: DecisionCreate,
    request: Request,
    session: Session,
    principal: Board,
    idempotency_key: IdempotencyKeyHeader = None,
) -> DecisionRead:
    idem = IdempotencyRequest.from_request(idempotency_key, request, principal, body)
    lookup = http_lookup(_settings(request).notifications_url, request.headers["Authorization"])
    return await service.record_decision(session, principal, body, idem, lookup)


@router.get("/decisions", tags=["decisions"], summary="Decisions, the latest decided first")
async def list_decisions(
    session: Session,
    principal: CaseReader,
    lscb_id: str | None = None,
    state: CaseState | None = None,
    decision: InitiationDecision | None = None,
    date_from: Annotated[BusinessDate | None, Query(alias="from")] = None,
    date_to: Annotated[BusinessDate | None, Query(alias="to")] = None,
    limit: PageLimit = 50,
    offset: PageOffset = 0,
) -> DecisionPage:
    return await reads.list_decisions(
        session, principal, lscb_id, state, decision, date_from, date_to, limit, offset
    )


@router.get(
    "/decisions/{decision_id}",
    tags=["decisions"],
    summary="A decision: where it stands and its whole history",
    responses=problem_responses(404),
)
async def get_decision(decision_id: str, session: Session, principal: CaseReader) -> DecisionRead:
    return await reads.get_decision(session, principal, decision_id)


@router.post(
    "/decisions/{decision_id}/considerations",
    status_code=status.HTTP_201_CREATED,
    tags=["decisions"],
    summary="The panel agrees with, challenges or refers back a decision not to initiate",
    responses=problem_responses(404, 409),
)
async def create_consideration(
    decision_id: str,
    body: ConsiderationCreate,
    request: Request,
    session: Session,
    principal: Panel,
    idempotency_key: IdempotencyKeyHeader = None,
) -> ConsiderationRead:
    idem = IdempotencyRequest.from_request(idempotency_key, request, principal, body)
    days = _settings(request).follow_up_response_days
    return await service.record_consideration(session, principal, decision_id, body, idem, days)


@router.post(
    "/decisions/{decision_id}/responses",
    status_code=status.HTTP_201_CREATED,
    tags=["decisions"],
    summary="The board answers a challenge or referral: it initiates an SCR, or informs",
    responses=problem_responses(404, 409),
)
async def create_response(
    decision_id: str,
    body: ResponseCreate,
    request: Request,
    session: Session,
    principal: Board,
    idempotency_key: IdempotencyKeyHeader = None,
) -> ResponseRead:
    idem = IdempotencyRequest.from_request(idempotency_key, request, principal, body)
    return await service.record_response(session, principal, decision_id, body, idem)


# --- the panel's work -------------------------------------------------------------------------


@router.get(
    "/agenda",
    tags=["panel"],
    summary="What awaits the panel, the longest waiting first, with each case's history",
)
async def get_agenda(
    session: Session, _: PanelReader, limit: PageLimit = 100, offset: PageOffset = 0
) -> AgendaPage:
    return await reads.agenda(session, today(), limit, offset)


@router.get(
    "/follow-ups",
    tags=["panel"],
    summary="Open and overdue follow-ups, the earliest due first",
)
async def list_follow_ups(
    session: Session,
    principal: CaseReader,
    lscb_id: str | None = None,
    status: FollowUpStatus | None = None,
    limit: PageLimit = 50,
    offset: PageOffset = 0,
) -> FollowUpPage:
    return await reads.list_follow_ups(session, principal, lscb_id, status, limit, offset)


@router.get(
    "/alternative-review-types",
    tags=["reference"],
    summary="The kinds of review a board may propose instead of an SCR",
)
async def list_review_types(_: Anyone) -> list[ReviewTypeRead]:
    return [ReviewTypeRead(code=c, label=label) for c, label in review_types().items()]
