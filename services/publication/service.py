"""Use cases of the publication service (so far: reading its copy of the board registry and the
SCRs initiated). A board sees only its own SCRs; another board's SCR answers 404 exactly as a
missing one does, so its existence is not given away."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.publication.models import Lscb, Scr
from services.publication.schemas import LscbRead, ScrPage, ScrRead
from shared.auth import Principal
from shared.queries import dated_between, fetch_page, for_board, get_visible


async def list_lscbs(session: AsyncSession, active: bool | None) -> list[LscbRead]:
    query = select(Lscb).order_by(Lscb.name, Lscb.id)
    if active is not None:
        query = query.where(Lscb.active.is_(active))
    return [LscbRead.model_validate(b) for b in (await session.scalars(query)).all()]


async def get_scr(session: AsyncSession, principal: Principal, scr_id: str) -> ScrRead:
    return ScrRead.model_validate(await get_visible(session, Scr, scr_id, principal, "SCR"))


async def list_scrs(
    session: AsyncSession,
    principal: Principal,
    lscb_id: str | None,
    date_from: dt.date | None,
    date_to: dt.date | None,
    limit: int,
    offset: int,
) -> ScrPage:
    query = for_board(select(Scr), principal, Scr.lscb_id, lscb_id)
    query = dated_between(query, Scr.initiated_on, date_from, date_to)
    ordered = query.order_by(Scr.initiated_on.desc(), Scr.scr_id)
    rows, total = await fetch_page(session, ordered, limit, offset)
    return ScrPage(
        items=[ScrRead.model_validate(s) for s in rows],
        total=total,
        limit=limit,
        offset=offset,
    )
