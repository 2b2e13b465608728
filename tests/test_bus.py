"""The outbox relay and the idempotent consumer against the real broker and database."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from shared.bus import ensure_topics
from shared.consumer import EventConsumer
from shared.db import make_engine, outbox_table
from shared.events.contracts import NotificationReceivedV1
from shared.events.envelope import CloudEvent
from shared.events.topics import dead_letter_topic, events_topic
from shared.outbox import OutboxRelay, add_event, mark_for_replay, session_factory_with_wakeup
from tests.support.databases import DatabaseFactory, backend
from tests.support.kafka import read_topic
from tests.support.services import eventually, settings_for


def notification(reference: str, case_id: str) -> NotificationReceivedV1:
    return NotificationReceivedV1(
        notification_id=case_id,
        case_id=case_id,
        reference=reference,
        lscb_id="E06000001",
        incident_date=dt.date(2014, 1, 1),
        became_aware_on=dt.date(2014, 1, 2),
        notified_on=dt.date(2014, 1, 3),
        outcome="died",
        abuse_or_neglect=("neglect",),
        child_age_years=1,
        child_sex="female",
        looked_after=False,
        on_child_protection_plan=False,
        working_days_to_notify=1,
        late=False,
    )


@pytest.fixture
async def engine(databases: DatabaseFactory) -> AsyncIterator[AsyncEngine]:
    # Any service database has the outbox and inbox tables; borrow the notifications one.
    url = databases.new("notifications")
    engine = make_engine(url)
    async with engine.begin() as conn:
        await conn.execute(text("CREATE TABLE effects (event_id VARCHAR(36), reference TEXT)"))
    yield engine
    await engine.dispose()


async def test_relay_publishes_in_order_keyed_by_case_and_replays(platform, engine):
    settings = settings_for("notifications", platform, str(engine.url), outbox_poll_seconds=30)
    await ensure_topics(platform)
    relay = OutboxRelay(settings, engine)
    sessions = session_factory_with_wakeup(engine, relay)
    task = asyncio.create_task(relay.run())
    try:
        cases = ["case-a", "case-b", "case-c"]
        written: dict[str, list[str]] = {case: [] for case in cases}
        for i in range(30):
            case = cases[i % 3]
            async with sessions() as session:
                event = await add_event(session, notification(f"R{i}", case), subject=case)
                await session.commit()
            written[case].append(event.id)
        # The poll interval is 30 s: arriving within seconds proves the commit woke the relay.
        records = await read_topic(platform, events_topic("notifications"), 30)
        received: dict[str, list[str]] = {case: [] for case in cases}
        for record in sorted(records, key=lambda r: (r.partition, r.offset)):
            received[record.key.decode()].append(json.loads(record.value)["id"])
        assert received == written

        async def all_stamped() -> bool:
            async with engine.connect() as conn:
                stamps = (await conn.execute(select(outbox_table.c.published_at))).scalars().all()
            return len(stamps) == 30 and all(stamps)

        await eventually(all_stamped)
        assert await mark_for_replay(engine, since=None) == 30
        relay.wake()
        again = await read_topic(platform, events_topic("notifications"), 60)
        assert len(again) == 60
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def test_a_rolled_back_change_publishes_nothing(platform, engine):
    settings = settings_for("notifications", platform, str(engine.url))
    relay = OutboxRelay(settings, engine)
    sessions = session_factory_with_wakeup(engine, relay)
    async with sessions() as session:
        await add_event(session, notification("R1", "case-x"), subject="case-x")
        await session.rollback()
    async with engine.connect() as conn:
        assert (await conn.execute(select(outbox_table.c.seq))).all() == []


async def test_consumer_applies_once_dead_letters_poison_and_goes_on(platform, engine):
    settings = settings_for(
        "analytics",
        platform,
        str(engine.url),
        consumer_max_attempts=3,
        consumer_retry_seconds=0.01,
    )
    attempts: dict[str, int] = {}

    async def handler(session: AsyncSession, data: NotificationReceivedV1, env: CloudEvent) -> None:
        attempts[data.reference] = attempts.get(data.reference, 0) + 1
        await session.execute(
            text("INSERT INTO effects VALUES (:id, :ref)"), {"id": env.id, "ref": data.reference}
        )
        if data.reference == "FAILS":
            raise RuntimeError("this handler cannot cope")

    await ensure_topics(platform)
    topic = platform.kafka_topic_prefix + events_topic("notifications")
    first = CloudEvent.wrap(notification("FIRST", "case-1"), subject="case-1")
    fails = CloudEvent.wrap(notification("FAILS", "case-1"), subject="case-1")
    last = CloudEvent.wrap(notification("LAST", "case-1"), subject="case-1")
    producer = AIOKafkaProducer(bootstrap_servers=platform.kafka_bootstrap_servers)
    await producer.start()
    try:
        for value in [
            first.model_dump_json().encode(),
            first.model_dump_json().encode(),
            b"\x00 not an event",
            fails.model_dump_json().encode(),
            last.model_dump_json().encode(),
        ]:
            await producer.send_and_wait(topic, value=value, key=b"case-1")
    finally:
        await producer.stop()

    sessions = session_factory_with_wakeup(engine, None)
    consumer = EventConsumer(settings, sessions, {NotificationReceivedV1: handler})
    task = asyncio.create_task(consumer.run())
    try:

        async def effects() -> list[Any]:
            async with engine.connect() as conn:
                rows = await conn.execute(text("SELECT reference FROM effects ORDER BY reference"))
                return [r.reference for r in rows]

        async def last_applied() -> bool:
            return "LAST" in await effects()

        await eventually(last_applied)
        # The failing handler's writes were rolled back each time; the duplicate changed nothing.
        assert await effects() == ["FIRST", "LAST"]
        assert attempts == {"FIRST": 1, "FAILS": 3, "LAST": 1}
        dead = await read_topic(platform, dead_letter_topic("analytics"), 2)
        headers = [dict(record.headers) for record in dead]
        assert [record.value for record in dead] == [
            b"\x00 not an event",
            fails.model_dump_json().encode(),
        ]
        assert headers[0]["dlq_attempts"] == b"1"
        assert headers[0]["dlq_error"].startswith(b"unparseable event")
        assert headers[1]["dlq_attempts"] == b"3"
        assert b"this handler cannot cope" in headers[1]["dlq_error"]
        assert headers[1]["dlq_original_topic"] == topic.encode()
        assert int(headers[1]["dlq_original_offset"]) == 3
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)

    # Offsets were committed after the database: a new member of the group starts past them.
    successor = EventConsumer(settings, sessions, {NotificationReceivedV1: handler})
    task = asyncio.create_task(successor.run())
    try:
        await eventually(lambda: _polled(successor))
        await asyncio.sleep(1)
        assert successor.applied_total == 0 and successor.dead_lettered_total == 0
        assert attempts == {"FIRST": 1, "FAILS": 3, "LAST": 1}
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def _polled(consumer: EventConsumer) -> bool:
    return consumer.alive


async def test_one_relay_leads_at_a_time_and_another_takes_over(platform, databases):
    """PostgreSQL: an advisory lock makes a second replica's relay wait (two racing relays
    would break per-case order). SQLite is one process per file, so its relay always leads."""
    url = databases.new("notifications")
    settings = settings_for("notifications", platform, url, outbox_poll_seconds=0.1)
    await ensure_topics(platform)
    engines = [make_engine(url), make_engine(url)]
    first, second = (OutboxRelay(settings, engine) for engine in engines)
    sessions = session_factory_with_wakeup(engines[0], first)
    tasks = [asyncio.create_task(first.run())]
    try:
        await eventually(lambda: _leads(first))
        tasks.append(asyncio.create_task(second.run()))
        await asyncio.sleep(1)
        if backend() == "sqlite":
            assert second.is_leader  # no coordination: one process per SQLite file, by design
            return
        assert not second.is_leader

        async with sessions() as session:
            await add_event(session, notification("BEFORE", "case-1"), subject="case-1")
            await session.commit()
        await read_topic(platform, events_topic("notifications"), 1)

        first.request_stop()
        await tasks[0]
        await eventually(lambda: _leads(second))
        async with sessions() as session:
            await add_event(session, notification("AFTER", "case-1"), subject="case-1")
            await session.commit()
        await read_topic(platform, events_topic("notifications"), 2)
        await asyncio.sleep(0.5)  # time for a double publication to show, were there one
        records = await read_topic(platform, events_topic("notifications"), 2)
        references = [json.loads(r.value)["data"]["reference"] for r in records]
        assert references == ["BEFORE", "AFTER"]
    finally:
        second.request_stop()
        first.request_stop()
        await asyncio.gather(*tasks, return_exceptions=True)
        for engine in engines:
            await engine.dispose()


async def _leads(relay: OutboxRelay) -> bool:
    return relay.is_leader
