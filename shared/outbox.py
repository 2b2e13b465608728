"""The transactional outbox: events are rows written in the same transaction as the change they
describe; one relay per service publishes them in order, keyed by case id, and keeps them.

- ``add_event`` is all a use case calls. After the session commits, the relay is woken at once;
  it also polls, so a row committed by another process (or left by a crash) is never forgotten.
- Published rows stay, stamped with ``published_at``, so ``scr-panel replay`` can send them again.
- One relay per service at a time (a PostgreSQL advisory lock), because several relays racing on
  the same rows would break per-key order. SQLite is one process anyway.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import zlib
from typing import Any

from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError
from sqlalchemy import event, func, insert, select, text, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.orm import Session

from shared.bus import ensure_topics, make_producer
from shared.config import ServiceSettings
from shared.db import is_sqlite, outbox_table, utcnow
from shared.events.envelope import CloudEvent, EventData
from shared.events.topics import events_topic

log = logging.getLogger(__name__)

_PENDING = "outbox_pending"


async def add_event(
    session: AsyncSession, data: EventData, subject: str, time: dt.datetime | None = None
) -> CloudEvent:
    """Stage ``data`` for publication in the session's transaction; keyed by ``subject``."""
    envelope = CloudEvent.wrap(data, subject=subject, time=time)
    await session.execute(
        insert(outbox_table).values(
            event_id=envelope.id,
            topic=events_topic(data.producer),
            key=subject,
            event_type=envelope.type,
            payload=envelope.model_dump_json(),
            created_at=utcnow(),
        )
    )
    session.info[_PENDING] = True
    return envelope


def session_factory_with_wakeup(
    engine: AsyncEngine, relay: OutboxRelay | None
) -> async_sessionmaker[AsyncSession]:
    """A sessionmaker whose commits wake ``relay`` when they carried outbox rows."""
    sync_class: type[Session] = type("ServiceSession", (Session,), {})

    def _after_commit(session: Session) -> None:
        if session.info.pop(_PENDING, False) and relay is not None:
            relay.wake()

    def _after_rollback(session: Session) -> None:
        session.info.pop(_PENDING, None)

    event.listen(sync_class, "after_commit", _after_commit)
    event.listen(sync_class, "after_rollback", _after_rollback)
    return async_sessionmaker(engine, expire_on_commit=False, sync_session_class=sync_class)


def advisory_lock_key(name: str) -> int:
    return zlib.crc32(f"scr-panel:outbox:{name}".encode())


class OutboxRelay:
    def __init__(
        self, settings: ServiceSettings, engine: AsyncEngine, stopping: asyncio.Event | None = None
    ) -> None:
        self.settings = settings
        self.engine = engine
        self.stopping = stopping or asyncio.Event()
        self._wakeup = asyncio.Event()
        self._producer: AIOKafkaProducer | None = None
        self.is_leader = False
        self.last_error: str | None = None
        self.published_total = 0

    def wake(self) -> None:
        self._wakeup.set()

    def request_stop(self) -> None:
        """Finish the batch in hand, then return from :meth:`run` (no cancellation mid-commit)."""
        self.stopping.set()
        self._wakeup.set()

    async def _pause(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                await self.stopping.wait()

    async def run(self) -> None:
        while not self.stopping.is_set():
            try:
                await self._lead_and_publish()
            except Exception as exc:  # keep the relay alive whatever happens; log and retry
                self.last_error = repr(exc)
                log.exception("outbox relay failed; restarting in 1s")
                await self._pause(1)
            finally:
                self.is_leader = False
                await self._drop_producer()

    async def _lead_and_publish(self) -> None:
        if is_sqlite(str(self.engine.url)):
            self.is_leader = True  # one process per SQLite file
            await self._publish_while_leader(None)
            return
        key = advisory_lock_key(self.settings.service_name)
        async with self.engine.connect() as conn:
            while not (await conn.execute(select(func.pg_try_advisory_lock(key)))).scalar():
                await conn.commit()
                await self._pause(self.settings.outbox_poll_seconds * 5)
                if self.stopping.is_set():
                    return
            await conn.commit()
            self.is_leader = True
            try:
                await self._publish_while_leader(conn)
            finally:
                with contextlib.suppress(Exception):
                    await conn.execute(select(func.pg_advisory_unlock(key)))
                    await conn.commit()

    async def _publish_while_leader(self, lock_conn: AsyncConnection | None) -> None:
        backoff = 0.5
        while not self.stopping.is_set():
            if lock_conn is not None:
                # A lost lock connection means another relay may now lead: stop and re-elect.
                await lock_conn.execute(text("SELECT 1"))
                await lock_conn.commit()
            rows = await self._fetch_batch()
            if not rows:
                await self._wait_for_work()
                continue
            try:
                await self._publish(rows)
            except (KafkaError, OSError, TimeoutError) as exc:
                self.last_error = repr(exc)
                log.warning(
                    "publishing %d outbox events failed (%s); retry in %.1fs",
                    len(rows),
                    exc,
                    backoff,
                )
                await self._record_failure(rows, repr(exc))
                # Recreate the producer: after some errors (e.g. aiokafka #1017) it never recovers.
                await self._drop_producer()
                # A broker that lost its data has lost the topics too (the embedded one forgets
                # everything on restart): create them again before the retry.
                with contextlib.suppress(KafkaError, OSError, TimeoutError):
                    await ensure_topics(self.settings.platform)
                await self._pause(backoff)
                backoff = min(backoff * 2, self.settings.outbox_max_backoff_seconds)
                continue
            backoff = 0.5
            self.last_error = None

    async def _wait_for_work(self) -> None:
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(self.settings.outbox_poll_seconds):
                await self._wakeup.wait()
        self._wakeup.clear()

    async def _fetch_batch(self) -> list[Any]:
        query = (
            select(
                outbox_table.c.seq,
                outbox_table.c.topic,
                outbox_table.c.key,
                outbox_table.c.event_id,
                outbox_table.c.event_type,
                outbox_table.c.payload,
            )
            .where(outbox_table.c.published_at.is_(None))
            .order_by(outbox_table.c.seq)
            .limit(self.settings.outbox_batch_size)
        )
        async with self.engine.connect() as conn:
            return list((await conn.execute(query)).all())

    async def _publish(self, rows: list[Any]) -> None:
        if self._producer is None:
            producer = make_producer(self.settings.platform, f"{self.settings.service_name}-relay")
            try:
                await producer.start()
            except BaseException:
                await producer.stop()
                raise
            self._producer = producer
        sends = [
            await self._producer.send(
                self.settings.topic(row.topic),
                value=row.payload.encode(),
                key=row.key.encode(),
                headers=[("ce_id", row.event_id.encode()), ("ce_type", row.event_type.encode())],
            )
            for row in rows
        ]
        await asyncio.gather(*sends)
        async with self.engine.begin() as conn:
            await conn.execute(
                update(outbox_table)
                .where(outbox_table.c.seq.in_([row.seq for row in rows]))
                .values(
                    published_at=utcnow(), attempts=outbox_table.c.attempts + 1, last_error=None
                )
            )
        self.published_total += len(rows)

    async def _record_failure(self, rows: list[Any], error: str) -> None:
        with contextlib.suppress(Exception):
            async with self.engine.begin() as conn:
                await conn.execute(
                    update(outbox_table)
                    .where(outbox_table.c.seq == rows[0].seq)
                    .values(attempts=outbox_table.c.attempts + 1, last_error=error[:2000])
                )

    async def _drop_producer(self) -> None:
        if self._producer is not None:
            producer, self._producer = self._producer, None
            with contextlib.suppress(Exception):
                async with asyncio.timeout(5):
                    await producer.stop()


async def pending_count(sessionmaker: async_sessionmaker[AsyncSession]) -> int:
    async with sessionmaker() as session:
        query = select(func.count()).select_from(outbox_table)
        return (
            await session.execute(query.where(outbox_table.c.published_at.is_(None)))
        ).scalar_one()


async def mark_for_replay(engine: AsyncEngine, since: dt.datetime | None) -> int:
    """Make published events unpublished again so the service's relay sends them once more."""
    stmt = update(outbox_table).where(outbox_table.c.published_at.is_not(None))
    if since is not None:
        stmt = stmt.where(outbox_table.c.created_at >= since)
    async with engine.begin() as conn:
        result = await conn.execute(stmt.values(published_at=None))
    return result.rowcount or 0
