"""Query building blocks every service's list endpoints share."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from shared.auth import Principal
from shared.events.vocab import Role

S = TypeVar("S", bound=Select[Any])


def visible_to(query: S, principal: Principal, lscb_column: InstrumentedAttribute[str]) -> S:
    """A board sees only its own rows; asking for another's simply finds nothing."""
    if principal.role is Role.LSCB:
        return query.where(lscb_column == principal.lscb_id)
    return query


async def fetch_page(
    session: AsyncSession, query: Select[Any], limit: int, offset: int
) -> tuple[list[Any], int]:
    """One page of ``query`` (already ordered) and the total it would give unpaged."""
    total = (await session.execute(select(func.count()).select_from(query.subquery()))).scalar_one()
    rows = await session.scalars(query.limit(limit).offset(offset))
    return list(rows.all()), total
