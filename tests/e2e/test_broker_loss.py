"""A broker that loses its data loses no event for good: `scr-panel replay` sends the kept
outbox again, and consumers skip what they had already applied."""

from __future__ import annotations

import asyncio
import subprocess

import httpx

from shared.embedded_broker import EmbeddedBroker
from tests.e2e.flows import notifications_received, notify, wait_for_consumer, wait_for_count
from tests.support.processes import ProcessStack, scr_panel
from tests.support.services import eventually

NOTIFIED = 20


async def test_replay_recovers_what_a_broker_lost(
    own_broker_stack: tuple[EmbeddedBroker, ProcessStack],
) -> None:
    broker, stack = own_broker_stack
    (notifications,) = stack.start("notifications")
    await stack.wait_healthy()
    platform = stack.platform

    async with httpx.AsyncClient(timeout=30) as client:
        for number in range(NOTIFIED):
            assert (await notify(client, notifications.url, platform, number)).status_code == 201

        async def all_published() -> bool:
            ready = (await client.get(f"{notifications.url}/readyz")).json()
            return ready["checks"].get("outbox_pending") == 0

        await eventually(all_published, timeout=30)

        # Published, never consumed, and then gone: the embedded broker keeps only memory.
        broker.stop()
        broker.start()  # same port, empty
        (analytics,) = stack.start("analytics")
        await analytics.wait_healthy()
        await wait_for_consumer(client, analytics.url)
        await asyncio.sleep(2)
        assert await notifications_received(client, analytics.url, platform) == 0

        def replay() -> str:
            done = subprocess.run(
                scr_panel("replay", "--service", "notifications"),
                env=stack.env_for("notifications"),
                capture_output=True,
                text=True,
                timeout=60,
                check=True,
            )
            return done.stdout

        # The 152 registry events and the notifications go out again from the kept outbox.
        assert f"notifications: {152 + NOTIFIED} events marked for replay" in replay()
        await wait_for_count(client, analytics.url, platform, expected=NOTIFIED, timeout=60)

        # Twice is harmless: the inbox skips what was applied.
        replay()
        await eventually(all_published, timeout=30)
        await asyncio.sleep(2)
        assert await notifications_received(client, analytics.url, platform) == NOTIFIED
