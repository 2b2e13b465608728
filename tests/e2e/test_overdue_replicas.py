"""Two replicas of the decisions service mark each overdue follow-up once, between them."""

from __future__ import annotations

import datetime as dt

import httpx
from sqlalchemy import func, select

from services.decisions.models import AuditEntry, FollowUp
from shared.db import make_engine, make_sessionmaker, outbox_table
from tests.e2e.flows import HARTLEPOOL, bearer, notify
from tests.support.processes import ProcessStack
from tests.support.services import eventually

FOLLOW_UPS = 30


async def _challenged_decisions(
    client: httpx.AsyncClient, stack: ProcessStack, notifications_url: str, decisions_url: str
) -> None:
    board = bearer(stack.platform, "lscb", HARTLEPOOL)
    panel = bearer(stack.platform, "panel")
    for number in range(FOLLOW_UPS):
        notified = await notify(client, notifications_url, stack.platform, number)
        assert notified.status_code == 201, notified.text
        decided = await client.post(
            f"{decisions_url}/v1/decisions",
            json={
                "notification_id": notified.json()["id"],
                "decision": "not_initiate",
                "decided_on": "2014-03-10",
                "reasons": ["harm_not_serious"],
                "rationale": "Harm not serious.",
            },
            headers=board,
        )
        assert decided.status_code == 201, decided.text
        considered = await client.post(
            f"{decisions_url}/v1/decisions/{decided.json()['id']}/considerations",
            json={"considered_on": "2014-03-20", "outcome": "refer_back", "rationale": "Unclear."},
            headers=panel,
        )
        assert considered.status_code == 201, considered.text  # due 2014-04-03: long past


async def test_an_overdue_follow_up_is_marked_once_with_two_replicas(stack: ProcessStack) -> None:
    # One replica makes the follow-ups; its scheduler ran its one round at start, before them.
    (notifications,) = stack.start("notifications")
    maker = stack.start_replica("decisions", "maker", DECISIONS_SCHEDULER_INTERVAL_SECONDS="3600")
    await stack.wait_healthy()
    async with httpx.AsyncClient(timeout=10) as client:
        await _challenged_decisions(client, stack, notifications.url, maker.url)
        maker.stop()  # graceful: uvicorn finishes its requests and workers first
        # Two replicas start together on the same database and race for the same follow-ups.
        replicas = [
            stack.start_replica("decisions", name, DECISIONS_SCHEDULER_INTERVAL_SECONDS="0.1")
            for name in ("a", "b")
        ]
        await stack.wait_healthy()

        async def all_overdue() -> bool:
            response = await client.get(
                f"{replicas[0].url}/v1/follow-ups",
                params={"status": "overdue", "limit": 500},
                headers=bearer(stack.platform, "panel"),
            )
            return bool(response.json()["total"] == FOLLOW_UPS)

        await eventually(all_overdue, timeout=30)

    engine = make_engine(stack.database_url("decisions"))
    try:
        async with make_sessionmaker(engine)() as session:
            overdue_on = await session.scalars(select(FollowUp.overdue_on))
            assert set(overdue_on) == {dt.date(2014, 4, 4)}
            entries = await session.execute(
                select(AuditEntry.decision_id, func.count())
                .where(AuditEntry.step == "follow_up_overdue")
                .group_by(AuditEntry.decision_id)
            )
            per_decision = dict(entries.all())
            assert len(per_decision) == FOLLOW_UPS
            assert set(per_decision.values()) == {1}
            events = await session.scalar(
                select(func.count())
                .select_from(outbox_table)
                .where(outbox_table.c.event_type == "follow_up.overdue.v1")
            )
            assert events == FOLLOW_UPS
    finally:
        await engine.dispose()
    # Neither replica fell over in the race.
    assert all(r.running for r in replicas)
