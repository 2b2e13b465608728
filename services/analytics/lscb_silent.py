"""The ``lscb_silent`` rule: a board active today that has notified nothing in the twelve months
up to today (para 29), checked daily by a worker and on demand by the panel.

Its cause is the board and the date of its last notification (or ``never``): a board stays one
alert however many days it stays silent, and raises another only if it notifies and then falls
silent again. A board registered less than twelve months ago has not had the time to be silent.
Kept apart from ``alerts.py`` because it reads the registry (``registry.py``), which the
consumer's handlers must not import.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.analytics.alerts import Cause, raise_alert
from services.analytics.models import Alert
from services.analytics.registry import (
    SILENT_AFTER_MONTHS,
    active_boards,
    all_boards,
    last_notified,
    silent,
)
from shared.calendar import months_before
from shared.events.vocab import AlertType
from shared.service_app import periodic


async def check_silent_boards(session: AsyncSession, day: dt.date) -> list[Alert]:
    """Raise an alert for each board silent at ``day`` not alerted for this silence yet, in the
    session's transaction (not committed); the alerts raised, by board."""
    boards = await all_boards(session)
    active = active_boards(boards.values(), day)
    latest = await last_notified(session, boards, day)
    registered_by = months_before(day, SILENT_AFTER_MONTHS)
    raised: list[Alert] = []
    for lscb_id in sorted(silent(active, latest, day)):
        if boards[lscb_id].registered_on > registered_by:
            continue  # not yet twelve months on the registry
        last = latest.get(lscb_id)
        cause = Cause(
            AlertType.LSCB_SILENT,
            f"lscb:{lscb_id}:{last.isoformat() if last else 'never'}",
            lscb_id,
            None,
            day,
            "notifications",
            f"/v1/lscbs/{lscb_id}",
        )
        if (alert := await raise_alert(session, cause)) is not None:
            raised.append(alert)
    return raised


async def check_now(session: AsyncSession, day: dt.date) -> list[Alert]:
    """The panel's check on demand: one transaction, committed; the alerts it raised."""
    raised = await check_silent_boards(session, day)
    await session.commit()
    return raised


async def silent_round(sessionmaker: async_sessionmaker[AsyncSession], day: dt.date) -> int:
    """One check, committed; how many alerts it raised."""
    async with sessionmaker() as session:
        raised = await check_silent_boards(session, day)
        await session.commit()
    return len(raised)


# The worker: a check at start, then every ``lscb_silent_check_seconds`` (a day by default).
run_silent_check = periodic(
    silent_round, "silent boards alerted", every="lscb_silent_check_seconds"
)
