"""What the end-to-end tests do over HTTP: notify incidents, read the national figures."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from shared.auth import issue_token
from shared.config import PlatformSettings

HARTLEPOOL = "E06000001"
# A fixed past year keeps the figures independent of today's date.
YEAR = {"from": "2014-01-01", "to": "2014-12-31"}


def bearer(platform: PlatformSettings, role: str, lscb_id: str | None = None) -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_token(platform, role, lscb_id=lscb_id)}"}


def notification(number: int = 0) -> dict[str, Any]:
    return {
        "incident_date": "2014-03-03",
        "became_aware_on": "2014-03-04",
        "notified_on": "2014-03-07",
        "outcome": "seriously_harmed",
        "abuse_or_neglect": ["neglect"],
        "age_years": number % 18,
        "sex": "female",
        "looked_after": False,
        "on_child_protection_plan": False,
        "summary": f"End-to-end notification {number}.",
    }


async def notify(
    client: httpx.AsyncClient, base_url: str, platform: PlatformSettings, number: int = 0
) -> httpx.Response:
    return await client.post(
        f"{base_url}/v1/notifications",
        json=notification(number),
        headers=bearer(platform, "lscb", HARTLEPOOL),
    )


async def notifications_received(
    client: httpx.AsyncClient, base_url: str, platform: PlatformSettings
) -> int:
    response = await client.get(
        f"{base_url}/v1/stats/summary", params=YEAR, headers=bearer(platform, "panel")
    )
    assert response.status_code == 200, response.text
    return int(response.json()["notifications_received"])


async def wait_for_count(
    client: httpx.AsyncClient,
    base_url: str,
    platform: PlatformSettings,
    expected: int,
    timeout: float,
) -> float:
    """Poll the summary until it shows ``expected``; the seconds it took. Fails on overshoot."""
    loop = asyncio.get_running_loop()
    started = loop.time()
    seen = -1
    while loop.time() - started < timeout:
        try:
            seen = await notifications_received(client, base_url, platform)
        except httpx.TransportError:
            seen = -1  # the analytics process is restarting
        assert seen <= expected, f"counted {seen} notifications, more than the {expected} sent"
        if seen == expected:
            return loop.time() - started
        await asyncio.sleep(0.2)
    raise AssertionError(f"analytics shows {seen} notifications, not {expected}, after {timeout}s")


async def wait_for_consumer(client: httpx.AsyncClient, base_url: str, timeout: float = 30) -> None:
    """Until the service's consumer polls the broker (it has joined its group)."""
    loop = asyncio.get_running_loop()
    started = loop.time()
    while loop.time() - started < timeout:
        response = await client.get(f"{base_url}/readyz")
        if response.status_code == 200 and response.json()["checks"]["consumer"]["alive"]:
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"the consumer of {base_url} is not polling after {timeout}s")
