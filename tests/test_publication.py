"""The publication service keeps its own copy of the board registry, from the registry's events,
and its own table of the SCRs initiated, from the decisions service's ``scr.initiated``."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import select

from services.publication.consumers import HANDLERS
from services.publication.models import Lscb, Scr
from shared.config import PlatformSettings
from shared.db import make_engine, make_sessionmaker
from shared.events.contracts import LscbRegisteredV1, LscbUpdatedV1, ScrInitiatedV1
from shared.events.envelope import CloudEvent
from shared.events.vocab import Role
from tests.support.databases import DatabaseFactory
from tests.support.publication import scr_initiated
from tests.support.services import auth, eventually, running_app, settings_for

BOARDS_SEEDED = 152
BOARD_A, BOARD_B = "E06000001", "E08000001"


async def _apply(database_url: str, *events: ScrInitiatedV1) -> None:
    """Each event through its handler in a transaction of its own, as the consumer does."""
    engine = make_engine(database_url)
    try:
        for data in events:
            async with make_sessionmaker(engine)() as session, session.begin():
                envelope = CloudEvent.wrap(data, subject=data.case_id)
                await HANDLERS[type(data)](session, data, envelope)
    finally:
        await engine.dispose()


async def test_the_registry_copy_follows_the_registry(
    platform: PlatformSettings, databases: DatabaseFactory
) -> None:
    notifications = settings_for("notifications", platform, databases.new("notifications"))
    publication = settings_for("publication", platform, databases.new("publication"))
    admin = auth(platform, Role.ADMIN)
    async with (
        running_app(notifications) as (_, registry),
        running_app(publication) as (_, copy),
    ):
        reader = auth(platform, Role.LSCB, lscb_id="E06000001")  # any authenticated role reads

        async def copied() -> list[dict[str, Any]]:
            response = await copy.get("/v1/lscbs", headers=reader)
            assert response.status_code == 200, response.text
            assert len(response.json()) == BOARDS_SEEDED
            return response.json()

        boards = await eventually(copied)
        source = (await registry.get("/v1/lscbs", headers=admin)).json()
        assert {(b["id"], b["name"]) for b in boards} == {(b["id"], b["name"]) for b in source}
        assert all(b["active"] and b["merged_into"] is None for b in boards)

        renamed, gone, stays = boards[0]["id"], boards[1]["id"], boards[2]["id"]
        response = await registry.patch(
            f"/v1/lscbs/{renamed}", json={"name": "Renamed Safeguarding Board"}, headers=admin
        )
        assert response.status_code == 200, response.text
        response = await registry.post(
            f"/v1/lscbs/{gone}/merge", json={"into": stays}, headers=admin
        )
        assert response.status_code == 200, response.text

        async def followed() -> bool:
            after = {b["id"]: b for b in await copied()}
            assert after[renamed]["name"] == "Renamed Safeguarding Board"
            assert after[gone]["active"] is False
            assert after[gone]["merged_into"] == stays
            assert after[stays]["active"] is True
            return True

        await eventually(followed)
        active = await copy.get("/v1/lscbs", params={"active": "true"}, headers=reader)
        assert len(active.json()) == BOARDS_SEEDED - 1
        assert (await copy.get("/v1/lscbs")).status_code == 401


async def test_the_registry_handlers_are_safe_to_apply_twice(databases: DatabaseFactory) -> None:
    """The inbox already stops redelivery; the handlers must not rely on it alone."""
    day = dt.date(2014, 4, 1)
    registered = LscbRegisteredV1(lscb_id="X1", name="A board", registered_on=day, authorities=())
    merged = LscbUpdatedV1(
        lscb_id="X1", name="A board", active=False, merged_into="X2", changed_on=day, authorities=()
    )
    renamed = LscbUpdatedV1(
        lscb_id="X2", name="New name", active=True, changed_on=day, authorities=()
    )
    engine = make_engine(databases.new("publication"))
    try:
        # A registration replayed after the merge must not revive the board.
        for data in (registered, merged, registered, merged, renamed, renamed):
            async with make_sessionmaker(engine)() as session, session.begin():
                await HANDLERS[type(data)](
                    session, data, CloudEvent.wrap(data, subject=data.lscb_id)
                )
        async with make_sessionmaker(engine)() as session:
            boards = [
                (b.id, b.name, b.active, b.merged_into)
                for b in (await session.scalars(select(Lscb).order_by(Lscb.id))).all()
            ]
    finally:
        await engine.dispose()
    assert boards == [("X1", "A board", False, "X2"), ("X2", "New name", True, None)]


async def test_an_initiated_scr_is_recorded_once(databases: DatabaseFactory) -> None:
    """A duplicate delivery (a new envelope, so the inbox would not stop it) adds no second row
    and changes nothing of the first."""
    url = databases.new("publication")
    first = scr_initiated(
        BOARD_A, dt.date(2014, 5, 2), after_advice=True, reviewers=("A. Reviewer",)
    )
    other = scr_initiated(BOARD_B, dt.date(2014, 4, 15))
    altered = first.model_copy(update={"reviewers": ("Someone Else",), "after_advice": False})
    twice = scr_initiated(BOARD_B, dt.date(2014, 6, 3))
    before = dt.datetime.now(dt.UTC)
    await _apply(url, first, first, other, altered)
    engine = make_engine(url)
    try:
        # Twice in one transaction too (the first not yet flushed when the second looks).
        async with make_sessionmaker(engine)() as session, session.begin():
            for _ in range(2):
                envelope = CloudEvent.wrap(twice, subject=twice.case_id)
                await HANDLERS[ScrInitiatedV1](session, twice, envelope)
        async with make_sessionmaker(engine)() as session:
            scrs = (await session.scalars(select(Scr).order_by(Scr.initiated_on))).all()
    finally:
        await engine.dispose()
    assert [s.scr_id for s in scrs] == [other.scr_id, first.scr_id, twice.scr_id]
    recorded = scrs[1]
    assert (
        recorded.case_id,
        recorded.decision_id,
        recorded.lscb_id,
        recorded.reference,
        recorded.initiated_on,
        recorded.after_advice,
        recorded.reviewers,
    ) == (
        first.case_id,
        first.decision_id,
        BOARD_A,
        first.reference,
        dt.date(2014, 5, 2),
        True,
        ["A. Reviewer"],
    )
    assert recorded.received_at.tzinfo is not None
    assert before <= recorded.received_at <= dt.datetime.now(dt.UTC)
    assert scrs[0].reviewers == []


async def test_scrs_are_listed_and_read_by_who_may_see_them(
    platform: PlatformSettings, databases: DatabaseFactory
) -> None:
    url = databases.new("publication")
    march = scr_initiated(BOARD_A, dt.date(2014, 3, 10), reviewers=("A. Reviewer", "B. Reviewer"))
    april_a = scr_initiated(BOARD_A, dt.date(2014, 4, 15))
    april_b = scr_initiated(BOARD_B, dt.date(2014, 4, 15))
    may = scr_initiated(BOARD_A, dt.date(2014, 5, 2), after_advice=True)
    await _apply(url, march, april_a, april_b, may)
    # Newest initiation first; the same day in id order.
    newest_first = [may.scr_id, *sorted([april_a.scr_id, april_b.scr_id]), march.scr_id]

    panel = auth(platform, Role.PANEL)
    board_a = auth(platform, Role.LSCB, lscb_id=BOARD_A)
    async with running_app(settings_for("publication", platform, url)) as (_, client):

        async def listed(headers: dict[str, str], **params: Any) -> dict[str, Any]:
            response = await client.get("/v1/scrs", params=params, headers=headers)
            assert response.status_code == 200, response.text
            return response.json()

        page = await listed(panel)
        assert [s["scr_id"] for s in page["items"]] == newest_first
        assert (page["total"], page["limit"], page["offset"]) == (4, 50, 0)
        first = page["items"][0]
        assert first == {
            "scr_id": may.scr_id,
            "case_id": may.case_id,
            "decision_id": may.decision_id,
            "lscb_id": BOARD_A,
            "reference": may.reference,
            "initiated_on": "2014-05-02",
            "after_advice": True,
            "reviewers": [],
            "received_at": first["received_at"],
            "due_on": "2014-11-02",  # six months after its initiation
            "overdue_on": None,
            "completed_by": None,
            "completed_on": None,
        }
        assert dt.datetime.fromisoformat(first["received_at"]).tzinfo is not None
        for role in (Role.DFE, Role.OFSTED, Role.ADMIN):
            assert (await listed(auth(platform, role)))["total"] == 4

        # Filters: the board, and initiated_on from and to (both inclusive).
        page = await listed(panel, lscb_id=BOARD_B)
        assert [s["scr_id"] for s in page["items"]] == [april_b.scr_id]
        page = await listed(panel, **{"from": "2014-04-15", "to": "2014-04-30"})
        assert [s["scr_id"] for s in page["items"]] == newest_first[1:3]
        page = await listed(panel, **{"from": "2014-04-16"})
        assert [s["scr_id"] for s in page["items"]] == [may.scr_id]
        page = await listed(panel, to="2014-04-14")
        assert [s["scr_id"] for s in page["items"]] == [march.scr_id]
        page = await listed(panel, **{"from": "2014-05-02", "to": "2014-05-02"})
        assert page["total"] == 1

        # Pagination: the total is the unpaged count.
        page = await listed(panel, limit=2, offset=1)
        assert [s["scr_id"] for s in page["items"]] == newest_first[1:3]
        assert (page["total"], page["limit"], page["offset"]) == (4, 2, 1)
        page = await listed(panel, limit=2, offset=4)
        assert (page["items"], page["total"]) == ([], 4)

        # A board sees only its own SCRs, whatever it asks for.
        page = await listed(board_a)
        assert [s["scr_id"] for s in page["items"]] == [
            may.scr_id,
            april_a.scr_id,
            march.scr_id,
        ]
        assert page["total"] == 3
        assert (await listed(board_a, lscb_id=BOARD_B))["total"] == 0
        page = await listed(board_a, **{"from": "2014-04-01", "to": "2014-04-30"})
        assert [s["scr_id"] for s in page["items"]] == [april_a.scr_id]

        # One SCR.
        response = await client.get(f"/v1/scrs/{march.scr_id}", headers=board_a)
        assert response.status_code == 200, response.text
        assert response.json()["reviewers"] == ["A. Reviewer", "B. Reviewer"]
        assert response.json()["initiated_on"] == "2014-03-10"
        response = await client.get(f"/v1/scrs/{april_b.scr_id}", headers=panel)
        assert response.status_code == 200, response.text
        assert response.json()["lscb_id"] == BOARD_B

        # Another board's SCR answers exactly as a missing one does.
        missing = str(uuid.uuid4())
        hidden = await client.get(f"/v1/scrs/{april_b.scr_id}", headers=board_a)
        absent = await client.get(f"/v1/scrs/{missing}", headers=board_a)
        for response, scr_id in ((hidden, april_b.scr_id), (absent, missing)):
            assert response.status_code == 404, response.text
            assert response.headers["content-type"] == "application/problem+json"
            assert response.json() == {
                "type": "about:blank",
                "title": "Not found",
                "status": 404,
                "detail": f"no SCR {scr_id!r}",
                "instance": f"/v1/scrs/{scr_id}",
            }
        assert (await client.get(f"/v1/scrs/{missing}", headers=panel)).status_code == 404

        # No token.
        for path in ("/v1/scrs", f"/v1/scrs/{march.scr_id}"):
            response = await client.get(path)
            assert response.status_code == 401, response.text

        # Bad input names the field.
        for params, field in (
            ({"from": "2014-13-01"}, "from"),
            ({"to": "2014-02-30"}, "to"),
            ({"from": "1400000000"}, "from"),
            ({"from": "2014-05-01", "to": "2014-04-30"}, "to"),
            ({"limit": "0"}, "limit"),
            ({"limit": "501"}, "limit"),
            ({"offset": "-1"}, "offset"),
        ):
            response = await client.get("/v1/scrs", params=params, headers=panel)
            assert response.status_code == 422, (params, response.text)
            assert [e["field"] for e in response.json()["errors"]] == [field], response.text
        response = await client.get(
            "/v1/scrs", params={"from": "2014-05-01", "to": "2014-04-30"}, headers=panel
        )
        assert response.json()["detail"] == "to: must not be before from"

        # The 404 is documented.
        document = (await client.get("/openapi.json")).json()
        assert "404" in document["paths"]["/v1/scrs/{scr_id}"]["get"]["responses"]
        parameters = document["paths"]["/v1/scrs"]["get"]["parameters"]
        assert {"lscb_id", "from", "to", "limit", "offset"} <= {p["name"] for p in parameters}
