"""A notification travels from the notifications process to the analytics process."""

from __future__ import annotations

import httpx

from tests.e2e.flows import notify, wait_for_count
from tests.support.processes import ProcessStack


async def test_a_notification_is_counted_by_analytics_within_seconds(stack: ProcessStack) -> None:
    notifications, analytics = stack.start("notifications", "analytics")
    await stack.wait_healthy()
    async with httpx.AsyncClient(timeout=10) as client:
        response = await notify(client, notifications.url, stack.platform)
        assert response.status_code == 201, response.text
        await wait_for_count(client, analytics.url, stack.platform, expected=1, timeout=20)
