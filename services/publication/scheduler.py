"""Marks SCRs overdue, once each, however many replicas of the service run.

An SCR should be complete within six months of its initiation (DOMAIN.md §2 step 5). One still
without a final report or a non-publication notice after its due date is overdue: ``scr.overdue``
is written once, by a conditional update (still unmarked, still incomplete) in the same
transaction as the event, so of two replicas racing for one SCR exactly one changes the row.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.publication.models import Scr
from services.publication.steps import about, emit
from shared.events.contracts import ScrOverdueV1
from shared.service_app import periodic

SCR_DUE_MONTHS = 6
BATCH = 500


def _still_due():  # type: ignore[no-untyped-def]
    return Scr.completed_by.is_(None) & Scr.overdue_on.is_(None)


async def mark_overdue_scrs(sessionmaker: async_sessionmaker[AsyncSession], day: dt.date) -> int:
    """Mark every incomplete SCR due before ``day``; returns how many this call marked."""
    async with sessionmaker() as session:
        due = (
            await session.scalars(
                select(Scr.scr_id)
                .where(_still_due(), Scr.due_on < day)
                .order_by(Scr.due_on)
                .limit(BATCH)
            )
        ).all()
    marked = 0
    for scr_id in due:
        async with sessionmaker() as session:
            marked += await _mark_one(session, scr_id)
    return marked


async def _mark_one(session: AsyncSession, scr_id: str) -> int:
    scr = await session.get(Scr, scr_id)
    if scr is None:
        return 0
    overdue_on = scr.due_on + dt.timedelta(days=1)
    changed = await session.execute(
        update(Scr)
        .where(Scr.scr_id == scr_id, _still_due())
        .values(overdue_on=overdue_on)
        .execution_options(synchronize_session=False)
    )
    if changed.rowcount != 1:  # another replica marked it, or its report has just arrived
        await session.rollback()
        return 0
    await emit(
        session,
        ScrOverdueV1(
            **about(scr), initiated_on=scr.initiated_on, due_on=scr.due_on, overdue_on=overdue_on
        ),
    )
    await session.commit()
    return 1


# The worker: a round now, then one every ``scheduler_interval_seconds`` until stopping.
run_overdue_scheduler = periodic(mark_overdue_scrs, "SCRs marked overdue")
