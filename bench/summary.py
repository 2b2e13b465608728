"""Summary benchmark: how long the analytics service's figures take as the years of data grow.

For each size (years of activity at the panel's first-year volume, times ``--scale``): a fresh
analytics database, migrated, then a seeded synthetic history from 1 June 2013 applied through the
service's own projections (``READ_MODEL_HANDLERS``): the 152 boards; per case a notification and a
decision, and for the non-initiations the panel's considerations, follow-ups and the boards'
responses; per completed SCR a final report (with recommendations; most published weeks later,
most quality-reviewed) or a non-publication notice and its steps; the recommendations' status
changes. Then the app in-process under httpx's ASGI transport, timing the summary for the most
recent year and the whole span, and the monthly series, the per-board figures and the summary as
CSV for the whole span. Prints one JSON document, one object per size.

    .venv/bin/python bench/summary.py                              # temporary SQLite files
    .venv/bin/python bench/summary.py --postgres                   # throwaway PostgreSQL databases
    .venv/bin/python bench/summary.py --years 1,10 --scale 10 --requests 50 --breakdown
"""

from __future__ import annotations

import argparse
import ast
import asyncio
import contextlib
import csv
import datetime as dt
import gc
import inspect
import os
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
from sqlalchemy import text
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
from services.analytics import publication_figures, registry, service
from services.analytics.app import create_app

# The projections only: HANDLERS adds the alert rules, which would raise alerts (and write
# deliveries) the summary never reads, and whose cost is not the figures'.
from services.analytics.consumers import READ_MODEL_HANDLERS
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
    NonPublicationConsideredV1,
    NonPublicationNotifiedV1,
    NonPublicationResolvedV1,
    NonPublicationRespondedV1,
    NotificationReceivedV1,
    QualityReviewRecordedV1,
    RecommendationFacts,
    RecommendationUpdatedV1,
    ReportPublishedV1,
    ReportReceivedV1,
)
from shared.events.envelope import CloudEvent, EventData
from shared.events.vocab import (
    AbuseOrNeglect,
    AddresseeKind,
    CaseState,
    ConsiderationOutcome,
    InitiationDecision,
    NonInitiationReason,
    NonPublicationAction,
    NonPublicationOutcome,
    NonPublicationProposal,
    NonPublicationReason,
    NonPublicationState,
    Outcome,
    QualityFeature,
    QualityProblem,
    RecommendationLevel,
    RecommendationStatus,
    ResponseAction,
    Sector,
    Sex,
    WorkingTogether,
)
from shared.migrations import upgrade

# The history starts on the panel's first day (the summary's default `from`).
SPAN_START = service.DEFAULT_FROM
REGISTERED_ON = dt.date(2013, 4, 1)  # as the notifications service seeds its registry
WORKING_TOGETHER_2013 = dt.date(2013, 4, 15)  # as services/publication/steps.py decides


@dataclass(frozen=True)
class Volume:
    """One year of activity. The defaults are the panel's first year (DOMAIN.md §5): 184
    initiation decisions, 66 non-initiation decisions considered, 74 final reports received
    before publication, 7 non-publication notices."""

    initiations: int = 184
    non_initiations: int = 66
    reports: int = 74
    notices: int = 7

    def times(self, scale: int) -> Volume:
        return Volume(
            *(
                scale * n
                for n in (self.initiations, self.non_initiations, self.reports, self.notices)
            )
        )


FIRST_YEAR = Volume()
# How a case goes: shares chosen to look like the panel's years, not taken from them.
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
# Publication: the shares of reports sent at short notice, published, quality-reviewed; of
# recommendations whose status moves; of notices the panel accepts, the boards publish.
SHORT_NOTICE_SHARE = 0.1
PUBLISHED_SHARE = 0.9
REVIEWED_SHARE = 0.85
RECOMMENDATIONS_PER_REPORT = (2, 12)
UPDATED_SHARE = 0.7
NOTICE_ACCEPT_SHARE = 0.6
NOTICE_PUBLISH_SHARE = 0.4  # of challenged notices; an accepted one is published 1 time in 10
EARLIEST_COMPLETION_DAYS = 120  # an SCR's report or notice comes at least this long after it


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--years",
        default="1,10",
        help=(
            "comma-separated history sizes, in years of activity from 2013-06-01 at the first"
            " year's volume (default: %(default)s)"
        ),
    )
    parser.add_argument(
        "--scale", type=int, default=1, help="multiply every year's volume (a stress test)"
    )
    parser.add_argument(
        "--requests", type=int, default=20, help="timed requests per endpoint, period and round"
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=2,
        help="rounds of --requests per endpoint, interleaved; the best round (lowest p50) is kept",
    )
    parser.add_argument(
        "--batch", type=int, default=300, help="events applied per transaction while loading"
    )
    parser.add_argument("--seed", type=int, default=2013, help="seed of the synthetic history")
    parser.add_argument(
        "--breakdown",
        action="store_true",
        help="also time each query function of the summary on its own",
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
        args.sizes = [int(n) for n in args.years.split(",")]
    except ValueError:
        parser.error("--years: comma-separated whole numbers, e.g. 1,10")
    if min(args.sizes) < 1 or min(args.scale, args.requests, args.rounds, args.batch) < 1:
        parser.error("--years, --scale, --requests, --rounds and --batch must be positive")
    return args


# --- the synthetic history --------------------------------------------------------------------


def years_after(day: dt.date, years: int) -> dt.date:
    return day.replace(year=day.year + years)  # never 29 February: the span starts on 1 June


def span_end(years: int) -> dt.date:
    return years_after(SPAN_START, years) - dt.timedelta(days=1)


def periods(years: int) -> dict[str, tuple[dt.date, dt.date]]:
    """The most recent twelve months of the span, and the whole span."""
    end = span_end(years)
    return {"year": (years_after(end, -1) + dt.timedelta(days=1), end), "whole": (SPAN_START, end)}


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

    def day_in(self, start: dt.date, end: dt.date) -> dt.date:
        return start + dt.timedelta(days=self.rng.randint(0, (end - start).days))

    def chance(self, share: float) -> bool:
        return self.rng.random() < share


@dataclass(frozen=True)
class Case:
    """The ids every decisions event of a case carries."""

    case_id: str
    decision_id: str
    lscb_id: str

    def ids(self) -> dict[str, Any]:
        return {"case_id": self.case_id, "decision_id": self.decision_id, "lscb_id": self.lscb_id}


@dataclass(frozen=True)
class Scr:
    """An initiated SCR, as the publication service knows it (its id is the case's)."""

    scr_id: str
    lscb_id: str
    initiated_on: dt.date

    def ids(self) -> dict[str, Any]:
        return {"scr_id": self.scr_id, "case_id": self.scr_id, "lscb_id": self.lscb_id}

    @property
    def working_together(self) -> WorkingTogether:
        if self.initiated_on < WORKING_TOGETHER_2013:
            return WorkingTogether.BEFORE_2013
        return WorkingTogether.UNDER_2013


def registry_rows() -> list[tuple[str, str, str]]:
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


def add_panel_rounds(history: History, case: Case, day: dt.date) -> dt.date | None:
    """Consideration, then (if challenged or referred back) the board's answer, up to
    MAX_ROUNDS times; a case may stop anywhere: agreed, SCR after advice, or awaiting. The day
    an SCR was initiated after advice, if it was."""
    for round_ in range(MAX_ROUNDS):
        day += history.days(7, 30)
        opened = add_consideration(history, case, day, first=round_ == 0)
        if opened is None or history.rng.random() < UNANSWERED_SHARE:
            return None
        day += history.days(3, 25)
        if add_response(history, case, opened, day) is ResponseAction.INITIATE_SCR:
            return day
    return None


# --- publication: as services/publication sends it ----------------------------------------------


def recommendation_facts(history: History, made_on: dt.date) -> tuple[RecommendationFacts, ...]:
    rng = history.rng
    return tuple(
        RecommendationFacts(
            recommendation_id=history.uid(),
            level=rng.choice(list(RecommendationLevel)),
            sector=rng.choice(list(Sector)),
            addressee_kind=rng.choice(list(AddresseeKind)),
            names_addressee=history.chance(0.7),
            due_on=made_on + history.days(90, 540) if history.chance(0.8) else None,
        )
        for _ in range(rng.randint(*RECOMMENDATIONS_PER_REPORT))
    )


def add_recommendation_steps(
    history: History,
    scr: Scr,
    made: tuple[RecommendationFacts, ...],
    made_on: dt.date,
    report_id: str | None = None,
    notice_id: str | None = None,
) -> None:
    """For most recommendations, status changes along services/publication/states.py's table:
    rejected, or accepted, in progress, implemented, stopping anywhere on the way."""
    S = RecommendationStatus
    for facts in made:
        if not history.chance(UPDATED_SHARE):
            continue
        path = (
            [S.NOT_ACCEPTED] if history.chance(0.1) else [S.ACCEPTED, S.IN_PROGRESS, S.IMPLEMENTED]
        )
        before, day = S.PROPOSED, made_on
        for seq, status in enumerate(path, start=1):
            day += history.days(20, 120)
            data = RecommendationUpdatedV1(
                **scr.ids(),
                recommendation_id=facts.recommendation_id,
                report_id=report_id,
                notice_id=notice_id,
                changed_on=day,
                status_before=before,
                status=status,
                seq=seq,
            )
            history.add(day, scr.scr_id, data)
            before = status
            if not history.chance(0.6):
                break


def add_report(history: History, scr: Scr, submitted_on: dt.date) -> None:
    """The final report; usually its publication weeks later; usually a quality review."""
    rng = history.rng
    short = history.chance(SHORT_NOTICE_SHARE)
    notice_days = rng.randint(1, 6) if short else rng.randint(7, 60)
    planned = submitted_on + dt.timedelta(days=notice_days)
    report_id = history.uid()
    made = recommendation_facts(history, submitted_on)
    received = ReportReceivedV1(
        **scr.ids(),
        report_id=report_id,
        submitted_on=submitted_on,
        planned_publication_on=planned,
        short_notice=short,
        notice_days=notice_days,
        initiated_on=scr.initiated_on,
        working_together=scr.working_together,
        recommendations=made,
    )
    history.add(submitted_on, scr.scr_id, received)
    if history.chance(PUBLISHED_SHARE):
        published_on = planned + history.days(0, 14)
        url = f"https://lscb.example/scr/{report_id}"
        published = ReportPublishedV1(
            **scr.ids(), report_id=report_id, published_on=published_on, url=url
        )
        history.add(published_on, scr.scr_id, published)
    if history.chance(REVIEWED_SHARE):
        reviewed_on = submitted_on + history.days(14, 90)
        review = QualityReviewRecordedV1(
            **scr.ids(),
            review_id=history.uid(),
            report_id=report_id,
            reviewed_on=reviewed_on,
            working_together=scr.working_together,
            scores={f: rng.randint(1, 4) for f in QualityFeature},  # all seven, as required
            problems=tuple(rng.sample(list(QualityProblem), k=rng.choice((0, 0, 1, 1, 2, 3)))),
        )
        history.add(reviewed_on, scr.scr_id, review)
    add_recommendation_steps(history, scr, made, submitted_on, report_id=report_id)


@dataclass
class NoticeHistory:
    """A notice's events as the publication service sends them: each step numbered (``seq``) and
    carrying the state after it, along DOMAIN.md §3's table; an outcome also resolves it (an
    event analytics does not consume: applying skips it, as the consumer does)."""

    history: History
    scr: Scr
    notice_id: str
    proposal: NonPublicationProposal
    state: NonPublicationState = NonPublicationState.AWAITING_PANEL
    seq: int = 1
    considerations: int = 0

    def _step(self, state: NonPublicationState) -> dict[str, Any]:
        self.seq += 1
        self.state = state
        return {**self.scr.ids(), "notice_id": self.notice_id, "state": state, "seq": self.seq}

    def _resolved(self, day: dt.date) -> None:
        data = NonPublicationResolvedV1(
            **self.scr.ids(),
            notice_id=self.notice_id,
            state=self.state,
            seq=self.seq,
            resolved_on=day,
            resolution=self.state,
            proposal=self.proposal,
        )
        self.history.add(day, self.scr.scr_id, data)

    def consider(self, day: dt.date, outcome: NonPublicationOutcome) -> None:
        accept = outcome is NonPublicationOutcome.ACCEPT
        first = self.considerations == 0
        self.considerations += 1
        step = self._step(
            NonPublicationState.ACCEPTED if accept else NonPublicationState.AWAITING_LSCB
        )
        data = NonPublicationConsideredV1(
            **step,
            consideration_id=self.history.uid(),
            considered_on=day,
            outcome=outcome,
            first_consideration=first,
            statutory_breach=not accept and self.history.chance(BREACH_SHARE),
        )
        self.history.add(day, self.scr.scr_id, data)
        if accept:
            self._resolved(day)

    def respond(self, day: dt.date, action: NonPublicationAction) -> None:
        publish = action is NonPublicationAction.PUBLISH
        step = self._step(
            NonPublicationState.PUBLISHED if publish else NonPublicationState.AWAITING_PANEL
        )
        data = NonPublicationRespondedV1(
            **step,
            response_id=self.history.uid(),
            responded_on=day,
            action=action,
            published_on=day if publish else None,
            url=f"https://lscb.example/scr/{self.notice_id}" if publish else None,
        )
        self.history.add(day, self.scr.scr_id, data)
        if publish:
            self._resolved(day)


def add_notice(history: History, scr: Scr, notified_on: dt.date) -> None:
    """A non-publication notice, then rounds of the panel's view and the board's answer: accepted
    (and now and then published after all), or challenged and answered (publish, or maintain and
    back to the panel), or left waiting."""
    rng = history.rng
    proposal = rng.choice(list(NonPublicationProposal))
    notice = NoticeHistory(history, scr, history.uid(), proposal)
    made = recommendation_facts(history, notified_on)
    notified = NonPublicationNotifiedV1(
        **scr.ids(),
        notice_id=notice.notice_id,
        state=NonPublicationState.AWAITING_PANEL,
        seq=1,
        notified_on=notified_on,
        reasons=tuple(rng.sample(list(NonPublicationReason), k=rng.randint(1, 2))),
        proposal=proposal,
        delay_until=(
            notified_on + history.days(60, 400)
            if proposal is NonPublicationProposal.DELAY
            else None
        ),
        initiated_on=scr.initiated_on,
        recommendations=made,
    )
    history.add(notified_on, scr.scr_id, notified)
    add_recommendation_steps(history, scr, made, notified_on, notice_id=notice.notice_id)
    day = notified_on
    for _ in range(MAX_ROUNDS):
        day += history.days(10, 40)
        if history.chance(NOTICE_ACCEPT_SHARE):
            notice.consider(day, NonPublicationOutcome.ACCEPT)
            if history.chance(0.1):
                notice.respond(day + history.days(30, 300), NonPublicationAction.PUBLISH)
            return
        notice.consider(day, NonPublicationOutcome.CHALLENGE)
        if history.chance(UNANSWERED_SHARE):
            return
        day += history.days(10, 30)
        if history.chance(NOTICE_PUBLISH_SHARE):
            notice.respond(day, NonPublicationAction.PUBLISH)
            return
        notice.respond(day, NonPublicationAction.MAINTAIN)


def legacy_scr(history: History, boards: list[tuple[str, str, str]]) -> Scr:
    """An SCR initiated before the panel began (its case is older than the history), some
    before Working Together 2013: the first year's reports are mostly of these."""
    initiated_on = history.day_in(dt.date(2012, 6, 1), SPAN_START - dt.timedelta(days=1))
    return Scr(history.uid(), history.rng.choice(boards)[0], initiated_on)


def add_completions(
    history: History,
    boards: list[tuple[str, str, str]],
    scrs: list[Scr],
    years: int,
    volume: Volume,
) -> None:
    """Each year's reports and notices, on days spread over the year, each of an SCR initiated
    at least EARLIEST_COMPLETION_DAYS before and not completed yet (picked at random), or, if
    none is, of an SCR older than the history."""
    completions: list[tuple[dt.date, bool]] = []
    for year in range(years):
        start, end = years_after(SPAN_START, year), span_end(year + 1)
        completions += [(history.day_in(start, end), False) for _ in range(volume.reports)]
        completions += [(history.day_in(start, end), True) for _ in range(volume.notices)]
    waiting = sorted(scrs, key=lambda s: s.initiated_on)
    ready: list[Scr] = []
    lag = dt.timedelta(days=EARLIEST_COMPLETION_DAYS)
    for day, is_notice in sorted(completions):
        while waiting and waiting[0].initiated_on <= day - lag:
            ready.append(waiting.pop(0))
        if ready:
            i = history.rng.randrange(len(ready))
            ready[i], ready[-1] = ready[-1], ready[i]
            scr = ready.pop()
        else:
            scr = legacy_scr(history, boards)
        (add_notice if is_notice else add_report)(history, scr, day)


def synthetic_history(years: int, volume: Volume, seed: int) -> list[Planned]:
    """``years`` years from 2013-06-01 at ``volume`` a year; nothing dated after the span's
    end (it is "today": what would come later has not happened yet)."""
    history = History(random.Random(seed))
    boards = registry_rows()
    add_boards(history, boards)
    # A year's completions' worth of SCRs initiated before the history, waiting for a report.
    scrs = [legacy_scr(history, boards) for _ in range(volume.reports + volume.notices)]
    for year in range(years):
        start, end = years_after(SPAN_START, year), span_end(year + 1)
        kinds = [True] * volume.initiations + [False] * volume.non_initiations
        history.rng.shuffle(kinds)
        for initiate in kinds:
            board = history.rng.choice(boards)[0]
            case = Case(case_id=history.uid(), decision_id=history.uid(), lscb_id=board)
            notified_on = history.day_in(start, end)
            add_notification(history, case, notified_on)
            decided_on = notified_on + history.days(5, 40)
            add_decision(history, case, decided_on, initiate)
            initiated_on = decided_on if initiate else add_panel_rounds(history, case, decided_on)
            if initiated_on is not None:
                scrs.append(Scr(case.case_id, board, initiated_on))
    add_completions(history, boards, scrs, years, volume)
    last = span_end(years)
    return sorted((e for e in history.events if e.day <= last), key=lambda e: (e.day, e.seq))


# --- loading ----------------------------------------------------------------------------------


async def apply_events(url: str, events: list[Planned], batch: int, analyze: bool) -> None:
    """Through the projections, ``batch`` events per transaction. Without the inbox rows the
    consumer would add: the figures never read that table, and they would only slow the load.
    A type with no projection (``non_publication.resolved``) is skipped, as the consumer
    skips it."""
    engine = make_engine(url)
    sessionmaker = make_sessionmaker(engine)
    try:
        for start in range(0, len(events), batch):
            async with sessionmaker() as session, session.begin():
                for event in events[start : start + batch]:
                    handler = READ_MODEL_HANDLERS.get(type(event.data))
                    if handler is None:
                        continue
                    envelope = CloudEvent.wrap(event.data, subject=event.subject)
                    await handler(session, event.data, envelope)
        if analyze and engine.dialect.name == "postgresql":
            # Fresh statistics, as autovacuum would have them for data that arrived over years;
            # right after a bulk load the planner would otherwise guess. Committed: statistics
            # are transactional, and a rolled-back ANALYZE leaves none.
            async with engine.begin() as conn:
                await conn.execute(text("ANALYZE"))
    finally:
        await engine.dispose()


# --- measuring --------------------------------------------------------------------------------


class Target(NamedTuple):
    """One request timed: a route, and the period (key of :func:`periods`) it asks for."""

    name: str
    path: str
    period: str


TARGETS = (
    Target("summary_year", "/v1/stats/summary", "year"),
    Target("summary_whole", "/v1/stats/summary", "whole"),
    Target("monthly_whole", "/v1/stats/monthly", "whole"),
    Target("lscbs_whole", "/v1/stats/lscbs", "whole"),
    Target("summary_csv_whole", "/v1/stats/summary.csv", "whole"),
)
# A few figures of a summary, to see the period is not empty.
SHOWN = (
    "notifications_received",
    "scr_initiation_decisions",
    "non_initiation_decisions_considered",
    "reports_received_before_publication",
    "non_publication_cases_considered",
    "follow_ups_overdue",
    "lscbs_not_in_touch",
    "lscbs_silent_12_months",
)


def describe(target: Target, response: httpx.Response) -> dict[str, Any]:
    """Enough of an answer to see it is not empty."""
    if target.path.endswith(".csv"):
        return {"rows": response.text.count("\n") - 1, "bytes": len(response.content)}
    body = response.json()
    if target.path.endswith("/monthly"):
        months = body["months"]
        return {"months": len(months), "notifications": sum(m["notifications"] for m in months)}
    if target.path.endswith("/lscbs"):
        return {
            "boards": len(body["boards"]),
            "not_in_touch": len(body["not_in_touch"]),
            "silent_12_months": len(body["silent_12_months"]),
        }
    shown = {name: body[name] for name in SHOWN}
    shown["recommendations"] = body["recommendations"]["total"]
    shown["quality_reviews"] = sum(q["reports_reviewed"] for q in body["quality"].values())
    return shown


@dataclass
class Timed:
    """One target's requests: the first (cold) alone, then the best of the rounds."""

    target: Target
    params: dict[str, str]
    first: float = 0.0
    answer: dict[str, Any] = field(default_factory=dict)
    rounds: list[list[float]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        best = min(self.rounds, key=lambda r: statistics.median(r))
        return {
            "path": self.target.path,
            "from": self.params["from"],
            "to": self.params["to"],
            "first_ms": round(1000 * self.first, 3),
            "latency_ms": latency_summary(best),
            "rounds_p50_ms": [round(1000 * statistics.median(r), 3) for r in self.rounds],
            "answer": self.answer,
        }


async def measure_requests(url: str, years: int, n: int, rounds: int) -> dict[str, Any]:
    """Each target's first request, then ``rounds`` rounds of ``n`` requests per target, the
    targets taking turns (so a burst of load elsewhere on the machine spoils one round of each,
    not all of one): the round with the lowest median is kept."""
    platform = PlatformSettings()
    settings = service_settings(
        "analytics",
        database_url=url,
        run_workers=False,
        migrate_on_start=False,
        platform=platform,
    )
    headers = {"Authorization": f"Bearer {issue_token(platform, 'panel')}"}
    spans = periods(years)
    timed = [
        Timed(t, {"from": spans[t.period][0].isoformat(), "to": spans[t.period][1].isoformat()})
        for t in TARGETS
    ]
    app = create_app(settings)
    # The app's own lifespan (engine, sessionmaker), as tests/support/services.running_app runs it.
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:

            async def one(t: Timed) -> tuple[float, httpx.Response]:
                started = time.perf_counter()
                response = await client.get(t.target.path, params=t.params, headers=headers)
                elapsed = time.perf_counter() - started
                if response.status_code != 200:
                    raise RuntimeError(
                        f"{t.target.path} {t.params}: {response.status_code} {response.text[:300]}"
                    )
                return elapsed, response

            for t in timed:
                t.first, response = await one(t)
                t.answer = describe(t.target, response)
            for _ in range(rounds):
                for t in timed:
                    t.rounds.append([(await one(t))[0] for _ in range(n)])
    return {t.target.name: t.as_dict() for t in timed}


# --- the breakdown: each query of the summary alone ---------------------------------------------

Query = Callable[[AsyncSession, Period], Awaitable[object]]


async def _contact(session: AsyncSession, p: Period) -> object:
    return await registry.contact(session, await registry.all_boards(session), p)


async def _silent(session: AsyncSession, p: Period) -> object:
    boards = await registry.all_boards(session)
    active = registry.active_boards(boards.values(), p.date_to)
    return await registry.silent_boards(session, boards, active, p.date_to)


# What service.summary awaits, by the function's name (``contact`` and ``silent_boards`` include
# reading the registry, which ``all_boards`` times alone).
QUERIES: dict[str, Query] = {
    "notification_counts": service.notification_counts,
    "all_boards": lambda session, p: registry.all_boards(session),
    "contact": _contact,
    "silent_boards": _silent,
    "initiation_decisions": service.initiation_decisions,
    "non_initiation_outcomes": service.non_initiation_outcomes,
    "consideration_counts": service.consideration_counts,
    "panel_considerations": service.panel_considerations,
    "report_counts": publication_figures.report_counts,
    "non_publication_outcomes": publication_figures.non_publication_outcomes,
    "non_initiation_reasons": service.non_initiation_reasons,
    "alternative_review_types": service.alternative_review_types,
    "follow_ups_overdue": lambda session, p: service.follow_ups_overdue(session, p.date_to),
    "quality": publication_figures.quality,
    "recommendations": publication_figures.recommendations,
}


def untimed_queries() -> list[str]:
    """The functions service.summary awaits that QUERIES does not time: when the summary gains
    a figure, the breakdown says so instead of silently leaving it out."""
    tree = ast.parse(inspect.getsource(service.summary))
    awaited = {
        node.value.func.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Await)
        and isinstance(node.value, ast.Call)
        and isinstance(node.value.func, ast.Name)
    }
    return sorted(awaited - set(QUERIES))


async def measure_queries(url: str, years: int, n: int) -> dict[str, Any]:
    """Median ms of each query function per period, each in its own session, after one
    unmeasured call (so that no figure pays for the connection or a cold cache alone)."""
    engine = make_engine(url)
    sessionmaker: async_sessionmaker[AsyncSession] = make_sessionmaker(engine)
    figures: dict[str, Any] = {}
    try:
        for name, (start, end) in periods(years).items():
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
    missing = untimed_queries()
    if missing:
        log(f"--breakdown does not time {', '.join(missing)}: add them to QUERIES")
        figures["not_timed"] = missing
    return figures


# --- a run --------------------------------------------------------------------------------------


def load(args: argparse.Namespace, url: str, years: int) -> dict[str, Any]:
    """Make the history and apply it; the events are dropped on return (see measure_size)."""
    log(f"{years} years x{args.scale}: making the history")
    events = synthetic_history(years, FIRST_YEAR.times(args.scale), args.seed)
    log(f"{years} years x{args.scale}: applying {len(events)} events")
    started = time.perf_counter()
    asyncio.run(apply_events(url, events, args.batch, analyze=not args.no_analyze))
    load_seconds = time.perf_counter() - started
    log(f"{years} years x{args.scale}: loaded in {load_seconds:.1f} s; timing the requests")
    return {
        "years": years,
        "scale": args.scale,
        "span": [SPAN_START.isoformat(), span_end(years).isoformat()],
        "events": len(events),
        "events_by_type": dict(Counter(type(e.data).type_name() for e in events)),
        "load_seconds": round(load_seconds, 2),
        "events_per_second": round(len(events) / load_seconds),
    }


def measure_size(args: argparse.Namespace, databases: Databases, years: int) -> dict[str, Any]:
    url = databases.url(f"analytics_{years}y_x{args.scale}")
    upgrade("analytics", url)  # blocking, and runs its own event loop: outside ours
    figures = load(args, url, years)
    # Kept alive, the history's objects (millions at large sizes) made every full collection of
    # the garbage collector pause a request for up to a second: none of the service's cost.
    gc.collect()
    figures["load_average_1m"] = round(os.getloadavg()[0], 2)
    figures["requests"] = asyncio.run(measure_requests(url, years, args.requests, args.rounds))
    if args.breakdown:
        log(f"{years} years x{args.scale}: timing each query")
        n = max(3, args.requests // 4)
        figures["query_median_ms"] = asyncio.run(measure_queries(url, years, n))
    figures["load_average_1m_after"] = round(os.getloadavg()[0], 2)
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
        sizes = [measure_size(args, databases, years) for years in args.sizes]
        emit(
            {
                "benchmark": "summary",
                "database": databases.backend,
                "params": {
                    "years": args.sizes,
                    "scale": args.scale,
                    "volume_per_year": vars(FIRST_YEAR.times(args.scale)),
                    "requests": args.requests,
                    "rounds": args.rounds,
                    "batch": args.batch,
                    "seed": args.seed,
                    "analyze": databases.backend == "postgresql" and not args.no_analyze,
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
