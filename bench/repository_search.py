"""Learning repository benchmark: how long GET /v1/repository/search takes over --reports
published reports of realistic length, and how long indexing them takes.

A fresh publication database, migrated; a seeded synthetic corpus: per report an SCR, its case's
harm, the report (3,000 to 5,000 words of generated prose: a Zipf-distributed vocabulary of
common and domain words and some 20,000 made-up ones, with the panel's recurring phrases planted
in some reports and their words scattered apart in others), its learning points and its
recommendations. Each report is then indexed as the publication use case does it
(``repository.index_report``), one transaction each (timed); the index is also built again from
scratch by migration 0004 over the same entries (timed). Then the app in-process (``create_app``
with ``run_workers=False`` under ``httpx.ASGITransport``, as bench/summary.py) answers, one at a
time, --requests searches of each kind: a common word, a rare word, two words, a quoted phrase,
and words with filters (year, board, harm type, theme). Prints one JSON document.

    .venv/bin/python bench/repository_search.py                 # a temporary SQLite file
    .venv/bin/python bench/repository_search.py --postgres      # a throwaway PostgreSQL database
    .venv/bin/python bench/repository_search.py --postgres postgresql+asyncpg://u@db:5432/postgres
    .venv/bin/python bench/repository_search.py --reports 5000 --requests 100
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import csv
import datetime as dt
import gc
import itertools
import random
import statistics
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx
from alembic import command
from sqlalchemy import text

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
from services.publication import repository
from services.publication.app import create_app
from services.publication.models import CaseHarm, Recommendation, Report, Scr
from shared.auth import issue_token
from shared.config import PlatformSettings, service_settings
from shared.db import make_engine, make_sessionmaker
from shared.events.vocab import AbuseOrNeglect, Outcome
from shared.migrations import alembic_config, upgrade


def words(text: str) -> list[str]:
    return text.split()


YEARS = range(2014, 2021)
THEMES = (
    "neglect",
    "domestic abuse",
    "parental mental health",
    "substance misuse",
    "information sharing",
    "professional curiosity",
    "disguised compliance",
    "sudden unexpected death in infancy",
    "child sexual exploitation",
    "non-mobile babies",
    "adolescents",
    "disability",
)
# The panel's recurring phrases: each planted in about PHRASE_SHARE of the reports.
PHRASES = (
    "disguised compliance",
    "professional curiosity",
    "information sharing",
    "domestic abuse",
    "voice of the child",
    "start again syndrome",
    "toxic trio",
    "non-mobile babies",
    "co-sleeping",
    "neglect",
)
PHRASE_SHARE = 0.3
SCATTERED_SHARE = 0.3  # reports with a phrase's words far apart instead
FUNCTION_WORDS = words(
    "the of and to a in was that for on with as by at from were had be this which not or are "
    "it an been has have their there they would when who but his her she he its all also no "
    "more than about after before into over some any other could should may did these those"
)
DOMAIN_WORDS = words(
    "child children mother father parents family home school health visitor social worker "
    "police midwife nursery hospital general practitioner referral assessment plan meeting "
    "strategy conference review panel board agency agencies practitioners professionals "
    "safeguarding protection risk concern concerns injury bruising fracture neglect abuse "
    "violence alcohol drugs mental housing tenancy benefits poverty attendance absence "
    "chronology analysis findings learning recommendation recommendations evidence record "
    "records supervision management oversight threshold escalation case caseload contact "
    "visit visits appointment appointments engagement missed baby infant toddler sibling "
    "siblings partner grandmother relatives emergency department paediatrician consultant "
    "report reports statutory guidance procedures training audit quality outcome outcomes"
)
SYLLABLES = words(
    "ba be bi bo bu da de di do du fa fe fi fo ka ke ki ko la le li lo lu ma me mi mo mu na ne "
    "ni no nu pa pe pi po ra re ri ro ru sa se si so ta te ti to tu va ve vi wa we "
    "bran cor dal fen gor hal jor kel mar nor par quin ros sel tor ul ven wor"
)
MADE_UP_WORDS = 20_000
RARE_RANKS = (2_000, 6_000, 15_000)
ZIPF_EXPONENT = 1.05


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reports", type=int, default=1000, help="reports (default %(default)s)")
    parser.add_argument(
        "--requests", type=int, default=50, help="timed searches per kind (default %(default)s)"
    )
    parser.add_argument("--min-words", type=int, default=3000, help="default %(default)s")
    parser.add_argument("--max-words", type=int, default=5000, help="default %(default)s")
    parser.add_argument("--seed", type=int, default=2013, help="seed of the synthetic corpus")
    parser.add_argument(
        "--postgres",
        nargs="?",
        const=DEFAULT_POSTGRES_SERVER,
        metavar="URL",
        help=(
            "use a throwaway PostgreSQL database, created on this server and dropped after"
            " (a user allowed to CREATE DATABASE; default %(const)s). Default: a SQLite file."
        ),
    )
    args = parser.parse_args(argv)
    if args.reports < 1 or args.requests < 1 or not 1 <= args.min_words <= args.max_words:
        parser.error("--reports and --requests must be positive, --min-words <= --max-words")
    return args


# --- the synthetic corpus ---------------------------------------------------------------------


class Prose:
    """Sentences drawn from a Zipf-distributed vocabulary: function words most often, then the
    domain's words, then a long tail of made-up ones."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        made_up: set[str] = set()
        while len(made_up) < MADE_UP_WORDS:
            made_up.add("".join(rng.choices(SYLLABLES, k=rng.randint(2, 4))))
        tail = sorted(made_up)
        rng.shuffle(tail)
        self.words = FUNCTION_WORDS + DOMAIN_WORDS + tail
        weights = [1 / (rank**ZIPF_EXPONENT) for rank in range(1, len(self.words) + 1)]
        self.cumulative = list(itertools.accumulate(weights))

    def sentences(self, words: int) -> list[list[str]]:
        drawn = self.rng.choices(self.words, cum_weights=self.cumulative, k=words)
        result, start = [], 0
        while start < len(drawn):
            length = self.rng.randint(8, 28)
            result.append(drawn[start : start + length])
            start += length
        return result

    def sentence(self, words: int) -> str:
        return render(self.rng, self.sentences(words)[:1])


def render(rng: random.Random, sentences: list[list[str]]) -> str:
    """Sentences capitalised and stopped, four to eight to a paragraph."""
    paragraphs: list[str] = []
    current: list[str] = []
    for words in sentences:
        current.append(" ".join(words).capitalize() + ".")
        if len(current) >= rng.randint(4, 8):
            paragraphs.append(" ".join(current))
            current = []
    if current:
        paragraphs.append(" ".join(current))
    return "\n\n".join(paragraphs)


@dataclass
class Published:
    """One report to load and index, with its SCR, its case's harm and its recommendations."""

    scr: Scr
    harm: CaseHarm
    report: Report
    recommendations: list[Recommendation]
    words: int


def boards() -> list[str]:
    with REGISTRY_CSV.open(encoding="utf-8") as handle:
        return [row["ons_code"] for row in csv.DictReader(handle)]


def make_report(rng: random.Random, prose: Prose, board: str, words: int) -> Published:
    uid = lambda: str(uuid.UUID(int=rng.getrandbits(128), version=4))  # noqa: E731
    case_id = uid()
    year = rng.choice(YEARS)
    published_on = dt.date(year, rng.randint(1, 12), rng.randint(1, 28))
    initiated_on = published_on - dt.timedelta(days=rng.randint(200, 500))
    sentences = prose.sentences(words)
    # Phrases planted whole in some reports; in others their words apart (a passing mention).
    for phrase in PHRASES:
        roll = rng.random()
        if roll < PHRASE_SHARE:
            for _ in range(rng.randint(1, 4)):
                rng.choice(sentences).insert(rng.randint(0, 5), phrase)
        elif roll < PHRASE_SHARE + SCATTERED_SHARE and " " in phrase:
            for word in phrase.split():
                rng.choice(sentences).insert(rng.randint(0, 5), word)
    themes = rng.sample(THEMES, k=rng.randint(1, 3))
    scr = Scr(
        scr_id=case_id,
        case_id=case_id,
        decision_id=uid(),
        lscb_id=board,
        reference=f"SIN-{initiated_on.year}-{case_id[:8].upper()}",
        initiated_on=initiated_on,
        after_advice=False,
        reviewers=[],
        due_on=initiated_on + dt.timedelta(days=182),
        completed_by="report",
        completed_on=published_on,
    )
    harm = CaseHarm(
        case_id=case_id,
        lscb_id=board,
        outcome=rng.choice(list(Outcome)).value,
        abuse_or_neglect=[a.value for a in rng.sample(list(AbuseOrNeglect), k=rng.randint(1, 2))],
    )
    report = Report(
        id=uid(),
        scr_id=case_id,
        lscb_id=board,
        title=f"Serious case review: Child {case_id[:4].upper()} ({themes[0]})",
        text=render(rng, sentences),
        submitted_on=published_on - dt.timedelta(days=40),
        planned_publication_on=published_on,
        short_notice=False,
        themes=themes,
        learning_points=[prose.sentence(rng.randint(12, 30)) for _ in range(rng.randint(3, 6))],
        prescreen={},
        state="published",
        published_on=published_on,
        url=f"https://example.org/scr/{case_id}",
        recorded_by="bench@example.org",
    )
    recommendations = [
        Recommendation(
            id=uid(),
            report_id=report.id,
            scr_id=case_id,
            lscb_id=board,
            position=position,
            text=prose.sentence(rng.randint(15, 40)),
            addressee="The board",
            addressee_kind="organisation",
            level="local",
            sector="childrens_services",
            made_on=report.submitted_on,
            status="accepted",
            status_since=report.submitted_on,
            names_addressee=True,
            measurable_action=True,
        )
        for position in range(1, rng.randint(3, 8) + 1)
    ]
    return Published(scr, harm, report, recommendations, len(report.text.split()))


def corpus(args: argparse.Namespace) -> tuple[list[Published], Prose]:
    rng = random.Random(args.seed)
    prose, registry = Prose(rng), boards()
    reports = [
        make_report(rng, prose, rng.choice(registry), rng.randint(args.min_words, args.max_words))
        for _ in range(args.reports)
    ]
    return reports, prose


# --- loading and indexing ---------------------------------------------------------------------


async def load_and_index(url: str, reports: list[Published], batch: int = 100) -> dict[str, Any]:
    """The SCRs, harms, reports and recommendations (``batch`` reports per transaction), then
    each report indexed in a transaction of its own, as the publication use case does."""
    engine = make_engine(url)
    sessionmaker = make_sessionmaker(engine)
    try:
        started = time.perf_counter()
        for start in range(0, len(reports), batch):
            chunk = reports[start : start + batch]
            async with sessionmaker() as session, session.begin():
                session.add_all([p.scr for p in chunk] + [p.harm for p in chunk])
                await session.flush()
                session.add_all([p.report for p in chunk])
                await session.flush()
                session.add_all([r for p in chunk for r in p.recommendations])
        load_seconds = time.perf_counter() - started

        timings = []
        started = time.perf_counter()
        for published in reports:
            t0 = time.perf_counter()
            async with sessionmaker() as session, session.begin():
                await repository.index_report(
                    session, published.report, published.scr, published.recommendations
                )
            timings.append(time.perf_counter() - t0)
        index_seconds = time.perf_counter() - started

        analyze_seconds = None
        if engine.dialect.name == "postgresql":
            started = time.perf_counter()
            async with engine.begin() as conn:
                await conn.execute(text("ANALYZE"))
            analyze_seconds = round(time.perf_counter() - started, 3)
    finally:
        await engine.dispose()
    return {
        "load_seconds": round(load_seconds, 2),
        "index": {
            "total_seconds": round(index_seconds, 2),
            "per_report_ms": latency_summary(timings),
        },
        "analyze_seconds": analyze_seconds,
    }


def rebuild(url: str) -> float:
    """Migration 0004 undone and done again over the entries already there: the whole index
    built in one go (generated column and GIN index; FTS5 'rebuild')."""
    config = alembic_config("publication", url)
    command.downgrade(config, "0003")
    started = time.perf_counter()
    command.upgrade(config, "0004")
    seconds = time.perf_counter() - started
    command.upgrade(config, "head")
    return round(seconds, 2)


async def sizes(url: str) -> dict[str, Any]:
    engine = make_engine(url)
    try:
        async with engine.connect() as conn:
            if engine.dialect.name == "postgresql":
                row = (
                    await conn.execute(
                        text(
                            "SELECT pg_total_relation_size('repository_entries'),"
                            " pg_relation_size('ix_repository_entries_search_vector'),"
                            " pg_database_size(current_database())"
                        )
                    )
                ).one()
                return {
                    "entries_total_mb": mb(row[0]),
                    "gin_index_mb": mb(row[1]),
                    "database_mb": mb(row[2]),
                }
            pages = (await conn.execute(text("PRAGMA page_count"))).scalar_one()
            page_size = (await conn.execute(text("PRAGMA page_size"))).scalar_one()
            fts = (
                await conn.execute(
                    text("SELECT sum(pgsize) FROM dbstat WHERE name LIKE 'repository_fts%'")
                )
            ).scalar()
            return {"database_mb": mb(pages * page_size), "fts_tables_mb": mb(fts or 0)}
    except Exception as exc:  # dbstat is a compile-time option of SQLite
        return {"error": repr(exc)[:200]}
    finally:
        await engine.dispose()


def mb(size: int) -> float:
    return round(size / 1_048_576, 1)


# --- searching --------------------------------------------------------------------------------


def query_kinds(reports: list[Published], prose: Prose) -> dict[str, list[dict[str, Any]]]:
    """Each kind's searches (cycled through): query parameters of GET /v1/repository/search."""
    some = reports[len(reports) // 2]
    board = some.report.lscb_id
    # Made-up words of the vocabulary's tail: in some 15%, 6% and 2% of the reports.
    rare = [prose.words[rank] for rank in RARE_RANKS]
    return {
        "common_word": [{"q": "safeguarding"}, {"q": "children"}, {"q": "assessment"}],
        "rare_word": [{"q": word} for word in rare],
        "two_words": [
            {"q": "disguised compliance"},
            {"q": "professional curiosity"},
            {"q": "information sharing"},
        ],
        "quoted_phrase": [
            {"q": '"disguised compliance"'},
            {"q": '"voice of the child"'},
            {"q": '"start again syndrome"'},
        ],
        "with_filters": [
            {"q": "neglect", "year": 2017},
            {"q": "domestic abuse", "lscb_id": board},
            {"q": "disguised compliance", "harm_type": "died"},
            {"q": "information sharing", "theme": "neglect", "year": 2018},
        ],
        "page_3": [{"q": "neglect", "offset": 40}, {"q": "disguised compliance", "offset": 40}],
    }


async def measure(url: str, reports: list[Published], prose: Prose, n: int) -> dict[str, Any]:
    platform = PlatformSettings()
    settings = service_settings(
        "publication",
        database_url=url,
        run_workers=False,
        migrate_on_start=False,
        platform=platform,
    )
    headers = {"Authorization": f"Bearer {issue_token(platform, 'panel')}"}
    app = create_app(settings)
    results: dict[str, Any] = {}
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:

            async def one(params: dict[str, Any]) -> tuple[float, dict[str, Any]]:
                started = time.perf_counter()
                response = await client.get("/v1/repository/search", params=params, headers=headers)
                elapsed = time.perf_counter() - started
                if response.status_code != 200:
                    raise RuntimeError(f"{params}: {response.status_code} {response.text[:300]}")
                return elapsed, response.json()

            for kind, searches in query_kinds(reports, prose).items():
                totals, first = {}, []
                for params in searches:  # each once, unmeasured: the first pays for a cold cache
                    elapsed, body = await one(params)
                    first.append(elapsed)
                    totals[" ".join(f"{k}={v}" for k, v in params.items())] = body["total"]
                timings = [
                    (await one(p))[0] for p in itertools.islice(itertools.cycle(searches), n)
                ]
                results[kind] = {
                    "latency_ms": latency_summary(timings),
                    "first_ms_median": round(1000 * statistics.median(first), 3),
                    "hits": totals,
                }
    return results


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
        url = databases.url("publication")
        upgrade("publication", url)
        log(f"making {args.reports} reports")
        t0 = time.perf_counter()
        reports, prose = corpus(args)
        words = [p.words for p in reports]
        log(f"made in {time.perf_counter() - t0:.1f} s; loading and indexing")
        figures = asyncio.run(load_and_index(url, reports))
        log(f"indexed in {figures['index']['total_seconds']} s; rebuilding by migration")
        figures["rebuild_by_migration_seconds"] = rebuild(url)
        if databases.backend == "postgresql":
            asyncio.run(analyze(url))
        figures["sizes"] = asyncio.run(sizes(url))
        gc.collect()
        log("searching")
        searches = asyncio.run(measure(url, reports, prose, args.requests))
        emit(
            {
                "benchmark": "repository_search",
                "database": databases.backend,
                "params": {
                    "reports": args.reports,
                    "requests_per_kind": args.requests,
                    "words_per_report": [args.min_words, args.max_words],
                    "seed": args.seed,
                    "client": "httpx.ASGITransport, in-process, one request at a time",
                },
                "environment": machine,
                "corpus": {
                    "reports": len(reports),
                    "words_total": sum(words),
                    "words_per_report_mean": round(statistics.mean(words)),
                    "text_mb": mb(sum(len(p.report.text.encode()) for p in reports)),
                },
                **figures,
                "search": searches,
                "wall_seconds": round(time.perf_counter() - started, 1),
            }
        )
    return 0


async def analyze(url: str) -> None:
    engine = make_engine(url)
    try:
        async with engine.begin() as conn:
            await conn.execute(text("ANALYZE"))
    finally:
        await engine.dispose()


if __name__ == "__main__":
    sys.exit(main())
