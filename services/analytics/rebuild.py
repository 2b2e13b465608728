"""Rebuild the analytics read models from a replay of the other services' outboxes.

``scr-panel analytics rebuild`` runs :func:`rebuild`. In ONE transaction of the analytics
database it empties every table of ``models.READ_MODELS`` and applies, through
``consumers.READ_MODEL_HANDLERS`` (the projections, never the alert rules), every event in the
outboxes of the services whose events analytics consumes, oldest first (``created_at``, then the
service, then the outbox's own ``seq``), read in batches so that ten years never sit in memory.
Readers see the old figures until the commit and the new ones after it; a failure rolls back and
leaves the old read models as they were. The service's own records (alerts, subscriptions,
deliveries) are not read models and are not touched.

Decisions, and why:

- **The outboxes read** are those of the producers of the events ``READ_MODEL_HANDLERS`` handles
  (:data:`SOURCE_SERVICES`: notifications, decisions, publication). Analytics' own outbox holds
  only its own events (``alert.raised``), which its consumer never subscribes to: replaying it
  would change nothing.
- **The inbox is left as it is.** An inbox row means "the running consumer has applied this event
  (its projections and its alert rules)". Rows of events the consumer applied stay, so it still
  skips them if they are delivered again. An event still on its way to the consumer (published
  but not yet consumed, or added while the rebuild runs) gets no row from the rebuild: the
  consumer applies it when it arrives, its projection finds the rebuilt rows already there (every
  handler looks before it inserts) and its alert rules run once, as they should. Recording the
  rebuild's events in the inbox would make the consumer skip those events' alert rules for ever.
- **Only events created before the rebuild began are replayed** (``created_at`` up to its start),
  so the progress bar has a true total; later ones reach the read models through the consumer.
- **A running consumer is held off** for the transaction: on PostgreSQL the rebuild takes
  ``LOCK TABLE inbox, <read models> IN EXCLUSIVE MODE`` (plain reads go on and see the old
  figures; the consumer's first write, its inbox row, waits until the rebuild commits, and only
  then does its handler read the tables). The inbox is locked first, in the order the consumer
  touches the tables, so the two never deadlock. (A consumer held longer than aiokafka's
  ``max_poll_interval_ms``, 5 minutes, leaves its group and rejoins; the inbox drops what is
  delivered twice.) On SQLite the transaction holds the database's write lock (``BEGIN
  IMMEDIATE``), and there every transaction, reads included, takes it first (shared.db): the
  consumer and the API wait up to the busy timeout (30 s), the consumer then retries with backoff
  (about 2.5 minutes in all before it would dead-letter). Ten years at the panel's volume rebuild
  in about 5 s (bench/rebuild.py); for a far longer rebuild, stop the analytics service first.
- **An event that does not decode is reported and skipped**, as the consumer dead-letters it: it
  never reached the read models, so skipping it reproduces what the consumer built. **A handler
  that raises is fatal** (:class:`RebuildFailed` names the event; nothing is changed): a figure
  silently missing an event the consumer had applied would be worse than no rebuild.
- **An event type without a projection** is counted as skipped, as the consumer skips it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import heapq
import time
from collections import deque
from collections.abc import AsyncIterator, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from pydantic import ValidationError
from sqlalchemy import delete, func, inspect, or_, select, text
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from services.analytics.consumers import READ_MODEL_HANDLERS
from services.analytics.models import READ_MODELS
from shared.consumer import Handler
from shared.db import inbox_table, make_engine, make_sessionmaker, outbox_table, utcnow
from shared.events.envelope import CloudEvent, EventData

# The services whose outboxes hold what the read models are built from.
SOURCE_SERVICES: tuple[str, ...] = tuple(sorted({m.producer for m in READ_MODEL_HANDLERS}))
# Events read from an outbox per query, and applied between two flushes of the session.
BATCH_SIZE = 1000
# How many undecodable events the result lists one by one (all are counted).
UNDECODABLE_LISTED = 20

# Called with (events read so far, events to read in all) after each batch.
Progress = Callable[[int, int], None]


class OutboxRow(NamedTuple):
    service: str
    seq: int
    created_at: dt.datetime
    event_id: str
    event_type: str
    payload: str

    def where(self) -> str:
        return f"{self.service} outbox seq {self.seq} ({self.event_type}, id {self.event_id})"


class RebuildFailed(Exception):
    """A handler raised: the transaction was rolled back, the read models are unchanged."""

    def __init__(self, row: OutboxRow, cause: BaseException) -> None:
        super().__init__(f"applying {row.where()} (or writing the events before it): {cause!r}")
        self.row = row


@dataclass
class SourceCounts:
    events: int = 0
    applied: int = 0
    skipped: int = 0  # no projection for its type
    undecodable: int = 0


@dataclass
class RebuildResult:
    sources: dict[str, SourceCounts]
    replayed_until: dt.datetime | None = None  # events created up to it (UTC) were replayed
    undecodable: list[str] = field(default_factory=list)  # the first few, where and why
    seconds: float = 0.0

    def total(self) -> SourceCounts:
        counts = SourceCounts()
        for source in self.sources.values():
            counts.events += source.events
            counts.applied += source.applied
            counts.skipped += source.skipped
            counts.undecodable += source.undecodable
        return counts

    def describe(self) -> str:
        """The summary the command prints: events per service, applied, skipped, time."""
        header = f"{'service':<14} {'events':>9} {'applied':>9} {'skipped':>9} {'undecodable':>11}"
        lines = [header]
        for name, c in [*sorted(self.sources.items()), ("total", self.total())]:
            lines.append(
                f"{name:<14} {c.events:>9} {c.applied:>9} {c.skipped:>9} {c.undecodable:>11}"
            )
        rate = self.total().events / self.seconds if self.seconds else 0.0
        until = f"{self.replayed_until:%Y-%m-%d %H:%M:%S} UTC" if self.replayed_until else "now"
        lines.append(
            f"rebuilt in {self.seconds:.2f} s ({rate:.0f} events/s) from the events created up to "
            f"{until} (later ones reach analytics through its consumer); skipped: events of a "
            "type no figure needs"
        )
        lines += [f"undecodable, skipped: {item}" for item in self.undecodable]
        return "\n".join(lines)


class _Outbox:
    """One service's outbox, read in (created_at, seq) order a batch at a time (keyset paging:
    each query is short, so no long read transaction is held on the producer's database)."""

    def __init__(
        self, service: str, engine: AsyncEngine, until: dt.datetime, batch_size: int
    ) -> None:
        self.service, self.engine, self.until, self.batch_size = service, engine, until, batch_size
        self.rows: deque[OutboxRow] = deque()
        self.after: OutboxRow | None = None
        self.exhausted = False

    async def count(self) -> int:
        async with self.engine.connect() as conn:
            query = (
                select(func.count())
                .select_from(outbox_table)
                .where(outbox_table.c.created_at <= self.until)
            )
            return int((await conn.execute(query)).scalar_one())

    async def head(self) -> OutboxRow | None:
        if not self.rows and not self.exhausted:
            await self._fetch()
        return self.rows[0] if self.rows else None

    async def _fetch(self) -> None:
        c = outbox_table.c
        query = (
            select(c.seq, c.created_at, c.event_id, c.event_type, c.payload)
            .where(c.created_at <= self.until)
            .order_by(c.created_at, c.seq)
            .limit(self.batch_size)
        )
        if self.after is not None:
            at, seq = self.after.created_at, self.after.seq
            # ``created_at >= at`` on its own is what lets the index start at the last row read
            # (the OR alone made each page scan every earlier row: quadratic over ten years).
            query = query.where(c.created_at >= at, or_(c.created_at > at, c.seq > seq))
        async with self.engine.connect() as conn:
            batch: list[Row[Any]] = list((await conn.execute(query)).all())
        self.exhausted = len(batch) < self.batch_size
        self.rows.extend(OutboxRow(self.service, *r) for r in batch)
        if self.rows:
            self.after = self.rows[-1]


async def _replay_order(outboxes: list[_Outbox]) -> AsyncIterator[OutboxRow]:
    """Every outbox's rows merged by (created_at, service, seq): a stable order."""
    heap: list[tuple[dt.datetime, str, int, int]] = []

    async def push(index: int) -> None:
        row = await outboxes[index].head()
        if row is not None:
            heapq.heappush(heap, (row.created_at, row.service, row.seq, index))

    for index in range(len(outboxes)):
        await push(index)
    while heap:
        index = heapq.heappop(heap)[3]
        yield outboxes[index].rows.popleft()
        await push(index)


def _decode(
    row: OutboxRow, handlers: Mapping[str, tuple[type[EventData], Handler]]
) -> tuple[CloudEvent, EventData, Handler] | str | None:
    """As the consumer decodes a record: the envelope, the data, the handler; None for a type
    without a handler; the reason if it does not decode."""
    try:
        envelope = CloudEvent.model_validate_json(row.payload)
        known = handlers.get(envelope.type)
        if known is None:
            return None
        model, handler = known
        return envelope, model.model_validate(envelope.data), handler
    except (ValidationError, ValueError, TypeError) as exc:
        return f"{row.where()}: {str(exc).splitlines()[0]}"


class _ReplaySession:
    """The session the handlers are given during a rebuild: an ``AsyncSession`` that answers
    ``get`` for a row it never added without asking the database.

    Sound because the read models were emptied in this transaction and only this transaction
    writes them (every other writer is held off). It lets the adds of a whole batch go to the
    database in one flush instead of one autoflush, and one look-up, per event: about ten times
    faster (bench/rebuild.py: some 800 events/s before, 7,000 to 9,000 after). Anything else a
    handler calls goes to the real session, whose autoflush still writes what is staged before
    any query.
    """

    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        self._staged: dict[tuple[type[Any], tuple[Any, ...]], Any] = {}
        # The keys of every row added so far: memory grows with the read models, not the events.
        self._added: set[tuple[type[Any], tuple[Any, ...]]] = set()

    def add(self, instance: Any) -> None:
        if type(instance) not in READ_MODELS:
            # Not emptied by the rebuild, so "never added" would not mean "not there".
            raise TypeError(
                f"{type(instance).__name__} is written by a projection: add it to "
                "models.READ_MODELS"
            )
        key = (type(instance), tuple(inspect(instance).mapper.primary_key_from_instance(instance)))
        self._staged[key] = instance
        self._added.add(key)
        self._session.add(instance)

    def add_all(self, instances: Iterable[Any]) -> None:
        for instance in instances:
            self.add(instance)

    async def get(self, entity: type[Any], ident: Any) -> Any:
        key = (entity, tuple(ident) if isinstance(ident, tuple | list) else (ident,))
        if key in self._staged:
            return self._staged[key]
        if key not in self._added:
            return None  # the tables began empty: a row we never added does not exist
        with self._session.no_autoflush:  # it was written by an earlier flush
            return await self._session.get(entity, ident)

    async def flush(self) -> None:
        await self._session.flush()
        self._staged.clear()
        self._session.expunge_all()  # forget the objects, so memory stays flat

    def __getattr__(self, name: str) -> Any:
        return getattr(self._session, name)


async def _hold_off_writers(session: AsyncSession) -> None:
    """PostgreSQL: let readers read the old rows, make every writer wait for our commit. SQLite's
    ``BEGIN IMMEDIATE`` (shared.db) already holds the whole database's write lock."""
    bind = session.get_bind()
    if bind.dialect.name != "postgresql":
        return
    quote = bind.dialect.identifier_preparer.format_table
    # The inbox first: the consumer writes it before the read models, so no deadlock.
    tables = [inbox_table, *(model.__table__ for model in READ_MODELS)]
    names = ", ".join(quote(table) for table in tables)  # type: ignore[arg-type]
    await session.execute(text(f"LOCK TABLE {names} IN EXCLUSIVE MODE"))


async def rebuild(
    analytics_url: str,
    sources: Mapping[str, str],
    progress: Progress | None = None,
    *,
    handlers: Mapping[type[EventData], Handler] | None = None,
    batch_size: int = BATCH_SIZE,
) -> RebuildResult:
    """Empty the read models of the analytics database at ``analytics_url`` and fill them again
    from the outboxes of ``sources`` (service name -> database URL), in one transaction.

    ``handlers`` defaults to ``READ_MODEL_HANDLERS`` (a test may wrap them). Raises
    :class:`RebuildFailed` if a handler raises; nothing is changed then.
    """
    if batch_size < 1:
        raise ValueError(f"batch_size must be positive, not {batch_size}")
    started = time.perf_counter()
    by_type = {m.type_name(): (m, h) for m, h in (handlers or READ_MODEL_HANDLERS).items()}
    result = RebuildResult(sources={name: SourceCounts() for name in sources})
    result.replayed_until = utcnow()
    engines = {name: make_engine(url) for name, url in sources.items()}
    analytics = make_engine(analytics_url)
    try:
        outboxes = [
            _Outbox(name, engine, result.replayed_until, batch_size)
            for name, engine in engines.items()
        ]
        total = sum([await outbox.count() for outbox in outboxes])
        if progress is not None:
            progress(0, total)
        async with make_sessionmaker(analytics)() as session, session.begin():
            await _hold_off_writers(session)
            for model in READ_MODELS:
                await session.execute(delete(model.__table__))  # type: ignore[arg-type]
            replay = _ReplaySession(session)
            await _apply_all(replay, outboxes, by_type, result, progress, total, batch_size)
    finally:
        for engine in [*engines.values(), analytics]:
            await engine.dispose()
    result.seconds = time.perf_counter() - started
    return result


async def _apply_all(
    session: _ReplaySession,
    outboxes: list[_Outbox],
    handlers: Mapping[str, tuple[type[EventData], Handler]],
    result: RebuildResult,
    progress: Progress | None,
    total: int,
    batch_size: int,
) -> None:
    done = 0
    row: OutboxRow | None = None
    async with contextlib.aclosing(_replay_order(outboxes)) as rows:
        async for row in rows:
            counts = result.sources[row.service]
            counts.events += 1
            done += 1
            decoded = _decode(row, handlers)
            if decoded is None:
                counts.skipped += 1
            elif isinstance(decoded, str):
                counts.undecodable += 1
                if len(result.undecodable) < UNDECODABLE_LISTED:
                    result.undecodable.append(decoded)
            else:
                envelope, data, handler = decoded
                try:
                    await handler(session, data, envelope)  # type: ignore[arg-type]
                except Exception as exc:
                    raise RebuildFailed(row, exc) from exc
                counts.applied += 1
            if done % batch_size == 0:
                await _flush(session, row)
                if progress is not None:
                    progress(done, total)
    if row is not None:
        await _flush(session, row)
    if progress is not None:
        progress(done, total)


async def _flush(session: _ReplaySession, last: OutboxRow) -> None:
    try:
        await session.flush()
    except Exception as exc:
        raise RebuildFailed(last, exc) from exc
