"""The publication service under test: SCRs seeded as the decisions service would announce them,
request bodies, and the steps a board and the panel take over HTTP."""

from __future__ import annotations

import contextlib
import datetime as dt
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx

from services.publication.consumers import HANDLERS
from shared.config import PlatformSettings
from shared.events.contracts import NotificationReceivedV1, ScrInitiatedV1
from shared.events.envelope import EventData
from shared.events.vocab import AbuseOrNeglect, Outcome, QualityFeature, Role, Sex
from tests.support.databases import DatabaseFactory
from tests.support.events import apply_through
from tests.support.services import auth, running_app, settings_for

BOARD_A, BOARD_B = "E06000001", "E08000001"


def scr_initiated(
    board: str,
    initiated_on: dt.date,
    after_advice: bool = False,
    reviewers: tuple[str, ...] = (),
) -> ScrInitiatedV1:
    case_id = str(uuid.uuid4())
    return ScrInitiatedV1(
        scr_id=case_id,
        case_id=case_id,
        decision_id=str(uuid.uuid4()),
        lscb_id=board,
        reference=f"SIN-{initiated_on.year}-{case_id[:8].upper()}",
        initiated_on=initiated_on,
        after_advice=after_advice,
        reviewers=reviewers,
    )


def notification_received(
    scr: ScrInitiatedV1,
    outcome: Outcome = Outcome.DIED,
    harm: tuple[AbuseOrNeglect, ...] = (AbuseOrNeglect.NEGLECT,),
) -> NotificationReceivedV1:
    day = scr.initiated_on - dt.timedelta(days=20)
    return NotificationReceivedV1(
        notification_id=scr.case_id,
        case_id=scr.case_id,
        reference=scr.reference,
        lscb_id=scr.lscb_id,
        incident_date=day,
        became_aware_on=day,
        notified_on=day,
        outcome=outcome,
        abuse_or_neglect=harm,
        child_age_years=3,
        child_sex=Sex.NOT_KNOWN,
        looked_after=False,
        on_child_protection_plan=False,
        working_days_to_notify=0,
        late=False,
    )


async def apply_events(database_url: str, *events: EventData) -> None:
    """Each event through the publication service's handler, in a transaction of its own, as its
    consumer would apply it."""
    await apply_through(HANDLERS, database_url, events)


def recommendation_body(**extra: Any) -> dict[str, Any]:
    return {
        "text": "The local authority should audit strategy discussions within six months.",
        "addressee": "Director of Children's Services, Hartlepool Borough Council",
        "addressee_kind": "named_post",
        "level": "local",
        "sector": "childrens_services",
        **extra,
    }


def report_body(scr_id: str, submitted_on: dt.date, notice_days: int = 14, **extra: Any) -> dict:
    return {
        "scr_id": scr_id,
        "submitted_on": submitted_on.isoformat(),
        "planned_publication_on": (submitted_on + dt.timedelta(days=notice_days)).isoformat(),
        "title": "Serious Case Review: Child A",
        "text": "Child A was known to agencies. The school raised concerns because Child A "
        "was often hungry. This led to a referral. The child's voice was not heard.",
        "recommendations": [recommendation_body()],
        "learning_points": ["Listen to the child."],
        "themes": ["Neglect", "voice of the child"],
        **extra,
    }


def notice_body(scr_id: str, notified_on: dt.date, **extra: Any) -> dict:
    return {
        "scr_id": scr_id,
        "notified_on": notified_on.isoformat(),
        "reasons": ["criminal_proceedings"],
        "proposal": "delay",
        "delay_until_event": "the end of the criminal trial",
        "rationale": "Publication now could prejudice the trial of the child's father.",
        **extra,
    }


def review_body(reviewed_on: dt.date, score: int = 3, **extra: Any) -> dict:
    return {
        "reviewed_on": reviewed_on.isoformat(),
        "scores": {f.value: {"score": score, "comment": f"On {f.value}."} for f in QualityFeature},
        "problems": ["lists_without_asking_why"],
        **extra,
    }


@dataclass
class Publication:
    """An HTTP client of the publication service, with the steps each party takes."""

    platform: PlatformSettings
    client: httpx.AsyncClient
    database_url: str

    def board(self, lscb_id: str = BOARD_A) -> dict[str, str]:
        return auth(self.platform, Role.LSCB, lscb_id=lscb_id, sub=f"lscb:{lscb_id}")

    def panel(self) -> dict[str, str]:
        return auth(self.platform, Role.PANEL, sub="panel:member")

    def as_role(self, role: Role) -> dict[str, str]:
        return auth(self.platform, role)

    async def seed_scr(self, board: str = BOARD_A, initiated_on: dt.date | None = None) -> str:
        scr = scr_initiated(board, initiated_on or dt.date(2014, 1, 6))
        await apply_events(self.database_url, scr, notification_received(scr))
        return scr.scr_id

    async def post(
        self, path: str, body: dict, headers: dict[str, str], expect: int = 201
    ) -> dict[str, Any]:
        response = await self.client.post(path, json=body, headers=headers)
        assert response.status_code == expect, response.text
        return dict(response.json())

    async def report(
        self, scr_id: str, on: dt.date, board: str = BOARD_A, expect: int = 201, **extra: Any
    ) -> dict[str, Any]:
        return await self.post(
            "/v1/reports", report_body(scr_id, on, **extra), self.board(board), expect
        )

    async def publish(
        self, report_id: str, on: dt.date, board: str = BOARD_A, expect: int = 201
    ) -> dict[str, Any]:
        body = {"published_on": on.isoformat(), "url": f"https://example.org/scr/{report_id}"}
        return await self.post(
            f"/v1/reports/{report_id}/publication", body, self.board(board), expect
        )

    async def notice(
        self, scr_id: str, on: dt.date, board: str = BOARD_A, expect: int = 201, **extra: Any
    ) -> dict[str, Any]:
        return await self.post(
            "/v1/non-publication-notices",
            notice_body(scr_id, on, **extra),
            self.board(board),
            expect,
        )

    async def consider(
        self, notice_id: str, outcome: str, on: dt.date, expect: int = 201, **extra: Any
    ) -> dict[str, Any]:
        body = {"outcome": outcome, "considered_on": on.isoformat(), **extra}
        if outcome == "challenge":
            body.setdefault("rationale", "The panel is not persuaded publication must wait.")
        path = f"/v1/non-publication-notices/{notice_id}/considerations"
        return await self.post(path, body, self.panel(), expect)

    async def respond(
        self,
        notice_id: str,
        action: str,
        on: dt.date,
        board: str = BOARD_A,
        expect: int = 201,
        **extra: Any,
    ) -> dict[str, Any]:
        body: dict[str, Any] = {"action": action, "responded_on": on.isoformat(), **extra}
        if action == "publish":
            body.setdefault("url", f"https://example.org/scr/notice/{notice_id}")
        else:
            body.setdefault("information", "The trial has not yet concluded.")
        path = f"/v1/non-publication-notices/{notice_id}/responses"
        return await self.post(path, body, self.board(board), expect)

    async def review(
        self, report_id: str, on: dt.date, expect: int = 201, **extra: Any
    ) -> dict[str, Any]:
        path = f"/v1/reports/{report_id}/quality-reviews"
        return await self.post(path, review_body(on, **extra), self.panel(), expect)

    async def update_recommendation(
        self,
        recommendation_id: str,
        status: str,
        on: dt.date,
        board: str = BOARD_A,
        expect: int = 200,
        **extra: Any,
    ) -> dict[str, Any]:
        body = {
            "status": status,
            "changed_on": on.isoformat(),
            "action_taken": f"Moved to {status}.",
            "by_whom": "Head of Safeguarding, the local authority",
            "evidence": "Minutes of the LSCB meeting.",
            **extra,
        }
        response = await self.client.patch(
            f"/v1/recommendations/{recommendation_id}", json=body, headers=self.board(board)
        )
        assert response.status_code == expect, response.text
        return dict(response.json())


@contextlib.asynccontextmanager
async def publication_service(
    platform: PlatformSettings, databases: DatabaseFactory, **overrides: Any
) -> AsyncIterator[Publication]:
    """The publication service in-process on a fresh database; its workers (relay, consumer,
    scheduler) off unless ``run_workers=True``: SCRs are seeded straight through its handlers."""
    overrides.setdefault("run_workers", False)
    url = databases.new("publication")
    settings = settings_for("publication", platform, url, **overrides)
    async with running_app(settings) as (_, client):
        yield Publication(platform, client, url)
