"""Loads a year of initiation decisions and the panel's advice through the public HTTP API only.

A :class:`YearPlan` says how many cases end each way by the end of the period; the loader makes
up the rest at random (boards, dates, challenge or referral, how many rounds of information) and
adds cases that must NOT count: decided or first considered outside the period, never considered,
and steps taken after the period ends (the figures are "as of the end of the period").
"""

from __future__ import annotations

import asyncio
import datetime as dt
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from tests.support.decisions import Workflow, initiate_body, not_initiate_body

BOARDS = ("E06000001", "E06000002", "E08000001", "E09000001", "E10000002", "E10000003")
REVIEW_TYPES = ("single_agency_review", "learning_lessons_review", "multi_agency_case_audit")


@dataclass(frozen=True)
class YearPlan:
    """How the period's cases stand at its end: the figures of para 10, as inputs."""

    initiations: int
    agreed_without_challenge: int
    scr_after_advice: int
    accepted_after_information: int
    awaiting_information: int
    # Cases that must not change those figures.
    noise: int = 6

    @property
    def considered(self) -> int:
        return (
            self.agreed_without_challenge
            + self.scr_after_advice
            + self.accepted_after_information
            + self.awaiting_information
        )


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date

    def params(self) -> dict[str, str]:
        return {"from": self.start.isoformat(), "to": self.end.isoformat()}


class _Case:
    """One case's walk through the workflow, each step a little after the one before."""

    def __init__(self, wf: Workflow, rng: random.Random, board: str, day: dt.date) -> None:
        self.wf, self.rng, self.board, self.day = wf, rng, board, day
        self.decision_id = ""

    def _later(self, most: int = 12) -> dt.date:
        self.day += dt.timedelta(days=self.rng.randint(1, most))
        return self.day

    def after(self, day: dt.date) -> None:
        """The next step happens after ``day`` (past the end of the period, say)."""
        self.day = max(self.day, day)

    async def notify_and_decide(self, initiate: bool) -> None:
        notification_id = await self.wf.notify(self.board, self.day)
        decided_on = self._later(20)
        if initiate:
            body = initiate_body(notification_id, decided_on, reviewers=["An Independent Author"])
        else:
            reasons = self.rng.sample(
                ["harm_not_serious", "no_inter_agency_concern", "other_review_preferred"],
                k=self.rng.randint(1, 2),
            )
            extra = {"reasons": reasons}
            if "other_review_preferred" in reasons:
                extra["alternative_review_type"] = self.rng.choice(REVIEW_TYPES)
            body = not_initiate_body(notification_id, decided_on, **extra)
        self.decision_id = (await self.wf.decide(self.board, body))["id"]

    async def consider(self, outcome: str) -> None:
        breach = outcome != "agree" and self.rng.random() < 0.1
        await self.wf.consider(self.decision_id, outcome, self._later(), statutory_breach=breach)

    async def query(self) -> None:
        """The panel challenges or refers the decision back."""
        await self.consider(self.rng.choice(["challenge", "refer_back"]))

    async def respond(self, action: str) -> None:
        await self.wf.respond(self.board, self.decision_id, action, self._later())

    async def extra_rounds(self) -> None:
        """Zero or more rounds of information followed by another challenge."""
        for _ in range(self.rng.choice([0, 0, 1, 2])):
            await self.respond("provide_information")
            await self.query()


async def load_year(
    wf: Workflow, plan: YearPlan, period: Period, seed: int, concurrency: int = 8
) -> None:
    rng = random.Random(seed)
    # Every case of the period starts early enough for its last step to fall inside it.
    latest_start = period.end - dt.timedelta(days=130)
    span = (latest_start - period.start).days

    def case() -> _Case:
        start = period.start + dt.timedelta(days=rng.randint(0, span))
        return _Case(wf, random.Random(rng.random()), rng.choice(BOARDS), start)

    def before_period() -> _Case:
        start = period.start - dt.timedelta(days=60)
        return _Case(wf, random.Random(rng.random()), rng.choice(BOARDS), start)

    after_end = period.end + dt.timedelta(days=1)

    async def initiation(c: _Case) -> None:
        await c.notify_and_decide(initiate=True)

    async def agreed_first(c: _Case) -> None:
        await c.notify_and_decide(initiate=False)
        await c.consider("agree")

    async def scr_after_advice(c: _Case) -> None:
        await c.notify_and_decide(initiate=False)
        await c.query()
        await c.extra_rounds()
        await c.respond("initiate_scr")

    async def accepted_later(c: _Case) -> None:
        await c.notify_and_decide(initiate=False)
        await c.query()
        await c.extra_rounds()
        await c.respond("provide_information")
        await c.consider("agree")

    async def awaiting(c: _Case) -> None:
        await c.notify_and_decide(initiate=False)
        await c.query()
        await c.extra_rounds()
        ending = c.rng.choice(["silent", "informed", "answers_after", "agreed_after"])
        if ending == "informed":  # back with the panel, not yet decided on
            await c.respond("provide_information")
        elif ending == "answers_after":
            c.after(after_end)
            await c.respond("initiate_scr")
        elif ending == "agreed_after":
            await c.respond("provide_information")
            c.after(after_end)
            await c.consider("agree")

    async def considered_before_period(c: _Case) -> None:
        await c.notify_and_decide(initiate=False)
        await c.query()  # the first consideration falls before the period...
        c.after(period.start)
        await c.respond("initiate_scr")  # ...so this SCR, inside it, is not "after advice" in P

    async def never_considered(c: _Case) -> None:
        await c.notify_and_decide(initiate=False)

    async def considered_after_period(c: _Case) -> None:
        await c.notify_and_decide(initiate=False)
        c.after(after_end)
        await c.consider("agree")

    async def initiated_after_period(c: _Case) -> None:
        c.after(after_end)
        await c.notify_and_decide(initiate=True)

    work: list[tuple[Callable[[_Case], Awaitable[None]], _Case]] = []
    work += [(initiation, case()) for _ in range(plan.initiations)]
    work += [(agreed_first, case()) for _ in range(plan.agreed_without_challenge)]
    work += [(scr_after_advice, case()) for _ in range(plan.scr_after_advice)]
    work += [(accepted_later, case()) for _ in range(plan.accepted_after_information)]
    work += [(awaiting, case()) for _ in range(plan.awaiting_information)]
    noise = [
        (considered_before_period, before_period),
        (never_considered, case),
        (considered_after_period, case),
        (initiated_after_period, case),
    ]
    for step, make in (rng.choice(noise) for _ in range(plan.noise)):
        work.append((step, make()))
    rng.shuffle(work)

    gate = asyncio.Semaphore(concurrency)

    async def run(step: Callable[[_Case], Awaitable[None]], c: _Case) -> None:
        async with gate:
            await step(c)

    await asyncio.gather(*(run(step, c) for step, c in work))
