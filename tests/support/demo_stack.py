"""The four services as real processes on one broker, driven by ``shared.demo`` over HTTP only:
what ``make up`` and ``scr-panel demo`` do, in a test."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shared.demo import Api, ServiceUrls, Timeline, expected_figures
from shared.embedded_broker import EmbeddedBroker
from shared.events.vocab import Role
from tests.support.databases import DatabaseFactory
from tests.support.processes import ProcessStack
from tests.support.services import eventually

SETTLE_SECONDS = 180.0


@dataclass
class DemoStack:
    processes: ProcessStack
    api: Api

    async def summary(self, date_from: Any, date_to: Any) -> dict[str, Any]:
        params = {"from": str(date_from), "to": str(date_to)}
        response = await self.api.clients["analytics"].get(
            "/v1/stats/summary", params=params, headers=self.api.headers(Role.PANEL)
        )
        assert response.status_code == 200, response.text
        return dict(response.json())

    async def settled_year(self, timeline: Timeline) -> dict[str, Any]:
        """The summary of the timeline's year once it shows every figure the timeline must give
        (the analytics service learns by events: it may take a moment); the last difference
        otherwise."""
        plan = timeline.plan
        expected = expected_figures(timeline)

        async def settled() -> dict[str, Any]:
            figures = await self.summary(plan.date_from, plan.date_to)
            assert comparable(figures, expected) == expected
            return figures

        return dict(await eventually(settled, timeout=SETTLE_SECONDS, interval=0.5))


def comparable(figures: dict[str, Any], expected: dict[str, Any]) -> dict[str, Any]:
    """The figures ``expected`` names (the recommendations' share of named addressees is the
    publication service's pre-screen's to judge, so it is left out)."""
    shown = {name: figures.get(name) for name in expected}
    shown["recommendations"] = {
        k: v for k, v in figures["recommendations"].items() if k != "named_addressee_pct"
    }
    return shown


@contextlib.asynccontextmanager
async def demo_stack(
    broker: EmbeddedBroker, databases: DatabaseFactory, workdir: Path
) -> AsyncIterator[DemoStack]:
    """Notifications first (the others look boards and notifications up there), then the rest;
    every service's log printed if the test fails."""
    processes = ProcessStack(
        workdir=workdir,
        bootstrap_servers=broker.bootstrap_servers,
        topic_prefix=f"demo{uuid.uuid4().hex[:10]}.",
        new_database=databases.new,
    )
    try:
        processes.start("notifications")
        processes.start("decisions", "publication", "analytics")
        await processes.wait_healthy()
        urls = ServiceUrls(**{name: s.url for name, s in processes.services.items()})
        async with Api(urls, processes.platform) as api:
            yield DemoStack(processes, api)
    except BaseException:
        print(processes.logs())
        raise
    finally:
        processes.stop_all()
