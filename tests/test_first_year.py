"""The panel's whole first year (1 June 2013 to 31 May 2014), reproduced through the public HTTP
API only: the four services run as processes on a real broker, ``shared.demo`` generates the year
from the counts of paras 9-13 and 22 of the first annual report and posts every step of
DOMAIN.md section 2 as boards, the panel and an operator would; the analytics service learns all
of it by events. The summary then shows exactly the figures in brackets in DOMAIN.md section 5,
and the plan's own counts for the rest. Another year with other counts gives its own figures.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import time
from importlib import resources
from itertools import pairwise
from pathlib import Path

import pytest

from shared.demo import FIRST_YEAR, SHARED_BOARDS_2013, YearPlan, generate, load, registry
from shared.embedded_broker import EmbeddedBroker
from tests.support.databases import DatabaseFactory
from tests.support.demo_stack import demo_stack

# DOMAIN.md section 5, the numbers in brackets (paras 9, 10, 11, 13 and 22).
BRACKETED = {
    "scr_initiation_decisions": 184,
    "non_initiation_decisions_considered": 66,
    "agreed_without_challenge": 35,
    "agreed_without_challenge_pct": 53.0,
    "challenged_or_queried": 31,
    "scr_initiated_after_advice": 5,
    "accepted_after_further_information": 16,
    "awaiting_further_information": 10,
    "statutory_breaches_flagged": 0,
    "reports_received_before_publication": 74,
    "non_publication_cases_considered": 7,
    "non_publication_accepted": 5,
    "non_publication_being_reconsidered": 1,
    "non_publication_since_published": 1,
    "completed_scrs": 81,
    "publication_rate_pct": 92.6,
    "lscbs_not_in_touch": 49,
}

# A later year with other counts: fewer boards shared, some breaches, more referrals.
OTHER_YEAR = YearPlan(
    date_from=dt.date(2015, 4, 1),
    initiations=40,
    agreed_without_challenge=12,
    scr_after_advice=3,
    accepted_after_information=5,
    awaiting_information=4,
    on_agenda_at_end=2,
    panel_considerations=45,
    referrals_back=7,
    statutory_breaches=2,
    late_notifications=9,
    reports=15,
    short_notice=4,
    notices_accepted=1,
    notices_being_reconsidered=2,
    notices_since_published=2,
    completions_initiated_in_year=6,
    reports_published=11,
    quality_reviews=12,
    boards_not_in_touch=90,
    merges=SHARED_BOARDS_2013[:3],
    noise_before=10,
    noise_after=10,
)


@pytest.mark.timeout(600)
async def test_the_first_year_through_the_http_api_gives_the_report_s_figures(
    broker: EmbeddedBroker, databases: DatabaseFactory, tmp_path: Path
) -> None:
    async with demo_stack(broker, databases, tmp_path) as stack:
        began = time.monotonic()
        timeline = generate(FIRST_YEAR, await registry(stack.api), seed=2014)
        await load(timeline, stack.api, concurrency=12)
        loaded = time.monotonic() - began
        figures = await stack.settled_year(timeline)
        print(
            f"first year: {timeline.step_count} steps loaded in {loaded:.0f}s, settled in "
            f"{time.monotonic() - began:.0f}s"
        )

    assert {name: figures[name] for name in BRACKETED} == BRACKETED
    # Para 13: 49 of the 144 boards (152 authorities, 8 boards shared): 34%.
    assert figures["lscbs_total"] == 144
    assert figures["lscbs_not_in_touch_pct"] == 34.0
    # Para 12: about 12 cases a month; some referred back.
    assert figures["panel_considerations"] == 144
    assert figures["panel_considerations_per_month"] == 12.0
    assert figures["referrals_back"] == FIRST_YEAR.referrals_back
    assert figures["reports_short_notice"] == FIRST_YEAR.short_notice
    assert figures["notifications_late"] == FIRST_YEAR.late_notifications
    # Every notification of the year's own cases; the noise before and after does not count.
    assert figures["notifications_received"] == (
        FIRST_YEAR.initiations + FIRST_YEAR.considered + FIRST_YEAR.on_agenda_at_end
    )
    assert sum(figures["non_initiation_reasons"].values()) >= FIRST_YEAR.considered


@pytest.mark.timeout(300)
async def test_another_year_with_other_counts_gives_its_own_figures(
    broker: EmbeddedBroker, databases: DatabaseFactory, tmp_path: Path
) -> None:
    plan = OTHER_YEAR
    async with demo_stack(broker, databases, tmp_path) as stack:
        timeline = generate(plan, await registry(stack.api), seed=7)
        await load(timeline, stack.api, concurrency=12)
        figures = await stack.settled_year(timeline)

    completed = plan.reports + plan.notices
    assert {name: figures[name] for name in BRACKETED} == {
        "scr_initiation_decisions": 40,
        "non_initiation_decisions_considered": 24,
        "agreed_without_challenge": 12,
        "agreed_without_challenge_pct": 50.0,
        "challenged_or_queried": 12,
        "scr_initiated_after_advice": 3,
        "accepted_after_further_information": 5,
        "awaiting_further_information": 4,
        "statutory_breaches_flagged": 2,
        "reports_received_before_publication": 15,
        "non_publication_cases_considered": 5,
        "non_publication_accepted": 1,
        "non_publication_being_reconsidered": 2,
        "non_publication_since_published": 2,
        "completed_scrs": completed,
        "publication_rate_pct": 85.0,  # (15 + 2) / 20
        "lscbs_not_in_touch": 90,
    }
    assert figures["lscbs_total"] == 152 - 3
    assert figures["lscbs_not_in_touch_pct"] == 60.4  # 90 / 149
    assert figures["panel_considerations"] == 45
    assert figures["panel_considerations_per_month"] == 3.8  # 45 / 12
    assert figures["referrals_back"] == 7
    assert figures["reports_short_notice"] == 4
    assert figures["notifications_late"] == 9
    assert figures["notifications_received"] == 40 + 24 + 2


def test_the_first_year_plan_holds_the_report_s_counts() -> None:
    """The plan's defaults are the report's; a plan no year can meet is refused."""
    assert FIRST_YEAR.date_to == dt.date(2014, 5, 31)
    assert (FIRST_YEAR.considered, FIRST_YEAR.challenged_or_queried, FIRST_YEAR.notices) == (
        66,
        31,
        7,
    )
    assert len(FIRST_YEAR.merges) == 152 - 144
    with pytest.raises(ValueError, match="panel_considerations"):
        dataclasses.replace(FIRST_YEAR, panel_considerations=50).check()
    with pytest.raises(ValueError, match="short_notice"):
        dataclasses.replace(FIRST_YEAR, short_notice=75).check()


def _registry_ids() -> list[str]:
    source = (
        resources.files("services.notifications")
        / "reference"
        / "local_authorities_england_2013.csv"
    )
    with source.open(encoding="utf-8") as handle:
        return [row["ons_code"] for row in csv.DictReader(handle)]


def test_a_generated_year_is_the_same_for_a_seed_and_keeps_its_quiet_boards_quiet() -> None:
    boards = _registry_ids()

    def shape(seed: int) -> list[tuple[str, str, list[tuple[str, dt.date, dict]]]]:
        timeline = generate(FIRST_YEAR, boards, seed=seed)
        return [(c.id, c.board, [(s.kind, s.on, s.body) for s in c.steps]) for c in timeline.cases]

    assert shape(2014) == shape(2014)
    assert shape(2014) != shape(2015)
    timeline = generate(FIRST_YEAR, boards, seed=2014)
    start, end = FIRST_YEAR.date_from, FIRST_YEAR.date_to
    assert len(timeline.active_boards) == 144 and len(timeline.quiet_boards) == 49
    steps = timeline.steps()
    # Boards not in touch take no step at all in the year; some have steps before or after it.
    assert not [s for c, s in steps if c.board in timeline.quiet_boards and start <= s.on <= end]
    assert {c.board for c, _ in steps} & set(timeline.quiet_boards)
    # Every board in touch takes a step in the year; steps of a case go forward in time and are
    # never dated in the future.
    in_year = {c.board for c, s in steps if start <= s.on <= end}
    assert in_year == set(timeline.active_boards) - set(timeline.quiet_boards)
    assert all(a.on <= b.on for c in timeline.cases for a, b in pairwise(c.steps))
    assert max(s.on for _, s in steps) <= end + dt.timedelta(days=200)
