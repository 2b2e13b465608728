"""Alert rules: each raises ``alert.raised`` once per cause, with its delivery rows, in the
transaction of the event that caused it; the silent-board check; the pull feed; and a flagged
consideration made through the decisions service's HTTP API raising an alert in analytics."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select

from services.analytics.alerts import PENDING
from services.analytics.consumers import HANDLERS, READ_MODEL_HANDLERS
from services.analytics.lscb_silent import check_silent_boards
from services.analytics.models import Alert, Delivery, Subscription
from shared.calendar import months_before
from shared.config import PlatformSettings
from shared.db import make_engine, make_sessionmaker, outbox_table, utcnow
from shared.events.contracts import (
    ConsiderationRecordedV1,
    FollowUpOverdueV1,
    LscbRegisteredV1,
    LscbUpdatedV1,
    NonPublicationConsideredV1,
    NotificationReceivedV1,
    ReportReceivedV1,
    ScrOverdueV1,
)
from shared.events.envelope import EventData
from shared.events.vocab import (
    AbuseOrNeglect,
    AlertType,
    CaseState,
    ConsiderationOutcome,
    NonPublicationOutcome,
    NonPublicationState,
    Outcome,
    Role,
    Sex,
    WorkingTogether,
)
from tests.support.databases import DatabaseFactory
from tests.support.decisions import not_initiate_body, workflow
from tests.support.events import apply_through
from tests.support.services import auth, eventually, running_app, settings_for

DAY = dt.timedelta(days=1)
ON = dt.date(2015, 3, 2)


# --- events, as the producing services send them ---------------------------------------------


def consideration(n: str, breach: bool, lscb_id: str = "B1") -> ConsiderationRecordedV1:
    return ConsiderationRecordedV1(
        decision_id=f"d-{n}",
        case_id=f"c-{n}",
        lscb_id=lscb_id,
        consideration_id=f"k-{n}",
        considered_on=ON,
        outcome=ConsiderationOutcome.CHALLENGE,
        first_consideration=True,
        statutory_breach=breach,
        state=CaseState.AWAITING_LSCB,
    )


def notice_consideration(n: str, breach: bool, seq: int = 2) -> NonPublicationConsideredV1:
    return NonPublicationConsideredV1(
        scr_id=f"c-{n}",
        case_id=f"c-{n}",
        lscb_id="B1",
        notice_id=f"n-{n}",
        state=NonPublicationState.AWAITING_LSCB,
        seq=seq,
        consideration_id=f"nk-{n}",
        considered_on=ON,
        outcome=NonPublicationOutcome.CHALLENGE,
        first_consideration=True,
        statutory_breach=breach,
    )


def follow_up_overdue(n: str) -> FollowUpOverdueV1:
    return FollowUpOverdueV1(
        decision_id=f"d-{n}",
        case_id=f"c-{n}",
        lscb_id="B2",
        follow_up_id=f"f-{n}",
        due_on=ON,
        overdue_on=ON + DAY,
    )


def report(n: str, short: bool) -> ReportReceivedV1:
    return ReportReceivedV1(
        scr_id=f"c-{n}",
        case_id=f"c-{n}",
        lscb_id="B2",
        report_id=f"r-{n}",
        submitted_on=ON,
        planned_publication_on=ON + (3 if short else 30) * DAY,
        short_notice=short,
        notice_days=3 if short else 30,
        initiated_on=ON - 200 * DAY,
        working_together=WorkingTogether.UNDER_2013,
    )


def scr_overdue(n: str) -> ScrOverdueV1:
    return ScrOverdueV1(
        scr_id=f"c-{n}",
        case_id=f"c-{n}",
        lscb_id="B1",
        initiated_on=ON - 200 * DAY,
        due_on=ON - DAY,
        overdue_on=ON,
    )


def registered(lscb_id: str, on: dt.date) -> LscbRegisteredV1:
    return LscbRegisteredV1(
        lscb_id=lscb_id, name=f"Board {lscb_id}", registered_on=on, authorities=()
    )


def notified(n: str, lscb_id: str, on: dt.date) -> NotificationReceivedV1:
    return NotificationReceivedV1(
        notification_id=f"note-{n}",
        case_id=f"note-{n}",
        reference=f"SIN-{n}",
        lscb_id=lscb_id,
        incident_date=on,
        became_aware_on=on,
        notified_on=on,
        outcome=Outcome.DIED,
        abuse_or_neglect=(AbuseOrNeglect.NEGLECT,),
        child_age_years=4,
        child_sex=Sex.FEMALE,
        looked_after=False,
        on_child_protection_plan=False,
        working_days_to_notify=0,
        late=False,
    )


async def apply(url: str, events: Iterable[EventData], handlers: Any = HANDLERS) -> None:
    """Each event in its own transaction, as the consumer applies it; each in a new envelope, so
    nothing but the rules themselves stops a second alert."""
    await apply_through(handlers, url, events)


async def rows(url: str, query: Any) -> list[Any]:
    engine = make_engine(url)
    try:
        async with make_sessionmaker(engine)() as session:
            return list((await session.execute(query)).all())
    finally:
        await engine.dispose()


async def alerts_in(url: str) -> list[tuple[str, str, str, str | None, dt.date]]:
    found = await rows(
        url,
        select(Alert.type, Alert.cause, Alert.lscb_id, Alert.case_id, Alert.raised_on).order_by(
            Alert.seq
        ),
    )
    return [tuple(r) for r in found]  # type: ignore[misc]


async def alert_events(url: str) -> list[dict[str, Any]]:
    found = await rows(
        url,
        select(outbox_table.c.payload, outbox_table.c.key)
        .where(outbox_table.c.event_type == "alert.raised.v1")
        .order_by(outbox_table.c.seq),
    )
    return [{**json.loads(payload)["data"], "key": key} for payload, key in found]


# --- the rules ---------------------------------------------------------------------------------


async def test_each_rule_raises_once_per_cause(databases: DatabaseFactory) -> None:
    url = databases.new("analytics")
    raising = [
        consideration("1", breach=True),
        notice_consideration("2", breach=True),
        follow_up_overdue("3"),
        report("4", short=True),
        scr_overdue("5"),
    ]
    quiet = [consideration("6", breach=False), notice_consideration("7", breach=False)]
    quiet.append(report("8", short=False))
    # Applied twice, and again as a second event of the same cause (a later step of the same
    # notice flagging the same consideration; the overdue marker sent again).
    again = [notice_consideration("2", breach=True, seq=3), follow_up_overdue("3")]
    await apply(url, [*raising, *quiet, *raising, *again, *quiet])

    assert await alerts_in(url) == [
        ("statutory_breach", "consideration:k-1", "B1", "c-1", ON),
        ("statutory_breach", "notice-consideration:nk-2", "B1", "c-2", ON),
        ("follow_up_overdue", "follow-up:f-3", "B2", "c-3", ON + DAY),
        ("publication_short_notice", "report:r-4", "B2", "c-4", ON),
        ("scr_overdue", "scr:c-5", "B1", "c-5", ON),
    ]
    # One alert.raised each, in the outbox, keyed by the case; no personal data in it.
    events = await alert_events(url)
    assert [(e["alert_type"], e["case_id"], e["key"]) for e in events] == [
        (a[0], a[3], a[3]) for a in await alerts_in(url)
    ]
    assert set(events[0]) == {
        "alert_id",
        "alert_type",
        "cause",
        "lscb_id",
        "case_id",
        "raised_on",
        "key",
    }


async def test_a_rebuild_replays_no_rule(databases: DatabaseFactory) -> None:
    url = databases.new("analytics")
    await apply(
        url, [consideration("1", breach=True), report("2", short=True)], READ_MODEL_HANDLERS
    )
    assert await alerts_in(url) == []
    assert set(READ_MODEL_HANDLERS) < set(HANDLERS)
    assert {FollowUpOverdueV1, ScrOverdueV1} == set(HANDLERS) - set(READ_MODEL_HANDLERS)


async def test_an_alert_gets_a_delivery_for_each_subscription_that_wants_it(
    databases: DatabaseFactory,
) -> None:
    url = databases.new("analytics")
    engine = make_engine(url)

    def subscription(sid: str, types: list[str], role: Role, lscb_id: str | None = None) -> Any:
        return Subscription(
            id=sid,
            owner_role=role.value,
            owner_lscb_id=lscb_id,
            created_by="test",
            url="http://127.0.0.1:9/hook",
            alert_types=types,
            secret="whsec_" + "A" * 32,
            active=sid != "off",
            created_at=utcnow(),
        )

    try:
        async with make_sessionmaker(engine)() as session, session.begin():
            session.add_all(
                [
                    subscription("dfe-all", [t.value for t in AlertType], Role.DFE),
                    subscription("ofsted-overdue", ["scr_overdue"], Role.OFSTED),
                    subscription("b1", ["statutory_breach", "scr_overdue"], Role.LSCB, "B1"),
                    subscription("b2", ["statutory_breach"], Role.LSCB, "B2"),
                    subscription("off", ["statutory_breach"], Role.DFE),
                ]
            )
    finally:
        await engine.dispose()
    await apply(url, [consideration("1", True), consideration("2", True, lscb_id="B2")])
    await apply(url, [report("3", short=True), consideration("1", True)])

    found = await rows(
        url,
        select(Alert.cause, Delivery.subscription_id, Delivery.status, Delivery.message_id).join(
            Alert, Alert.id == Delivery.alert_id
        ),
    )
    assert sorted((cause, sid, status) for cause, sid, status, _ in found) == [
        ("consideration:k-1", "b1", PENDING),
        ("consideration:k-1", "dfe-all", PENDING),
        ("consideration:k-2", "b2", PENDING),
        ("consideration:k-2", "dfe-all", PENDING),
        ("report:r-3", "dfe-all", PENDING),
    ]
    assert len({message_id for *_, message_id in found}) == len(found)


# --- silent boards --------------------------------------------------------------------------


async def test_a_silent_board_is_alerted_once_per_silence(databases: DatabaseFactory) -> None:
    url = databases.new("analytics")
    day = dt.date(2016, 6, 15)
    year_before = months_before(day, 12)  # 2015-06-15: a notification then is outside the year
    events: list[EventData] = [
        registered("NEVER", dt.date(2013, 4, 1)),
        registered("NEW", year_before + 10 * DAY),  # not twelve months on the registry yet
        registered("JUST", year_before),  # twelve months exactly: may be silent
        registered("RECENT", dt.date(2013, 4, 1)),
        registered("OLD", dt.date(2013, 4, 1)),
        registered("HEIR", dt.date(2013, 4, 1)),
        registered("GONE", dt.date(2013, 4, 1)),
        notified("1", "RECENT", year_before + DAY),  # inside the twelve months
        notified("2", "OLD", year_before),  # just outside
        notified("3", "GONE", day - 10 * DAY),  # GONE speaks for HEIR since its merge
        notified("4", "RECENT", day + DAY),  # after the day: does not count
        LscbUpdatedV1(
            lscb_id="GONE",
            name="Board GONE",
            active=False,
            merged_into="HEIR",
            changed_on=day - 5 * DAY,
            authorities=(),
        ),
    ]
    await apply(url, events)
    engine = make_engine(url)
    try:
        sessions = make_sessionmaker(engine)
        async with sessions() as session:
            raised = await check_silent_boards(session, day)
            await session.commit()
        assert [(a.lscb_id, a.cause, a.raised_on) for a in raised] == [
            ("JUST", "lscb:JUST:never", day),
            ("NEVER", "lscb:NEVER:never", day),
            ("OLD", f"lscb:OLD:{year_before.isoformat()}", day),
        ]
        assert all(a.case_id is None for a in raised)
        # Still silent days later: the same silence, no new alert.
        for later in (day, day + DAY, day + 5 * DAY):
            async with sessions() as session:
                assert await check_silent_boards(session, later) == []
                await session.commit()
        # OLD notifies, then falls silent for a year again: a new silence, a new alert.
        await apply(url, [notified("5", "OLD", day + DAY)])
        async with sessions() as session:
            assert await check_silent_boards(session, day + 2 * DAY) == []
            raised = await check_silent_boards(session, months_before(day, -12) + 2 * DAY)
            await session.commit()
        assert [(a.lscb_id, a.cause) for a in raised] == [
            ("HEIR", f"lscb:HEIR:{(day - 10 * DAY).isoformat()}"),
            ("NEW", "lscb:NEW:never"),
            ("OLD", f"lscb:OLD:{(day + DAY).isoformat()}"),
            ("RECENT", f"lscb:RECENT:{(day + DAY).isoformat()}"),
        ]
    finally:
        await engine.dispose()
    assert [e["key"] for e in await alert_events(url)] == [
        "JUST",
        "NEVER",
        "OLD",
        "HEIR",
        "NEW",
        "OLD",
        "RECENT",
    ]


async def test_the_silent_check_on_demand(
    platform: PlatformSettings, databases: DatabaseFactory, today: dt.date
) -> None:
    url = databases.new("analytics")
    await apply(
        url,
        [
            registered("QUIET", dt.date(2013, 4, 1)),
            registered("TALKS", dt.date(2013, 4, 1)),
            notified("1", "TALKS", today - DAY),
        ],
    )
    settings = settings_for("analytics", platform, url, run_workers=False)
    async with running_app(settings) as (_, client):
        for role in (Role.DFE, Role.OFSTED):
            response = await client.post(
                "/v1/alerts/lscb-silent-check", headers=auth(platform, role)
            )
            assert response.status_code == 403, response.text
        board = auth(platform, Role.LSCB, lscb_id="QUIET")
        assert (await client.post("/v1/alerts/lscb-silent-check", headers=board)).status_code == 403
        assert (await client.post("/v1/alerts/lscb-silent-check")).status_code == 401

        response = await client.post(
            "/v1/alerts/lscb-silent-check", headers=auth(platform, Role.PANEL)
        )
        assert response.status_code == 200, response.text
        [alert] = response.json()
        assert (alert["type"], alert["lscb_id"], alert["case_id"]) == ("lscb_silent", "QUIET", None)
        assert alert["raised_on"] == today.isoformat()
        assert alert["links"] == {
            "alert": f"http://127.0.0.1:8004/v1/alerts/{alert['id']}",
            "resource": "http://127.0.0.1:8001/v1/lscbs/QUIET",
        }
        again = await client.post(
            "/v1/alerts/lscb-silent-check", headers=auth(platform, Role.ADMIN)
        )
        assert again.status_code == 200 and again.json() == []


# --- the pull feed ---------------------------------------------------------------------------


async def test_the_pull_feed(platform: PlatformSettings, databases: DatabaseFactory) -> None:
    url = databases.new("analytics")
    await apply(url, [consideration(str(n), True, lscb_id=f"B{n % 2}") for n in range(7)])
    before_last = utcnow()
    await apply(url, [scr_overdue("last")])
    settings = settings_for(
        "analytics",
        platform,
        url,
        run_workers=False,
        public_url="https://panel.example/analytics/",
        decisions_public_url="https://panel.example/decisions",
    )
    async with running_app(settings) as (_, client):
        dfe = auth(platform, Role.DFE)
        seen: list[dict[str, Any]] = []
        since: str | None = None
        for _page in range(5):
            params = {"limit": "3", **({"since": since} if since else {})}
            response = await client.get("/v1/alerts", params=params, headers=dfe)
            assert response.status_code == 200, response.text
            page = response.json()
            seen += page["items"]
            since = page["next_since"]
            if not page["has_more"]:
                break
        assert [a["case_id"] for a in seen] == [f"c-{n}" for n in range(7)] + ["c-last"]
        assert seen[0]["links"] == {
            "alert": f"https://panel.example/analytics/v1/alerts/{seen[0]['id']}",
            "resource": "https://panel.example/decisions/v1/decisions/d-0",
        }
        # Nothing new: the same cursor back, no items.
        response = await client.get("/v1/alerts", params={"since": since}, headers=dfe)
        assert response.json() == {"items": [], "next_since": since, "has_more": False}
        # A timestamp: the alerts raised at or after it.
        response = await client.get(
            "/v1/alerts", params={"since": before_last.isoformat()}, headers=dfe
        )
        assert [a["type"] for a in response.json()["items"]] == ["scr_overdue"]
        response = await client.get("/v1/alerts", params={"type": "scr_overdue"}, headers=dfe)
        assert [a["case_id"] for a in response.json()["items"]] == ["c-last"]

        # A board sees its own alerts only; another's answers 404, as a missing one does.
        board = auth(platform, Role.LSCB, lscb_id="B1")
        response = await client.get("/v1/alerts", headers=board)
        assert {a["lscb_id"] for a in response.json()["items"]} == {"B1"}
        assert len(response.json()["items"]) == 4  # c-1, c-3, c-5 and the SCR's, all of B1
        other = next(a for a in seen if a["lscb_id"] == "B0")
        mine = next(a for a in seen if a["lscb_id"] == "B1")
        assert (await client.get(f"/v1/alerts/{other['id']}", headers=board)).status_code == 404
        assert (await client.get("/v1/alerts/nope", headers=board)).status_code == 404
        response = await client.get(f"/v1/alerts/{mine['id']}", headers=board)
        assert response.status_code == 200 and response.json() == mine
        for role in (Role.PANEL, Role.OFSTED, Role.ADMIN):
            response = await client.get(f"/v1/alerts/{other['id']}", headers=auth(platform, role))
            assert response.status_code == 200, (role, response.text)

        for bad in ("yesterday", "2015-03-01T10:00:00", "99999999999999999999999"):
            response = await client.get("/v1/alerts", params={"since": bad}, headers=dfe)
            assert response.status_code == 422, (bad, response.text)
            assert response.json()["errors"][0]["field"] == "since"
        response = await client.get("/v1/alerts", params={"type": "nonsense"}, headers=dfe)
        assert response.status_code == 422 and response.json()["errors"][0]["field"] == "type"
        assert (await client.get("/v1/alerts")).status_code == 401


# --- through the services ------------------------------------------------------------------------


async def test_a_flagged_consideration_made_over_http_raises_a_statutory_breach_alert(
    platform: PlatformSettings, databases: DatabaseFactory, today: dt.date
) -> None:
    analytics = settings_for("analytics", platform, databases.new("analytics"))
    async with (
        workflow(platform, databases) as flow,
        running_app(analytics) as (_, client),
    ):
        quiet_case = await flow.notify("E06000001", today - 3 * DAY)
        quiet = await flow.decide("E06000001", not_initiate_body(quiet_case, today - 2 * DAY))
        await flow.consider(quiet["id"], "challenge", today - DAY, statutory_breach=False)
        case = await flow.notify("E06000002", today - 3 * DAY)
        decision = await flow.decide("E06000002", not_initiate_body(case, today - 2 * DAY))
        considered = await flow.consider(
            decision["id"], "challenge", today - DAY, statutory_breach=True
        )
        panel = auth(platform, Role.PANEL)

        async def raised() -> list[dict[str, Any]]:
            # By type: the silent-board check at start may alert on the seeded boards too.
            params = {"type": "statutory_breach"}
            response = await client.get("/v1/alerts", params=params, headers=panel)
            return list(response.json()["items"])

        [alert] = await eventually(raised, timeout=30)
        assert (alert["type"], alert["lscb_id"], alert["case_id"], alert["raised_on"]) == (
            "statutory_breach",
            "E06000002",
            decision["case_id"],
            (today - DAY).isoformat(),
        )
        assert alert["links"]["resource"].endswith(f"/v1/decisions/{decision['id']}")
        # The unflagged consideration raised nothing, the flagged one nothing more.
        assert considered["statutory_breach"] is True
        assert [a["id"] for a in await raised()] == [alert["id"]]
