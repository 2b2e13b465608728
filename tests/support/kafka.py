"""Read a topic from the start without joining a group (a group join costs seconds on Tansu)."""

from __future__ import annotations

from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition

from shared.config import PlatformSettings
from tests.support.services import eventually


async def read_topic(
    platform: PlatformSettings, topic: str, expected: int, timeout: float = 20.0
) -> list[Any]:
    """Records of ``topic`` (unprefixed name) once at least ``expected`` have arrived."""
    name = platform.kafka_topic_prefix + topic
    consumer = AIOKafkaConsumer(
        bootstrap_servers=platform.kafka_bootstrap_servers, enable_auto_commit=False
    )
    await consumer.start()
    records: list[Any] = []
    try:
        partitions = await eventually(lambda: _partitions(consumer, name), timeout=timeout)
        consumer.assign([TopicPartition(name, p) for p in sorted(partitions)])
        await consumer.seek_to_beginning()

        async def enough() -> bool:
            for batch in (await consumer.getmany(timeout_ms=200)).values():
                records.extend(batch)
            return len(records) >= expected

        await eventually(enough, timeout=timeout)
    finally:
        await consumer.stop()
    return sorted(records, key=lambda r: (r.partition, r.offset))


async def _partitions(consumer: AIOKafkaConsumer, topic: str) -> set[int] | None:
    await consumer._client.force_metadata_update()
    return consumer.partitions_for_topic(topic)
