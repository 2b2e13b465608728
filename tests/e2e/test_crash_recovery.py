"""Kill -9 the consumer half-way through a burst: nothing is lost and nothing counted twice."""

from __future__ import annotations

import asyncio

import httpx

from tests.e2e.flows import notifications_received, notify, wait_for_consumer, wait_for_count
from tests.support.processes import ProcessStack

TOTAL = 500
CONCURRENCY = 20


async def test_killing_analytics_mid_burst_loses_and_doubles_nothing(stack: ProcessStack) -> None:
    notifications, analytics = stack.start("notifications", "analytics")
    await stack.wait_healthy()
    platform = stack.platform
    numbers = iter(range(TOTAL))
    posted = 0
    a_third_posted, half_posted = asyncio.Event(), asyncio.Event()
    posted_at_kill = counted_at_kill = -1

    async with httpx.AsyncClient(
        timeout=30, limits=httpx.Limits(max_connections=CONCURRENCY)
    ) as client:
        # Consuming before the burst, so the kill interrupts it at work.
        await wait_for_consumer(client, analytics.url)

        async def post_some() -> None:
            nonlocal posted
            for number in numbers:  # one shared iterator: every number is posted once
                response = await notify(client, notifications.url, platform, number)
                assert response.status_code == 201, response.text
                posted += 1
                if posted >= TOTAL // 3:
                    a_third_posted.set()
                if posted >= TOTAL // 2:
                    half_posted.set()

        async def crash_and_restart() -> None:
            nonlocal posted_at_kill, counted_at_kill
            await a_third_posted.wait()
            counted_at_kill = await notifications_received(client, analytics.url, platform)
            posted_at_kill = posted
            analytics.kill()
            await half_posted.wait()
            analytics.start()  # same port, same database
            await analytics.wait_healthy()

        await asyncio.gather(crash_and_restart(), *(post_some() for _ in range(CONCURRENCY)))
        assert posted == TOTAL
        assert posted_at_kill < TOTAL, "the kill must come while notifications are posted"
        assert 0 < counted_at_kill < TOTAL, "the kill must come while analytics is counting"

        await wait_for_count(client, analytics.url, platform, expected=TOTAL, timeout=60)
        await asyncio.sleep(2)  # redeliveries after the restart must not add anything
        assert await notifications_received(client, analytics.url, platform) == TOTAL
