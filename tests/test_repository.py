"""The learning repository's search (``services/publication/repository.py``), on a real migrated
database: SQLite by default, PostgreSQL with ``SCR_TEST_POSTGRES_URL``. Rows are written through
the ORM and the indexing functions, as the publication use cases do; searches go through the
functions and through HTTP."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from alembic import command
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from services.publication import repository
from services.publication.models import (
    CaseHarm,
    NonPublicationNotice,
    Recommendation,
    Report,
    RepositoryEntry,
    Scr,
)
from services.publication.schemas import RepositoryPage
from shared.config import PlatformSettings
from shared.db import make_engine, make_sessionmaker
from shared.errors import Invalid
from shared.events.vocab import Role
from shared.migrations import alembic_config
from tests.support.databases import DatabaseFactory
from tests.support.services import auth, running_app, settings_for

BOARD_A, BOARD_B = "E06000001", "E08000001"
FILLER = (
    "The agencies met regularly and the records of those meetings were kept in good order. "
    "Health visitors saw the family at home and the school reported attendance every term. "
)
# A: the phrase itself, twice, in a long report. B: both words, three times each, never side by
# side, in a short one: on word counts alone (bm25, cover density) B would come first.
PHRASE_REPORT = (
    "The panel found disguised compliance in the family's dealings with professionals. "
    + FILLER * 12
    + "Practitioners did not recognise the disguised compliance by the parents. "
    + FILLER * 12
)
PASSING_MENTION = (
    "The mother was disguised as a visitor in one account; disguised intent is hard to see; "
    "nothing was disguised on purpose. "
    + FILLER * 3
    + "Compliance with the plan was reviewed. Compliance was good. Compliance was recorded. "
)
# No broker: the app runs without its workers.
PLATFORM = PlatformSettings(
    kafka_bootstrap_servers="127.0.0.1:9", scr_data_dir=Path("/nonexistent")
)
READER = auth(PLATFORM, Role.LSCB, lscb_id=BOARD_B)  # any role may search: it is all published


@dataclass
class Store:
    """A migrated publication database and ways to write to it and search it."""

    url: str
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]

    async def report(
        self,
        text: str,
        *,
        title: str = "Serious case review",
        board: str = BOARD_A,
        published_on: dt.date | None = dt.date(2015, 6, 1),
        themes: tuple[str, ...] = (),
        learning_points: tuple[str, ...] = (),
        recommendations: tuple[str, ...] = (),
        outcome: str = "seriously_harmed",
        abuse: tuple[str, ...] = ("neglect",),
        index: bool = True,
    ) -> Report:
        """An SCR, its case's harm, its report and recommendations; the report published and
        indexed unless ``index`` is false (then left as received, as before publication)."""
        case_id = str(uuid.uuid4())
        initiated_on = dt.date(2014, 1, 10)
        scr = Scr(
            scr_id=case_id,
            case_id=case_id,
            decision_id=str(uuid.uuid4()),
            lscb_id=board,
            reference=f"SIN-2014-{case_id[:8].upper()}",
            initiated_on=initiated_on,
            after_advice=False,
            reviewers=[],
            due_on=initiated_on + dt.timedelta(days=182),
        )
        report = Report(
            id=str(uuid.uuid4()),
            scr_id=scr.scr_id,
            lscb_id=board,
            title=title,
            text=text,
            submitted_on=dt.date(2015, 1, 5),
            planned_publication_on=dt.date(2015, 2, 1),
            short_notice=False,
            themes=list(themes),
            learning_points=list(learning_points),
            prescreen={},
            state="published" if index else "received",
            published_on=published_on if index else None,
            url=f"https://example.org/{case_id}" if index else None,
            recorded_by="board@example.org",
        )
        rows = [
            self._recommendation(scr, board, position, text, report_id=report.id)
            for position, text in enumerate(recommendations, start=1)
        ]
        async with self.sessions() as session, session.begin():
            harm = CaseHarm(
                case_id=case_id, lscb_id=board, outcome=outcome, abuse_or_neglect=list(abuse)
            )
            session.add(harm)
            session.add(scr)
            await session.flush()
            session.add(report)
            await session.flush()
            session.add_all(rows)
            await session.flush()
            if index:
                # In reverse order: the entry lists them by position all the same.
                await repository.index_report(session, report, scr, rows[::-1])
        return report

    async def summary(self, text: str, on: dt.date, board: str = BOARD_B) -> NonPublicationNotice:
        """An SCR whose report is withheld, with an anonymised summary published ``on``."""
        case_id = str(uuid.uuid4())
        scr = Scr(
            scr_id=case_id,
            case_id=case_id,
            decision_id=str(uuid.uuid4()),
            lscb_id=board,
            reference=f"SIN-2014-{case_id[:8].upper()}",
            initiated_on=dt.date(2014, 2, 1),
            after_advice=False,
            reviewers=[],
            due_on=dt.date(2014, 8, 1),
        )
        notice = NonPublicationNotice(
            id=str(uuid.uuid4()),
            scr_id=scr.scr_id,
            lscb_id=board,
            notified_on=dt.date(2014, 9, 1),
            reasons=["criminal_proceedings"],
            proposal="anonymised_summary",
            anonymised_summary=text,
            rationale="Criminal proceedings are pending.",
            state="accepted",
            state_since=on,
            seq=2,
            recorded_by="board@example.org",
        )
        recommendation = self._recommendation(
            scr, board, 1, "Audit referrals.", notice_id=notice.id
        )
        async with self.sessions() as session, session.begin():
            harm = CaseHarm(
                case_id=case_id, lscb_id=board, outcome="died", abuse_or_neglect=["physical_abuse"]
            )
            session.add(harm)
            session.add(scr)
            await session.flush()
            session.add(notice)
            await session.flush()
            session.add(recommendation)
            await session.flush()
            await repository.index_anonymised_summary(session, notice, scr, on, [recommendation])
        return notice

    @staticmethod
    def _recommendation(
        scr: Scr, board: str, position: int, text: str, **owner: str
    ) -> Recommendation:
        return Recommendation(
            id=str(uuid.uuid4()),
            scr_id=scr.scr_id,
            lscb_id=board,
            position=position,
            text=text,
            addressee="The board",
            addressee_kind="organisation",
            level="local",
            sector="childrens_services",
            made_on=dt.date(2015, 1, 5),
            status="accepted",
            status_since=dt.date(2015, 1, 5),
            names_addressee=True,
            measurable_action=True,
            **owner,
        )

    async def search(self, q: str, limit: int = 20, offset: int = 0, **filters: Any) -> Any:
        arguments = {"year": None, "lscb_id": None, "harm_type": None, "theme": None, **filters}
        async with self.sessions() as session:
            return await repository.search(session, q, limit=limit, offset=offset, **arguments)

    async def ids(self, q: str, **filters: Any) -> list[str]:
        return [hit.source_id for hit in (await self.search(q, **filters)).items]


@pytest.fixture
async def store(databases: DatabaseFactory) -> AsyncIterator[Store]:
    url = databases.new("publication")
    engine = make_engine(url)
    try:
        yield Store(url, engine, make_sessionmaker(engine))
    finally:
        await engine.dispose()


@pytest.fixture
async def client(store: Store) -> AsyncIterator[httpx.AsyncClient]:
    """The publication app on the store's database, without its workers (no broker needed)."""
    async with running_app(settings_for("publication", PLATFORM, store.url, run_workers=False)) as (
        _,
        http,
    ):
        yield http


async def http_search(client: httpx.AsyncClient, **params: Any) -> dict[str, Any]:
    response = await client.get("/v1/repository/search", params=params, headers=READER)
    assert response.status_code == 200, response.text
    RepositoryPage.model_validate(response.json())
    return response.json()


async def test_an_exact_phrase_ranks_above_a_passing_mention(
    store: Store, client: httpx.AsyncClient
) -> None:
    passing = await store.report(PASSING_MENTION, published_on=dt.date(2016, 1, 1))
    phrase = await store.report(PHRASE_REPORT, published_on=dt.date(2015, 1, 1))
    await store.report("Nothing of the kind: neglect of a baby.", published_on=dt.date(2016, 2, 1))

    page = await store.search("disguised compliance")
    assert [h.source_id for h in page.items] == [phrase.id, passing.id]
    assert page.total == 2
    first, second = page.items
    assert first.rank >= 1.0 > second.rank > 0.0  # the phrase's bonus, then the score in [0, 1)
    assert "<mark>disguised</mark> <mark>compliance</mark>" in first.snippet

    # Quoted: only the phrase.
    page = await store.search('"disguised compliance"')
    assert [h.source_id for h in page.items] == [phrase.id]
    # Inflected forms match (english stemming on both databases).
    assert await store.ids("disguising compliance") == [phrase.id, passing.id]

    body = await http_search(client, q="disguised compliance")
    assert [h["source_id"] for h in body["items"]] == [phrase.id, passing.id]
    body = await http_search(client, q='"disguised compliance"')
    assert [h["source_id"] for h in body["items"]] == [phrase.id]
    assert body["total"] == 1 and body["q"] == '"disguised compliance"'


async def test_a_hit_says_what_was_found_and_where(store: Store, client: httpx.AsyncClient) -> None:
    report = await store.report(
        FILLER + "Professional curiosity was lacking. " + FILLER,
        title="Child D: a serious case review",
        published_on=dt.date(2016, 3, 4),
        themes=("professional curiosity", "neglect"),
        learning_points=("Ask why.", "Professional curiosity saves lives."),
        recommendations=("Train staff in professional curiosity.", "Audit supervision."),
    )
    body = await http_search(client, q="professional curiosity")
    assert body == {
        "items": [
            {
                "kind": "report",
                "source_id": report.id,
                "scr_id": report.scr_id,
                "lscb_id": BOARD_A,
                "title": "Child D: a serious case review",
                "published_on": "2016-03-04",
                "year": 2016,
                "url": report.url,
                "themes": ["professional curiosity", "neglect"],
                "rank": body["items"][0]["rank"],
                "snippet": body["items"][0]["snippet"],
                "matched_in": ["learning_points", "recommendations", "body"],
            }
        ],
        "total": 1,
        "limit": 20,
        "offset": 0,
        "q": "professional curiosity",
    }
    assert "<mark>curiosity</mark>" in body["items"][0]["snippet"]
    assert body["items"][0]["rank"] >= 1.0

    # The entry as indexed: recommendations by position, one per line; learning points too.
    async with store.sessions() as session:
        entry = (await session.scalars(select(RepositoryEntry))).one()
    assert entry.recommendations == "Train staff in professional curiosity.\nAudit supervision."
    assert entry.learning_points == "Ask why.\nProfessional curiosity saves lives."
    assert (entry.kind, entry.case_id, entry.year) == ("report", report.scr_id, 2016)

    # The words of one query in different fields: each field holding any of them is named.
    page = await store.search("child curiosity")
    assert page.items[0].matched_in == ["title", "learning_points", "recommendations", "body"]
    page = await store.search("child supervision -zebra")
    assert page.items[0].matched_in == ["title", "recommendations"]
    # Found only in the title, or only in the recommendations: the snippet comes from there.
    page = await store.search("child")
    assert page.items[0].matched_in == ["title"]
    page = await store.search("supervision")
    assert page.items[0].matched_in == ["recommendations"]
    assert "Audit <mark>supervision</mark>." in page.items[0].snippet


async def test_snippets_mark_the_matches_and_escape_the_text(store: Store) -> None:
    text = (
        FILLER
        + 'The chronology <script>alert("x")</script> showed neglect & <b>bold</b> "quotes" '
        + "over years. "
        + FILLER
    )
    await store.report(text)
    page = await store.search("neglect")
    snippet = page.items[0].snippet
    assert "<mark>neglect</mark>" in snippet
    assert "<script>" not in snippet and "<b>" not in snippet
    assert "&lt;script&gt;" in snippet and "&lt;b&gt;bold&lt;/b&gt;" in snippet
    assert "&amp;" in snippet and "&quot;quotes&quot;" in snippet
    # Once the marks are taken out, nothing in it is a tag.
    assert "<" not in snippet.replace("<mark>", "").replace("</mark>", "")
    # Far into a long body, and in a form the query's word does not begin (stemming found it):
    # the snippet still shows it.
    deep = await store.report(FILLER * 30 + "In the end the family complied with nothing.")
    page = await store.search("complying")
    assert [h.source_id for h in page.items] == [deep.id]
    assert "the family <mark>complied</mark> with nothing" in page.items[0].snippet
    page = await store.search("family nothing")
    assert "<mark>family</mark>" in page.items[0].snippet
    # The query's words split between title and body: the snippet still marks what is there.
    split = await store.report(
        FILLER * 3 + "Disguised intent was missed. " + FILLER * 3, title="Compliance review"
    )
    [hit] = (await store.search("disguised compliance")).items
    assert (hit.source_id, hit.matched_in) == (split.id, ["title", "body"])
    assert "<mark>" in hit.snippet
    # A word too short to look for first (PostgreSQL then reads the whole body).
    await store.report(FILLER * 30 + "An ox stood in the yard.")
    assert "An <mark>ox</mark> stood" in (await store.search("ox")).items[0].snippet
    # Control characters in a report never reach the index (nor confuse the marks).
    await store.report("A \x01 stray \x02 control \x03character\x04 beside drowning.\x1f")
    snippet = (await store.search("drowning")).items[0].snippet
    assert "<mark>drowning</mark>" in snippet and "\x01" not in snippet


async def test_filters(store: Store, client: httpx.AsyncClient) -> None:
    died_2015 = await store.report(
        "Bruising was seen and not explained.",
        published_on=dt.date(2015, 5, 1),
        themes=("physical abuse", "information sharing"),
        outcome="died",
        abuse=("physical_abuse",),
    )
    harmed_2016 = await store.report(
        "Bruising and neglect of the home.",
        board=BOARD_B,
        published_on=dt.date(2016, 5, 1),
        themes=("neglect",),
        outcome="seriously_harmed",
        abuse=("neglect", "emotional_abuse"),
    )
    harmed_2015_b = await store.report(
        "Bruising at school.",
        board=BOARD_B,
        published_on=dt.date(2015, 12, 31),
        themes=("education",),
        outcome="seriously_harmed",
        abuse=("physical_abuse",),
    )
    summary = await store.summary("Bruising on a baby, anonymised.", on=dt.date(2017, 1, 9))

    everything = {died_2015.id, harmed_2016.id, harmed_2015_b.id, summary.id}
    assert set(await store.ids("bruising")) == everything
    assert set(await store.ids("bruising", year=2015)) == {died_2015.id, harmed_2015_b.id}
    assert await store.ids("bruising", year=2017) == [summary.id]
    assert await store.ids("bruising", year=2014) == []
    assert set(await store.ids("bruising", lscb_id=BOARD_B)) == {
        harmed_2016.id,
        harmed_2015_b.id,
        summary.id,
    }
    assert set(await store.ids("bruising", harm_type="died")) == {died_2015.id, summary.id}
    assert set(await store.ids("bruising", harm_type="seriously_harmed")) == {
        harmed_2016.id,
        harmed_2015_b.id,
    }
    assert set(await store.ids("bruising", harm_type="physical_abuse")) == {
        died_2015.id,
        harmed_2015_b.id,
        summary.id,
    }
    assert await store.ids("bruising", harm_type="Emotional_Abuse") == [harmed_2016.id]
    assert await store.ids("bruising", harm_type="sexual_abuse") == []
    assert await store.ids("bruising", theme="Information Sharing") == [died_2015.id]
    assert await store.ids("bruising", theme="neglect") == [harmed_2016.id]
    assert await store.ids("bruising", theme="sharing") == []  # a theme, not a word of one
    assert await store.ids("bruising", theme="  ") != []  # blank: no filter
    assert await store.ids(
        "bruising", year=2015, lscb_id=BOARD_B, harm_type="physical_abuse", theme="education"
    ) == [harmed_2015_b.id]

    # The same through HTTP.
    body = await http_search(
        client, q="bruising", year=2015, lscb_id=BOARD_B, harm_type="physical_abuse"
    )
    assert [h["source_id"] for h in body["items"]] == [harmed_2015_b.id]
    body = await http_search(client, q="bruising", theme="NEGLECT")
    assert [h["source_id"] for h in body["items"]] == [harmed_2016.id]
    body = await http_search(client, q="bruising", harm_type="died")
    assert {h["source_id"] for h in body["items"]} == {died_2015.id, summary.id}


async def test_an_anonymised_summary_is_found(store: Store, client: httpx.AsyncClient) -> None:
    notice = await store.summary(
        "Learning about <unseen> injuries in non-mobile babies.", on=dt.date(2017, 1, 9)
    )
    body = await http_search(client, q="non-mobile babies")
    [hit] = body["items"]
    assert hit["kind"] == "anonymised_summary"
    assert hit["source_id"] == notice.id
    assert hit["scr_id"] == notice.scr_id
    assert hit["lscb_id"] == BOARD_B
    assert hit["title"].startswith("Anonymised summary (SIN-2014-")
    assert (hit["published_on"], hit["year"], hit["themes"]) == ("2017-01-09", 2017, [])
    assert "&lt;unseen&gt;" in hit["snippet"] and "<mark>babies</mark>" in hit["snippet"]
    # Its recommendations are searchable too.
    assert await store.ids("audit referrals") == [notice.id]


async def test_what_is_not_published_is_never_found(store: Store) -> None:
    published = await store.report("Domestic abuse was known to the police.")
    received = await store.report("Domestic abuse was known to everyone.", index=False)
    assert await store.ids("domestic abuse") == [published.id]
    assert await store.ids("everyone") == []

    async with store.sessions() as session, session.begin():
        report = await session.get(Report, received.id)
        scr = await session.get(Scr, received.scr_id)
        assert report is not None and scr is not None
        with pytest.raises(ValueError, match="not published"):
            await repository.index_report(session, report, scr, [])
    assert await store.ids("everyone") == []


async def test_indexing_twice_adds_one_entry(store: Store) -> None:
    report = await store.report("Neglect over a long period.")
    async with store.sessions() as session, session.begin():
        found = await session.get(Report, report.id)
        scr = await session.get(Scr, report.scr_id)
        assert found is not None and scr is not None
        await repository.index_report(session, found, scr, [])
        await repository.index_report(session, found, scr, [])
    async with store.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(RepositoryEntry)) == 1
    assert await store.ids("neglect") == [report.id]


async def test_paging(store: Store, client: httpx.AsyncClient) -> None:
    reports = [
        await store.report(f"Neglect, case {i}.", published_on=dt.date(2015, 1, 1 + i))
        for i in range(5)
    ]
    # Equal scores: the newest publication first.
    newest_first = [r.id for r in reversed(reports)]
    assert await store.ids("neglect") == newest_first
    seen = []
    for offset in (0, 2, 4):
        page = await store.search("neglect", limit=2, offset=offset)
        assert (page.total, page.limit, page.offset) == (5, 2, offset)
        seen += [h.source_id for h in page.items]
    assert seen == newest_first
    page = await store.search("neglect", limit=2, offset=6)
    assert (page.items, page.total) == ([], 5)
    body = await http_search(client, q="neglect", limit=3, offset=3)
    assert [h["source_id"] for h in body["items"]] == newest_first[3:]
    assert (body["total"], body["limit"], body["offset"]) == (5, 3, 3)
    body = await http_search(client, q="neglect")
    assert body["limit"] == 20


async def test_alternatives_and_exclusions(store: Store) -> None:
    fire = await store.report("A house fire at night.", published_on=dt.date(2015, 1, 1))
    drowning = await store.report("A drowning in the bath.", published_on=dt.date(2015, 1, 2))
    both = await store.report("Fire, then a drowning.", published_on=dt.date(2015, 1, 3))
    assert await store.ids("fire or drowning") == [both.id, drowning.id, fire.id]
    assert await store.ids("fire drowning") == [both.id]
    assert await store.ids("fire -drowning") == [fire.id]
    assert await store.ids('fire -"then a drowning"') == [fire.id]
    assert await store.ids("bath or night -drowning") == [fire.id]
    with pytest.raises(Invalid) as raised:
        await store.search("-drowning")
    assert raised.value.extra["errors"][0]["field"] == "q"


HOSTILE = (
    '"',
    '""',
    "AND",
    "OR",
    "NOT",
    "neglect AND",
    "neglect OR",
    "NEAR(",
    "NEAR(neglect fire, 2)",
    "*",
    "neglect*",
    "-x",
    "- -neglect",
    "'; drop table repository_entries; --",
    "(",
    ")",
    "((neglect)",
    "^neglect",
    "title:neglect",
    "{title body} : neglect",
    "neglect\x00",
    "\x00",
    '"unterminated phrase',
    'neglect -"',
    "!neglect & | <-> :*",
    "x" * 200,
    "neglect " * 25,
    "🙂 neglect",
    "ﬁre",
    "\\",
    "%",
    "neglect or or or",
)


async def test_hostile_queries_answer_200_or_422_never_500(
    store: Store, client: httpx.AsyncClient
) -> None:
    report = await store.report("Neglect and a fire; and, or, not, near.")
    for q in HOSTILE:
        response = await client.get("/v1/repository/search", params={"q": q}, headers=READER)
        assert response.status_code in (200, 422), (q, response.text)
        if response.status_code == 422:
            assert [e["field"] for e in response.json()["errors"]] == ["q"], (q, response.text)
        for filters in (
            {"theme": q[:100], "lscb_id": q[:20]},
            {"harm_type": q},
        ):
            response = await client.get(
                "/v1/repository/search", params={"q": "neglect", **filters}, headers=READER
            )
            assert response.status_code in (200, 422), (q, filters, response.text)
    # The table is still there and still found.
    assert await store.ids("neglect") == [report.id]
    assert await store.ids("NEAR(") == [report.id]  # an ordinary word once quoted


async def test_bad_input_names_the_field(store: Store, client: httpx.AsyncClient) -> None:
    await store.report("Neglect.")
    for params, field in (
        ({}, "q"),
        ({"q": ""}, "q"),
        ({"q": "   "}, "q"),
        ({"q": "x" * 201}, "q"),
        ({"q": "-neglect"}, "q"),
        ({"q": "neglect", "harm_type": "drowned"}, "harm_type"),
        ({"q": "neglect", "harm_type": "died,neglect"}, "harm_type"),
        ({"q": "neglect", "year": "twenty"}, "year"),
        ({"q": "neglect", "year": "99999999999"}, "year"),
        ({"q": "neglect", "year": "0"}, "year"),
        ({"q": "neglect", "theme": "a\x00b"}, "theme"),
        ({"q": "neglect", "limit": "0"}, "limit"),
        ({"q": "neglect", "limit": "501"}, "limit"),
        ({"q": "neglect", "offset": "-1"}, "offset"),
    ):
        response = await client.get("/v1/repository/search", params=params, headers=READER)
        assert response.status_code == 422, (params, response.text)
        assert response.headers["content-type"] == "application/problem+json"
        assert [e["field"] for e in response.json()["errors"]] == [field], (params, response.text)

    for q in ("", "  \t", "x" * 201):
        with pytest.raises(Invalid) as raised:
            await store.search(q)
        assert raised.value.extra["errors"][0]["field"] == "q"
    with pytest.raises(Invalid) as raised:
        await store.search("neglect", harm_type="drowned")
    assert raised.value.extra["errors"][0]["field"] == "harm_type"

    # Words no tokenizer keeps: nothing to look for, nothing found.
    assert (await store.search("*** ---")).total == 0
    # Every role may search; nobody without a token.
    for role in Role:
        headers = auth(PLATFORM, role, lscb_id=BOARD_A if role is Role.LSCB else None)
        response = await client.get(
            "/v1/repository/search", params={"q": "neglect"}, headers=headers
        )
        assert response.status_code == 200, (role, response.text)
    response = await client.get("/v1/repository/search", params={"q": "neglect"})
    assert response.status_code == 401
    document = (await client.get("/openapi.json")).json()
    operation = document["paths"]["/v1/repository/search"]["get"]
    assert operation["tags"] == ["repository"]
    names = {p["name"] for p in operation["parameters"]}
    assert {"q", "year", "lscb_id", "harm_type", "theme", "limit", "offset"} <= names


async def test_the_index_survives_a_downgrade_and_is_rebuilt(store: Store) -> None:
    """Migration 0004 down and up again: the entries already there are indexed anew."""
    report = await store.report("Overlay of an infant while co-sleeping.")
    await store.engine.dispose()
    config = alembic_config("publication", store.url)
    await asyncio.to_thread(command.downgrade, config, "0003")
    async with store.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(RepositoryEntry)) == 1
    await asyncio.to_thread(command.upgrade, config, "head")
    await store.engine.dispose()
    assert await store.ids("co-sleeping infant") == [report.id]
    later = await store.report("Co-sleeping again, another infant.")
    assert set(await store.ids("co-sleeping infant")) == {report.id, later.id}
