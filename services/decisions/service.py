"""Use cases of the decisions service. A board sees only its own cases; another board's case
answers 404 exactly as a missing one does, so its existence is not given away."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.decisions.models import Case
from services.decisions.schemas import CasePage, CaseRead
from services.decisions.states import CaseState
from shared.auth import Principal
from shared.errors import NotFound
from shared.queries import fetch_page, visible_to


async def get_case(session: AsyncSession, principal: Principal, case_id: str) -> CaseRead:
    found = await session.get(Case, case_id)
    if found is None or not principal.can_see_board(found.lscb_id):
        raise NotFound(f"no case {case_id!r}")
    return CaseRead.model_validate(found)


async def list_cases(
    session: AsyncSession,
    principal: Principal,
    lscb_id: str | None,
    state: CaseState | None,
    limit: int,
    offset: int,
) -> CasePage:
    query = visible_to(select(Case), principal, Case.lscb_id)
    if lscb_id is not None:
        query = query.where(Case.lscb_id == lscb_id)
    if state is not None:
        query = query.where(Case.state == state.value)
    ordered = query.order_by(Case.notified_on.desc(), Case.case_id)
    rows, total = await fetch_page(session, ordered, limit, offset)
    return CasePage(
        items=[CaseRead.model_validate(c) for c in rows],
        total=total,
        limit=limit,
        offset=offset,
    )
