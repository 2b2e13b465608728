"""Every paged list answers 422 naming the parameter for an offset past any database integer
(schemathesis found a 500 there), and honours the bounds it documents."""

from __future__ import annotations

import pytest

from shared.config import PlatformSettings
from shared.events.vocab import Role
from tests.support.databases import DatabaseFactory
from tests.support.services import auth, running_app, settings_for

LISTS = {
    "notifications": ["/v1/notifications"],
    "decisions": ["/v1/cases", "/v1/decisions", "/v1/follow-ups", "/v1/agenda"],
    "publication": ["/v1/scrs"],
}


@pytest.mark.parametrize("service", sorted(LISTS))
async def test_out_of_range_paging_is_refused_by_name(
    service: str, platform: PlatformSettings, databases: DatabaseFactory
) -> None:
    settings = settings_for(service, platform, databases.new(service), run_workers=False)
    panel = auth(platform, Role.PANEL)
    async with running_app(settings) as (_, client):
        for path in LISTS[service]:
            for name, value in (("offset", 10**30), ("offset", -1), ("limit", 0), ("limit", 501)):
                response = await client.get(path, params={name: value}, headers=panel)
                assert response.status_code == 422, (path, name, response.text)
                assert response.json()["errors"][0]["field"] == name
            response = await client.get(path, params={"offset": 10**9, "limit": 500}, headers=panel)
            assert response.status_code == 200, (path, response.text)
            assert response.json()["items"] == []
