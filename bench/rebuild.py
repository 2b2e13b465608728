"""Rebuild benchmark: how fast does `scr-panel analytics rebuild` replay a large history?

For each size: fresh notifications, decisions, publication and analytics databases, migrated;
the seeded synthetic history of bench/summary.py (``--years`` years from June 2013 at the panel's
first-year volume times ``--scale``: the 152 boards, notifications, decisions, the panel's
considerations, follow-ups and the boards' responses, reports, notices and their steps, quality
reviews, recommendations and their changes) written straight into each producer's OUTBOX as the
service would have written it (a CloudEvent per row, ``created_at`` on the event's business day,
already published). Then ``services.analytics.rebuild.rebuild`` twice: once over empty read
models (a first build), once over the full ones (a true rebuild: it deletes them first). The
summary over the whole span must be the same after both. Prints one JSON document.

    .venv/bin/python bench/rebuild.py                      # temporary SQLite files
    .venv/bin/python bench/rebuild.py --postgres           # throwaway PostgreSQL databases
    .venv/bin/python bench/rebuild.py --years 10 --scale 1 --batch-size 500
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert, text

from bench.common import DEFAULT_POSTGRES_SERVER, Databases, emit, environment, log, workspace
from bench.summary import FIRST_YEAR, SPAN_START, Planned, span_end, synthetic_history
from services.analytics import service
from services.analytics.rebuild import BATCH_SIZE, RebuildResult, rebuild
from shared.db import make_engine, make_sessionmaker, outbox_table
from shared.events.envelope import CloudEvent
from shared.events.topics import events_topic
from shared.migrations import upgrade

SOURCES = ("notifications", "decisions", "publication")
ROWS_PER_INSERT = 2000


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--years", type=int, default=10, help="years of history (default: 10)")
    parser.add_argument(
        "--scale",
        default="1,10",
        help="comma-separated multiples of the first year's volume, one size each "
        "(default: %(default)s: ten years as the panel saw them, and ten times that)",
    )
    parser.add_argument("--batch-size", type=int, default=BATCH_SIZE, help="the rebuild's batch")
    parser.add_argument("--seed", type=int, default=2013, help="seed of the synthetic history")
    parser.add_argument(
        "--postgres",
        nargs="?",
        const=DEFAULT_POSTGRES_SERVER,
        metavar="URL",
        help=(
            "use throwaway PostgreSQL databases, created on this server and dropped after"
            " (a user allowed to CREATE DATABASE; default %(const)s). Default: SQLite files."
        ),
    )
    args = parser.parse_args(argv)
    try:
        args.scales = [int(n) for n in args.scale.split(",")]
    except ValueError:
        parser.error("--scale: comma-separated whole numbers, e.g. 1,10")
    if min(args.scales) < 1 or args.years < 1 or args.batch_size < 1:
        parser.error("--years, --scale and --batch-size must be positive")
    return args


def outbox_row(event: Planned) -> dict[str, Any]:
    """The row ``shared.outbox.add_event`` would have written, on the event's business day (noon
    UTC, a microsecond per event so that the history's own order is kept)."""
    created_at = dt.datetime.combine(event.day, dt.time(12), tzinfo=dt.UTC)
    created_at += dt.timedelta(microseconds=event.seq)
    envelope = CloudEvent.wrap(event.data, subject=event.subject, time=created_at)
    return {
        "event_id": envelope.id,
        "topic": events_topic(event.data.producer),
        "key": event.subject,
        "event_type": envelope.type,
        "payload": envelope.model_dump_json(),
        "created_at": created_at,
        "published_at": created_at,
    }


async def fill_outboxes(urls: dict[str, str], events: list[Planned]) -> None:
    for name, url in urls.items():
        rows = [outbox_row(e) for e in events if e.data.producer == name]
        engine = make_engine(url)
        try:
            for start in range(0, len(rows), ROWS_PER_INSERT):
                async with engine.begin() as conn:
                    await conn.execute(insert(outbox_table), rows[start : start + ROWS_PER_INSERT])
            if engine.dialect.name == "postgresql":
                # Statistics, as autovacuum would have them for an outbox filled over years:
                # fresh from a bulk insert the planner would sort the rest of the outbox for
                # every page the rebuild reads.
                async with engine.begin() as conn:
                    await conn.execute(text("ANALYZE outbox"))
        finally:
            await engine.dispose()


async def whole_span_summary(url: str, years: int) -> dict[str, Any]:
    engine = make_engine(url)
    try:
        async with make_sessionmaker(engine)() as session:
            figures = await service.summary(session, service.period(SPAN_START, span_end(years)))
            return figures.model_dump(mode="json")
    finally:
        await engine.dispose()


def timed_rebuild(analytics: str, sources: dict[str, str], batch_size: int) -> dict[str, Any]:
    result: RebuildResult = asyncio.run(rebuild(analytics, sources, batch_size=batch_size))
    total = result.total()
    return {
        "seconds": round(result.seconds, 2),
        "events": total.events,
        "applied": total.applied,
        "skipped": total.skipped,
        "events_per_second": round(total.events / result.seconds),
    }


def measure_size(args: argparse.Namespace, databases: Databases, scale: int) -> dict[str, Any]:
    urls = {name: databases.url(f"{name}_x{scale}") for name in (*SOURCES, "analytics")}
    for name, url in urls.items():
        upgrade(name, url)  # blocking, and runs its own event loop: outside ours
    size = f"{args.years} years x{scale}"
    log(f"{size}: making the history")
    events = synthetic_history(args.years, FIRST_YEAR.times(scale), args.seed)
    sources = {name: urls[name] for name in SOURCES}
    log(f"{size}: writing {len(events)} events into the outboxes")
    asyncio.run(fill_outboxes(sources, events))
    by_type = dict(Counter(type(e.data).type_name() for e in events))
    del events
    log(f"{size}: first build")
    first = timed_rebuild(urls["analytics"], sources, args.batch_size)
    before = asyncio.run(whole_span_summary(urls["analytics"], args.years))
    log(f"{size}: {first['events_per_second']} events/s; rebuilding over full tables")
    again = timed_rebuild(urls["analytics"], sources, args.batch_size)
    after = asyncio.run(whole_span_summary(urls["analytics"], args.years))
    if before != after:
        raise RuntimeError(f"{size}: the summary changed on a rebuild")
    log(f"{size}: {again['events_per_second']} events/s")
    return {
        "years": args.years,
        "scale": scale,
        "events_by_type": by_type,
        "first_build": first,
        "rebuild_over_full_tables": again,
        "summary_identical": True,
        "notifications_received": after["notifications_received"],
        "reports_received_before_publication": after["reports_received_before_publication"],
    }


@contextlib.contextmanager
def scratch(args: argparse.Namespace) -> Iterator[Databases]:
    options = argparse.Namespace(
        database_url=None, postgres=args.postgres is not None, postgres_server=args.postgres
    )
    with workspace(options) as (_, databases):
        yield databases


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started, machine = time.perf_counter(), environment()
    with scratch(args) as databases:
        sizes = [measure_size(args, databases, scale) for scale in args.scales]
        emit(
            {
                "benchmark": "rebuild",
                "database": databases.backend,
                "params": {
                    "years": args.years,
                    "scales": args.scales,
                    "batch_size": args.batch_size,
                    "seed": args.seed,
                    "span": [SPAN_START.isoformat(), span_end(args.years).isoformat()],
                },
                "environment": machine,
                "sizes": sizes,
                "wall_seconds": round(time.perf_counter() - started, 1),
            }
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
