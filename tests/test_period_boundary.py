"""A period's figures are "as of the end of the period": steps dated the day after ``to`` change
nothing in them, whatever they are.

A generated year is loaded through the public HTTP API without any of its steps dated after the
year; its summary is read. Then everything that happened next in each case (the panel's
consideration of decisions on its agenda, boards' answers to challenges, publications, notices
and their consideration, recommendations implemented, quality reviews) and new cases (a
notification, a decision, a consideration flagging a breach, a report, a notice; some from
boards not in touch during the year) are posted, all dated the day after the year ends. Once the
analytics service shows them (in the summary of a period one day longer), the year's summary is
the same as before, figure for figure.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from shared.demo import SHARED_BOARDS_2013, Kind, Step, Timeline, YearPlan, generate, load
from shared.demo.expected import recommendation_figures
from shared.demo.loader import CaseRun, registry
from shared.demo.timeline import Case, redated
from shared.embedded_broker import EmbeddedBroker
from tests.support.databases import DatabaseFactory
from tests.support.demo_stack import DemoStack, demo_stack
from tests.support.services import eventually

PLAN = YearPlan(
    date_from=dt.date(2016, 1, 1),
    initiations=16,
    agreed_without_challenge=5,
    scr_after_advice=2,
    accepted_after_information=3,
    awaiting_information=6,
    on_agenda_at_end=3,
    panel_considerations=30,
    referrals_back=4,
    statutory_breaches=1,
    late_notifications=4,
    reports=6,
    short_notice=2,
    notices_accepted=3,
    notices_being_reconsidered=1,
    notices_since_published=1,
    completions_initiated_in_year=4,
    reports_published=5,
    quality_reviews=5,
    boards_not_in_touch=110,
    merges=SHARED_BOARDS_2013[:2],
    noise_before=6,
    noise_after=14,
    noise_on_quiet_boards=0.6,
)


async def _next_day(stack: DemoStack, full: Timeline, day: dt.date) -> list[tuple[Case, Step]]:
    """Each case's steps after the year, moved to ``day``: the steps up to the year's end are
    sent again first (their idempotency keys answer with what they made: the ids), then the
    rest. The steps posted, with their cases."""
    end = full.plan.date_to
    posted: list[tuple[Case, Step]] = []
    gate = asyncio.Semaphore(8)

    async def go_on(case: Case) -> None:
        async with gate:
            run = CaseRun(stack.api, full, case)
            for index, step in enumerate(case.steps):
                if step.on > end:
                    step = redated(step, day)
                    posted.append((case, step))
                await run.step(index, step)

    await asyncio.gather(*(go_on(c) for c in full.cases if c.steps[-1].on > end))
    return posted


def _moved(before: dict[str, Any], steps: list[tuple[Case, Step]], full: Timeline) -> dict:
    """What the summary of the year and its next day must show once those steps have arrived:
    the year's figures plus one for each of the day's steps, figure by figure."""

    def count(kind: Kind, **body: Any) -> int:
        return sum(
            s.kind is kind and all(s.body.get(k) == v for k, v in body.items()) for _, s in steps
        )

    day = steps[0][1].on
    quiet_heard = {c.board for c, s in steps if c.board in full.quiet_boards}
    reviews = sum(q["reports_reviewed"] for q in before["quality"].values())
    moved_cases = {c.id for c, _ in steps}
    whole = [
        Case(
            c.id,
            c.board,
            c.what,
            [redated(s, day) if s.on > full.plan.date_to else s for s in c.steps],
        )
        if c.id in moved_cases
        else c
        for c in full.cases
    ]
    return {
        "notifications_received": before["notifications_received"] + count(Kind.NOTIFY),
        "scr_initiation_decisions": before["scr_initiation_decisions"]
        + count(Kind.DECIDE, decision="initiate"),
        "panel_considerations": before["panel_considerations"]
        + count(Kind.CONSIDER)
        + count(Kind.NOTICE_CONSIDER),
        "statutory_breaches_flagged": before["statutory_breaches_flagged"]
        + count(Kind.CONSIDER, statutory_breach=True)
        + count(Kind.NOTICE_CONSIDER, statutory_breach=True),
        "scr_initiated_after_advice": before["scr_initiated_after_advice"]
        + count(Kind.RESPOND, action="initiate_scr"),
        "reports_received_before_publication": before["reports_received_before_publication"]
        + count(Kind.REPORT),
        "non_publication_cases_considered": before["non_publication_cases_considered"]
        + count(Kind.NOTICE_CONSIDER),
        "non_publication_since_published": before["non_publication_since_published"]
        + count(Kind.NOTICE_RESPOND, action="publish"),
        "quality_reviews": reviews + count(Kind.REVIEW),
        "recommendations": recommendation_figures(tuple(whole), full.plan.date_from, day),
        "lscbs_not_in_touch": before["lscbs_not_in_touch"] - len(quiet_heard),
    }


def _shown(figures: dict[str, Any], names: dict[str, Any]) -> dict[str, Any]:
    shown = {name: figures.get(name) for name in names}
    shown["quality_reviews"] = sum(q["reports_reviewed"] for q in figures["quality"].values())
    shown["recommendations"] = {
        k: v for k, v in figures["recommendations"].items() if k != "named_addressee_pct"
    }
    return shown


@pytest.mark.timeout(300)
async def test_steps_dated_the_day_after_the_period_change_nothing_in_it(
    broker: EmbeddedBroker, databases: DatabaseFactory, tmp_path: Path
) -> None:
    start, end = PLAN.date_from, PLAN.date_to
    next_day = end + dt.timedelta(days=1)
    async with demo_stack(broker, databases, tmp_path) as stack:
        full = generate(PLAN, await registry(stack.api), seed=2)
        year = full.until(end)
        await load(year, stack.api)
        before = await stack.settled_year(year)

        posted = await _next_day(stack, full, next_day)
        kinds = {s.kind for _, s in posted}
        # Every kind of step, some of them on boards not in touch during the year.
        assert kinds == set(Kind), set(Kind) - kinds
        assert any(c.board in full.quiet_boards for c, _ in posted)
        assert any(s.body.get("statutory_breach") for _, s in posted)
        expected = _moved(before, posted, full)

        async def arrived() -> dict[str, Any]:
            longer = await stack.summary(start, next_day)
            assert _shown(longer, expected) == expected
            return longer

        longer = await eventually(arrived, timeout=120, interval=0.5)
        after = await stack.summary(start, end)

    assert longer != before
    assert after == before
