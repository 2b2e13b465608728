"""The idempotent consumer: apply each event once, commit the offset only after the database.

For every record: the event id goes into the ``inbox`` table in the same transaction as the
handler's effect, so a redelivered event changes nothing. Offsets are committed explicitly
(``{tp: offset + 1}``) after that transaction. A record that cannot be parsed, or whose handler
still fails after ``consumer_max_attempts`` tries, is published to the service's dead-letter topic
with the original topic, partition, offset, error and attempt count, and the consumer moves on.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRebalanceListener, TopicPartition
from aiokafka.errors import KafkaError
from pydantic import ValidationError
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.bus import make_producer
from shared.config import ServiceSettings
from shared.db import inbox_table, utcnow
from shared.events.envelope import CloudEvent, EventData
from shared.events.topics import dead_letter_topic, events_topic

log = logging.getLogger(__name__)

Handler = Callable[[AsyncSession, Any, CloudEvent], Awaitable[None]]


class _CommitOnRevoke(ConsumerRebalanceListener):
    """Commit what has been applied before partitions move to another member (aiokafka #933)."""

    def __init__(self, owner: EventConsumer) -> None:
        self.owner = owner

    async def on_partitions_revoked(self, revoked: Iterable[TopicPartition]) -> None:
        await self.owner.commit_applied()

    async def on_partitions_assigned(self, assigned: Iterable[TopicPartition]) -> None:
        return None


class EventConsumer:
    def __init__(
        self,
        settings: ServiceSettings,
        sessionmaker: async_sessionmaker[AsyncSession],
        handlers: dict[type[EventData], Handler],
        stopping: asyncio.Event | None = None,
    ) -> None:
        self.settings = settings
        self.stopping = stopping or asyncio.Event()
        self.sessionmaker = sessionmaker
        self.handlers = {model.type_name(): (model, fn) for model, fn in handlers.items()}
        self.name = settings.service_name
        self.group_id = settings.topic(f"scr.{self.name}")
        self.topics = sorted({settings.topic(events_topic(m.producer)) for m in handlers})
        self._consumer: AIOKafkaConsumer | None = None
        self._dlq_producer: AIOKafkaProducer | None = None
        self._applied: dict[TopicPartition, int] = {}
        self.last_poll: float | None = None
        self.applied_total = 0
        self.dead_lettered_total = 0

    @property
    def alive(self) -> bool:
        """Polled within the last 30 s (a stuck consumer is aiokafka #847/#983)."""
        return self.last_poll is not None and time.monotonic() - self.last_poll < 30

    async def lag(self) -> int | None:
        """Records fetched by the broker's count but not yet applied, over assigned partitions."""
        consumer = self._consumer
        if consumer is None:
            return None
        total = 0
        for tp in consumer.assignment():
            highwater = consumer.highwater(tp)
            if highwater is not None:
                total += max(0, highwater - await consumer.position(tp))
        return total

    def request_stop(self) -> None:
        """Finish the batch in hand, commit it, then return from :meth:`run`."""
        self.stopping.set()

    async def run(self) -> None:
        if not self.topics:
            return
        delay = 0.5
        while not self.stopping.is_set():
            try:
                await self._consume()
            except Exception as exc:  # broker gone, group trouble: start over after a pause
                log.warning("consumer %s stopped (%r); restarting in %.1fs", self.name, exc, delay)
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(delay):
                        await self.stopping.wait()
                delay = min(delay * 2, 30)
            finally:
                await self._close()

    async def _consume(self) -> None:
        consumer = AIOKafkaConsumer(
            bootstrap_servers=self.settings.platform.kafka_bootstrap_servers,
            group_id=self.group_id,
            client_id=f"{self.name}-consumer",
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            request_timeout_ms=15_000,
            session_timeout_ms=self.settings.platform.kafka_session_timeout_ms,
            heartbeat_interval_ms=self.settings.platform.kafka_heartbeat_interval_ms,
            fetch_max_wait_ms=self.settings.platform.kafka_fetch_max_wait_ms,
        )
        consumer.subscribe(self.topics, listener=_CommitOnRevoke(self))
        self._consumer = consumer
        await consumer.start()
        while not self.stopping.is_set():
            batches = await consumer.getmany(timeout_ms=500, max_records=200)
            self.last_poll = time.monotonic()
            for tp, records in batches.items():
                for record in records:
                    await self._process(record)
                    self._applied[tp] = record.offset + 1
                await self.commit_applied()

    async def commit_applied(self) -> None:
        if self._consumer is None or not self._applied:
            return
        offsets, self._applied = self._applied, {}
        await self._consumer.commit(offsets)

    async def _process(self, record: Any) -> None:
        try:
            envelope = CloudEvent.model_validate_json(record.value)
            known = self.handlers.get(envelope.type)
            if known is None:
                return  # an event type this service does not consume
            model, handler = known
            data = model.model_validate(envelope.data)
        except (ValidationError, ValueError, TypeError) as exc:
            await self._dead_letter(record, f"unparseable event: {exc}", attempts=1)
            return
        attempt = 0
        while True:
            attempt += 1
            try:
                await self._apply_once(envelope, data, handler)
                return
            except Exception as exc:
                if attempt >= self.settings.consumer_max_attempts:
                    log.error(
                        "%s: %s failed %d times; dead-lettering",
                        self.name,
                        envelope.id,
                        attempt,
                        exc_info=exc,
                    )
                    await self._dead_letter(record, repr(exc), attempts=attempt)
                    return
                await asyncio.sleep(self.settings.consumer_retry_seconds * 2 ** (attempt - 1))

    async def _apply_once(self, envelope: CloudEvent, data: EventData, handler: Handler) -> None:
        try:
            async with self.sessionmaker() as session, session.begin():
                seen = await session.execute(
                    select(inbox_table.c.event_id).where(
                        inbox_table.c.consumer == self.name, inbox_table.c.event_id == envelope.id
                    )
                )
                if seen.first() is not None:
                    return
                await session.execute(
                    insert(inbox_table).values(
                        consumer=self.name,
                        event_id=envelope.id,
                        event_type=envelope.type,
                        applied_at=utcnow(),
                    )
                )
                await handler(session, data, envelope)
        except IntegrityError:
            # Either another member applied it in between (fine) or the handler broke a rule.
            if not await self._already_applied(envelope.id):
                raise
            return
        self.applied_total += 1

    async def _already_applied(self, event_id: str) -> bool:
        async with self.sessionmaker() as session:
            row = await session.execute(
                select(inbox_table.c.event_id).where(
                    inbox_table.c.consumer == self.name, inbox_table.c.event_id == event_id
                )
            )
            return row.first() is not None

    async def _dead_letter(self, record: Any, error: str, attempts: int) -> None:
        if self._dlq_producer is None:
            producer = make_producer(self.settings.platform, f"{self.name}-dlq")
            await producer.start()
            self._dlq_producer = producer
        headers = [
            *list(record.headers or []),
            ("dlq_original_topic", record.topic.encode()),
            ("dlq_original_partition", str(record.partition).encode()),
            ("dlq_original_offset", str(record.offset).encode()),
            ("dlq_consumer", self.name.encode()),
            ("dlq_error", error[:4000].encode()),
            ("dlq_attempts", str(attempts).encode()),
        ]
        await self._dlq_producer.send_and_wait(
            self.settings.topic(dead_letter_topic(self.name)),
            value=record.value,
            key=record.key,
            headers=headers,
        )
        self.dead_lettered_total += 1

    async def _close(self) -> None:
        consumer, self._consumer = self._consumer, None
        producer, self._dlq_producer = self._dlq_producer, None
        self._applied = {}
        for client in (consumer, producer):
            if client is not None:
                with contextlib.suppress(KafkaError, OSError, TimeoutError):
                    async with asyncio.timeout(10):
                        await client.stop()
