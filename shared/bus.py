"""The one small module that knows aiokafka: producers, topic creation, broker reachability."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaError

from shared.config import PlatformSettings
from shared.events.topics import all_topics

log = logging.getLogger(__name__)

TOPIC_ALREADY_EXISTS = 36


def make_producer(platform: PlatformSettings, client_id: str) -> AIOKafkaProducer:
    return AIOKafkaProducer(
        bootstrap_servers=platform.kafka_bootstrap_servers,
        client_id=client_id,
        acks="all",
        enable_idempotence=platform.kafka_idempotent_producer,
        # Fail a send within seconds when the broker is unreachable: the outbox relay retries.
        request_timeout_ms=10_000,
        linger_ms=5,
    )


async def ensure_topics(platform: PlatformSettings, topics: list[str] | None = None) -> None:
    """Create the platform's topics if they are missing (idempotent; safe from every service)."""
    names = [f"{platform.kafka_topic_prefix}{t}" for t in (topics or all_topics())]
    admin = AIOKafkaAdminClient(
        bootstrap_servers=platform.kafka_bootstrap_servers, request_timeout_ms=10_000
    )
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [n for n in names if n not in existing]
        if not missing:
            return
        response = await admin.create_topics(
            [
                NewTopic(
                    name,
                    num_partitions=platform.kafka_topic_partitions,
                    replication_factor=platform.kafka_replication_factor,
                )
                for name in missing
            ]
        )
        for topic, code, message in response.topic_errors:
            if code not in (0, TOPIC_ALREADY_EXISTS):
                raise KafkaError(f"could not create topic {topic}: {code} {message}")
        log.info("created topics %s", missing)
    finally:
        await admin.close()


async def ensure_topics_forever(platform: PlatformSettings, max_backoff: float = 30.0) -> None:
    """Keep trying until the broker answers: a service starts even while its broker is down."""
    delay = 0.5
    while True:
        try:
            await ensure_topics(platform)
            return
        except (KafkaError, OSError, TimeoutError) as exc:
            log.warning("broker not reachable to create topics (%s); retrying in %.1fs", exc, delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, max_backoff)


async def broker_reachable(platform: PlatformSettings, timeout: float = 3.0) -> bool:
    admin = AIOKafkaAdminClient(
        bootstrap_servers=platform.kafka_bootstrap_servers, request_timeout_ms=int(timeout * 1000)
    )
    try:
        async with asyncio.timeout(timeout):
            await admin.start()
            await admin.list_topics()
        return True
    except (KafkaError, OSError, TimeoutError):
        return False
    finally:
        with contextlib.suppress(KafkaError, OSError, TimeoutError):
            async with asyncio.timeout(timeout):
                await admin.close()
