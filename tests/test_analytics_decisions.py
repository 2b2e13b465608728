"""The decision figures of the analytics summary (DOMAIN.md §5), from generated events.

The events are applied straight through the analytics handlers, each in its own transaction as
the consumer would, in a shuffled order and some of them twice; every figure is then checked
against what the test computes itself, simply, from the events it generated.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
import random
from collections import Counter
from collections.abc import Iterable, Sequence
from fractions import Fraction
from typing import Any

from services.analytics import service
from services.analytics.consumers import HANDLERS
from services.analytics.schemas import Period
from shared.config import PlatformSettings
from shared.db import make_engine, make_sessionmaker
from shared.events.contracts import (
    ConsiderationRecordedV1,
    DecisionRecordedV1,
    FollowUpClosedV1,
    FollowUpOpenedV1,
    LscbResponseRecordedV1,
)
from shared.events.envelope import EventData
from shared.events.vocab import (
    CaseState,
    ConsiderationOutcome,
    InitiationDecision,
    NonInitiationReason,
    ResponseAction,
    Role,
)
from tests.support.databases import DatabaseFactory
from tests.support.events import apply_through
from tests.support.services import auth, running_app, settings_for
from tests.test_analytics_publication import PUBLICATION_FIGURES

DAY = dt.timedelta(days=1)
FROM, TO = dt.date(2014, 10, 1), dt.date(2015, 3, 31)
PERIODS = (
    (FROM, TO),
    (FROM, TO + DAY),  # the day after: what was still open at TO has moved on
    (dt.date(2013, 6, 1), dt.date(2014, 5, 31)),  # the first annual report's twelve months
    (dt.date(2014, 2, 10), dt.date(2014, 7, 20)),  # partial months at both ends
    (dt.date(2015, 1, 15), dt.date(2015, 1, 15)),  # a single day
    (dt.date(2013, 1, 1), dt.date(2016, 12, 31)),  # everything
)
FIRST_DAY, LAST_DAY = dt.date(2013, 3, 1), dt.date(2015, 12, 31)  # decisions are made in here
# (code, the board's words, the key the figure must count it under): written out, not computed.
ALTERNATIVES: tuple[tuple[str, str | None, str], ...] = (
    ("learning_review", "Learning review", "learning_review"),
    ("multi_agency_audit", "Multi-agency audit", "multi_agency_audit"),
    ("other", "Domestic homicide review", "other:domestic homicide review"),
    ("other", "  DOMESTIC   homicide\treview ", "other:domestic homicide review"),
    ("other", "Single-agency Review", "other:single-agency review"),
)
AGREE, CHALLENGE, REFER_BACK = (
    ConsiderationOutcome.AGREE,
    ConsiderationOutcome.CHALLENGE,
    ConsiderationOutcome.REFER_BACK,
)
INITIATE_SCR, PROVIDE_INFORMATION = ResponseAction.INITIATE_SCR, ResponseAction.PROVIDE_INFORMATION


# --- events, built as the decisions service would send them --------------------------------------


def decided(
    n: str,
    on: dt.date,
    initiate: bool = False,
    reasons: Sequence[NonInitiationReason] = (NonInitiationReason.HARM_NOT_SERIOUS,),
    alternative: tuple[str, str | None] | None = None,
) -> DecisionRecordedV1:
    code, label = alternative or (None, None)
    return DecisionRecordedV1(
        decision_id=f"d-{n}",
        case_id=f"c-{n}",
        lscb_id="E06000001",
        notification_id=f"c-{n}",
        reference=f"SIN-{n}",
        decision=InitiationDecision.INITIATE if initiate else InitiationDecision.NOT_INITIATE,
        decided_on=on,
        reasons=() if initiate else tuple(reasons),
        alternative_review_type=code,
        alternative_review_type_label=label,
        state=CaseState.SCR_INITIATED if initiate else CaseState.AWAITING_PANEL,
    )


def considered(
    decision: DecisionRecordedV1,
    k: int,
    on: dt.date,
    outcome: ConsiderationOutcome,
    first: bool,
    breach: bool = False,
) -> ConsiderationRecordedV1:
    return ConsiderationRecordedV1(
        decision_id=decision.decision_id,
        case_id=decision.case_id,
        lscb_id=decision.lscb_id,
        consideration_id=f"{decision.decision_id}-k{k}",
        considered_on=on,
        outcome=outcome,
        first_consideration=first,
        statutory_breach=breach,
        state=CaseState.AWAITING_LSCB,  # not what the figures read
    )


def opened(consideration: ConsiderationRecordedV1, due_on: dt.date) -> FollowUpOpenedV1:
    return FollowUpOpenedV1(
        decision_id=consideration.decision_id,
        case_id=consideration.case_id,
        lscb_id=consideration.lscb_id,
        follow_up_id=f"{consideration.consideration_id}-f",
        consideration_id=consideration.consideration_id,
        reason=consideration.outcome,
        opened_on=consideration.considered_on,
        due_on=due_on,
    )


def answered(
    follow_up: FollowUpOpenedV1, on: dt.date, action: ResponseAction
) -> tuple[LscbResponseRecordedV1, FollowUpClosedV1]:
    response_id = f"{follow_up.follow_up_id}-r"
    common = {
        "decision_id": follow_up.decision_id,
        "case_id": follow_up.case_id,
        "lscb_id": follow_up.lscb_id,
        "follow_up_id": follow_up.follow_up_id,
        "response_id": response_id,
        "action": action,
    }
    return (
        LscbResponseRecordedV1(**common, responded_on=on, state=CaseState.AWAITING_PANEL),
        FollowUpClosedV1(**common, closed_on=on, was_overdue=on > follow_up.due_on),
    )


# --- generated cases ----------------------------------------------------------------------------


BOUNDARIES = sorted({d for start, end in PERIODS for d in (start - DAY, start, end, end + DAY)})


def _later(rng: random.Random, day: dt.date) -> dt.date:
    """A date on or after ``day``: often a period's boundary, so that every edge is crossed."""
    near = [b for b in BOUNDARIES if day <= b <= day + dt.timedelta(days=60)]
    if near and rng.random() < 0.35:
        return rng.choice(near)
    return day + dt.timedelta(days=0 if rng.random() < 0.1 else rng.randint(1, 45))


def _case(rng: random.Random, n: int) -> list[EventData]:
    """One decision and, for a non-initiation, the panel's considerations and the board's answers
    as the state table allows them, stopping anywhere (not yet considered, not yet answered)."""
    on = (
        rng.choice(BOUNDARIES)
        if rng.random() < 0.2
        else FIRST_DAY + dt.timedelta(days=rng.randint(0, (LAST_DAY - FIRST_DAY).days))
    )
    if rng.random() < 0.3:
        return [decided(f"g{n}", on, initiate=True)]
    alternative = rng.choice(ALTERNATIVES) if rng.random() < 0.5 else None
    decision = decided(
        f"g{n}",
        on,
        reasons=rng.sample(list(NonInitiationReason), rng.randint(1, 3)),
        alternative=alternative[:2] if alternative else None,
    )
    events: list[EventData] = [decision]
    day = on
    for k in range(4):
        if rng.random() < 0.12:
            break  # not (yet) on the panel's agenda
        day = _later(rng, day)
        outcome = rng.choice([AGREE, AGREE, CHALLENGE, REFER_BACK])
        consideration = considered(
            decision, k, day, outcome, first=k == 0, breach=rng.random() < 0.1
        )
        events.append(consideration)
        if outcome is AGREE:
            break
        follow_up = opened(consideration, _later(rng, day + DAY))
        events.append(follow_up)
        if rng.random() < 0.25:
            break  # no answer (yet)
        day = _later(rng, day)
        action = INITIATE_SCR if rng.random() < 0.3 else PROVIDE_INFORMATION
        events.extend(answered(follow_up, day, action))
        if action is INITIATE_SCR:
            break
    return events


def _hand_made() -> list[EventData]:
    """The cases the figures are most easily wrong about, around (FROM, TO)."""
    # First considered the day before FROM, accepted within the period: not among those
    # considered in the period, though its later consideration is one of the period's.
    early = decided("early", FROM - 20 * DAY)
    early_first = considered(early, 0, FROM - DAY, CHALLENGE, first=True)
    early_follow_up = opened(early_first, FROM + 10 * DAY)
    # Challenged within the period, answered the day after TO: still awaiting at TO, and its
    # follow-up (due the day before TO) overdue then.
    late = decided("late", TO - 10 * DAY)
    late_first = considered(late, 0, TO - 5 * DAY, CHALLENGE, first=True, breach=True)
    late_follow_up = opened(late_first, TO - DAY)
    # Referred back on TO itself, due on TO: open at TO but not yet overdue.
    # Its board gave one reason twice: counted once.
    edge = decided("edge", TO - 3 * DAY, reasons=(NonInitiationReason.OTHER,) * 2)
    edge_first = considered(edge, 0, TO, REFER_BACK, first=True)
    return [
        early,
        early_first,
        early_follow_up,
        *answered(early_follow_up, FROM + 5 * DAY, PROVIDE_INFORMATION),
        considered(early, 1, FROM + 12 * DAY, AGREE, first=False),
        late,
        late_first,
        late_follow_up,
        *answered(late_follow_up, TO + DAY, INITIATE_SCR),
        edge,
        edge_first,
        opened(edge_first, TO),
    ]


def _delivery_order(rng: random.Random, events: Sequence[EventData]) -> list[EventData]:
    """Every event once, some twice, shuffled; and, whatever the shuffle, a follow-up's closing
    before its opening and a consideration before its decision (their own keys keep them in
    order on the broker, but the handlers must not depend on it)."""
    order = list(events) + [e for e in events if rng.random() < 0.15]
    rng.shuffle(order)
    closing = next(e for e in events if isinstance(e, FollowUpClosedV1))
    first_consideration = next(e for e in events if isinstance(e, ConsiderationRecordedV1))
    return [closing, first_consideration, *order]


# --- what the figures must be, computed from the events -----------------------------------------


def _tenths(value: Fraction) -> float:
    """One decimal, halves up, done with integers."""
    return math.floor(value * 10 + Fraction(1, 2)) / 10


def _months(start: dt.date, end: dt.date) -> Fraction:
    """Day by day: each day is 1/(days in its month) of a month."""
    total, day = Fraction(0), start
    while day <= end:
        total += Fraction(1, calendar.monthrange(day.year, day.month)[1])
        day += DAY
    return total


def expected(events: Iterable[EventData], start: dt.date, end: dt.date) -> dict[str, Any]:
    events = list(events)
    decisions = [e for e in events if isinstance(e, DecisionRecordedV1)]
    considerations = [e for e in events if isinstance(e, ConsiderationRecordedV1)]
    responses = [e for e in events if isinstance(e, LscbResponseRecordedV1)]
    opens = [e for e in events if isinstance(e, FollowUpOpenedV1)]
    closes = {e.follow_up_id: e.closed_on for e in events if isinstance(e, FollowUpClosedV1)}

    def within(day: dt.date) -> bool:
        return start <= day <= end

    firsts = {c.decision_id: c for c in considerations if c.first_consideration}
    counted = [d for d in decisions if d.decision_id in firsts]
    counted = [d for d in counted if within(firsts[d.decision_id].considered_on)]
    agreed = [d for d in counted if firsts[d.decision_id].outcome is AGREE]
    challenged = [d for d in counted if d not in agreed]
    after_advice = [
        d
        for d in challenged
        if any(
            r.decision_id == d.decision_id and r.action is INITIATE_SCR and r.responded_on <= end
            for r in responses
        )
    ]
    accepted = [
        d
        for d in challenged
        if d not in after_advice
        and any(
            c.decision_id == d.decision_id
            and not c.first_consideration
            and c.outcome is AGREE
            and c.considered_on <= end
            for c in considerations
        )
    ]
    in_period = [c for c in considerations if within(c.considered_on)]
    refusals = [
        d
        for d in decisions
        if d.decision is InitiationDecision.NOT_INITIATE and within(d.decided_on)
    ]
    keys = {code_label[:2]: code_label[2] for code_label in ALTERNATIVES}
    cited = Counter(
        keys[(d.alternative_review_type, d.alternative_review_type_label)]
        for d in decisions
        if d.alternative_review_type is not None and within(d.decided_on)
    )
    months = _months(start, end)
    return {
        "scr_initiation_decisions": sum(
            d.decision is InitiationDecision.INITIATE and within(d.decided_on) for d in decisions
        ),
        "non_initiation_decisions_considered": len(counted),
        "agreed_without_challenge": len(agreed),
        "agreed_without_challenge_pct": (
            _tenths(Fraction(100 * len(agreed), len(counted))) if counted else None
        ),
        "challenged_or_queried": len(challenged),
        "scr_initiated_after_advice": len(after_advice),
        "accepted_after_further_information": len(accepted),
        "awaiting_further_information": len(challenged) - len(after_advice) - len(accepted),
        "referrals_back": sum(c.outcome is REFER_BACK for c in in_period),
        "statutory_breaches_flagged": sum(c.statutory_breach for c in in_period),
        "panel_considerations": len(in_period),
        "panel_considerations_per_month": _tenths(len(in_period) / months),
        "non_initiation_reasons": {
            reason.value: sum(reason in d.reasons for d in refusals)
            for reason in NonInitiationReason
        },
        "alternative_review_types": dict(sorted(cited.items())),
        "follow_ups_overdue": sum(
            f.opened_on <= end
            and (f.follow_up_id not in closes or closes[f.follow_up_id] > end)
            and f.due_on < end
            for f in opens
        ),
    }


# --- applying events and reading the figures ----------------------------------------------------


async def apply(database_url: str, deliveries: Iterable[EventData]) -> None:
    """Each event through its handler in a transaction of its own, as the consumer does."""
    await apply_through(HANDLERS, database_url, deliveries)


async def figures(database_url: str, start: dt.date, end: dt.date) -> dict[str, Any]:
    """The summary as the route would answer it (JSON), read in a fresh session."""
    engine = make_engine(database_url)
    try:
        async with make_sessionmaker(engine)() as session:
            summary = await service.summary(session, Period(date_from=start, date_to=end))
    finally:
        await engine.dispose()
    return summary.model_dump(mode="json")


def _only(figures_: dict[str, Any], like: dict[str, Any]) -> dict[str, Any]:
    return {name: figures_[name] for name in like}


# --- the tests ----------------------------------------------------------------------------------


async def test_the_decision_figures_match_the_events(databases: DatabaseFactory) -> None:
    seed = random.randrange(2**32)
    rng = random.Random(seed)
    events = [e for n in range(220) for e in _case(rng, n)] + _hand_made()
    url = databases.new("analytics")
    await apply(url, _delivery_order(rng, events))

    moved: set[str] = set()
    for start, end in PERIODS:
        want = expected(events, start, end)
        got = await figures(url, start, end)
        assert _only(got, want) == want, f"seed {seed}, period {start} to {end}"
        assert list(got["alternative_review_types"]) == sorted(want["alternative_review_types"])
        moved |= {k for k, v in want.items() if (any(v.values()) if isinstance(v, dict) else v)}
    # Whatever the seed, the generated events must move every figure in some period, or the
    # comparisons above would prove little.
    assert moved == set(want), f"seed {seed}: only {sorted(moved)}"


async def test_the_cases_at_the_edges(databases: DatabaseFactory) -> None:
    """The hand-made cases alone, each event delivered twice and the closing of a follow-up
    before its opening, against the figures written out from the definitions."""
    events = _hand_made()
    closing = next(e for e in events if isinstance(e, FollowUpClosedV1))
    url = databases.new("analytics")
    await apply(url, [closing, *reversed(events), *events])

    nothing = {name: 0 for name in expected([], FROM, TO)}
    reasons = {r.value: 0 for r in NonInitiationReason} | {"harm_not_serious": 1, "other": 1}
    at_to = {
        **nothing,
        "non_initiation_decisions_considered": 2,  # late and edge; early was first seen before
        "challenged_or_queried": 2,
        "awaiting_further_information": 2,  # late is answered only the day after TO
        "agreed_without_challenge_pct": 0.0,
        "referrals_back": 1,
        "statutory_breaches_flagged": 1,
        "panel_considerations": 3,  # early's later agreement, late's and edge's first
        "panel_considerations_per_month": 0.5,  # 3 in 6 months
        "non_initiation_reasons": reasons,
        "alternative_review_types": {},
        "follow_ups_overdue": 1,  # late's, due the day before TO; edge's is due on TO
    }
    assert _only(await figures(url, FROM, TO), at_to) == at_to
    day_after = {
        **at_to,
        "scr_initiated_after_advice": 1,  # late, answered on TO + 1
        "awaiting_further_information": 1,
        "panel_considerations_per_month": 0.5,  # 3 in 6 1/30 months: 0.497
        "follow_ups_overdue": 1,  # late's is closed now; edge's, due on TO, is overdue
    }
    assert _only(await figures(url, FROM, TO + DAY), day_after) == day_after
    # The oracle of the generated test agrees with the definitions written out here.
    assert expected(events, FROM, TO) == at_to
    assert expected(events, FROM, TO + DAY) == day_after


async def test_rounding_and_calendar_months(databases: DatabaseFactory) -> None:
    """35 of 66 is 53.0; halves round up, not to even; whole and partial months."""
    year = (dt.date(2013, 6, 1), dt.date(2014, 5, 31))
    events: list[EventData] = []
    for n in range(66):
        decision = decided(f"y{n}", dt.date(2013, 6, 3))
        on = dt.date(2013, 6, 10) + dt.timedelta(days=n * 5)
        events += [decision, considered(decision, 0, on, AGREE if n < 35 else CHALLENGE, True)]
    # One later consideration in the year: 67 records in 12 months.
    events.append(considered(decided("y65", dt.date(2013, 6, 3)), 1, year[1], AGREE, False))
    # July 2014: 16 decisions first considered, 1 agreed: 6.25 %, which is 6.3 (to even: 6.2).
    for n in range(16):
        decision = decided(f"j{n}", dt.date(2014, 7, 1))
        outcome = AGREE if n == 0 else CHALLENGE
        events += [decision, considered(decision, 0, dt.date(2014, 7, 2), outcome, True)]
    # 1 to 24 June 2014 is 24/30 = 0.8 of a month: 1 consideration is 1.25 a month, so 1.3.
    june = decided("june", dt.date(2014, 6, 1))
    events += [june, considered(june, 0, dt.date(2014, 6, 24), AGREE, True)]
    # 10 February to 15 March 2015 is 19/28 + 15/31 = 1009/868 months: 3 is 2.58... a month.
    for n in range(3):
        decision = decided(f"f{n}", dt.date(2015, 2, 10))
        events += [decision, considered(decision, 0, dt.date(2015, 3, 15), AGREE, True)]

    url = databases.new("analytics")
    await apply(url, events)

    async def rates(start: dt.date, end: dt.date) -> tuple[Any, ...]:
        got = await figures(url, start, end)
        return (
            got["non_initiation_decisions_considered"],
            got["agreed_without_challenge"],
            got["agreed_without_challenge_pct"],
            got["panel_considerations"],
            got["panel_considerations_per_month"],
        )

    assert await rates(*year) == (66, 35, 53.0, 67, 5.6)
    assert await rates(dt.date(2014, 7, 1), dt.date(2014, 7, 31)) == (16, 1, 6.3, 16, 16.0)
    assert await rates(dt.date(2014, 6, 1), dt.date(2014, 6, 24)) == (1, 1, 100.0, 1, 1.3)
    assert await rates(dt.date(2015, 2, 10), dt.date(2015, 3, 15)) == (3, 3, 100.0, 3, 2.6)
    # Nothing considered: no percentage, and none a month.
    assert await rates(dt.date(2016, 1, 1), dt.date(2016, 12, 31)) == (0, 0, None, 0, 0.0)
    # The same arithmetic as the figures, on its own.
    assert service.percent(35, 66) == 53.0
    assert service.percent(1, 16) == 6.3
    assert service.percent(0, 0) is None
    assert service.calendar_months(*year) == 12
    february_march = service.calendar_months(dt.date(2015, 2, 10), dt.date(2015, 3, 15))
    assert february_march == Fraction(1009, 868)
    assert service.calendar_months(dt.date(2016, 2, 1), dt.date(2016, 2, 29)) == 1


async def test_the_route_answers_every_figure(
    platform: PlatformSettings, databases: DatabaseFactory
) -> None:
    url = databases.new("analytics")
    events = _hand_made()
    await apply(url, events)
    # No events are needed from the broker: run without the relay and consumer.
    analytics = settings_for("analytics", platform, url, run_workers=False)
    panel = auth(platform, Role.PANEL)
    async with running_app(analytics) as (_, stats):
        params = {"from": FROM.isoformat(), "to": TO.isoformat()}
        response = await stats.get("/v1/stats/summary", params=params, headers=panel)
        assert response.status_code == 200, response.text
        body = response.json()
        want = expected(events, FROM, TO)
        assert set(body) == {
            "period",
            "notifications_received",
            "notifications_late",
            "lscbs_total",
            "lscbs_silent_12_months",
            "lscbs_not_in_touch",
            "lscbs_not_in_touch_pct",
            *want,
            *PUBLICATION_FIGURES,
        }
        assert _only(body, want) == want
        assert body["period"] == params

        response = await stats.get(
            "/v1/stats/summary", params={"from": "2015-01-01", "to": "2014-12-31"}, headers=panel
        )
        assert response.status_code == 422, response.text
        assert [e["field"] for e in response.json()["errors"]] == ["to"]
