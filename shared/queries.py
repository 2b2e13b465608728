"""Query building blocks every service's list endpoints share."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, TypeVar

from fastapi import Query
from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from shared.auth import Principal
from shared.errors import Invalid, NotFound
from shared.events.vocab import Role

S = TypeVar("S", bound=Select[Any])
M = TypeVar("M")


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


def for_board(
    query: S, principal: Principal, lscb_column: InstrumentedAttribute[str], lscb_id: str | None
) -> S:
    """What the caller may see, narrowed to one board if asked (a board asking for another's
    simply gets nothing)."""
    query = visible_to(query, principal, lscb_column)
    return query if lscb_id is None else query.where(lscb_column == lscb_id)


def dated_between(
    query: S,
    date_column: InstrumentedAttribute[dt.date],
    date_from: dt.date | None,
    date_to: dt.date | None,
) -> S:
    """Rows dated in [from, to], either end optional; ``to`` before ``from`` answers 422."""
    if date_from and date_to and date_to < date_from:
        raise Invalid("to", "must not be before from")
    if date_from is not None:
        query = query.where(date_column >= date_from)
    if date_to is not None:
        query = query.where(date_column <= date_to)
    return query


async def get_visible(
    session: AsyncSession,
    model: type[M],
    key: str,
    principal: Principal,
    what: str,
    for_update: bool = False,
) -> M:
    """The row ``key`` of ``model`` (which has ``lscb_id``); 404 when missing and, in the same
    words, when it is another board's, so that its existence is not given away. ``for_update``
    row-locks it until the commit (PostgreSQL; SQLite's single writer already serialises) and
    reads it afresh, so two steps on one row run one after the other."""
    found = await session.get(
        model, key, with_for_update=for_update or None, populate_existing=for_update
    )
    if found is None or not principal.can_see_board(found.lscb_id):
        raise NotFound(f"no {what} {key!r}")
    return found


# Query parameters of every paged list. The offset has a ceiling far past any real list: a
# database integer has one too, and a caller who passes it should hear 422, not 500.
PageLimit = Annotated[int, Query(ge=1, le=500, description="Items per page.")]
PageOffset = Annotated[int, Query(ge=0, le=1_000_000_000, description="Items to skip.")]
