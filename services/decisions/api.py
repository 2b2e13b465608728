"""HTTP routes of the decisions service: thin, the use cases live in ``service.py``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from sqlalchemy.ext.asyncio import AsyncSession

from services.decisions import service
from services.decisions.schemas import CasePage, CaseRead
from services.decisions.states import CaseState
from shared.auth import Principal, require_roles
from shared.errors import COMMON_PROBLEMS, problem_responses
from shared.events.vocab import Role
from shared.service_app import get_session

router = APIRouter(prefix="/v1", responses=COMMON_PROBLEMS)
Session = Annotated[AsyncSession, Depends(get_session)]
CaseReader = Annotated[Principal, Depends(require_roles(Role.LSCB, Role.PANEL, Role.ADMIN))]


@router.get("/cases", tags=["cases"], summary="Cases, newest notification first")
async def list_cases(
    session: Session,
    principal: CaseReader,
    lscb_id: str | None = None,
    state: CaseState | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> CasePage:
    return await service.list_cases(session, principal, lscb_id, state, limit, offset)


@router.get("/cases/{case_id}", tags=["cases"], responses=problem_responses(404))
async def get_case(case_id: str, session: Session, principal: CaseReader) -> CaseRead:
    return await service.get_case(session, principal, case_id)
