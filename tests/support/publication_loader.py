"""Loads a year of completed SCRs through the public HTTP API only: each SCR is notified and
initiated (notifications, decisions), reaches the publication service by its events, and is
completed by a final report or by a notice not to publish, which the panel considers.

A :class:`PublicationPlan` says how the period's SCRs stand at its end: the figures of para 11,
as inputs. The loader makes up the rest (boards, dates, paths) and adds SCRs that must NOT
count: completed before the period, first considered after it, published only after it ends.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import httpx

from tests.support.decisions import Workflow, initiate_body
from tests.support.publication import notice_body, report_body
from tests.support.services import eventually
from tests.support.year_loader import BOARDS, Period

PROPOSALS = ("withhold", "delay", "anonymised_summary", "recommendations_only")


@dataclass(frozen=True)
class PublicationPlan:
    reports: int
    notices_accepted: int
    notices_awaiting_lscb: int  # challenged, the board has not answered
    notices_published: int  # challenged, then published
    notices_back_with_panel: int = 0  # challenged, the board maintains its decision
    short_notice: int = 0  # of the reports
    noise: int = 6

    @property
    def notices(self) -> int:
        return (
            self.notices_accepted
            + self.notices_awaiting_lscb
            + self.notices_published
            + self.notices_back_with_panel
        )


@dataclass
class Loader:
    wf: Workflow
    publication: httpx.AsyncClient
    rng: random.Random

    def _board(self, lscb_id: str) -> dict[str, str]:
        return self.wf.board(lscb_id)

    async def _post(self, path: str, body: dict, headers: dict[str, str]) -> dict:
        response = await self.publication.post(path, json=body, headers=headers)
        assert response.status_code == 201, response.text
        return dict(response.json())

    async def initiate(self, board: str, day: dt.date) -> str:
        """Notify and initiate an SCR; its id once the publication service has heard of it."""
        notification_id = await self.wf.notify(board, day - dt.timedelta(days=25))
        await self.wf.decide(board, initiate_body(notification_id, day - dt.timedelta(days=20)))

        async def arrived() -> bool:
            response = await self.publication.get(
                f"/v1/scrs/{notification_id}", headers=self._board(board)
            )
            return response.status_code == 200

        await eventually(arrived, timeout=60, interval=0.2)
        return notification_id

    async def report(self, board: str, on: dt.date, short: bool = False) -> dict:
        scr_id = await self.initiate(board, on - dt.timedelta(days=self.rng.randint(60, 200)))
        days = self.rng.randint(0, 6) if short else self.rng.randint(7, 40)
        return await self._post(
            "/v1/reports", report_body(scr_id, on, notice_days=days), self._board(board)
        )

    async def notice(self, board: str, on: dt.date) -> dict:
        scr_id = await self.initiate(board, on - dt.timedelta(days=self.rng.randint(60, 200)))
        proposal = self.rng.choice(PROPOSALS)
        extra: dict = {"proposal": proposal, "delay_until_event": None}
        if proposal == "delay":
            extra["delay_until"] = (on + dt.timedelta(days=90)).isoformat()
        elif proposal == "anonymised_summary":
            extra["anonymised_summary"] = "An anonymised account of what went wrong, and why."
        elif proposal == "recommendations_only":
            extra["recommendations"] = [
                {
                    "text": "Publish the recommendations on the board's website.",
                    "addressee": "The LSCB chair",
                    "addressee_kind": "named_post",
                    "level": "local",
                    "sector": "other",
                }
            ]
        body = notice_body(scr_id, on, **extra)
        body = {k: v for k, v in body.items() if v is not None}
        return await self._post("/v1/non-publication-notices", body, self._board(board))

    async def consider(self, notice_id: str, outcome: str, on: dt.date) -> None:
        body = {"outcome": outcome, "considered_on": on.isoformat()}
        if outcome == "challenge":
            body["rationale"] = "The panel sees no reason publication could harm the siblings."
        await self._post(
            f"/v1/non-publication-notices/{notice_id}/considerations", body, self.wf.panel()
        )

    async def respond(self, board: str, notice_id: str, action: str, on: dt.date) -> None:
        body = {"action": action, "responded_on": on.isoformat()}
        if action == "publish":
            body["url"] = f"https://lscb.example.org/scr/{notice_id}"
        else:
            body["information"] = "The family's circumstances have not changed."
        await self._post(
            f"/v1/non-publication-notices/{notice_id}/responses", body, self._board(board)
        )


async def load_publications(
    wf: Workflow,
    publication: httpx.AsyncClient,
    plan: PublicationPlan,
    period: Period,
    seed: int,
    concurrency: int = 8,
) -> None:
    rng = random.Random(seed)
    loader = Loader(wf, publication, random.Random(seed + 1))
    span = (period.end - period.start).days - 60
    after_end = period.end + dt.timedelta(days=1)

    def day(offset_most: int = span) -> dt.date:
        return period.start + dt.timedelta(days=rng.randint(0, offset_most))

    def board() -> str:
        return rng.choice(BOARDS)

    async def report(short: bool) -> None:
        await loader.report(board(), day(), short=short)

    async def accepted() -> None:
        b, on = board(), day()
        notice = await loader.notice(b, on)
        await loader.consider(notice["id"], "accept", on + dt.timedelta(days=9))

    async def awaiting_lscb() -> None:
        b, on = board(), day()
        notice = await loader.notice(b, on)
        await loader.consider(notice["id"], "challenge", on + dt.timedelta(days=8))

    async def published() -> None:
        b, on = board(), day()
        notice = await loader.notice(b, on)
        # Para 11: challenged, then published.
        await loader.consider(notice["id"], "challenge", on + dt.timedelta(days=8))
        await loader.respond(b, notice["id"], "publish", on + dt.timedelta(days=30))

    async def back_with_panel() -> None:
        b, on = board(), day()
        notice = await loader.notice(b, on)
        await loader.consider(notice["id"], "challenge", on + dt.timedelta(days=8))
        await loader.respond(b, notice["id"], "maintain", on + dt.timedelta(days=20))

    # What must not count: completed before the period, considered only after it, and an
    # accepted notice published after the period ends (it counts as accepted).
    async def report_before_period() -> None:
        await loader.report(board(), period.start - dt.timedelta(days=rng.randint(1, 40)))

    async def report_after_period() -> None:
        await loader.report(board(), after_end)

    async def notice_considered_after_period() -> None:
        notice = await loader.notice(board(), period.end - dt.timedelta(days=3))
        await loader.consider(notice["id"], "accept", after_end)

    async def notice_considered_before_period() -> None:
        on = period.start - dt.timedelta(days=30)
        b = board()
        notice = await loader.notice(b, on)
        await loader.consider(notice["id"], "challenge", on + dt.timedelta(days=5))
        await loader.respond(b, notice["id"], "publish", period.start + dt.timedelta(days=5))

    work: list[Callable[[], Awaitable[None]]] = []
    work += [lambda: report(True) for _ in range(plan.short_notice)]
    work += [lambda: report(False) for _ in range(plan.reports - plan.short_notice)]
    work += [accepted] * plan.notices_accepted
    work += [awaiting_lscb] * plan.notices_awaiting_lscb
    work += [published] * plan.notices_published
    work += [back_with_panel] * plan.notices_back_with_panel
    noise = [
        report_before_period,
        report_after_period,
        notice_considered_after_period,
        notice_considered_before_period,
    ]
    work += [rng.choice(noise) for _ in range(plan.noise)]
    rng.shuffle(work)
    gate = asyncio.Semaphore(concurrency)

    async def run(step: Callable[[], Awaitable[None]]) -> None:
        async with gate:
            await step()

    await asyncio.gather(*(run(step) for step in work))
