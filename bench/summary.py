"""Summary benchmark: how long GET /v1/stats/summary of the analytics service takes as the data
grows.

For each size: a fresh analytics database, migrated, then a seeded synthetic history (the 152
boards, and per case a notification, a decision and for about a quarter the panel's
considerations, follow-ups and the boards' responses, 2013-2020) applied through the service's
own event handlers; then the app in-process under httpx's ASGI transport, timing the summary
for a month, a year and the whole span. Prints one JSON document, one object per size.

    .venv/bin/python bench/summary.py                              # temporary SQLite files
    .venv/bin/python bench/summary.py --postgres                   # throwaway PostgreSQL databases
    .venv/bin/python bench/summary.py --cases 1000,5000 --requests 50 --breakdown
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import csv
import datetime as dt
import gc
import random
import statistics
import sys
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bench.common import (
    DEFAULT_POSTGRES_SERVER,
    REGISTRY_CSV,
    Databases,
    emit,
    environment,
    latency_summary,
    log,
    workspace,
)
from services.analytics import service
from services.analytics.app import create_app
from services.analytics.consumers import HANDLERS
from services.analytics.models import Lscb
from services.analytics.schemas import Period
from shared.auth import issue_token
from shared.config import PlatformSettings, service_settings
from shared.db import make_engine, make_sessionmaker
from shared.events.contracts import (
    Authority,
    ConsiderationRecordedV1,
    DecisionRecordedV1,
    FollowUpClosedV1,
    FollowUpOpenedV1,
    LscbRegisteredV1,
    LscbResponseRecordedV1,
    NotificationReceivedV1,
)
from shared.events.envelope import CloudEvent, EventData
from shared.events.vocab import (
    AbuseOrNeglect,
    CaseState,
    ConsiderationOutcome,
    InitiationDecision,
    NonInitiationReason,
    Outcome,
    ResponseAction,
    Sex,
)
from shared.migrations import upgrade

# The history: from the panel's first day (the summary's default `from`) to the end of 2020.
SPAN_START = service.DEFAULT_FROM
SPAN_END = dt.date(2020, 12, 31)
REGISTERED_ON = dt.date(2013, 4, 1)  # as the notifications service seeds its registry
PERIODS = {
    "month": (dt.date(2017, 3, 1), dt.date(2017, 3, 31)),
    "year": (dt.date(2017, 1, 1), dt.date(2017, 12, 31)),
    "whole": (SPAN_START, SPAN_END),
}
# How a case goes: shares chosen to look like the panel's years, not taken from them.
NOT_INITIATED_SHARE = 0.25
LATE_SHARE = 0.2
FIRST_AGREE_SHARE = 0.6
LATER_AGREE_SHARE = 0.7
BREACH_SHARE = 0.1
UNANSWERED_SHARE = 0.15  # follow-ups left open: some become overdue
INITIATE_AFTER_ADVICE_SHARE = 0.4
MAX_ROUNDS = 3
RESPONSE_DAYS = 14
REVIEW_TYPES = ("single_agency_review", "learning_lessons_review", "multi_agency_case_audit")
OTHER_REVIEW_WORDS = ("Multi-agency audit", "multi-agency  audit", "Practice learning day")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--cases",
        default="1000,10000,50000",
        help="comma-separated history sizes, in cases (default: %(default)s)",
    )
    parser.add_argument(
        "--requests", type=int, default=20, help="timed summaries per period and size"
    )
    parser.add_argument(
        "--batch", type=int, default=300, help="events applied per transaction while loading"
    )
    parser.add_argument("--seed", type=int, default=2013, help="seed of the synthetic history")
    parser.add_argument(
        "--breakdown",
        action="store_true",
        help="also time each query function of services/analytics/service.py on its own",
    )
    parser.add_argument(
        "--no-analyze",
        action="store_true",
        help="PostgreSQL: skip ANALYZE after the load (the planner then has no statistics)",
    )
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
        args.sizes = [int(n) for n in args.cases.split(",")]
    except ValueError:
        parser.error("--cases: comma-separated whole numbers, e.g. 1000,10000")
    if min(args.sizes) < 1 or args.requests < 1 or args.batch < 1:
        parser.error("--cases, --requests and --batch must be positive")
    return args


# --- the synthetic history --------------------------------------------------------------------


class Planned(NamedTuple):
    """One event to apply; sorted by (day, seq) so the tables fill in business-date order, as
    they would from the live topics (on PostgreSQL that decides how the rows lie on disk)."""

    day: dt.date
    seq: int
    subject: str
    data: EventData


@dataclass
class History:
    rng: random.Random
    events: list[Planned] = field(default_factory=list)

    def add(self, day: dt.date, subject: str, data: EventData) -> None:
        self.events.append(Planned(day, len(self.events), subject, data))

    def uid(self) -> str:
        # Seeded, unlike uuid4(): the same --seed gives the same ids, hence the same B-trees.
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def days(self, low: int, high: int) -> dt.timedelta:
        return dt.timedelta(days=self.rng.randint(low, high))


@dataclass(frozen=True)
class Case:
    """The ids every decisions event of a case carries."""

    case_id: str
    decision_id: str
    lscb_id: str

    def ids(self) -> dict[str, Any]:
        return {"case_id": self.case_id, "decision_id": self.decision_id, "lscb_id": self.lscb_id}


def registry() -> list[tuple[str, str, str]]:
    """(ons_code, name, dfe_la_code) of the 152 boards the notifications service seeds."""
    with REGISTRY_CSV.open(encoding="utf-8") as handle:
        return [(r["ons_code"], r["name"], r["dfe_la_code"]) for r in csv.DictReader(handle)]


def add_boards(history: History, boards: list[tuple[str, str, str]]) -> None:
    for ons_code, name, dfe_la_code in boards:
        authority = Authority(ons_code=ons_code, name=name, dfe_la_code=dfe_la_code)
        data = LscbRegisteredV1(
            lscb_id=ons_code, name=name, registered_on=REGISTERED_ON, authorities=(authority,)
        )
        history.add(REGISTERED_ON, ons_code, data)


def add_notification(history: History, case: Case, notified_on: dt.date) -> None:
    rng = history.rng
    aware = notified_on - history.days(0, 12)
    data = NotificationReceivedV1(
        notification_id=case.case_id,
        case_id=case.case_id,
        reference=f"SIN-{notified_on.year}-{case.case_id[:8].upper()}",
        lscb_id=case.lscb_id,
        incident_date=aware - history.days(0, 5),
        became_aware_on=aware,
        notified_on=notified_on,
        outcome=rng.choice(list(Outcome)),
        abuse_or_neglect=tuple(rng.sample(list(AbuseOrNeglect), k=rng.randint(1, 2))),
        child_age_years=rng.randint(0, 17),
        child_sex=rng.choice(list(Sex)),
        looked_after=rng.random() < 0.1,
        on_child_protection_plan=rng.random() < 0.2,
        working_days_to_notify=rng.randint(0, 10),
        late=rng.random() < LATE_SHARE,
    )
    history.add(notified_on, case.case_id, data)


def add_decision(history: History, case: Case, decided_on: dt.date, initiate: bool) -> None:
    rng = history.rng
    reasons: tuple[NonInitiationReason, ...] = ()
    review: str | None = None
    label: str | None = None
    if not initiate:
        reasons = tuple(rng.sample(list(NonInitiationReason), k=rng.randint(1, 2)))
        if NonInitiationReason.OTHER_REVIEW_PREFERRED in reasons:
            review = rng.choice([*REVIEW_TYPES, "other"])
            # Free words for `other`, spelt variously: the handler's normalisation at work.
            label = rng.choice(OTHER_REVIEW_WORDS) if review == "other" else None
    data = DecisionRecordedV1(
        **case.ids(),
        notification_id=case.case_id,
        reference=f"SIN-{decided_on.year}-{case.case_id[:8].upper()}",
        decision=InitiationDecision.INITIATE if initiate else InitiationDecision.NOT_INITIATE,
        decided_on=decided_on,
        reasons=reasons,
        alternative_review_type=review,
        alternative_review_type_label=label,
        state=CaseState.SCR_INITIATED if initiate else CaseState.AWAITING_PANEL,
    )
    history.add(decided_on, case.case_id, data)


def add_consideration(
    history: History, case: Case, day: dt.date, first: bool
) -> FollowUpOpenedV1 | None:
    """The panel's consideration; for a challenge or referral back, the follow-up it opens
    (returned: the board answers it), else None."""
    rng = history.rng
    if rng.random() < (FIRST_AGREE_SHARE if first else LATER_AGREE_SHARE):
        outcome = ConsiderationOutcome.AGREE
        state = (
            CaseState.AGREED_WITHOUT_CHALLENGE
            if first
            else CaseState.ACCEPTED_AFTER_FURTHER_INFORMATION
        )
    else:
        outcome = rng.choice([ConsiderationOutcome.CHALLENGE, ConsiderationOutcome.REFER_BACK])
        state = CaseState.AWAITING_LSCB
    queried = outcome is not ConsiderationOutcome.AGREE
    consideration_id = history.uid()
    data = ConsiderationRecordedV1(
        **case.ids(),
        consideration_id=consideration_id,
        considered_on=day,
        outcome=outcome,
        first_consideration=first,
        statutory_breach=queried and rng.random() < BREACH_SHARE,
        response_due_on=day + dt.timedelta(days=RESPONSE_DAYS) if queried else None,
        state=state,
    )
    history.add(day, case.case_id, data)
    if not queried:
        return None
    opened = FollowUpOpenedV1(
        **case.ids(),
        follow_up_id=history.uid(),
        consideration_id=consideration_id,
        reason=outcome,
        opened_on=day,
        due_on=day + dt.timedelta(days=RESPONSE_DAYS),
    )
    history.add(day, case.case_id, opened)
    return opened


def add_response(
    history: History, case: Case, opened: FollowUpOpenedV1, day: dt.date
) -> ResponseAction:
    if history.rng.random() < INITIATE_AFTER_ADVICE_SHARE:
        action, state = ResponseAction.INITIATE_SCR, CaseState.SCR_INITIATED_AFTER_ADVICE
    else:
        action, state = ResponseAction.PROVIDE_INFORMATION, CaseState.AWAITING_PANEL
    response_id = history.uid()
    response = LscbResponseRecordedV1(
        **case.ids(),
        response_id=response_id,
        follow_up_id=opened.follow_up_id,
        responded_on=day,
        action=action,
        state=state,
    )
    closed = FollowUpClosedV1(
        **case.ids(),
        follow_up_id=opened.follow_up_id,
        response_id=response_id,
        closed_on=day,
        action=action,
        was_overdue=day > opened.due_on,
    )
    history.add(day, case.case_id, response)
    history.add(day, case.case_id, closed)
    return action


def add_panel_rounds(history: History, case: Case, day: dt.date) -> None:
    """Consideration, then (if challenged or referred back) the board's answer, up to
    MAX_ROUNDS times; a case may stop anywhere: agreed, SCR after advice, or awaiting."""
    for round_ in range(MAX_ROUNDS):
        day += history.days(7, 30)
        opened = add_consideration(history, case, day, first=round_ == 0)
        if opened is None or history.rng.random() < UNANSWERED_SHARE:
            return
        day += history.days(3, 25)
        if add_response(history, case, opened, day) is ResponseAction.INITIATE_SCR:
            return


def synthetic_history(cases: int, seed: int) -> list[Planned]:
    history = History(random.Random(seed))
    boards = registry()
    add_boards(history, boards)
    span_days = (SPAN_END - SPAN_START).days
    for _ in range(cases):
        board = history.rng.choice(boards)[0]
        case = Case(case_id=history.uid(), decision_id=history.uid(), lscb_id=board)
        notified_on = SPAN_START + dt.timedelta(days=history.rng.randint(0, span_days))
        add_notification(history, case, notified_on)
        decided_on = notified_on + history.days(5, 40)
        initiate = history.rng.random() >= NOT_INITIATED_SHARE
        add_decision(history, case, decided_on, initiate)
        if not initiate:
            add_panel_rounds(history, case, decided_on)
    return sorted(history.events, key=lambda e: (e.day, e.seq))


# --- loading ----------------------------------------------------------------------------------


async def apply_events(url: str, events: list[Planned], batch: int, analyze: bool) -> None:
    """Through the consumer's handlers, ``batch`` events per transaction. Without the inbox
    rows the consumer would add: the summary never reads that table, and they would only
    slow the load."""
    engine = make_engine(url)
    sessionmaker = make_sessionmaker(engine)
    try:
        for start in range(0, len(events), batch):
            async with sessionmaker() as session, session.begin():
                for event in events[start : start + batch]:
                    envelope = CloudEvent.wrap(event.data, subject=event.subject)
                    await HANDLERS[type(event.data)](session, event.data, envelope)
        if analyze and engine.dialect.name == "postgresql":
            # Fresh statistics, as autovacuum would have them for data that arrived over years;
            # right after a bulk load the planner would otherwise guess. Committed: statistics
            # are transactional, and a rolled-back ANALYZE leaves none.
            async with engine.begin() as conn:
                await conn.execute(text("ANALYZE"))
    finally:
        await engine.dispose()


# --- measuring --------------------------------------------------------------------------------


async def time_summary(
    client: httpx.AsyncClient, headers: dict[str, str], period: tuple[dt.date, dt.date], n: int
) -> dict[str, Any]:
    """The first (cold) summary on its own, then ``n`` timed ones."""
    params = {"from": period[0].isoformat(), "to": period[1].isoformat()}

    async def one() -> tuple[float, dict[str, Any]]:
        started = time.perf_counter()
        response = await client.get("/v1/stats/summary", params=params, headers=headers)
        elapsed = time.perf_counter() - started
        if response.status_code != 200:
            raise RuntimeError(f"summary {params}: {response.status_code} {response.text[:300]}")
        return elapsed, response.json()

    first, body = await one()
    timings = [(await one())[0] for _ in range(n)]
    return {
        "from": params["from"],
        "to": params["to"],
        "first_ms": round(1000 * first, 3),
        "latency_ms": latency_summary(timings),
        # Enough of the answer to see the figures are not empty.
        "notifications_received": body["notifications_received"],
        "non_initiation_decisions_considered": body["non_initiation_decisions_considered"],
        "follow_ups_overdue": body["follow_ups_overdue"],
    }


async def measure_requests(url: str, n: int) -> dict[str, Any]:
    platform = PlatformSettings()
    settings = service_settings(
        "analytics",
        database_url=url,
        run_workers=False,
        migrate_on_start=False,
        platform=platform,
    )
    headers = {"Authorization": f"Bearer {issue_token(platform, 'panel')}"}
    app = create_app(settings)
    # The app's own lifespan (engine, sessionmaker), as tests/support/services.running_app runs it.
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            return {
                name: await time_summary(client, headers, period, n)
                for name, period in PERIODS.items()
            }


Query = Callable[[AsyncSession, Period], Awaitable[object]]


async def _silent(session: AsyncSession, p: Period) -> object:
    boards = {b.id: b for b in (await session.scalars(select(Lscb))).all()}
    active = service.active_boards(boards.values(), p.date_to)
    return await service.silent_boards(session, boards, active, p.date_to)


# What service.summary awaits, one by one (the registry read is part of silent_boards here).
QUERIES: dict[str, Query] = {
    "notification_counts": service.notification_counts,
    "silent_boards": _silent,
    "initiation_decisions": service.initiation_decisions,
    "non_initiation_outcomes": service.non_initiation_outcomes,
    "consideration_counts": service.consideration_counts,
    "panel_considerations": service.panel_considerations,
    "non_initiation_reasons": service.non_initiation_reasons,
    "alternative_review_types": service.alternative_review_types,
    "follow_ups_overdue": lambda session, p: service.follow_ups_overdue(session, p.date_to),
}


async def measure_queries(url: str, n: int) -> dict[str, dict[str, float]]:
    """Median ms of each query function per period, each in its own session, after one
    unmeasured call (so that no figure pays for the connection or a cold cache alone)."""
    engine = make_engine(url)
    sessionmaker: async_sessionmaker[AsyncSession] = make_sessionmaker(engine)
    figures: dict[str, dict[str, float]] = {}
    try:
        for name, (start, end) in PERIODS.items():
            p = Period(date_from=start, date_to=end)
            figures[name] = {}
            for label, query in QUERIES.items():
                timings = []
                for _ in range(n + 1):
                    async with sessionmaker() as session:
                        started = time.perf_counter()
                        await query(session, p)
                        timings.append(time.perf_counter() - started)
                figures[name][label] = round(1000 * statistics.median(timings[1:]), 3)
    finally:
        await engine.dispose()
    return figures


def load(args: argparse.Namespace, url: str, cases: int) -> dict[str, Any]:
    """Make the history and apply it; the events are dropped on return (see measure_size)."""
    log(f"{cases} cases: making the history")
    events = synthetic_history(cases, args.seed)
    log(f"{cases} cases: applying {len(events)} events")
    started = time.perf_counter()
    asyncio.run(apply_events(url, events, args.batch, analyze=not args.no_analyze))
    load_seconds = time.perf_counter() - started
    log(f"{cases} cases: loaded in {load_seconds:.1f} s; timing the summary")
    return {
        "cases": cases,
        "events": len(events),
        "events_by_type": dict(Counter(type(e.data).type_name() for e in events)),
        "load_seconds": round(load_seconds, 2),
        "events_per_second": round(len(events) / load_seconds),
    }


def measure_size(args: argparse.Namespace, databases: Databases, cases: int) -> dict[str, Any]:
    url = databases.url(f"analytics_{cases}")
    upgrade("analytics", url)  # blocking, and runs its own event loop: outside ours
    figures = load(args, url, cases)
    # Kept alive, the history's objects (millions at 50000 cases) made every full collection
    # of the garbage collector pause a request for up to a second: none of the service's cost.
    gc.collect()
    figures["summary"] = asyncio.run(measure_requests(url, args.requests))
    if args.breakdown:
        log(f"{cases} cases: timing each query")
        figures["query_median_ms"] = asyncio.run(measure_queries(url, max(3, args.requests // 4)))
    return figures


@contextlib.contextmanager
def scratch(args: argparse.Namespace) -> Iterator[Databases]:
    # bench.common.workspace reads the options of add_database_arguments; ours is --postgres URL.
    options = argparse.Namespace(
        database_url=None, postgres=args.postgres is not None, postgres_server=args.postgres
    )
    with workspace(options) as (_, databases):
        yield databases


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started, machine = time.perf_counter(), environment()
    with scratch(args) as databases:
        sizes = [measure_size(args, databases, cases) for cases in args.sizes]
        emit(
            {
                "benchmark": "summary",
                "database": databases.backend,
                "params": {
                    "cases": args.sizes,
                    "requests": args.requests,
                    "batch": args.batch,
                    "seed": args.seed,
                    "analyze": databases.backend == "postgresql" and not args.no_analyze,
                    "span": [SPAN_START.isoformat(), SPAN_END.isoformat()],
                    "client": "httpx.ASGITransport, in-process, one request at a time",
                },
                "environment": machine,
                "sizes": sizes,
                "wall_seconds": round(time.perf_counter() - started, 1),
            }
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
