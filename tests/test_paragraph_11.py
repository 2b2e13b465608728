"""Paragraph 11 of the panel's first annual report (and para 22's 81 completed SCRs), reproduced
from a year loaded over the public HTTP API only.

"The panel has received copies of 74 SCRs prior to publication. In addition, the panel has
considered seven cases where it had been decided not to publish." Of those seven, five were
accepted, one was challenged and awaits the board, one was challenged and then published: 74, 7,
5, 1, 1, 81 completed SCRs, and a publication rate of 92.6% ("some 92%").

Every SCR is notified and initiated through the notifications and decisions services and reaches
the publication service by its events; analytics learns everything from events too.
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
from tests.support.publication_loader import PublicationPlan, load_publications
from tests.support.services import auth, eventually, running_app, settings_for
from tests.support.year_loader import Period

FIRST_YEAR = Period(dt.date(2013, 6, 1), dt.date(2014, 5, 31))
PARAGRAPH_11 = PublicationPlan(
    reports=74, notices_accepted=5, notices_awaiting_lscb=1, notices_published=1, short_notice=3
)
FIGURES = (
    "reports_received_before_publication",
    "non_publication_cases_considered",
    "non_publication_accepted",
    "non_publication_being_reconsidered",
    "non_publication_since_published",
    "completed_scrs",
    "publication_rate_pct",
)


def _pct(part: int, whole: int) -> float:
    return float((Decimal(100 * part) / Decimal(whole)).quantize(Decimal("0.1"), ROUND_HALF_UP))


async def _load_and_read(
    platform: PlatformSettings,
    databases: DatabaseFactory,
    plan: PublicationPlan,
    period: Period,
    seed: int,
) -> dict[str, Any]:
    quiet = {"scheduler_interval_seconds": 3600}
    analytics = settings_for("analytics", platform, databases.new("analytics"))
    publication = settings_for("publication", platform, databases.new("publication"), **quiet)
    panel = auth(platform, Role.PANEL)
    async with (
        running_app(analytics) as (_, stats),
        running_app(publication) as (_, reports),
        workflow(platform, databases, **quiet) as wf,
    ):
        await load_publications(wf, reports, plan, period, seed)

        async def summary() -> dict[str, Any]:
            response = await stats.get("/v1/stats/summary", params=period.params(), headers=panel)
            assert response.status_code == 200, response.text
            figures = response.json()
            # Settled once every SCR of the plan has reached analytics in its final state.
            assert figures["reports_received_before_publication"] == plan.reports, figures
            assert figures["non_publication_cases_considered"] == plan.notices, figures
            assert figures["non_publication_since_published"] == plan.notices_published, figures
            assert figures["non_publication_accepted"] == plan.notices_accepted, figures
            return dict(figures)

        return await eventually(summary, timeout=60)


async def test_paragraph_11_figures_from_a_year_loaded_over_http(
    platform: PlatformSettings, databases: DatabaseFactory
) -> None:
    figures = await _load_and_read(platform, databases, PARAGRAPH_11, FIRST_YEAR, seed=2014)
    assert {name: figures[name] for name in FIGURES} == {
        "reports_received_before_publication": 74,
        "non_publication_cases_considered": 7,
        "non_publication_accepted": 5,
        "non_publication_being_reconsidered": 1,
        "non_publication_since_published": 1,
        "completed_scrs": 81,
        "publication_rate_pct": 92.6,
    }
    assert figures["reports_short_notice"] == 3


@pytest.mark.parametrize(
    ("plan", "period", "seed"),
    [
        (
            PublicationPlan(12, 2, 1, 3, notices_back_with_panel=2, short_notice=4, noise=10),
            Period(dt.date(2014, 4, 1), dt.date(2015, 3, 31)),
            7,
        ),
    ],
)
async def test_the_same_loader_with_other_numbers_gives_those_numbers(
    platform: PlatformSettings,
    databases: DatabaseFactory,
    plan: PublicationPlan,
    period: Period,
    seed: int,
) -> None:
    figures = await _load_and_read(platform, databases, plan, period, seed)
    completed = plan.reports + plan.notices
    assert {name: figures[name] for name in FIGURES} == {
        "reports_received_before_publication": plan.reports,
        "non_publication_cases_considered": plan.notices,
        "non_publication_accepted": plan.notices_accepted,
        "non_publication_being_reconsidered": plan.notices_awaiting_lscb
        + plan.notices_back_with_panel,
        "non_publication_since_published": plan.notices_published,
        "completed_scrs": completed,
        "publication_rate_pct": _pct(plan.reports + plan.notices_published, completed),
    }
    assert figures["reports_short_notice"] == plan.short_notice
