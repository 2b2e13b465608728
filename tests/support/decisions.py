"""Steps of the initiation-decision workflow over HTTP, as a board and the panel take them."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx

from shared.config import PlatformSettings
from shared.events.vocab import Role
from tests.support.databases import DatabaseFactory
from tests.support.services import auth, running_app, serving_app, settings_for


def notification_body(notified_on: dt.date, summary: str = "For the decisions tests.") -> dict:
    return {
        "incident_date": (notified_on - dt.timedelta(days=3)).isoformat(),
        "became_aware_on": (notified_on - dt.timedelta(days=1)).isoformat(),
        "notified_on": notified_on.isoformat(),
        "outcome": "seriously_harmed",
        "abuse_or_neglect": ["neglect"],
        "age_years": 4,
        "sex": "female",
        "looked_after": False,
        "on_child_protection_plan": False,
        "agencies_involved": ["police"],
        "summary": summary,
    }


def not_initiate_body(notification_id: str, decided_on: dt.date, **extra: Any) -> dict:
    return {
        "notification_id": notification_id,
        "decision": "not_initiate",
        "decided_on": decided_on.isoformat(),
        "reasons": ["harm_not_serious"],
        "rationale": "The child recovered fully; the board judged the harm not serious.",
        **extra,
    }


def initiate_body(notification_id: str, decided_on: dt.date, **extra: Any) -> dict:
    return {
        "notification_id": notification_id,
        "decision": "initiate",
        "decided_on": decided_on.isoformat(),
        **extra,
    }


@dataclass
class Workflow:
    """HTTP clients of a notifications service (over real HTTP) and a decisions service."""

    platform: PlatformSettings
    notifications: httpx.AsyncClient
    decisions: httpx.AsyncClient

    def board(self, lscb_id: str) -> dict[str, str]:
        return auth(self.platform, Role.LSCB, lscb_id=lscb_id)

    def panel(self, sub: str = "panel:member") -> dict[str, str]:
        return auth(self.platform, Role.PANEL, sub=sub)

    async def notify(self, lscb_id: str, notified_on: dt.date) -> str:
        response = await self.notifications.post(
            "/v1/notifications",
            json=notification_body(notified_on),
            headers=self.board(lscb_id),
        )
        assert response.status_code == 201, response.text
        return str(response.json()["id"])

    async def decide(self, lscb_id: str, body: dict, expect: int = 201) -> dict:
        response = await self.decisions.post(
            "/v1/decisions", json=body, headers=self.board(lscb_id)
        )
        assert response.status_code == expect, response.text
        return dict(response.json())

    async def consider(
        self, decision_id: str, outcome: str, on: dt.date, expect: int = 201, **extra: Any
    ) -> dict:
        body = {"outcome": outcome, "considered_on": on.isoformat(), **extra}
        if outcome != "agree":
            body.setdefault("rationale", f"The panel's reasons to {outcome}.")
        response = await self.decisions.post(
            f"/v1/decisions/{decision_id}/considerations", json=body, headers=self.panel()
        )
        assert response.status_code == expect, response.text
        return dict(response.json())

    async def respond(
        self, lscb_id: str, decision_id: str, action: str, on: dt.date, expect: int = 201
    ) -> dict:
        body: dict[str, Any] = {"action": action, "responded_on": on.isoformat()}
        if action == "provide_information":
            body["information"] = "The further information the panel asked for."
        response = await self.decisions.post(
            f"/v1/decisions/{decision_id}/responses", json=body, headers=self.board(lscb_id)
        )
        assert response.status_code == expect, response.text
        return dict(response.json())

    async def decision(self, decision_id: str) -> dict:
        response = await self.decisions.get(f"/v1/decisions/{decision_id}", headers=self.panel())
        assert response.status_code == 200, response.text
        return dict(response.json())


@contextlib.asynccontextmanager
async def workflow(
    platform: PlatformSettings,
    databases: DatabaseFactory,
    decisions_workers: bool = True,
    **decisions_overrides: Any,
) -> AsyncIterator[Workflow]:
    """Notifications served over real HTTP (decisions looks notifications up there) and a
    decisions service in-process. ``decisions_workers=False`` keeps decisions deaf to events, so
    every decision goes through the HTTP look-up."""
    notifications = settings_for("notifications", platform, databases.new("notifications"))
    async with serving_app(notifications) as notifications_url:
        decisions = settings_for(
            "decisions",
            platform,
            databases.new("decisions"),
            notifications_url=notifications_url,
            run_workers=decisions_workers,
            **decisions_overrides,
        )
        async with (
            httpx.AsyncClient(base_url=notifications_url) as notifier,
            running_app(decisions) as (_, decider),
        ):
            yield Workflow(platform, notifier, decider)
