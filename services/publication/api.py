"""HTTP routes of the publication service: thin, the use cases live in ``service.py``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from sqlalchemy.ext.asyncio import AsyncSession

from services.publication import service
from services.publication.schemas import LscbRead
from shared.auth import Principal, current_principal
from shared.errors import COMMON_PROBLEMS
from shared.service_app import get_session

router = APIRouter(prefix="/v1", responses=COMMON_PROBLEMS)
Session = Annotated[AsyncSession, Depends(get_session)]
Anyone = Annotated[Principal, Depends(current_principal)]


@router.get(
    "/lscbs",
    tags=["registry"],
    summary="This service's copy of the board registry (as the registry's events left it)",
)
async def list_lscbs(session: Session, _: Anyone, active: bool | None = None) -> list[LscbRead]:
    return await service.list_lscbs(session, active)
