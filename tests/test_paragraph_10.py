"""Paragraph 10 of the panel's first annual report, reproduced from a year loaded over HTTP.

"Since its formation, the panel has been advised of decisions to initiate 184 SCRs. It has
considered a further 66 decisions not to initiate an SCR, and agreed in 35 cases (53%) ... Of the
remaining 31 cases, five were subsequently made the subject of an SCR on receipt of the panel's
advice, whilst the panel accepted the non-initiation decision in respect of 16, after considering
further information. Further information is awaited on the remaining 10 cases."

The loader (tests/support/year_loader.py) is given only how many cases end each way; it makes up
boards, dates and paths, and adds cases that must not count. Analytics learns everything from
events; the test reads its figures over HTTP.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest

from shared.config import PlatformSettings
from shared.events.vocab import Role
from tests.support.databases import DatabaseFactory
from tests.support.decisions import workflow
from tests.support.services import auth, eventually, running_app, settings_for
from tests.support.year_loader import Period, YearPlan, load_year

FIRST_YEAR = Period(dt.date(2013, 6, 1), dt.date(2014, 5, 31))
PARAGRAPH_10 = YearPlan(
    initiations=184,
    agreed_without_challenge=35,
    scr_after_advice=5,
    accepted_after_information=16,
    awaiting_information=10,
)


def _pct(part: int, whole: int) -> float:
    return float((Decimal(100 * part) / Decimal(whole)).quantize(Decimal("0.1"), ROUND_HALF_UP))


async def _load_and_read(
    platform: PlatformSettings,
    databases: DatabaseFactory,
    plan: YearPlan,
    period: Period,
    seed: int,
) -> dict[str, Any]:
    analytics = settings_for("analytics", platform, databases.new("analytics"))
    panel = auth(platform, Role.PANEL)
    async with (
        running_app(analytics) as (_, stats),
        workflow(platform, databases, scheduler_interval_seconds=3600) as wf,
    ):
        await load_year(wf, plan, period, seed)

        async def summary() -> dict[str, Any]:
            response = await stats.get("/v1/stats/summary", params=period.params(), headers=panel)
            assert response.status_code == 200, response.text
            figures = response.json()
            # Settled once every case of the plan has reached analytics in its final state.
            assert figures["scr_initiation_decisions"] == plan.initiations, figures
            assert figures["non_initiation_decisions_considered"] == plan.considered, figures
            assert figures["awaiting_further_information"] == plan.awaiting_information, figures
            return dict(figures)

        return await eventually(summary, timeout=60)


async def test_paragraph_10_figures_from_a_year_loaded_over_http(
    platform: PlatformSettings, databases: DatabaseFactory
) -> None:
    figures = await _load_and_read(platform, databases, PARAGRAPH_10, FIRST_YEAR, seed=2014)
    assert {
        name: figures[name]
        for name in (
            "scr_initiation_decisions",
            "non_initiation_decisions_considered",
            "agreed_without_challenge",
            "agreed_without_challenge_pct",
            "challenged_or_queried",
            "scr_initiated_after_advice",
            "accepted_after_further_information",
            "awaiting_further_information",
        )
    } == {
        "scr_initiation_decisions": 184,
        "non_initiation_decisions_considered": 66,
        "agreed_without_challenge": 35,
        "agreed_without_challenge_pct": 53.0,
        "challenged_or_queried": 31,
        "scr_initiated_after_advice": 5,
        "accepted_after_further_information": 16,
        "awaiting_further_information": 10,
    }


@pytest.mark.parametrize(
    ("plan", "period", "seed"),
    [
        (YearPlan(23, 9, 4, 2, 7, noise=10), Period(dt.date(2014, 4, 1), dt.date(2015, 3, 31)), 7),
        (YearPlan(3, 0, 6, 1, 2), Period(dt.date(2015, 1, 1), dt.date(2015, 12, 31)), 11),
    ],
)
async def test_the_same_loader_with_other_numbers_gives_those_numbers(
    platform: PlatformSettings,
    databases: DatabaseFactory,
    plan: YearPlan,
    period: Period,
    seed: int,
) -> None:
    figures = await _load_and_read(platform, databases, plan, period, seed)
    challenged = plan.scr_after_advice + plan.accepted_after_information + plan.awaiting_information
    assert figures["scr_initiation_decisions"] == plan.initiations
    assert figures["non_initiation_decisions_considered"] == plan.considered
    assert figures["agreed_without_challenge"] == plan.agreed_without_challenge
    assert figures["agreed_without_challenge_pct"] == _pct(
        plan.agreed_without_challenge, plan.considered
    )
    assert figures["challenged_or_queried"] == challenged
    assert figures["scr_initiated_after_advice"] == plan.scr_after_advice
    assert figures["accepted_after_further_information"] == plan.accepted_after_information
    assert figures["awaiting_further_information"] == plan.awaiting_information
