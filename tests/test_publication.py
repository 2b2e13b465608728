"""The publication service keeps its own copy of the board registry, from the registry's events."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from services.publication.consumers import HANDLERS
from services.publication.models import Lscb
from shared.config import PlatformSettings
from shared.db import make_engine, make_sessionmaker
from shared.events.contracts import LscbRegisteredV1, LscbUpdatedV1
from shared.events.envelope import CloudEvent
from shared.events.vocab import Role
from tests.support.databases import DatabaseFactory
from tests.support.services import auth, eventually, running_app, settings_for

BOARDS_SEEDED = 152


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
