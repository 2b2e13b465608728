"""Use cases of the publication service (so far: reading its copy of the board registry)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.publication.models import Lscb
from services.publication.schemas import LscbRead


async def list_lscbs(session: AsyncSession, active: bool | None) -> list[LscbRead]:
    query = select(Lscb).order_by(Lscb.name, Lscb.id)
    if active is not None:
        query = query.where(Lscb.active.is_(active))
    return [LscbRead.model_validate(b) for b in (await session.scalars(query)).all()]
