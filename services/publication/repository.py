"""The learning repository: full-text search over what has been published.

Only published material is ever written to ``repository_entries`` (by :func:`index_report` and
:func:`index_anonymised_summary`, called by the publication use cases inside their own
transaction), so the table itself is the guarantee that nothing unpublished or withheld is found.

The user's query is parsed here once (:func:`parse_query`): words (all required), "quoted
phrases", ``or`` between alternatives, ``-word`` or ``-"phrase"`` to leave out. It is written
back for each database with every word and phrase quoted, so that nothing a user types is an
operator or a syntax error. The full-text index is dialect-specific (migration 0004):

- PostgreSQL: the stored generated column ``search_vector`` (english; title A, learning points
  and recommendations B, body C) under a GIN index. Each group of alternatives goes through
  ``websearch_to_tsquery``, the groups and exclusions are joined by ``tsquery_and``/``_not``.
  Score: ``ts_rank_cd`` (cover density: rewards query words close together; weights 1.0, 0.4,
  0.2), normalised by the document's length (flag 1) and to [0, 1) (flag 32). Snippet:
  ``ts_headline`` over a window of the body around the query's first occurrence.
- SQLite: the FTS5 table ``repository_fts`` (porter stemming) kept by triggers. Score: the
  opposite of ``bm25`` with the same column weights (5:2:2:1), mapped to [0, 1) by s / (s + 1).
  Snippet: ``snippet()``, from the column with the best fragment.

On both, a hit holding the whole query as a phrase (``phraseto_tsquery``; an FTS5 phrase) gets
1 added to its score, so it ranks above every hit that only mentions the words apart, whatever
the rank function makes of them. Ties: the newest publication first, then the entry's id.
Snippets are HTML: the text escaped, each match in ``<mark>``. ``matched_in`` names the fields
that hold any of the query's words or phrases. Stop words count on SQLite, not on PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from services.publication.models import (
    CaseHarm,
    NonPublicationNotice,
    Recommendation,
    Report,
    RepositoryEntry,
    Scr,
)
from services.publication.schemas import RepositoryHit, RepositoryPage
from shared.db import insert_if_absent
from shared.errors import Invalid
from shared.events.vocab import AbuseOrNeglect, Outcome

REPORT = "report"
ANONYMISED_SUMMARY = "anonymised_summary"
MAX_QUERY_LENGTH = 200
# Where a hit's words were found, in the order they are listed.
FIELDS = ("title", "learning_points", "recommendations", "body")
OUTCOMES = frozenset(o.value for o in Outcome)
HARM_TYPES = frozenset(OUTCOMES | {a.value for a in AbuseOrNeglect})

# Control characters never reach the index: they would only be noise, PostgreSQL refuses NUL,
# and the snippets' match markers below can then never be confused with the text.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_START, _STOP = "\x01", "\x02"
# ts_headline drops whatever looks like an HTML tag: < and > are hidden from it as these, then
# given back, so that the snippet shows the text as written (escaped) on both databases.
_LT, _GT = "\x03", "\x04"
_UNHIDE = str.maketrans({_LT: "<", _GT: ">"})
_MARKERS = re.compile(f"([{_START}{_STOP}])")
_SPACE = re.compile(r"\s+")
ELLIPSIS = "…"

# PostgreSQL
_ENGLISH = sa.literal_column("'english'::regconfig")
_VECTOR = sa.literal_column("repository_entries.search_vector")
_WEIGHTS = sa.literal_column("'{0.1, 0.2, 0.4, 1.0}'::real[]")  # D, C, B, A
_NORMALISATION = sa.literal_column("33")  # 1: divided by 1 + log(length); 32: rank / (rank + 1)
_HIGHLIGHT_ALL = f'HighlightAll=true, StartSel="{_START}", StopSel="{_STOP}"'
_HEADLINE = (
    f'MaxFragments=2, MaxWords=18, MinWords=8, StartSel="{_START}", StopSel="{_STOP}", '
    f'FragmentDelimiter=" {ELLIPSIS} "'
)
# ts_headline parses the whole text it is given (some 3 ms for a 4,000-word report): the body's
# snippet is made from a window around the query's first occurrence instead, found by a regular
# expression (regexp_instr: PostgreSQL 15 or later); the whole body only when the window holds
# no match (the guess was wrong: it costs time, never the snippet).
_WINDOW_BEFORE, _WINDOW_LENGTH = 200, 1500
_WEIGHT_OF = {"title": "{a}", "body": "{c}"}  # learning points and recommendations share B

# SQLite
_FTS = sa.table("repository_fts", sa.column("rowid", sa.Integer), sa.column("repository_fts"))
_FTS_NAME = sa.literal_column("repository_fts")
_BM25_WEIGHTS = (5.0, 2.0, 2.0, 1.0)  # title, learning points, recommendations, body
_SNIPPET_TOKENS = 32


# --- indexing ---------------------------------------------------------------------------------


def _clean(text: str) -> str:
    return _CONTROL.sub("", text)


def _lines(texts: Sequence[str]) -> str:
    return "\n".join(_clean(t).strip() for t in texts if t and t.strip())


def _recommendation_texts(recommendations: Sequence[Recommendation]) -> list[str]:
    return [r.text for r in sorted(recommendations, key=lambda r: r.position)]


async def index_report(
    session: AsyncSession, report: Report, scr: Scr, recommendations: Sequence[Recommendation]
) -> None:
    """Add a published report to the repository (nothing if it is there already). Runs in the
    caller's transaction; does not commit. A report not published is refused (ValueError)."""
    if report.published_on is None:
        raise ValueError(f"report {report.id} is not published: it cannot be indexed")
    if report.scr_id != scr.scr_id:
        raise ValueError(f"report {report.id} is not of SCR {scr.scr_id}")
    await insert_if_absent(
        session,
        RepositoryEntry.__table__,
        {
            "source_id": report.id,
            "kind": REPORT,
            "scr_id": scr.scr_id,
            "case_id": scr.case_id,
            "lscb_id": report.lscb_id,
            "published_on": report.published_on,
            "year": report.published_on.year,
            "title": _clean(report.title),
            "body": _clean(report.text),
            "recommendations": _lines(_recommendation_texts(recommendations)),
            "learning_points": _lines(report.learning_points),
            "themes": list(report.themes),
            "url": report.url,
        },
    )


async def index_anonymised_summary(
    session: AsyncSession,
    notice: NonPublicationNotice,
    scr: Scr,
    on: dt.date,
    recommendations: Sequence[Recommendation],
) -> None:
    """Add the anonymised summary of a non-publication notice, published ``on``, to the
    repository (nothing if it is there already). Runs in the caller's transaction; does not
    commit. A notice without a summary is refused (ValueError)."""
    summary = notice.anonymised_summary
    if summary is None or not summary.strip():
        raise ValueError(f"notice {notice.id} has no anonymised summary to index")
    if notice.scr_id != scr.scr_id:
        raise ValueError(f"notice {notice.id} is not of SCR {scr.scr_id}")
    await insert_if_absent(
        session,
        RepositoryEntry.__table__,
        {
            "source_id": notice.id,
            "kind": ANONYMISED_SUMMARY,
            "scr_id": scr.scr_id,
            "case_id": scr.case_id,
            "lscb_id": notice.lscb_id,
            "published_on": on,
            "year": on.year,
            "title": f"Anonymised summary ({scr.reference})",
            "body": _clean(summary),
            "recommendations": _lines(_recommendation_texts(recommendations)),
            "learning_points": "",
            "themes": [],
            "url": notice.url,
        },
    )


# --- the user's query -------------------------------------------------------------------------


# A phrase in double quotes (an unclosed one runs to the end), or a word; either may be preceded
# by "-" (leave out). Quotes delimit: a word never holds one.
_TOKEN = re.compile(r'(-?)"([^"]*)(?:"|$)|(-?)([^\s"]+)')


def _has_word(text: str) -> bool:
    # Both tokenizers make words of letters and digits only: anything else alone finds nothing.
    return any(ch.isalnum() for ch in text)


def _quoted(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


@dataclass
class ParsedQuery:
    """Every group must match (AND); a group matches if any of its units does (OR); no hit may
    hold an excluded unit. A unit is a word or a phrase, kept as typed (without quotes)."""

    groups: list[list[str]] = field(default_factory=list)
    excluded: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.groups

    def tsquery(self) -> sa.ColumnElement[Any]:
        """PostgreSQL: each group through ``websearch_to_tsquery`` (every unit quoted, so that
        nothing is an operator), the groups and the exclusions joined by the tsquery functions,
        whose grouping is explicit (websearch alone reads ``a or b -c`` as a | (b & !c))."""

        def websearch(units: list[str]) -> sa.ColumnElement[Any]:
            return sa.func.websearch_to_tsquery(_ENGLISH, " or ".join(_quoted(u) for u in units))

        query = websearch(self.groups[0])
        for group in self.groups[1:]:
            query = sa.func.tsquery_and(query, websearch(group))
        if self.excluded:
            query = sa.func.tsquery_and(query, sa.func.tsquery_not(websearch(self.excluded)))
        return query

    def units(self) -> list[str]:
        return [unit for group in self.groups for unit in group]

    def any_tsquery(self) -> sa.ColumnElement[Any]:
        """PostgreSQL: any one of the units (to tell which fields a hit's words are in)."""
        return sa.func.websearch_to_tsquery(_ENGLISH, " or ".join(_quoted(u) for u in self.units()))

    def any_fts5(self, column: str) -> str:
        """FTS5: any one of the units, in ``column``."""
        return f"{{{column}}} : (" + " OR ".join(_quoted(u) for u in self.units()) + ")"

    def phrase_locator(self) -> str | None:
        """PostgreSQL: a regular expression (case-insensitive) finding where a phrase of the
        query is in a text, each word by its first letters (all but the last two, at least
        three): the quoted one, else the whole query."""
        units = [re.findall(r"\w+", unit) for unit in self.units()]
        phrases = [words for words in units if len(words) > 1]
        whole = self.phrase()
        if whole is not None:
            phrases.append(re.findall(r"\w+", whole))
        if not phrases:
            return None
        return r"\m" + r"\w*\W+".join(re.escape(w[: max(3, len(w) - 2)]) for w in phrases[0])

    def fts5(self) -> str:
        """For FTS5's MATCH: every unit a quoted string (FTS5 tokenizes inside it)."""
        required = " AND ".join(
            _quoted(g[0]) if len(g) == 1 else "(" + " OR ".join(_quoted(u) for u in g) + ")"
            for g in self.groups
        )
        if not self.excluded:
            return required
        return f"({required}) NOT (" + " OR ".join(_quoted(u) for u in self.excluded) + ")"

    def phrase(self) -> str | None:
        """The whole query as one phrase, for the bonus: none when it has alternatives or a
        single word (every hit would get it)."""
        if any(len(g) > 1 for g in self.groups):
            return None
        text = " ".join(g[0] for g in self.groups)
        return text if len(text.split()) > 1 else None


def parse_query(q: str) -> ParsedQuery:
    parsed = ParsedQuery()
    alternative = False  # the last token was "or" between two units
    for match in _TOKEN.finditer(_CONTROL.sub(" ", q)):
        minus = match.group(1) or match.group(3)
        quoted = match.group(2) is not None
        text = _SPACE.sub(" ", match.group(2) if quoted else match.group(4)).strip()
        if not quoted and not minus and text.lower() == "or":
            alternative = bool(parsed.groups)
            continue
        if not _has_word(text):
            continue
        if minus:
            parsed.excluded.append(text)
        elif alternative:
            parsed.groups[-1].append(text)
        else:
            parsed.groups.append([text])
        alternative = False
    return parsed


# --- searching --------------------------------------------------------------------------------


@dataclass
class _Found:
    """One hit of the page before its snippet: its id and score, in rank order."""

    id: int
    rank: float


def _json_holds(dialect: str, column: Any, value: str) -> sa.ColumnElement[bool]:
    """The JSON array ``column`` holds ``value`` (case-insensitive)."""
    function = sa.func.json_array_elements_text if dialect == "postgresql" else sa.func.json_each
    elements = function(column).table_valued("value").alias("element")
    return sa.exists(
        sa.select(1).select_from(elements).where(sa.func.lower(elements.c.value) == value.lower())
    )


def _filters(
    dialect: str,
    year: int | None,
    lscb_id: str | None,
    harm_type: str | None,
    theme: str | None,
) -> list[sa.ColumnElement[bool]]:
    entry = RepositoryEntry
    filters: list[sa.ColumnElement[bool]] = []
    if year is not None:
        filters.append(entry.year == year)
    if lscb_id is not None:
        filters.append(entry.lscb_id == lscb_id)
    if theme is not None:
        filters.append(_json_holds(dialect, entry.themes, theme))
    if harm_type is not None:
        harm = (
            CaseHarm.outcome == harm_type
            if harm_type in OUTCOMES
            else _json_holds(dialect, CaseHarm.abuse_or_neglect, harm_type)
        )
        filters.append(sa.exists().where(CaseHarm.case_id == entry.case_id, harm))
    return filters


def _filter_text(field_name: str, value: str | None) -> str | None:
    """A filter's value, stripped; blank is no filter; a control character answers 422."""
    if value is None or not value.strip():
        return None
    if _CONTROL.search(value):
        raise Invalid(field_name, "must not contain control characters")
    return value.strip()


def _order(rank: Any) -> list[Any]:
    return [rank.desc(), RepositoryEntry.published_on.desc(), RepositoryEntry.id]


async def _count(session: AsyncSession, query: sa.Select[Any]) -> int:
    counted = sa.select(sa.func.count()).select_from(query.subquery())
    return int((await session.execute(counted)).scalar_one())


async def _rank_postgres(
    session: AsyncSession,
    parsed: ParsedQuery,
    filters: list[sa.ColumnElement[bool]],
    limit: int,
    offset: int,
) -> tuple[list[_Found], int]:
    tsquery = parsed.tsquery()
    score = sa.cast(sa.func.ts_rank_cd(_WEIGHTS, _VECTOR, tsquery, _NORMALISATION), sa.Double)
    phrase = parsed.phrase()
    if phrase is not None:
        phrase_query = sa.func.phraseto_tsquery(_ENGLISH, phrase)
        score = score + sa.case((_VECTOR.op("@@")(phrase_query), 1.0), else_=0.0)
    rank = score.label("rank")
    matching = sa.select(RepositoryEntry.id).where(_VECTOR.op("@@")(tsquery), *filters)
    page = (
        matching.add_columns(rank, sa.func.count().over().label("total"))
        .order_by(*_order(rank))
        .limit(limit)
        .offset(offset)
    )
    rows = (await session.execute(page)).all()
    total = rows[0].total if rows else (await _count(session, matching) if offset else 0)
    return [_Found(r.id, float(r.rank)) for r in rows], total


async def _rank_sqlite(
    session: AsyncSession,
    parsed: ParsedQuery,
    filters: list[sa.ColumnElement[bool]],
    limit: int,
    offset: int,
) -> tuple[list[_Found], int]:
    entry = RepositoryEntry
    # bm25() is negative, the better the lower; its opposite is >= 0, then mapped to [0, 1).
    score = -sa.func.bm25(_FTS_NAME, *(sa.literal_column(repr(w)) for w in _BM25_WEIGHTS))
    bonus: sa.ColumnElement[Any] = sa.literal_column("0")
    phrase = parsed.phrase()
    if phrase is not None:
        phrased = _FTS.alias("phrased")
        bonus = entry.id.in_(
            sa.select(phrased.c.rowid).where(phrased.c.repository_fts.op("MATCH")(_quoted(phrase)))
        )
    # FTS5's auxiliary functions (bm25) cannot share a query level with a window function: the
    # hits are scored first, once, then counted and ordered.
    hits = (
        sa.select(
            entry.id,
            entry.published_on,
            score.label("score"),
            sa.cast(bonus, sa.Integer).label("bonus"),
        )
        .select_from(_FTS.join(entry, entry.id == _FTS.c.rowid))
        .where(_FTS.c.repository_fts.op("MATCH")(parsed.fts5()), *filters)
        .cte("hits")
        .prefix_with("MATERIALIZED")
    )
    rank = (hits.c.bonus + hits.c.score / (hits.c.score + 1.0)).label("rank")
    page = (
        sa.select(hits.c.id, rank, sa.func.count().over().label("total"))
        .order_by(rank.desc(), hits.c.published_on.desc(), hits.c.id)
        .limit(limit)
        .offset(offset)
    )
    rows = (await session.execute(page)).all()
    if rows or not offset:
        return [_Found(r.id, float(r.rank)) for r in rows], rows[0].total if rows else 0
    return [], int((await session.execute(sa.select(sa.func.count()).select_from(hits))).scalar())


_HIT_COLUMNS = (
    RepositoryEntry.id,
    RepositoryEntry.kind,
    RepositoryEntry.source_id,
    RepositoryEntry.scr_id,
    RepositoryEntry.lscb_id,
    RepositoryEntry.title,
    RepositoryEntry.published_on,
    RepositoryEntry.year,
    RepositoryEntry.url,
    RepositoryEntry.themes,
)


Details = dict[int, tuple[sa.Row[Any], str, list[str]]]


async def _word_locator(session: AsyncSession, parsed: ParsedQuery) -> str | None:
    """PostgreSQL: a regular expression (case-insensitive) finding the first of the query's
    words in a text: each by its stem as the index has it (stop words gone) and a short ending,
    a stem's final i standing for a y too (babi: baby, babies)."""
    text = " ".join(parsed.units())
    stems_of = sa.select(sa.func.tsvector_to_array(sa.func.to_tsvector(_ENGLISH, text)))
    stems = (await session.execute(stems_of)).scalar_one()
    patterns = sorted(
        re.escape(stem[:-1]) + "[iy]" if stem.endswith("i") else re.escape(stem)
        for stem in stems or []
        if len(stem) > 2  # shorter ones begin too many words
    )
    if not patterns:
        return None
    return r"\m(" + "|".join(patterns) + r")\w{0,5}\M"


async def _details_postgres(session: AsyncSession, parsed: ParsedQuery, ids: list[int]) -> Details:
    entry = RepositoryEntry
    # Any one of the words or phrases: a field may hold only some of the query's words (the
    # others being in another field), and ts_headline marks nothing where its query is false.
    any_unit = parsed.any_tsquery()

    def headline(text: Any, options: str) -> sa.ColumnElement[str]:
        return sa.func.ts_headline(
            _ENGLISH, sa.func.translate(text, "<>", _LT + _GT), any_unit, options
        )

    located: sa.ColumnElement[Any] = sa.null()
    version = session.get_bind().dialect.server_version_info or (0,)
    locators = (
        [parsed.phrase_locator(), await _word_locator(session, parsed)] if version >= (15,) else []
    )
    for pattern in reversed(locators):
        if pattern is not None:
            found = sa.func.regexp_instr(entry.body, pattern, 1, 1, 0, "i")
            located = sa.func.coalesce(sa.func.nullif(found, 0), located)
    window = sa.func.substr(
        entry.body,
        sa.func.greatest(1, sa.func.coalesce(located - _WINDOW_BEFORE, 1)),
        _WINDOW_LENGTH,
    )
    holds = {
        name: (
            sa.func.ts_filter(_VECTOR, sa.literal_column(f"'{_WEIGHT_OF[name]}'::\"char\"[]"))
            if name in _WEIGHT_OF
            else sa.func.to_tsvector(_ENGLISH, getattr(entry, name))
        ).op("@@")(any_unit)
        for name in FIELDS
    }
    query = sa.select(
        *_HIT_COLUMNS,
        *(holds[name].label(f"in_{name}") for name in FIELDS),
        *(headline(getattr(entry, n), _HIGHLIGHT_ALL).label(f"h_{n}") for n in FIELDS[:3]),
        headline(window, _HEADLINE).label("h_body"),
    ).where(entry.id.in_(ids))
    rows = (await session.execute(query)).all()
    # A match in the body the window missed (its words began otherwise): the whole body, then.
    missed = [r.id for r in rows if r.in_body and _START not in r.h_body]
    whole: dict[int, str] = {}
    if missed:
        again = sa.select(entry.id, headline(entry.body, _HEADLINE)).where(entry.id.in_(missed))
        whole = {id_: text for id_, text in (await session.execute(again)).all()}
    details: Details = {}
    for row in rows:
        matched_in = [name for name in FIELDS if getattr(row, f"in_{name}")]
        # The body's fragments; failing a match there, the first field that has one.
        source = next(
            (
                whole.get(row.id, row.h_body) if name == "body" else getattr(row, f"h_{name}")
                for name in ("body", "learning_points", "recommendations", "title")
                if name in matched_in
            ),
            row.h_body,
        )
        details[row.id] = (row, source.translate(_UNHIDE), matched_in)
    return details


async def _details_sqlite(session: AsyncSession, parsed: ParsedQuery, ids: list[int]) -> Details:
    entry = RepositoryEntry
    snippet = sa.func.snippet(
        _FTS_NAME,
        sa.literal_column("-1"),  # the column with the best fragment
        _START,
        _STOP,
        ELLIPSIS,
        sa.literal_column(str(_SNIPPET_TOKENS)),
    )
    # Which fields hold any of the query's words or phrases: the short ones by highlighting
    # them, the body (which would cost as much again as its snippet) by a look-up in the index.
    short = [
        (
            sa.func.instr(
                sa.func.highlight(_FTS_NAME, sa.literal_column(str(i)), _START, _STOP), _START
            )
            > 0
        ).label(f"in_{name}")
        for i, name in enumerate(FIELDS[:3])
    ]
    in_body = _FTS.alias("in_body")
    body = entry.id.in_(
        sa.select(in_body.c.rowid).where(
            in_body.c.repository_fts.op("MATCH")(parsed.any_fts5("body")), in_body.c.rowid.in_(ids)
        )
    )
    query = (
        sa.select(*_HIT_COLUMNS, snippet.label("snippet"), *short, body.label("in_body"))
        .select_from(_FTS.join(entry, entry.id == _FTS.c.rowid))
        .where(_FTS.c.repository_fts.op("MATCH")(parsed.fts5()), _FTS.c.rowid.in_(ids))
    )
    return {
        row.id: (row, row.snippet, [name for name in FIELDS if getattr(row, f"in_{name}")])
        for row in (await session.execute(query)).all()
    }


def render_snippet(marked: str) -> str:
    """HTML: the text escaped, each match (between the markers) in ``<mark>``; whitespace
    collapsed. Markers out of pairs are dropped."""
    parts: list[str] = []
    inside = False
    for piece in _MARKERS.split(_SPACE.sub(" ", marked).strip()):
        if piece == _START:
            if not inside:
                parts.append("<mark>")
                inside = True
        elif piece == _STOP:
            if inside:
                parts.append("</mark>")
                inside = False
        elif piece:
            parts.append(html.escape(piece, quote=True))
    if inside:
        parts.append("</mark>")
    return "".join(parts)


async def search(
    session: AsyncSession,
    q: str,
    year: int | None,
    lscb_id: str | None,
    harm_type: str | None,
    theme: str | None,
    limit: int,
    offset: int,
) -> RepositoryPage:
    """One page of the repository's entries matching ``q``, best first, each with a snippet.

    ``q``: words (all required), "quoted phrases", ``or`` between two alternatives, ``-word`` to
    leave out; nothing in it is a syntax error. Blank, longer than 200 characters or only words
    to leave out: 422 naming ``q``. Filters: the year of publication, the board, the case's harm
    (an ``Outcome`` or ``AbuseOrNeglect`` value; anything else: 422 naming ``harm_type``) and a
    theme (case-insensitive); a blank one is no filter.
    """
    if not q or not q.strip():
        raise Invalid("q", "must not be blank")
    if len(q) > MAX_QUERY_LENGTH:
        raise Invalid("q", f"must be at most {MAX_QUERY_LENGTH} characters")
    if year is not None and not 1 <= year <= 9999:
        raise Invalid("year", "must be a year between 1 and 9999")
    lscb_id = _filter_text("lscb_id", lscb_id)
    theme = _filter_text("theme", theme)
    harm_type = _filter_text("harm_type", harm_type)
    if harm_type is not None:
        harm_type = harm_type.lower()
        if harm_type not in HARM_TYPES:
            raise Invalid("harm_type", "must be one of " + ", ".join(sorted(HARM_TYPES)))
    parsed = parse_query(q)
    if parsed.empty and parsed.excluded:
        raise Invalid("q", "must have a word to look for, not only words to leave out")
    page = RepositoryPage(items=[], total=0, limit=limit, offset=offset, q=q)
    if parsed.empty:  # nothing a tokenizer would make a word of: nothing to find
        return page

    dialect = session.get_bind().dialect.name
    filters = _filters(dialect, year, lscb_id, harm_type, theme)
    postgres = dialect == "postgresql"
    rank, describe = (
        (_rank_postgres, _details_postgres) if postgres else (_rank_sqlite, _details_sqlite)
    )
    found, page.total = await rank(session, parsed, filters, limit, offset)
    details = await describe(session, parsed, [f.id for f in found]) if found else {}
    for hit in found:
        if hit.id not in details:  # gone between the two queries (entries are never deleted)
            continue
        row, snippet, matched_in = details[hit.id]
        page.items.append(
            RepositoryHit(
                kind=row.kind,
                source_id=row.source_id,
                scr_id=row.scr_id,
                lscb_id=row.lscb_id,
                title=row.title,
                published_on=row.published_on,
                year=row.year,
                url=row.url,
                themes=list(row.themes),
                rank=hit.rank,
                snippet=render_snippet(snippet),
                matched_in=matched_in,
            )
        )
    return page
