"""The decisions service: a serious incident notification opens a case; boards see only theirs."""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
from sqlalchemy import select

from services.decisions.consumers import HANDLERS
from services.decisions.models import Case
from shared.config import PlatformSettings
from shared.db import make_engine, make_sessionmaker
from shared.events.contracts import NotificationReceivedV1
from shared.events.envelope import CloudEvent
from shared.events.vocab import AbuseOrNeglect, Outcome, Role, Sex
from tests.support.databases import DatabaseFactory
from tests.support.services import auth, eventually, running_app, settings_for

BOARD_A, BOARD_B = "E06000001", "E08000001"


def _notification(notified_on: dt.date) -> dict[str, Any]:
    return {
        "incident_date": (notified_on - dt.timedelta(days=3)).isoformat(),
        "became_aware_on": (notified_on - dt.timedelta(days=1)).isoformat(),
        "notified_on": notified_on.isoformat(),
        "outcome": "seriously_harmed",
        "abuse_or_neglect": ["physical_abuse"],
        "age_years": 7,
        "sex": "male",
        "looked_after": False,
        "on_child_protection_plan": True,
        "agencies_involved": ["police"],
        "summary": "A serious incident, for the decisions test.",
    }


async def _notify(
    client: httpx.AsyncClient, platform: PlatformSettings, board: str, notified_on: dt.date
) -> dict[str, Any]:
    response = await client.post(
        "/v1/notifications",
        json=_notification(notified_on),
        headers=auth(platform, Role.LSCB, lscb_id=board),
    )
    assert response.status_code == 201, response.text
    return response.json()


async def test_a_notification_opens_a_case_that_only_its_board_sees(
    platform: PlatformSettings, databases: DatabaseFactory
) -> None:
    notifications = settings_for("notifications", platform, databases.new("notifications"))
    decisions = settings_for("decisions", platform, databases.new("decisions"))
    panel = auth(platform, Role.PANEL)
    board_a = auth(platform, Role.LSCB, lscb_id=BOARD_A)
    board_b = auth(platform, Role.LSCB, lscb_id=BOARD_B)
    async with (
        running_app(notifications) as (_, notifier),
        running_app(decisions) as (_, cases),
    ):
        first = await _notify(notifier, platform, BOARD_A, dt.date(2014, 5, 2))
        second = await _notify(notifier, platform, BOARD_A, dt.date(2014, 6, 3))
        other = await _notify(notifier, platform, BOARD_B, dt.date(2014, 7, 4))

        async def opened(case_id: str) -> dict[str, Any]:
            response = await cases.get(f"/v1/cases/{case_id}", headers=panel)
            assert response.status_code == 200, response.text
            return response.json()

        case = await eventually(lambda: opened(first["case_id"]))
        assert case == {
            "case_id": first["id"],
            "notification_id": first["id"],
            "reference": first["reference"],
            "lscb_id": BOARD_A,
            "notified_on": "2014-05-02",
            "state": "awaiting_initiation_decision",
            "opened_at": case["opened_at"],
        }
        await eventually(lambda: opened(second["case_id"]))
        await eventually(lambda: opened(other["case_id"]))

        # Its own board reads it; another board is told it does not exist.
        own = await cases.get(f"/v1/cases/{first['case_id']}", headers=board_a)
        assert own.status_code == 200
        foreign = await cases.get(f"/v1/cases/{first['case_id']}", headers=board_b)
        assert foreign.status_code == 404
        assert first["reference"] not in foreign.text
        missing = await cases.get("/v1/cases/no-such-case", headers=panel)
        assert missing.status_code == 404

        async def listed(headers: dict[str, str], **params: Any) -> dict[str, Any]:
            response = await cases.get("/v1/cases", params=params, headers=headers)
            assert response.status_code == 200, response.text
            return response.json()

        everything = await listed(panel)
        assert everything["total"] == 3
        # Newest notification first.
        assert [c["case_id"] for c in everything["items"]] == [
            other["id"],
            second["id"],
            first["id"],
        ]
        seen_by_b = await listed(board_b)
        assert [c["case_id"] for c in seen_by_b["items"]] == [other["id"]]
        assert (await listed(board_b, lscb_id=BOARD_A))["total"] == 0
        assert (await listed(board_a))["total"] == 2

        # Filters and pagination.
        assert (await listed(panel, lscb_id=BOARD_A))["total"] == 2
        waiting = await listed(panel, state="awaiting_initiation_decision", lscb_id=BOARD_B)
        assert [c["case_id"] for c in waiting["items"]] == [other["id"]]
        assert (await listed(panel, state="scr_initiated"))["total"] == 0
        page = await listed(panel, limit=1, offset=1)
        assert page["total"] == 3 and page["limit"] == 1 and page["offset"] == 1
        assert [c["case_id"] for c in page["items"]] == [second["id"]]

        bad_state = await cases.get("/v1/cases", params={"state": "closed"}, headers=panel)
        assert bad_state.status_code == 422
        assert bad_state.json()["errors"][0]["field"] == "state"
        assert (await cases.get("/v1/cases", headers=auth(platform, Role.DFE))).status_code == 403
        assert (await cases.get("/v1/cases")).status_code == 401


async def test_a_replayed_notification_never_reopens_its_case(databases: DatabaseFactory) -> None:
    """The inbox already stops redelivery; the handler must not rely on it alone."""
    received = NotificationReceivedV1(
        notification_id="n-1",
        case_id="n-1",
        reference="SIN-2014-TESTTEST",
        lscb_id=BOARD_A,
        incident_date=dt.date(2014, 5, 1),
        became_aware_on=dt.date(2014, 5, 1),
        notified_on=dt.date(2014, 5, 2),
        outcome=Outcome.DIED,
        abuse_or_neglect=(AbuseOrNeglect.NEGLECT,),
        child_age_years=4,
        child_sex=Sex.FEMALE,
        looked_after=False,
        on_child_protection_plan=False,
        working_days_to_notify=1,
        late=False,
    )
    envelope = CloudEvent.wrap(received, subject="n-1")
    engine = make_engine(databases.new("decisions"))
    sessions = make_sessionmaker(engine)
    try:
        async with sessions() as session, session.begin():
            await HANDLERS[NotificationReceivedV1](session, received, envelope)
        async with sessions() as session, session.begin():
            # Stands in for a decision recorded since (the state machine comes later).
            (await session.get_one(Case, "n-1")).state = "scr_initiated"
        async with sessions() as session, session.begin():
            await HANDLERS[NotificationReceivedV1](session, received, envelope)
        async with sessions() as session:
            found = (await session.scalars(select(Case))).all()
    finally:
        await engine.dispose()
    assert [(c.case_id, c.state, c.opened_at) for c in found] == [
        ("n-1", "scr_initiated", envelope.time)
    ]
