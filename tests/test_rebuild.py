"""``scr-panel analytics rebuild``: the read models rebuilt from a replay of every outbox.

A year of decisions and publications is loaded through the public HTTP API of the real services
(notifications, decisions, publication, analytics with its consumer running); the figures are
read over HTTP before and after a rebuild and must be identical, after the read models were
corrupted too. A failing handler leaves the old read models intact; an undecodable event is
reported and skipped; events arriving during a rebuild still reach the figures; a rebuild raises
no alert again; and the command works from the command line on SQLite files.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import os
import subprocess
import sys
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import delete, func, insert, select, update

from services.analytics import service
from services.analytics.consumers import HANDLERS, READ_MODEL_HANDLERS
from services.analytics.models import Alert, Decision, Notification, QualityScore
from services.analytics.rebuild import RebuildFailed, rebuild
from shared.config import PlatformSettings
from shared.consumer import Handler
from shared.db import inbox_table, make_engine, make_sessionmaker, outbox_table, utcnow
from shared.events.contracts import Authority, LscbRegisteredV1, NotificationReceivedV1
from shared.events.envelope import CloudEvent, EventData
from shared.events.vocab import ConsiderationOutcome, Role
from shared.migrations import upgrade
from shared.outbox import add_event
from tests.support.databases import DatabaseFactory
from tests.support.decisions import Workflow, workflow
from tests.support.publication import notification_received, scr_initiated
from tests.support.publication_loader import PublicationPlan, load_publications
from tests.support.services import auth, eventually, running_app, settings_for
from tests.support.year_loader import BOARDS, Period, YearPlan, load_year
from tests.test_analytics_decisions import considered, decided

YEAR = Period(dt.date(2013, 6, 1), dt.date(2014, 5, 31))
PERIODS = (
    YEAR,
    Period(dt.date(2013, 10, 1), dt.date(2013, 12, 31)),
    Period(dt.date(2013, 1, 1), dt.date(2015, 12, 31)),
)
DECISIONS = YearPlan(
    initiations=6,
    agreed_without_challenge=4,
    scr_after_advice=2,
    accepted_after_information=2,
    awaiting_information=2,
    noise=4,
)
PUBLICATIONS = PublicationPlan(
    reports=5, notices_accepted=1, notices_awaiting_lscb=1, notices_published=1, short_notice=2
)
SOURCES = ("notifications", "decisions", "publication")
QUIET = {"scheduler_interval_seconds": 3600}


class _Recording(DatabaseFactory):
    """The test's databases, remembering which URL each service was given."""

    def __init__(self, inner: DatabaseFactory) -> None:
        self.inner = inner
        self.urls: dict[str, str] = {}

    def new(self, service: str) -> str:
        self.urls[service] = url = self.inner.new(service)
        return url


@dataclass
class World:
    urls: dict[str, str]
    stats: httpx.AsyncClient
    panel: dict[str, str]
    wf: Workflow

    @property
    def sources(self) -> dict[str, str]:
        return {name: self.urls[name] for name in SOURCES}

    async def figures(self) -> dict[str, Any]:
        """Every figure route for every period, as served."""
        answers: dict[str, Any] = {}
        for p in PERIODS:
            for path in ("summary", "summary.csv", "monthly", "lscbs"):
                response = await self.stats.get(
                    f"/v1/stats/{path}", params=p.params(), headers=self.panel
                )
                assert response.status_code == 200, response.text
                body = response.text if path.endswith(".csv") else response.json()
                answers[f"{path} {p.start}..{p.end}"] = body
        return answers


async def _count(url: str, query: Any) -> int:
    engine = make_engine(url)
    try:
        async with engine.connect() as conn:
            return int((await conn.execute(query)).scalar_one())
    finally:
        await engine.dispose()


async def _execute(url: str, *statements: Any) -> None:
    engine = make_engine(url)
    try:
        async with engine.begin() as conn:
            for statement in statements:
                await conn.execute(statement)
    finally:
        await engine.dispose()


def _of_types(handlers: Mapping[type[EventData], Handler]) -> Any:
    names = [m.type_name() for m in handlers]
    return (
        select(func.count()).select_from(outbox_table).where(outbox_table.c.event_type.in_(names))
    )


async def _outbox_events(world: World, handlers: Mapping[type[EventData], Handler]) -> int:
    return sum([await _count(url, _of_types(handlers)) for url in world.sources.values()])


async def _consumed(world: World) -> int:
    return await _count(world.urls["analytics"], select(func.count()).select_from(inbox_table))


async def settled(world: World) -> None:
    """Every event the analytics consumer takes has been applied (its inbox holds them all)."""

    async def check() -> bool:
        expected = await _outbox_events(world, HANDLERS)
        assert await _consumed(world) == expected
        return True

    await eventually(check, timeout=60)


@contextlib.asynccontextmanager
async def loaded_world(
    platform: PlatformSettings, databases: DatabaseFactory
) -> AsyncIterator[World]:
    recording = _Recording(databases)
    analytics = settings_for("analytics", platform, recording.new("analytics"), **QUIET)
    publication = settings_for("publication", platform, recording.new("publication"), **QUIET)
    async with (
        running_app(analytics) as (_, stats),
        running_app(publication) as (_, reports),
        workflow(platform, recording, **QUIET) as wf,
    ):
        await load_year(wf, DECISIONS, YEAR, seed=5)
        await load_publications(wf, reports, PUBLICATIONS, YEAR, seed=6)
        world = World(recording.urls, stats, auth(platform, Role.PANEL), wf)
        await settled(world)
        yield world


def _probing(at_event: int, probe: Callable[[], Awaitable[None]]) -> dict[type[EventData], Handler]:
    """The projections, with ``probe`` awaited once, right after the ``at_event``-th event is
    applied: in the middle of the rebuild's transaction."""
    applied = 0

    def wrap(handler: Handler) -> Handler:
        async def handle(session: Any, data: Any, envelope: CloudEvent) -> None:
            nonlocal applied
            await handler(session, data, envelope)
            applied += 1
            if applied == at_event:
                await probe()

        return handle

    return {model: wrap(handler) for model, handler in READ_MODEL_HANDLERS.items()}


def _is_postgres(url: str) -> bool:
    return url.startswith("postgresql")


async def test_a_rebuild_gives_the_same_figures_and_restores_corrupted_ones(
    platform: PlatformSettings, databases: DatabaseFactory
) -> None:
    async with loaded_world(platform, databases) as world:
        analytics = world.urls["analytics"]
        before = await world.figures()
        inbox_before = await _consumed(world)
        alerts = select(func.count()).select_from(Alert)
        alerts_before = await _count(analytics, alerts)
        raised = select(func.count()).select_from(outbox_table)  # analytics' own: alert.raised
        raised_before = await _count(analytics, raised)
        # Short-notice reports were loaded: the consumer raised alerts for them.
        assert alerts_before >= PUBLICATIONS.short_notice and raised_before == alerts_before

        result = await rebuild(analytics, world.sources)
        assert await world.figures() == before
        projected = await _outbox_events(world, READ_MODEL_HANDLERS)
        all_rows = select(func.count()).select_from(outbox_table)
        every = sum([await _count(url, all_rows) for url in world.sources.values()])
        total = result.total()
        assert (total.events, total.applied, total.undecodable) == (every, projected, 0)
        assert total.skipped == every - projected and set(result.sources) == set(SOURCES)
        # No alert raised again, none announced again; the consumer's inbox as it was.
        assert await _count(analytics, alerts) == alerts_before
        assert await _count(analytics, raised) == raised_before
        assert await _consumed(world) == inbox_before

        # Corrupt the read models: rows lost, a value changed.
        await _execute(
            analytics,
            delete(Notification).where(Notification.late.is_(False)),
            update(Decision).values(decision="initiate"),
            delete(QualityScore),
        )
        corrupted = await world.figures()
        assert corrupted != before
        watched = f"summary {YEAR.start}..{YEAR.end}"
        assert (
            corrupted[watched]["scr_initiation_decisions"]
            != before[watched]["scr_initiation_decisions"]
        )

        # Read in the middle of the rebuild: never a half-built state. PostgreSQL answers with
        # the old (corrupted) figures at once; SQLite's reader waits for the writer to commit.
        reading: list[asyncio.Task[dict[str, Any]]] = []

        async def probe() -> None:
            task = asyncio.create_task(world.figures())
            reading.append(task)
            postgres = _is_postgres(analytics)
            done, _ = await asyncio.wait({task}, timeout=15 if postgres else 3)
            if postgres:
                assert done and task.result() == corrupted
            else:
                assert not done

        await rebuild(analytics, world.sources, handlers=_probing(40, probe), batch_size=7)
        assert reading, "the probe never ran: too few events"
        assert await reading[0] in (corrupted, before)
        if not _is_postgres(analytics):
            assert await reading[0] == before  # it waited for the commit
        assert await world.figures() == before

        # Were the rules run, they would raise anew every alert whose row is gone (an alert is
        # raised once per cause, so with the rows there a re-run would go unseen).
        await _execute(analytics, delete(Alert))
        await rebuild(analytics, world.sources)
        assert await _count(analytics, alerts) == 0
        assert await _count(analytics, raised) == raised_before


async def test_events_arriving_during_a_rebuild_reach_the_figures(
    platform: PlatformSettings, databases: DatabaseFactory
) -> None:
    """The consumer runs on: what it receives while the rebuild holds the tables, it applies
    after the commit, and the figures equal those of a quiet rebuild afterwards."""
    async with loaded_world(platform, databases) as world:
        before = await world.figures()
        count = 4
        day = YEAR.start + dt.timedelta(days=40)

        consumed = await _consumed(world)
        unpublished = (
            select(func.count())
            .select_from(outbox_table)
            .where(outbox_table.c.published_at.is_(None))
        )

        async def notify_meanwhile() -> None:
            for n in range(count):
                await world.wf.notify(BOARDS[n % len(BOARDS)], day)

            async def published() -> bool:
                return await _count(world.urls["notifications"], unpublished) == 0

            await eventually(published, timeout=20)
            # Long enough for the consumer to fetch them and try to apply them.
            await asyncio.sleep(1.5)
            if _is_postgres(world.urls["analytics"]):
                # Held off: the rebuild's lock keeps its inbox rows (and effects) waiting. (On
                # SQLite even this read would wait for the rebuild's write lock.)
                assert await _consumed(world) == consumed

        await rebuild(
            world.urls["analytics"],
            world.sources,
            handlers=_probing(20, notify_meanwhile),
            batch_size=5,
        )
        await settled(world)
        after = await world.figures()
        key = f"summary {YEAR.start}..{YEAR.end}"
        received = after[key]["notifications_received"]
        assert received == before[key]["notifications_received"] + count
        await rebuild(world.urls["analytics"], world.sources)
        assert await world.figures() == after


# --- a small history written straight into the outboxes -----------------------------------------


def _history(cases: int) -> dict[str, list[EventData]]:
    """Boards, notifications (notifications' outbox) and decisions with considerations
    (decisions' outbox), as those services would have written them."""
    boards: list[EventData] = [
        LscbRegisteredV1(
            lscb_id=b,
            name=f"Board {b}",
            registered_on=dt.date(2013, 4, 1),
            authorities=(Authority(ons_code=b, name=f"Authority {b}", dfe_la_code="999"),),
        )
        for b in BOARDS
    ]
    notifications: list[EventData] = []
    decisions: list[EventData] = []
    for n in range(cases):
        on = dt.date(2013, 7, 1) + dt.timedelta(days=7 * n)
        notifications.append(notification_received(scr_initiated(BOARDS[n % len(BOARDS)], on)))
        decision = decided(str(n), on, initiate=n % 3 == 0)
        decisions.append(decision)
        if n % 3:
            outcome = ConsiderationOutcome.AGREE if n % 2 else ConsiderationOutcome.CHALLENGE
            decisions.append(considered(decision, 0, on + dt.timedelta(days=20), outcome, True))
    return {"notifications": boards + notifications, "decisions": decisions}


def _subject(data: EventData) -> str:
    return str(getattr(data, "case_id", None) or getattr(data, "lscb_id", "x"))


async def _write_outbox(url: str, events: list[EventData]) -> None:
    engine = make_engine(url)
    try:
        async with make_sessionmaker(engine)() as session, session.begin():
            for data in events:
                await add_event(session, data, subject=_subject(data))
    finally:
        await engine.dispose()


async def _summary(url: str) -> dict[str, Any]:
    engine = make_engine(url)
    try:
        async with make_sessionmaker(engine)() as session:
            p = service.period(dt.date(2013, 1, 1), dt.date(2016, 12, 31))
            return (await service.summary(session, p)).model_dump(mode="json")
    finally:
        await engine.dispose()


async def _small_world(databases: DatabaseFactory, cases: int = 30) -> dict[str, str]:
    urls = {name: databases.new(name) for name in ("notifications", "decisions", "analytics")}
    for name, events in _history(cases).items():
        await _write_outbox(urls[name], events)
    return urls


def _sources(urls: dict[str, str]) -> dict[str, str]:
    return {name: urls[name] for name in ("notifications", "decisions")}


async def test_a_failing_handler_leaves_the_old_read_models_intact(
    databases: DatabaseFactory,
) -> None:
    urls = await _small_world(databases)
    await rebuild(urls["analytics"], _sources(urls))
    built = await _summary(urls["analytics"])
    assert built["notifications_received"] == 30 and built["scr_initiation_decisions"] == 10
    # The notification to fail on comes late in the replay, after several flushed batches.
    poison = notification_received(scr_initiated(BOARDS[0], dt.date(2014, 3, 3)))
    poison = poison.model_copy(update={"notification_id": "poison"})
    await _write_outbox(urls["notifications"], [poison])

    async def failing(session: Any, data: Any, envelope: CloudEvent) -> None:
        if getattr(data, "notification_id", None) == "poison":
            raise RuntimeError("the handler broke")
        await READ_MODEL_HANDLERS[NotificationReceivedV1](session, data, envelope)

    handlers = {**READ_MODEL_HANDLERS, NotificationReceivedV1: failing}
    with pytest.raises(RebuildFailed) as failure:
        await rebuild(urls["analytics"], _sources(urls), handlers=handlers, batch_size=5)
    assert "notification.received.v1" in str(failure.value)
    assert "the handler broke" in str(failure.value)
    assert failure.value.row.service == "notifications"
    assert await _summary(urls["analytics"]) == built
    # Without the fault, the same outboxes rebuild, the new notification included.
    await rebuild(urls["analytics"], _sources(urls))
    assert (await _summary(urls["analytics"]))["notifications_received"] == 31


async def test_an_undecodable_event_is_reported_and_skipped(databases: DatabaseFactory) -> None:
    urls = await _small_world(databases, cases=6)
    good = await rebuild(urls["analytics"], _sources(urls))
    expected = await _summary(urls["analytics"])
    row = {
        "topic": "notifications.events",
        "key": "x",
        "published_at": None,
        "created_at": utcnow(),
    }
    await _execute(
        urls["notifications"],
        insert(outbox_table).values(
            event_id="not-json", event_type="notification.received.v1", payload="{oops", **row
        ),
        insert(outbox_table).values(
            event_id="bad-data",
            event_type="notification.received.v1",
            payload=CloudEvent(
                source="urn:scr-panel:notifications",
                type="notification.received.v1",
                time=utcnow(),
                subject="x",
                data={"notification_id": "missing everything else"},
            ).model_dump_json(),
            **row,
        ),
        insert(outbox_table).values(
            event_id="unknown-type",
            event_type="notification.withdrawn.v9",
            payload=CloudEvent(
                source="urn:scr-panel:notifications",
                type="notification.withdrawn.v9",
                time=utcnow(),
                subject="x",
                data={},
            ).model_dump_json(),
            **row,
        ),
    )
    result = await rebuild(urls["analytics"], _sources(urls))
    counts = result.sources["notifications"]
    assert counts.undecodable == 2 and counts.skipped == 1
    assert counts.applied == good.sources["notifications"].applied
    assert len(result.undecodable) == 2
    assert any("not-json" in line for line in result.undecodable)
    assert "undecodable, skipped" in result.describe()
    assert await _summary(urls["analytics"]) == expected


def _cli_environment(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.endswith("_DATABASE_URL")}
    env["SCR_DATA_DIR"] = "/nonexistent"  # --data-dir must win
    return env


async def test_the_command_rebuilds_sqlite_files_with_a_progress_bar(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    urls = {
        name: f"sqlite+aiosqlite:///{data_dir / f'{name}.db'}"
        for name in ("notifications", "decisions", "analytics")
    }  # no publication database: it has no events yet
    for name, url in urls.items():
        await asyncio.to_thread(upgrade, name, url)
    for name, events in _history(12).items():
        await _write_outbox(urls[name], events)
    await _execute(urls["analytics"], delete(Notification))  # nothing there; a rebuild fills it

    script = Path(sys.executable).with_name("scr-panel")
    completed = await asyncio.to_thread(
        subprocess.run,
        [str(script), "analytics", "rebuild", "--data-dir", str(data_dir), "--batch-size", "5"],
        capture_output=True,
        text=True,
        env=_cli_environment(data_dir),
        timeout=60,
    )
    assert completed.returncode == 0, completed.stderr
    out, err = completed.stdout, completed.stderr
    assert "publication: no database yet, so no events of it to replay" in out
    events = len(_history(12)["notifications"]) + len(_history(12)["decisions"])
    assert "100%" in err and f"{events}/{events}" in err  # tqdm's bar, on stderr
    lines = {line.split()[0]: line.split()[1:] for line in out.splitlines() if line.strip()}
    assert lines["notifications"][:3] == [str(len(BOARDS) + 12), str(len(BOARDS) + 12), "0"]
    assert lines["total"][:2] == [str(events), str(events)]
    assert "rebuilt in" in out and "events/s" in out
    figures = await _summary(urls["analytics"])
    assert figures["notifications_received"] == 12 and figures["scr_initiation_decisions"] == 4


async def test_the_command_refuses_an_analytics_database_that_does_not_exist(
    tmp_path: Path,
) -> None:
    script = Path(sys.executable).with_name("scr-panel")
    completed = await asyncio.to_thread(
        subprocess.run,
        [str(script), "analytics", "rebuild", "--data-dir", str(tmp_path)],
        capture_output=True,
        text=True,
        env=_cli_environment(tmp_path),
        timeout=60,
    )
    assert completed.returncode == 1
    assert "analytics: no database yet (run `scr-panel migrate`)" in completed.stderr
    assert not (tmp_path / "analytics.db").exists()
