"""A stalled broker (SIGSTOP) does not stop anyone notifying, and loses nothing."""

from __future__ import annotations

import asyncio

import httpx

from shared.embedded_broker import EmbeddedBroker
from tests.e2e.flows import notify, wait_for_count
from tests.support.processes import ProcessStack

CONCURRENCY = 10
# Longer than the producer's request timeout (10 s): the relay's sends fail and are retried.
STALL_SECONDS = 11.0


async def test_posts_succeed_during_a_broker_stall_and_all_arrive_after(
    own_broker_stack: tuple[EmbeddedBroker, ProcessStack],
) -> None:
    own_broker, stack = own_broker_stack
    notifications, analytics = stack.start("notifications", "analytics")
    await stack.wait_healthy()
    platform = stack.platform
    statuses: list[int] = []
    posted_during_stall = 0
    stop_posting, twenty_posted = asyncio.Event(), asyncio.Event()

    async with httpx.AsyncClient(timeout=30) as client:
        # The pipeline works before the stall (consumer joined, topics exist).
        assert (await notify(client, notifications.url, platform)).status_code == 201
        await wait_for_count(client, analytics.url, platform, expected=1, timeout=20)

        async def post_until_told() -> None:
            while not stop_posting.is_set():
                response = await notify(client, notifications.url, platform, len(statuses))
                statuses.append(response.status_code)
                if len(statuses) >= 20:
                    twenty_posted.set()
                await asyncio.sleep(0.02)  # a steady trickle, not a flood, across the stall

        async def stall() -> None:
            nonlocal posted_during_stall
            await twenty_posted.wait()
            own_broker.pause()
            try:
                before = len(statuses)
                await asyncio.sleep(STALL_SECONDS)
                posted_during_stall = len(statuses) - before
            finally:
                own_broker.resume()
            await asyncio.sleep(1)
            stop_posting.set()

        await asyncio.gather(stall(), *(post_until_told() for _ in range(CONCURRENCY)))

        assert set(statuses) == {201}
        assert posted_during_stall > 20, "the stall must happen while notifications are posted"
        await wait_for_count(
            client, analytics.url, platform, expected=len(statuses) + 1, timeout=60
        )
