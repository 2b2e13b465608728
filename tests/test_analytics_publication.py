"""The publication figures of the analytics summary (DOMAIN.md §5), from the publication events.

The events are applied straight through the analytics handlers, each in its own transaction as
the consumer would (a type without a handler is skipped, as the consumer skips it), often out of
order and twice. The hand-made tests write the expected figures out from their inputs; the
generated one computes them itself, simply, from the events it generated.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
import random
from collections.abc import Iterable, Sequence
from fractions import Fraction
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection

from services.analytics import service
from services.analytics.consumers import HANDLERS
from services.analytics.models import Base
from services.analytics.schemas import Period, QualityByWorkingTogether
from shared.config import PlatformSettings
from shared.db import make_engine, make_sessionmaker
from shared.events.contracts import (
    ConsiderationRecordedV1,
    NonPublicationConsideredV1,
    NonPublicationNotifiedV1,
    NonPublicationResolvedV1,
    NonPublicationRespondedV1,
    QualityReviewRecordedV1,
    RecommendationFacts,
    RecommendationUpdatedV1,
    ReportPublishedV1,
    ReportReceivedV1,
    ScrOverdueV1,
)
from shared.events.envelope import EventData
from shared.events.vocab import (
    AddresseeKind,
    CaseState,
    ConsiderationOutcome,
    NonPublicationAction,
    NonPublicationOutcome,
    NonPublicationProposal,
    NonPublicationReason,
    NonPublicationState,
    QualityFeature,
    QualityProblem,
    RecommendationLevel,
    RecommendationStatus,
    Role,
    Sector,
    WorkingTogether,
)
from tests.support.databases import DatabaseFactory
from tests.support.events import apply_through
from tests.support.services import auth, running_app, settings_for

DAY = dt.timedelta(days=1)
FROM, TO = dt.date(2014, 10, 1), dt.date(2015, 3, 31)
YEAR = (dt.date(2013, 6, 1), dt.date(2014, 5, 31))  # the first annual report's twelve months
LSCB = "E06000001"

ACCEPT, CHALLENGE = NonPublicationOutcome.ACCEPT, NonPublicationOutcome.CHALLENGE
PUBLISH, MAINTAIN = NonPublicationAction.PUBLISH, NonPublicationAction.MAINTAIN
AWAITING_PANEL, AWAITING_LSCB = (
    NonPublicationState.AWAITING_PANEL,
    NonPublicationState.AWAITING_LSCB,
)
ACCEPTED, PUBLISHED = NonPublicationState.ACCEPTED, NonPublicationState.PUBLISHED
BEFORE, UNDER = WorkingTogether.BEFORE_2013, WorkingTogether.UNDER_2013
S = RecommendationStatus
F, P = QualityFeature, QualityProblem

# Every figure this file is about (the others are the decision and registry tests').
PUBLICATION_FIGURES = (
    "reports_received_before_publication",
    "reports_short_notice",
    "non_publication_cases_considered",
    "non_publication_accepted",
    "non_publication_being_reconsidered",
    "non_publication_since_published",
    "completed_scrs",
    "publication_rate_pct",
    "panel_considerations",
    "panel_considerations_per_month",
    "quality",
    "recommendations",
)


# --- events, built as the publication service would send them ------------------------------------


def facts(rid: str, named: bool = True, due: dt.date | None = None) -> RecommendationFacts:
    return RecommendationFacts(
        recommendation_id=rid,
        level=RecommendationLevel.LOCAL,
        sector=Sector.HEALTH,
        addressee_kind=AddresseeKind.ORGANISATION,
        names_addressee=named,
        due_on=due,
    )


def received(
    n: str,
    on: dt.date,
    short: bool = False,
    working_together: WorkingTogether = UNDER,
    recommendations: Sequence[RecommendationFacts] = (),
) -> ReportReceivedV1:
    planned = on + (3 if short else 30) * DAY
    return ReportReceivedV1(
        scr_id=f"s-{n}",
        case_id=f"s-{n}",
        lscb_id=LSCB,
        report_id=f"r-{n}",
        submitted_on=on,
        planned_publication_on=planned,
        short_notice=short,
        notice_days=(planned - on).days,
        initiated_on=on - 200 * DAY,
        working_together=working_together,
        recommendations=tuple(recommendations),
    )


def published(report: ReportReceivedV1, on: dt.date) -> ReportPublishedV1:
    return ReportPublishedV1(
        scr_id=report.scr_id,
        case_id=report.case_id,
        lscb_id=report.lscb_id,
        report_id=report.report_id,
        published_on=on,
        url=f"https://example.org/{report.report_id}",
    )


class Notice:
    """A notice's events as the publication service sends them: each step numbered (``seq``) and
    carrying the state after it, along the state table of DOMAIN.md §3; an outcome also resolves
    the notice (an event analytics does not consume)."""

    def __init__(
        self, n: str, on: dt.date, recommendations: Sequence[RecommendationFacts] = ()
    ) -> None:
        self.common = {"scr_id": f"s-{n}", "case_id": f"s-{n}", "lscb_id": LSCB}
        self.notice_id = f"n-{n}"
        self.state = AWAITING_PANEL
        self.considerations = 0
        self.events: list[EventData] = [
            NonPublicationNotifiedV1(
                **self.common,
                notice_id=self.notice_id,
                state=AWAITING_PANEL,
                seq=1,
                notified_on=on,
                reasons=(NonPublicationReason.CRIMINAL_PROCEEDINGS,),
                proposal=NonPublicationProposal.WITHHOLD,
                initiated_on=on - 200 * DAY,
                recommendations=tuple(recommendations),
            )
        ]
        self.seq = 1

    def _step(self, state: NonPublicationState) -> dict[str, Any]:
        self.seq += 1
        self.state = state
        return {**self.common, "notice_id": self.notice_id, "state": state, "seq": self.seq}

    def _resolved(self, on: dt.date) -> None:
        self.events.append(
            NonPublicationResolvedV1(
                **self.common,
                notice_id=self.notice_id,
                state=self.state,
                seq=self.seq,
                resolved_on=on,
                resolution=self.state,
                proposal=NonPublicationProposal.WITHHOLD,
            )
        )

    def consider(self, on: dt.date, outcome: NonPublicationOutcome, breach: bool = False) -> Notice:
        assert self.state is AWAITING_PANEL, self.state
        first = self.considerations == 0
        self.considerations += 1
        step = self._step(ACCEPTED if outcome is ACCEPT else AWAITING_LSCB)
        self.events.append(
            NonPublicationConsideredV1(
                **step,
                consideration_id=f"{self.notice_id}-k{self.seq}",
                considered_on=on,
                outcome=outcome,
                first_consideration=first,
                statutory_breach=breach,
            )
        )
        if outcome is ACCEPT:
            self._resolved(on)
        return self

    def respond(self, on: dt.date, action: NonPublicationAction) -> Notice:
        assert self.state is AWAITING_LSCB or (self.state is ACCEPTED and action is PUBLISH)
        step = self._step(PUBLISHED if action is PUBLISH else AWAITING_PANEL)
        self.events.append(
            NonPublicationRespondedV1(
                **step,
                response_id=f"{self.notice_id}-r{self.seq}",
                responded_on=on,
                action=action,
                published_on=on if action is PUBLISH else None,
                url=f"https://example.org/{self.notice_id}" if action is PUBLISH else None,
            )
        )
        if action is PUBLISH:
            self._resolved(on)
        return self


def reviewed(
    n: str,
    on: dt.date,
    working_together: WorkingTogether,
    scores: dict[QualityFeature, int],
    problems: Sequence[QualityProblem] = (),
) -> QualityReviewRecordedV1:
    return QualityReviewRecordedV1(
        scr_id=f"s-{n}",
        case_id=f"s-{n}",
        lscb_id=LSCB,
        review_id=f"q-{n}",
        report_id=f"r-{n}",
        reviewed_on=on,
        working_together=working_together,
        scores=scores,
        problems=tuple(problems),
    )


def updated(
    rid: str, seq: int, on: dt.date, before: RecommendationStatus, status: RecommendationStatus
) -> RecommendationUpdatedV1:
    return RecommendationUpdatedV1(
        scr_id=f"s-{rid}",
        case_id=f"s-{rid}",
        lscb_id=LSCB,
        recommendation_id=rid,
        changed_on=on,
        status_before=before,
        status=status,
        seq=seq,
    )


def decision_considered(k: str, on: dt.date) -> ConsiderationRecordedV1:
    """A panel consideration of a non-initiation decision (the decisions service's kind)."""
    return ConsiderationRecordedV1(
        decision_id=f"d-{k}",
        case_id=f"c-{k}",
        lscb_id=LSCB,
        consideration_id=f"d-{k}-k",
        considered_on=on,
        outcome=ConsiderationOutcome.AGREE,
        first_consideration=True,
        statutory_breach=False,
        state=CaseState.AGREED_WITHOUT_CHALLENGE,
    )


def business_date(event: EventData) -> dt.date:
    """The event's business date: the one field every contract marks as such."""
    for name, field in type(event).model_fields.items():
        if (field.description or "").startswith("The business date"):
            value = getattr(event, name)
            assert isinstance(value, dt.date)
            return value
    raise AssertionError(f"{type(event).__name__} has no business date")


# --- applying events and reading the figures ----------------------------------------------------


async def apply(database_url: str, deliveries: Iterable[EventData]) -> None:
    """Each event through its handler in a transaction of its own, as the consumer does; a type
    analytics has no handler for is skipped, as the consumer skips it."""
    await apply_through(HANDLERS, database_url, deliveries)


async def figures(database_url: str, start: dt.date, end: dt.date) -> dict[str, Any]:
    """The publication figures as the route would answer them (JSON), in a fresh session."""
    engine = make_engine(database_url)
    try:
        async with make_sessionmaker(engine)() as session:
            summary = await service.summary(session, Period(date_from=start, date_to=end))
    finally:
        await engine.dispose()
    got = summary.model_dump(mode="json")
    return {name: got[name] for name in PUBLICATION_FIGURES}


def _tenths(value: Fraction) -> float:
    """One decimal, halves up, done with integers."""
    return math.floor(value * 10 + Fraction(1, 2)) / 10


def no_quality() -> dict[str, Any]:
    nothing = {
        "reports_reviewed": 0,
        "mean_scores": {f.value: None for f in QualityFeature},
        "problem_share_pct": {p.value: None for p in QualityProblem},
    }
    return {w.value: nothing for w in WorkingTogether}


def no_recommendations() -> dict[str, Any]:
    return {
        "total": 0,
        "by_status": {s.value: 0 for s in RecommendationStatus},
        "named_addressee_pct": None,
        "overdue": 0,
    }


# --- the tests ----------------------------------------------------------------------------------


async def test_paragraph_11(databases: DatabaseFactory) -> None:
    """Para 11: 74 reports before publication and 7 non-publication decisions considered, of which
    five accepted, one challenged and awaiting the board, one challenged and since published:
    81 completed SCRs, (74 + 1) / 81 = 92.59... published, 92.6."""
    start, end = YEAR
    # 74 reports, every fourth day from 1 June 2013 (the last on 20 March 2014); those with
    # n = 0, 10, ..., 70 (8 of them) on short notice; a few published since.
    reports = [received(f"y{n}", start + 4 * n * DAY, short=n % 10 == 0) for n in range(74)]
    notices = [Notice(f"y{k}", dt.date(2013, 7, 1) + k * DAY) for k in range(7)]
    for k in range(5):
        notices[k].consider(dt.date(2013, 9, 2) + 7 * k * DAY, ACCEPT)
    notices[5].consider(dt.date(2014, 2, 3), CHALLENGE)
    notices[6].consider(dt.date(2013, 11, 4), CHALLENGE).respond(dt.date(2014, 1, 10), PUBLISH)
    events: list[EventData] = [
        *reports,
        *(published(r, r.submitted_on + 30 * DAY) for r in reports[:20]),
        *(e for notice in notices for e in notice.events),
    ]
    url = databases.new("analytics")
    await apply(url, events)

    assert await figures(url, start, end) == {
        "reports_received_before_publication": 74,
        "reports_short_notice": 8,
        "non_publication_cases_considered": 7,
        "non_publication_accepted": 5,
        "non_publication_being_reconsidered": 1,
        "non_publication_since_published": 1,
        "completed_scrs": 81,
        "publication_rate_pct": 92.6,
        "panel_considerations": 7,  # the seven first considerations; no decisions here
        "panel_considerations_per_month": 0.6,  # 7 in 12 months: 0.583...
        "quality": no_quality(),
        "recommendations": no_recommendations(),
    }


def _edge_events() -> list[EventData]:
    """Reports and notices around (FROM, TO), and panel considerations of both kinds."""
    first_day = received("first", FROM, short=True)
    last_day = received("last", TO)
    day_after = received("after", TO + DAY, short=True)
    day_before = received("before", FROM - DAY, short=True)
    published_first = received("pubfirst", FROM + 10 * DAY)
    # First considered the day before FROM: not among the period's cases; its later
    # consideration (after the board maintained its decision) is one of the period's records.
    early = (
        Notice("early", FROM - 30 * DAY)
        .consider(FROM - DAY, CHALLENGE)
        .respond(FROM + 5 * DAY, MAINTAIN)
        .consider(FROM + 12 * DAY, ACCEPT)
    )
    # Accepted within the period, published the day after TO: accepted at TO.
    late_publish = (
        Notice("latepub", FROM + DAY).consider(FROM + 20 * DAY, ACCEPT).respond(TO + DAY, PUBLISH)
    )
    # Challenged and published the same day: published (seq 3 after seq 2).
    same_day_published = (
        Notice("samepub", FROM + 2 * DAY)
        .consider(FROM + 40 * DAY, CHALLENGE)
        .respond(FROM + 40 * DAY, PUBLISH)
    )
    # Challenged, maintained and accepted the same day: accepted (seq 4 after 3 after 2).
    same_day_accepted = (
        Notice("sameacc", FROM + 3 * DAY)
        .consider(FROM + 50 * DAY, CHALLENGE)
        .respond(FROM + 50 * DAY, MAINTAIN)
        .consider(FROM + 50 * DAY, ACCEPT)
    )
    # Challenged on TO itself: awaiting the board at TO.
    awaiting = Notice("awaiting", FROM + 4 * DAY).consider(TO, CHALLENGE)
    # Notified before TO, first considered the day after.
    next_day = Notice("nextday", TO - 3 * DAY).consider(TO + DAY, ACCEPT)
    return [
        first_day,
        last_day,
        day_after,
        day_before,
        published(published_first, FROM + 40 * DAY),  # its publication before its receipt
        published_first,
        *early.events,
        *late_publish.events,
        *same_day_published.events,
        *same_day_accepted.events,
        *awaiting.events,
        *next_day.events,
        decision_considered("in", FROM + 7 * DAY),
        decision_considered("after", TO + DAY),
        ScrOverdueV1(  # not consumed by analytics
            scr_id="s-overdue",
            case_id="s-overdue",
            lscb_id=LSCB,
            initiated_on=FROM - 200 * DAY,
            due_on=FROM - 17 * DAY,
            overdue_on=FROM - 16 * DAY,
        ),
    ]


EDGES_AT_TO = {
    "reports_received_before_publication": 3,  # first, last, pubfirst
    "reports_short_notice": 1,  # first
    "non_publication_cases_considered": 4,  # latepub, samepub, sameacc, awaiting
    "non_publication_accepted": 2,  # latepub (published only after TO), sameacc
    "non_publication_being_reconsidered": 1,  # awaiting
    "non_publication_since_published": 1,  # samepub
    "completed_scrs": 7,  # 3 + 4
    "publication_rate_pct": 57.1,  # 100 * (3 + 1) / 7 = 57.14...
    # Notices: early's later acceptance, latepub's, samepub's, sameacc's two and awaiting's (6);
    # decisions: "in" (1). Not early's first (FROM - 1), nor those of TO + 1.
    "panel_considerations": 7,
    "panel_considerations_per_month": 1.2,  # 7 in 6 months: 1.166...
    "quality": no_quality(),
    "recommendations": no_recommendations(),
}
EDGES_DAY_AFTER = {
    **EDGES_AT_TO,
    "reports_received_before_publication": 4,  # + after
    "reports_short_notice": 2,
    "non_publication_cases_considered": 5,  # + nextday
    "non_publication_accepted": 2,  # sameacc, nextday (latepub is published now)
    "non_publication_since_published": 2,  # samepub, latepub
    "completed_scrs": 9,
    "publication_rate_pct": 66.7,  # 100 * (4 + 2) / 9 = 66.66...
    "panel_considerations": 9,  # + nextday's and decision "after"
    "panel_considerations_per_month": 1.5,  # 9 in 6 1/30 months: 270/181 = 1.49...
}
# The day after TO alone: the report sent and the notice first considered on it; latepub,
# published on it, was first considered before and is not among the day's cases.
EDGES_ONLY_DAY_AFTER = {
    **EDGES_AT_TO,
    "reports_received_before_publication": 1,
    "reports_short_notice": 1,
    "non_publication_cases_considered": 1,
    "non_publication_accepted": 1,
    "non_publication_being_reconsidered": 0,
    "non_publication_since_published": 0,
    "completed_scrs": 2,
    "publication_rate_pct": 50.0,  # 100 * (1 + 0) / 2
    "panel_considerations": 2,  # nextday's and decision "after"
    "panel_considerations_per_month": 60.0,  # 2 in 1/30 of a month (April)
}


async def test_breaches_flagged_on_notices_count_with_those_on_decisions(
    databases: DatabaseFactory,
) -> None:
    """Para 9: any clear statutory breach the panel sees is counted, whatever it considered."""
    url = databases.new("analytics")
    flagged_decision = decision_considered("d1", FROM + DAY).model_copy(
        update={"statutory_breach": True}
    )
    in_period = Notice("b1", FROM).consider(FROM + 3 * DAY, CHALLENGE, breach=True)
    unflagged = Notice("b2", FROM).consider(FROM + 3 * DAY, ACCEPT)
    after_to = Notice("b3", TO - DAY).consider(TO + DAY, CHALLENGE, breach=True)
    await apply(url, [flagged_decision, *in_period.events, *unflagged.events, *after_to.events])
    engine = make_engine(url)
    try:
        async with make_sessionmaker(engine)() as session:
            summary = await service.summary(session, Period(date_from=FROM, date_to=TO))
    finally:
        await engine.dispose()
    assert summary.statutory_breaches_flagged == 2
    # A breach is not a late notification (a notice's breaches once leaked into that count).
    assert summary.notifications_late == 0


async def test_the_cases_at_the_edges(databases: DatabaseFactory) -> None:
    """Events dated up to TO first, each notice's steps backwards and everything twice; then
    those of the day after, which change nothing at TO."""
    events = _edge_events()
    until_to = [e for e in events if business_date(e) <= TO]
    after_to = [e for e in events if business_date(e) > TO]
    url = databases.new("analytics")
    await apply(url, [*reversed(until_to), *until_to])
    assert await figures(url, FROM, TO) == EDGES_AT_TO

    await apply(url, [*reversed(after_to), *after_to])
    assert await figures(url, FROM, TO) == EDGES_AT_TO
    assert await figures(url, FROM, TO + DAY) == EDGES_DAY_AFTER
    assert await figures(url, TO + DAY, TO + DAY) == EDGES_ONLY_DAY_AFTER

    # Redelivered, in yet another order: nothing changes.
    await apply(url, events)
    assert await figures(url, FROM, TO) == EDGES_AT_TO
    assert await figures(url, FROM, TO + DAY) == EDGES_DAY_AFTER


async def test_same_day_steps_follow_seq_whatever_the_order_applied(
    databases: DatabaseFactory,
) -> None:
    """Three steps on one day, applied in every order: the state is the one of the last seq."""
    day = FROM + 30 * DAY
    notice = (
        Notice("order", FROM)
        .consider(day, CHALLENGE)  # seq 2: awaiting_lscb
        .respond(day, MAINTAIN)  # seq 3: awaiting_panel
        .consider(day, ACCEPT)  # seq 4: accepted
    )
    steps = [e for e in notice.events if not isinstance(e, NonPublicationResolvedV1)]
    orders = [[2, 3, 0, 1], [3, 2, 1, 0], [1, 3, 2, 0], [0, 1, 2, 3]]
    for order in orders:
        url = databases.new("analytics")
        await apply(url, [steps[i] for i in order])
        got = await figures(url, FROM, TO)
        assert got["non_publication_cases_considered"] == 1, order
        assert got["non_publication_accepted"] == 1, order
        assert got["non_publication_being_reconsidered"] == 0, order
        assert got["panel_considerations"] == 2, order


async def test_quality_by_working_together(databases: DatabaseFactory) -> None:
    everything = dict.fromkeys(QualityFeature, 3)
    events: list[EventData] = [
        # Under Working Together 2013, in the period: three reviews.
        reviewed(
            "u1",
            FROM,
            UNDER,
            {**everything, F.CAUSES_AND_PREVENTION: 1},
            # jargon flagged twice by one review: once
            [P.IRRELEVANT_DETAIL_AND_JARGON, P.NOT_CHILD_CENTRED, P.IRRELEVANT_DETAIL_AND_JARGON],
        ),
        reviewed(
            "u2", FROM + 10 * DAY, UNDER, dict.fromkeys(F, 2), [P.IRRELEVANT_DETAIL_AND_JARGON]
        ),
        # Scores two features only: the others' means are over u1 and u2.
        reviewed("u3", TO, UNDER, {F.CAUSES_AND_PREVENTION: 2, F.CONCISE_CRITICAL_POINTS: 4}),
        # Before Working Together 2013, in the period: one review.
        reviewed("b1", TO - DAY, BEFORE, dict.fromkeys(F, 4), [P.LISTS_WITHOUT_ASKING_WHY]),
        # Outside the period.
        reviewed("b2", TO + DAY, BEFORE, dict.fromkeys(F, 1), list(QualityProblem)),
        reviewed("u0", FROM - DAY, UNDER, dict.fromkeys(F, 1), list(QualityProblem)),
    ]
    url = databases.new("analytics")
    await apply(url, [*events, *reversed(events)])  # each review twice

    under = {
        "reports_reviewed": 3,
        "mean_scores": {
            F.CAUSES_AND_PREVENTION.value: 1.7,  # (1 + 2 + 2) / 3 = 1.66...
            F.CONCISE_CRITICAL_POINTS.value: 3.0,  # (3 + 2 + 4) / 3
            **{f.value: 2.5 for f in list(F)[2:]},  # (3 + 2) / 2: u3 did not score them
        },
        "problem_share_pct": {
            P.IRRELEVANT_DETAIL_AND_JARGON.value: 66.7,  # u1 and u2 of 3
            P.LISTS_WITHOUT_ASKING_WHY.value: 0.0,
            P.IGNORES_HUMAN_MOTIVATION.value: 0.0,
            P.NOT_CHILD_CENTRED.value: 33.3,  # u1 of 3
            P.UNCLEAR_RECOMMENDATIONS.value: 0.0,
        },
    }
    before = {
        "reports_reviewed": 1,
        "mean_scores": {f.value: 4.0 for f in F},
        "problem_share_pct": {
            p.value: 100.0 if p is P.LISTS_WITHOUT_ASKING_WHY else 0.0 for p in P
        },
    }
    assert list(F)[:2] == [F.CAUSES_AND_PREVENTION, F.CONCISE_CRITICAL_POINTS]
    got = await figures(url, FROM, TO)
    assert got["quality"] == {BEFORE.value: before, UNDER.value: under}
    # The splits are named after the vocabulary, every value of it.
    assert set(QualityByWorkingTogether.model_fields) == {w.value for w in WorkingTogether}

    # The day after TO adds b2 (all 1, every problem) to the before split.
    day_after = {
        "reports_reviewed": 2,
        "mean_scores": {f.value: 2.5 for f in F},  # (4 + 1) / 2
        "problem_share_pct": {
            p.value: 100.0 if p is P.LISTS_WITHOUT_ASKING_WHY else 50.0 for p in P
        },
    }
    got = await figures(url, FROM, TO + DAY)
    assert got["quality"] == {BEFORE.value: day_after, UNDER.value: under}
    assert (await figures(url, dt.date(2016, 1, 1), dt.date(2016, 12, 31)))["quality"] == (
        no_quality()
    )


async def test_recommendations_by_status_at_to(databases: DatabaseFactory) -> None:
    report = received(
        "a",
        FROM + 5 * DAY,
        recommendations=[
            facts("r1", named=True, due=TO - 10 * DAY),  # never updated: proposed, overdue
            facts("r2", named=False, due=TO - 10 * DAY),  # implemented before TO
            facts("r3", named=True, due=TO - 5 * DAY),  # accepted; in progress only at TO + 1
            facts("r4", named=False, due=TO),  # due on TO: not overdue at TO, overdue after
        ],
    )
    other = received("b", FROM + 6 * DAY, recommendations=[facts("r5", named=True)])
    notice = Notice("n", FROM + 7 * DAY, recommendations=[facts("r6", named=True, due=TO - DAY)])
    made_before = received("c", FROM - 3 * DAY, recommendations=[facts("r7", due=FROM - 2 * DAY)])
    made_after = received("d", TO + DAY, recommendations=[facts("r8", named=False)])
    updates: list[EventData] = [
        updated("r2", 1, TO - 20 * DAY, S.PROPOSED, S.IMPLEMENTED),
        updated("r3", 1, FROM + 30 * DAY, S.PROPOSED, S.ACCEPTED),
        updated("r3", 2, TO + DAY, S.ACCEPTED, S.IN_PROGRESS),
        # Rejected and taken up the same day: accepted.
        updated("r5", 1, FROM + 40 * DAY, S.PROPOSED, S.NOT_ACCEPTED),
        updated("r5", 2, FROM + 40 * DAY, S.NOT_ACCEPTED, S.ACCEPTED),
        updated("r6", 1, TO - 2 * DAY, S.PROPOSED, S.NOT_ACCEPTED),
    ]
    made = [report, other, *notice.events, made_before, made_after]
    url = databases.new("analytics")
    # The updates before what made their recommendations, backwards; then everything again.
    await apply(url, [*reversed(updates), *made, *made, *updates])

    at_to = {
        "total": 6,  # r1 to r6: r7 was made before FROM, r8 after TO
        "by_status": {
            S.PROPOSED.value: 2,  # r1, r4
            S.ACCEPTED.value: 2,  # r3, r5
            S.IN_PROGRESS.value: 0,
            S.IMPLEMENTED.value: 1,  # r2
            S.NOT_ACCEPTED.value: 1,  # r6
        },
        "named_addressee_pct": 66.7,  # r1, r3, r5, r6 of 6
        "overdue": 2,  # r1, r3; r2 and r6 are settled, r4 is due on TO, r5 has no due date
    }
    day_after = {
        "total": 7,  # + r8
        "by_status": {
            S.PROPOSED.value: 3,  # r1, r4, r8
            S.ACCEPTED.value: 1,  # r5
            S.IN_PROGRESS.value: 1,  # r3
            S.IMPLEMENTED.value: 1,
            S.NOT_ACCEPTED.value: 1,
        },
        "named_addressee_pct": 57.1,  # 4 of 7: 57.14...
        "overdue": 3,  # r1, r3, r4
    }
    assert (await figures(url, FROM, TO))["recommendations"] == at_to
    assert (await figures(url, FROM, TO + DAY))["recommendations"] == day_after
    # r7 alone, made three days before FROM and due two days before: overdue the day after.
    r7 = {**no_recommendations(), "total": 1, "named_addressee_pct": 100.0}
    r7["by_status"] = {**r7["by_status"], S.PROPOSED.value: 1}
    for end, overdue in ((FROM - 3 * DAY, 0), (FROM - 2 * DAY, 0), (FROM - DAY, 1)):
        got = (await figures(url, FROM - 3 * DAY, end))["recommendations"]
        assert got == {**r7, "overdue": overdue}, end


# --- generated histories, against an oracle -----------------------------------------------------

PERIODS = (
    (FROM, TO),
    (FROM, TO + DAY),
    YEAR,
    (dt.date(2014, 2, 10), dt.date(2014, 7, 20)),
    (dt.date(2015, 1, 15), dt.date(2015, 1, 15)),
    (dt.date(2013, 1, 1), dt.date(2016, 12, 31)),
)
BOUNDARIES = sorted({d for start, end in PERIODS for d in (start - DAY, start, end, end + DAY)})
FIRST_DAY, LAST_DAY = dt.date(2013, 3, 1), dt.date(2015, 12, 31)


def _day(rng: random.Random) -> dt.date:
    if rng.random() < 0.2:
        return rng.choice(BOUNDARIES)
    return FIRST_DAY + rng.randint(0, (LAST_DAY - FIRST_DAY).days) * DAY


def _later(rng: random.Random, day: dt.date) -> dt.date:
    """On or after ``day``: often a boundary, often the same day."""
    near = [b for b in BOUNDARIES if day <= b <= day + 60 * DAY]
    if near and rng.random() < 0.3:
        return rng.choice(near)
    return day + (0 if rng.random() < 0.25 else rng.randint(1, 45)) * DAY


def _recommendations(
    rng: random.Random, prefix: str, made_on: dt.date
) -> tuple[list[RecommendationFacts], list[EventData]]:
    made: list[RecommendationFacts] = []
    updates: list[EventData] = []
    for i in range(rng.randint(0, 3)):
        rid = f"{prefix}-rec{i}"
        due = _later(rng, made_on) if rng.random() < 0.7 else None
        made.append(facts(rid, named=rng.random() < 0.6, due=due))
        status, day = S.PROPOSED, made_on
        for seq in range(1, rng.randint(1, 4)):
            if status is S.IMPLEMENTED:
                break  # final
            day = _later(rng, day)
            new = rng.choice([s for s in S if s not in (status, S.PROPOSED)])
            updates.append(updated(rid, seq, day, status, new))
            status = new
    return made, updates


def _generated(rng: random.Random, n: int) -> list[EventData]:
    """An SCR's completion: a report (maybe published, maybe reviewed) or a notice with a
    history along the state table, stopping anywhere."""
    on = _day(rng)
    if rng.random() < 0.55:
        made, updates = _recommendations(rng, f"g{n}", on)
        report = received(
            f"g{n}",
            on,
            short=rng.random() < 0.2,
            working_together=rng.choice(list(WorkingTogether)),
            recommendations=made,
        )
        events: list[EventData] = [report, *updates]
        if rng.random() < 0.5:
            events.append(published(report, _later(rng, on)))
        if rng.random() < 0.6:
            scores = {f: rng.randint(1, 4) for f in QualityFeature if rng.random() < 0.9}
            problems = [p for p in QualityProblem if rng.random() < 0.3]
            events.append(
                reviewed(f"g{n}", _later(rng, on), report.working_together, scores, problems)
            )
        return events
    made, updates = _recommendations(rng, f"g{n}", on)
    notice = Notice(f"g{n}", on, recommendations=made)
    day = on
    for _ in range(4):
        if rng.random() < 0.15:
            break
        day = _later(rng, day)
        if notice.state is AWAITING_PANEL:
            notice.consider(day, ACCEPT if rng.random() < 0.5 else CHALLENGE)
        elif notice.state is AWAITING_LSCB:
            notice.respond(day, PUBLISH if rng.random() < 0.4 else MAINTAIN)
        elif notice.state is ACCEPTED and rng.random() < 0.3:
            notice.respond(day, PUBLISH)
        else:
            break
    return [*notice.events, *updates]


def expected(events: Sequence[EventData], start: dt.date, end: dt.date) -> dict[str, Any]:
    """The figures from their definitions, one event at a time."""

    def within(day: dt.date) -> bool:
        return start <= day <= end

    reports = [e for e in events if isinstance(e, ReportReceivedV1) and within(e.submitted_on)]
    steps = [
        e
        for e in events
        if isinstance(
            e, NonPublicationNotifiedV1 | NonPublicationConsideredV1 | NonPublicationRespondedV1
        )
    ]
    considerations = [e for e in steps if isinstance(e, NonPublicationConsideredV1)]
    firsts = [c for c in considerations if c.first_consideration and within(c.considered_on)]

    def state_at_end(notice_id: str) -> NonPublicationState:
        dated = [(business_date(s), s.seq, s.state) for s in steps if s.notice_id == notice_id]
        return max(d for d in dated if d[0] <= end)[2]

    states = [state_at_end(c.notice_id) for c in firsts]
    since_published = states.count(PUBLISHED)
    completed = len(reports) + len(firsts)
    decisions = [e for e in events if isinstance(e, ConsiderationRecordedV1)]
    in_period = sum(within(c.considered_on) for c in [*considerations, *decisions])
    days = (start + i * DAY for i in range((end - start).days + 1))
    months = sum(Fraction(1, calendar.monthrange(d.year, d.month)[1]) for d in days)

    reviews = [
        e for e in events if isinstance(e, QualityReviewRecordedV1) and within(e.reviewed_on)
    ]

    def split(working_together: WorkingTogether) -> dict[str, Any]:
        mine = [r for r in reviews if r.working_together is working_together]
        means = {}
        for feature in QualityFeature:
            scored = [r.scores[feature] for r in mine if feature in r.scores]
            means[feature.value] = _tenths(Fraction(sum(scored), len(scored))) if scored else None
        return {
            "reports_reviewed": len(mine),
            "mean_scores": means,
            "problem_share_pct": {
                p.value: _tenths(Fraction(100 * sum(p in r.problems for r in mine), len(mine)))
                if mine
                else None
                for p in QualityProblem
            },
        }

    made = [
        (rec, business_date(e))
        for e in events
        if isinstance(e, ReportReceivedV1 | NonPublicationNotifiedV1)
        for rec in e.recommendations
        if within(business_date(e))
    ]
    changes = [e for e in events if isinstance(e, RecommendationUpdatedV1)]

    def status_at_end(rid: str) -> RecommendationStatus:
        dated = [(c.changed_on, c.seq, c.status) for c in changes if c.recommendation_id == rid]
        return max([d for d in dated if d[0] <= end], default=(start, 0, S.PROPOSED))[2]

    statuses = {rec.recommendation_id: status_at_end(rec.recommendation_id) for rec, _ in made}
    named = sum(rec.names_addressee for rec, _ in made)
    return {
        "reports_received_before_publication": len(reports),
        "reports_short_notice": sum(r.short_notice for r in reports),
        "non_publication_cases_considered": len(firsts),
        "non_publication_accepted": states.count(ACCEPTED),
        "non_publication_being_reconsidered": states.count(AWAITING_PANEL)
        + states.count(AWAITING_LSCB),
        "non_publication_since_published": since_published,
        "completed_scrs": completed,
        "publication_rate_pct": (
            _tenths(Fraction(100 * (len(reports) + since_published), completed))
            if completed
            else None
        ),
        "panel_considerations": in_period,
        "panel_considerations_per_month": _tenths(in_period / months),
        "quality": {w.value: split(w) for w in WorkingTogether},
        "recommendations": {
            "total": len(made),
            "by_status": {s.value: list(statuses.values()).count(s) for s in S},
            "named_addressee_pct": _tenths(Fraction(100 * named, len(made))) if made else None,
            "overdue": sum(
                rec.due_on is not None
                and rec.due_on < end
                and statuses[rec.recommendation_id] not in (S.IMPLEMENTED, S.NOT_ACCEPTED)
                for rec, _ in made
            ),
        },
    }


async def test_the_publication_figures_match_the_events(databases: DatabaseFactory) -> None:
    seed = random.randrange(2**32)
    rng = random.Random(seed)
    events = [e for n in range(160) for e in _generated(rng, n)]
    events += [decision_considered(f"g{n}", _day(rng)) for n in range(30)]
    # Every event once, some twice, shuffled: one SCR's events out of order as well.
    deliveries = events + [e for e in events if rng.random() < 0.15]
    rng.shuffle(deliveries)
    url = databases.new("analytics")
    await apply(url, deliveries)

    moved: set[str] = set()
    for start, end in PERIODS:
        want = expected(events, start, end)
        assert await figures(url, start, end) == want, f"seed {seed}, period {start} to {end}"
        moved |= {k for k, v in want.items() if v and not isinstance(v, dict)}
        moved |= {"quality"} if want["quality"] != no_quality() else set()
        moved |= {"recommendations"} if want["recommendations"]["overdue"] else set()
    # Whatever the seed, every figure must move in some period, or the comparisons prove little.
    assert moved == set(PUBLICATION_FIGURES), f"seed {seed}: only {sorted(moved)}"


def test_the_edges_agree_with_the_oracle() -> None:
    """The oracle of the generated test agrees with the figures written out by hand."""
    events = _edge_events()
    assert expected(events, FROM, TO) == EDGES_AT_TO
    assert expected(events, FROM, TO + DAY) == EDGES_DAY_AFTER
    assert expected(events, TO + DAY, TO + DAY) == EDGES_ONLY_DAY_AFTER


async def test_the_migrations_make_the_models_tables(databases: DatabaseFactory) -> None:
    """Migration 0003 and models.py agree: autogenerate finds nothing left to do."""
    engine = make_engine(databases.new("analytics"))

    def ours(name: str | None, type_: str, parent: Any) -> bool:
        # The inbox and outbox are shared infrastructure, compared by their own tests.
        return type_ != "table" or name in Base.metadata.tables

    def differences(connection: Connection) -> list[Any]:
        context = MigrationContext.configure(connection, opts={"include_name": ours})
        return list(compare_metadata(context, Base.metadata))

    try:
        async with engine.connect() as connection:
            assert await connection.run_sync(differences) == []
    finally:
        await engine.dispose()


async def test_the_route_answers_the_publication_figures(
    platform: PlatformSettings, databases: DatabaseFactory
) -> None:
    url = databases.new("analytics")
    await apply(url, _edge_events())
    analytics = settings_for("analytics", platform, url, run_workers=False)
    async with running_app(analytics) as (_, stats):
        response = await stats.get(
            "/v1/stats/summary",
            params={"from": FROM.isoformat(), "to": TO.isoformat()},
            headers=auth(platform, Role.PANEL),
        )
        assert response.status_code == 200, response.text
        body = response.json()
        assert {name: body[name] for name in PUBLICATION_FIGURES} == EDGES_AT_TO
        schema = (await stats.get("/openapi.json")).json()["components"]["schemas"]
        for name in ("QualityByWorkingTogether", "QualityRead", "RecommendationsRead"):
            assert name in schema
        fields = schema["SummaryRead"]["properties"]
        assert all(fields[name].get("description") for name in PUBLICATION_FIGURES[:8])
