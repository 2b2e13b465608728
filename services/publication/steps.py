"""What every publication use case shares: the SCR a step is about, and its events."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.ext.asyncio import AsyncSession

from services.publication.models import Scr
from shared.auth import Principal
from shared.errors import Invalid, NotFound
from shared.events.contracts import PublicationEventData
from shared.events.vocab import WorkingTogether
from shared.outbox import add_event
from shared.queries import get_visible

# Working Together 2013 came into force on 15 April 2013; para 25 compares SCRs either side.
WORKING_TOGETHER_2013 = dt.date(2013, 4, 15)


async def emit(session: AsyncSession, data: PublicationEventData) -> None:
    """Stage a publication event; keyed by the SCR's case, behind its ``scr.initiated``."""
    await add_event(session, data, subject=data.case_id)


def about(scr: Scr) -> dict[str, str]:
    """The fields every publication event opens with."""
    return {"scr_id": scr.scr_id, "case_id": scr.case_id, "lscb_id": scr.lscb_id}


def working_together(scr: Scr) -> WorkingTogether:
    if scr.initiated_on < WORKING_TOGETHER_2013:
        return WorkingTogether.BEFORE_2013
    return WorkingTogether.UNDER_2013


async def scr_for_completion(session: AsyncSession, principal: Principal, scr_id: str) -> Scr:
    """The caller's SCR, row-locked, for a report or a notice (422 naming ``scr_id`` otherwise,
    in the same words whether it is missing or another board's)."""
    try:
        return await get_visible(session, Scr, scr_id, principal, "SCR", for_update=True)
    except NotFound:
        raise Invalid(
            "scr_id",
            f"no SCR {scr_id!r} of this board (an SCR initiated a moment ago may take a few "
            "seconds to arrive: GET /v1/scrs/{id} shows when it has)",
        ) from None


def not_before(field: str, value: dt.date, earliest: dt.date, what: str) -> None:
    if value < earliest:
        raise Invalid(field, f"must not be before {earliest.isoformat()} ({what})")
