"""Marks follow-ups overdue, once each, however many replicas of the service run.

Every replica runs this loop. Marking is a conditional update (``status = 'open'``) in the same
transaction as the audit entry and the ``follow_up.overdue`` event, taken under the decision's row
lock (the lock order of a board's response too, so the two cannot deadlock): of two replicas
racing for one follow-up, exactly one changes the row; the other changes nothing and says nothing.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.decisions.models import Decision, FollowUp
from services.decisions.service import about, audit, emit
from shared.events.contracts import FollowUpOverdueV1
from shared.events.vocab import CaseState
from shared.service_app import periodic

ACTOR, ACTOR_ROLE = "system:overdue-follow-ups", "system"
BATCH = 500


async def mark_overdue_follow_ups(
    sessionmaker: async_sessionmaker[AsyncSession], day: dt.date
) -> int:
    """Mark every open follow-up due before ``day``; returns how many this call marked."""
    async with sessionmaker() as session:
        due = (
            await session.execute(
                select(FollowUp.id, FollowUp.decision_id)
                .where(FollowUp.status == "open", FollowUp.due_on < day)
                .order_by(FollowUp.due_on)
                .limit(BATCH)
            )
        ).all()
    marked = 0
    for follow_up_id, decision_id in due:
        async with sessionmaker() as session:
            try:
                marked += await _mark_one(session, follow_up_id, decision_id)
            except IntegrityError:  # a step on the same decision landed first: next round
                await session.rollback()
    return marked


async def _mark_one(session: AsyncSession, follow_up_id: str, decision_id: str) -> int:
    decision = await session.get(Decision, decision_id, with_for_update=True)
    follow_up = await session.get(FollowUp, follow_up_id)
    if decision is None or follow_up is None:
        return 0
    overdue_on = follow_up.due_on + dt.timedelta(days=1)
    changed = await session.execute(
        update(FollowUp)
        .where(FollowUp.id == follow_up_id, FollowUp.status == "open")
        .values(status="overdue", overdue_on=overdue_on)
        .execution_options(synchronize_session=False)
    )
    if changed.rowcount != 1:  # another replica marked it, or the board has answered
        await session.rollback()
        return 0
    state = CaseState(decision.case.state)
    await audit(
        session,
        decision,
        "follow_up_overdue",
        overdue_on,
        ACTOR,
        ACTOR_ROLE,
        state,
        state,
        {"follow_up_id": follow_up_id, "due_on": follow_up.due_on.isoformat()},
    )
    await emit(
        session,
        FollowUpOverdueV1(
            **about(decision),
            follow_up_id=follow_up_id,
            due_on=follow_up.due_on,
            overdue_on=overdue_on,
        ),
    )
    await session.commit()
    return 1


# The worker: a round now, then one every ``scheduler_interval_seconds`` until stopping.
run_overdue_scheduler = periodic(mark_overdue_follow_ups, "follow-ups marked overdue")
