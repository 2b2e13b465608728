"""The analytics summary, checked against figures the test computes itself from what it sent.

Notifications go to the real notifications service over HTTP; analytics learns of them (and of
the registry and its merges) only through the broker. The handlers are also replayed directly.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import httpx
from sqlalchemy import select

from services.analytics.consumers import HANDLERS
from services.analytics.models import Lscb, Notification
from shared.config import PlatformSettings
from shared.db import make_engine, make_sessionmaker
from shared.events.contracts import LscbRegisteredV1, LscbUpdatedV1, NotificationReceivedV1
from shared.events.envelope import CloudEvent
from shared.events.vocab import AbuseOrNeglect, Outcome, Role, Sex
from tests.support.databases import DatabaseFactory
from tests.support.services import auth, eventually, running_app, settings_for

FROM, TO = dt.date(2014, 10, 1), dt.date(2015, 3, 31)
# The twelve months up to TO are (SILENT_SINCE, TO]: written out here, not computed.
SILENT_SINCE = dt.date(2014, 3, 31)
REGISTERED_ON = dt.date(2013, 4, 1)  # when the notifications service's seeded boards start
BOUNDARIES = (
    SILENT_SINCE,  # just outside the twelve months
    SILENT_SINCE + dt.timedelta(days=1),  # just inside them, before the period
    FROM - dt.timedelta(days=1),
    FROM,
    TO,
    TO + dt.timedelta(days=1),
)


@dataclass(frozen=True)
class Sent:
    lscb_id: str
    notified_on: dt.date
    late: bool


def _body(rng: random.Random, notified_on: dt.date, late: bool) -> dict[str, Any]:
    # Late by calendar days alone: 14+ days always hold more than 5 working days, 0-3 never do.
    gap = rng.randint(14, 40) if late else rng.randint(0, 3)
    aware = notified_on - dt.timedelta(days=gap)
    return {
        "incident_date": (aware - dt.timedelta(days=rng.randint(0, 10))).isoformat(),
        "became_aware_on": aware.isoformat(),
        "notified_on": notified_on.isoformat(),
        "outcome": rng.choice(["died", "seriously_harmed"]),
        "abuse_or_neglect": ["neglect"],
        "age_years": rng.randint(0, 17),
        "sex": rng.choice(["female", "male", "not_known"]),
        "looked_after": False,
        "on_child_protection_plan": False,
        "agencies_involved": [],
        "summary": "Generated for the analytics test.",
    }


async def _notify(
    client: httpx.AsyncClient, platform: PlatformSettings, rng: random.Random, sent: Sent
) -> None:
    response = await client.post(
        "/v1/notifications",
        json=_body(rng, sent.notified_on, sent.late),
        headers=auth(platform, Role.LSCB, lscb_id=sent.lscb_id),
    )
    assert response.status_code == 201, response.text
    assert response.json()["late"] is sent.late


def _expected(
    sent: Iterable[Sent],
    boards: set[str],
    merges: dict[str, tuple[str, dt.date]],
    start: dt.date,
    end: dt.date,
    silent_since: dt.date,
) -> dict[str, int]:
    sent = list(sent)
    received = [s for s in sent if start <= s.notified_on <= end]
    merged_by_end = {board: into for board, (into, on) in merges.items() if on <= end}
    active = {b for b in boards if b not in merged_by_end} if end >= REGISTERED_ON else set()

    def answering_for(board: str) -> str:
        while board in merged_by_end:
            board = merged_by_end[board]
        return board

    heard = {answering_for(s.lscb_id) for s in sent if silent_since < s.notified_on <= end}
    in_touch = {answering_for(s.lscb_id) for s in sent if start <= s.notified_on <= end}
    return {
        "notifications_received": len(received),
        "notifications_late": sum(s.late for s in received),
        "lscbs_total": len(active),
        "lscbs_silent_12_months": len(active - heard),
        "lscbs_not_in_touch": len(active - in_touch),
    }


async def _summary(
    client: httpx.AsyncClient, headers: dict[str, str], **params: str
) -> dict[str, Any]:
    response = await client.get("/v1/stats/summary", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


async def test_the_summary_counts_what_was_notified(
    platform: PlatformSettings, databases: DatabaseFactory, today: dt.date
) -> None:
    seed = random.randrange(2**32)
    rng = random.Random(seed)
    notifications = settings_for("notifications", platform, databases.new("notifications"))
    analytics = settings_for("analytics", platform, databases.new("analytics"))
    admin, panel = auth(platform, Role.ADMIN), auth(platform, Role.PANEL)
    async with (
        running_app(notifications) as (_, notifier),
        running_app(analytics) as (_, stats),
    ):
        boards = sorted(b["id"] for b in (await notifier.get("/v1/lscbs", headers=admin)).json())
        chosen = rng.sample(boards, 20)
        # merged_away -> middle -> survivor is a chain of merges dated on or before TO; only
        # merged_away notifies within the twelve months, so survivor is heard from only through
        # the whole chain. late_one merges into late_into the day after TO: not yet, for P.
        merged_away, middle, survivor, late_one, late_into = chosen[:5]
        talkers = [merged_away, late_one, *chosen[5:15]]
        sent = [
            Sent(merged_away, dt.date(2014, 11, 20), late=False),
            Sent(middle, SILENT_SINCE, late=True),
            Sent(late_one, dt.date(2015, 2, 10), late=False),
            *(Sent(rng.choice(talkers), day, rng.random() < 0.4) for day in BOUNDARIES),
            *(
                Sent(
                    rng.choice(talkers),
                    dt.date(2014, 1, 1) + dt.timedelta(days=rng.randint(0, 545)),
                    rng.random() < 0.3,
                )
                for _ in range(30)
            ),
        ]
        for one in sent:
            await _notify(notifier, platform, rng, one)

        async def matches(merges: dict[str, tuple[str, dt.date]]) -> bool:
            want = _expected(sent, set(boards), merges, FROM, TO, SILENT_SINCE)
            got = await _summary(stats, panel, **{"from": FROM.isoformat(), "to": TO.isoformat()})
            assert got["period"] == {"from": FROM.isoformat(), "to": TO.isoformat()}
            assert set(got) >= {"period", *want}
            assert {k: got[k] for k in want} == want, f"seed {seed}"
            return True

        await eventually(lambda: matches({}))

        merges = {
            merged_away: (middle, dt.date(2014, 12, 1)),
            middle: (survivor, TO),  # merged on `to` itself: merged by then
            late_one: (late_into, TO + dt.timedelta(days=1)),
        }
        for board, (into, merged_on) in merges.items():
            response = await notifier.post(
                f"/v1/lscbs/{board}/merge",
                json={"into": into, "merged_on": merged_on.isoformat()},
                headers=admin,
            )
            assert response.status_code == 200, response.text
        # The scenario must move the board figures, or it would prove nothing about merges.
        before = _expected(sent, set(boards), {}, FROM, TO, SILENT_SINCE)
        after = _expected(sent, set(boards), merges, FROM, TO, SILENT_SINCE)
        assert after["lscbs_total"] == before["lscbs_total"] - 2
        assert after["lscbs_silent_12_months"] == before["lscbs_silent_12_months"] - 2
        await eventually(lambda: matches(merges))

        # The default period runs from June 2013 to today: everything sent, every merge made,
        # and every board silent for the last twelve months (nothing sent is that recent). Polled:
        # the merge dated after TO changes nothing above, so it may not have arrived yet.
        async def default_matches() -> bool:
            default = await _summary(stats, panel)
            assert default["period"] == {"from": "2013-06-01", "to": today.isoformat()}
            assert default["notifications_received"] == len(sent)
            assert default["notifications_late"] == sum(s.late for s in sent)
            assert default["lscbs_total"] == len(boards) - len(merges)
            assert default["lscbs_silent_12_months"] == default["lscbs_total"]
            return True

        await eventually(default_matches)
        # Before the registry began there were no boards to count.
        early = await _summary(stats, panel, **{"from": "2013-01-01", "to": "2013-03-31"})
        assert early["lscbs_total"] == 0 and early["notifications_received"] == 0


async def test_the_summary_refuses_bad_periods_and_the_wrong_callers(
    platform: PlatformSettings, databases: DatabaseFactory
) -> None:
    # No events are needed here: run without the relay and consumer.
    analytics = settings_for("analytics", platform, databases.new("analytics"), run_workers=False)
    panel = auth(platform, Role.PANEL)
    async with running_app(analytics) as (_, stats):

        async def refused(params: dict[str, str], field: str) -> None:
            response = await stats.get("/v1/stats/summary", params=params, headers=panel)
            assert response.status_code == 422, response.text
            assert response.headers["content-type"] == "application/problem+json"
            assert [e["field"] for e in response.json()["errors"]] == [field]

        await refused({"from": "2015-01-01", "to": "2014-12-31"}, "to")
        await refused({"to": "2013-05-31"}, "to")  # before the default `from`
        await refused({"from": "2015-13-01"}, "from")
        await refused({"to": "31/03/2015"}, "to")
        await refused({"to": "0"}, "to")  # not read as a Unix time

        for role in (Role.PANEL, Role.DFE, Role.OFSTED, Role.ADMIN):
            response = await stats.get("/v1/stats/summary", headers=auth(platform, role))
            assert response.status_code == 200, (role, response.text)
        board = auth(platform, Role.LSCB, lscb_id="E06000001")
        assert (await stats.get("/v1/stats/summary", headers=board)).status_code == 403
        assert (await stats.get("/v1/stats/summary")).status_code == 401


async def test_the_handlers_are_safe_to_apply_twice(databases: DatabaseFactory) -> None:
    """The inbox already stops redelivery; the handlers must not rely on it alone."""
    registered = LscbRegisteredV1(
        lscb_id="X1", name="A board", registered_on=REGISTERED_ON, authorities=()
    )
    merged = LscbUpdatedV1(
        lscb_id="X1",
        name="A board",
        active=False,
        merged_into="X2",
        changed_on=FROM,
        authorities=(),
    )
    renamed = LscbUpdatedV1(
        lscb_id="X2", name="New name", active=True, changed_on=FROM, authorities=()
    )
    received = NotificationReceivedV1(
        notification_id="n-1",
        case_id="n-1",
        reference="SIN-2015-TESTTEST",
        lscb_id="X1",
        incident_date=TO,
        became_aware_on=TO,
        notified_on=TO,
        outcome=Outcome.DIED,
        abuse_or_neglect=(AbuseOrNeglect.NEGLECT,),
        child_age_years=4,
        child_sex=Sex.FEMALE,
        looked_after=False,
        on_child_protection_plan=False,
        working_days_to_notify=0,
        late=False,
    )
    engine = make_engine(databases.new("analytics"))
    try:
        # A registration replayed after the merge must not revive the board.
        for data in (registered, merged, registered, merged, renamed, renamed, received, received):
            async with make_sessionmaker(engine)() as session, session.begin():
                await HANDLERS[type(data)](session, data, CloudEvent.wrap(data, subject="X1"))
        async with make_sessionmaker(engine)() as session:
            boards = {b.id: b for b in (await session.scalars(select(Lscb))).all()}
            notifications = (await session.scalars(select(Notification))).all()
    finally:
        await engine.dispose()
    assert (boards["X1"].active, boards["X1"].merged_into, boards["X1"].merged_on) == (
        False,
        "X2",
        FROM,
    )
    assert boards["X1"].registered_on == REGISTERED_ON
    # X2's registration never arrived (say): the rename still leaves a usable board behind.
    assert (boards["X2"].name, boards["X2"].active) == ("New name", True)
    assert [(n.id, n.lscb_id, n.notified_on) for n in notifications] == [("n-1", "X1", TO)]


async def test_readiness_reports_the_consumer(platform, databases):
    settings = settings_for("analytics", platform, databases.new("analytics"))
    async with running_app(settings) as (app, client):
        runtime = app.state.runtime
        await eventually(lambda: _alive(runtime.consumer))
        ready = (await client.get("/readyz")).json()
        assert ready["status"] == "ready"
        consumer = ready["checks"]["consumer"]
        assert consumer["alive"] is True
        assert consumer["group"] == f"{platform.kafka_topic_prefix}scr.analytics"
        assert consumer["lag"] == 0


async def _alive(consumer) -> bool:  # type: ignore[no-untyped-def]
    return consumer.alive
