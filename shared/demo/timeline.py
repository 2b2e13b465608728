"""The shape of a generated year: dated steps, grouped by case, and a builder that walks a case
forward in business days."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from shared.calendar import is_working_day
from shared.demo import bodies
from shared.demo.plan import YearPlan


class Kind(StrEnum):
    """Every step of DOMAIN.md section 2, as the demo posts it."""

    NOTIFY = "notify"  # notifications: POST /v1/notifications
    DECIDE = "decide"  # decisions: POST /v1/decisions
    CONSIDER = "consider"  # decisions: POST /v1/decisions/{id}/considerations
    RESPOND = "respond"  # decisions: POST /v1/decisions/{id}/responses
    REPORT = "report"  # publication: POST /v1/reports
    PUBLISH = "publish"  # publication: POST /v1/reports/{id}/publication
    REVIEW = "review"  # publication: POST /v1/reports/{id}/quality-reviews
    NOTICE = "notice"  # publication: POST /v1/non-publication-notices
    NOTICE_CONSIDER = "notice_consider"  # .../non-publication-notices/{id}/considerations
    NOTICE_RESPOND = "notice_respond"  # .../non-publication-notices/{id}/responses
    UPDATE_RECOMMENDATION = "update_recommendation"  # PATCH /v1/recommendations/{id}


@dataclass(frozen=True)
class Step:
    kind: Kind
    on: dt.date
    body: dict[str, Any]
    # For a recommendation's update: its position in the report's (or notice's) list.
    position: int | None = None


@dataclass
class Case:
    """One case's steps in date order, by one board."""

    id: str
    board: str
    what: str  # how the case goes, e.g. "agreed_without_challenge" or "noise_after"
    steps: list[Step] = field(default_factory=list)
    initiated_on: dt.date | None = None  # of its SCR, for the Working Together 2013 split


@dataclass(frozen=True)
class Timeline:
    plan: YearPlan
    seed: int
    active_boards: tuple[str, ...]  # active at the year's end: the registry less the merged
    quiet_boards: tuple[str, ...]  # active, and not in touch during the year
    cases: tuple[Case, ...]

    @property
    def step_count(self) -> int:
        return sum(len(c.steps) for c in self.cases)

    def steps(self) -> list[tuple[Case, Step]]:
        return [(c, s) for c in self.cases for s in c.steps]

    def until(self, day: dt.date) -> Timeline:
        """The same timeline without the steps dated after ``day`` (cases keep their ids, so
        their steps keep their idempotency keys)."""
        cases = []
        for case in self.cases:
            kept = [s for s in case.steps if s.on <= day]
            if kept:
                cases.append(Case(case.id, case.board, case.what, kept, case.initiated_on))
        return Timeline(self.plan, self.seed, self.active_boards, self.quiet_boards, tuple(cases))


def redated(step: Step, day: dt.date) -> Step:
    """``step`` moved to ``day``, every date of its body moved by as much (so a due date or a
    planned publication stays as far ahead)."""
    shift = day - step.on

    def move(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: move(v) for k, v in value.items()}
        if isinstance(value, list):
            return [move(v) for v in value]
        if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
            return (dt.date.fromisoformat(value) + shift).isoformat()
        return value

    return Step(step.kind, day, move(step.body), step.position)


def working_day_from(day: dt.date) -> dt.date:
    while not is_working_day(day):
        day += dt.timedelta(days=1)
    return day


def working_days_back(day: dt.date, count: int) -> dt.date:
    """The day ``count`` working days before ``day``."""
    while count > 0:
        day -= dt.timedelta(days=1)
        if is_working_day(day):
            count -= 1
    return day


class Walk:
    """Builds one case's steps forward from a start date, a working day at a time."""

    def __init__(self, case: Case, rng: random.Random, start: dt.date) -> None:
        self.case, self.rng = case, rng
        self.day = working_day_from(start)
        # The last step that must fall inside the case's window (see ``generator.place``).
        self.last_in_window = self.day
        self.released = False

    def release(self) -> None:
        """The steps from now on may fall after the window (a publication, an update...)."""
        self.released = True

    def at(self, day: dt.date) -> dt.date:
        """Move to ``day`` (the first working day from it)."""
        self.day = working_day_from(day)
        return self.day

    def later(self, least: int, most: int) -> dt.date:
        self.day = working_day_from(self.day + dt.timedelta(days=self.rng.randint(least, most)))
        return self.day

    def jump_to(self, day: dt.date) -> None:
        """Carry on from ``day`` (past the year's end, say), never going back."""
        self.release()
        self.day = working_day_from(max(self.day, day))

    def add(self, kind: Kind, body: dict[str, Any], position: int | None = None) -> Step:
        return self.add_on(self.day, kind, body, position)

    def add_on(
        self, day: dt.date, kind: Kind, body: dict[str, Any], position: int | None = None
    ) -> Step:
        step = Step(kind, day, body, position)
        self.case.steps.append(step)
        if not self.released:
            self.last_in_window = max(self.last_in_window, day)
        return step

    # --- the steps ---------------------------------------------------------------------------

    def notify(self) -> Step:
        """Notified on time (a late one is chosen afterwards: see ``make_late``)."""
        aware = working_days_back(self.day, self.rng.randint(0, 4))
        return self.add(Kind.NOTIFY, bodies.notification(self.rng, self.day, aware))

    def decide(self, initiate: bool, least: int = 3, most: int = 25) -> Step:
        self.later(least, most)
        if initiate:
            self.case.initiated_on = self.day
            return self.add(Kind.DECIDE, bodies.initiate(self.rng, self.day))
        return self.add(Kind.DECIDE, bodies.not_initiate(self.rng, self.day))

    def consider(self, outcome: str, least: int = 7, most: int = 35) -> Step:
        """``query`` is a challenge or a referral back, which one chosen afterwards."""
        self.later(least, most)
        due = None if outcome == "agree" else self.day + dt.timedelta(days=21)
        body = bodies.consideration(
            "challenge" if outcome == "query" else outcome, self.day, False, due
        )
        return self.add(Kind.CONSIDER, body)

    def respond(self, action: str, least: int = 5, most: int = 20) -> Step:
        self.later(least, most)
        return self.add(Kind.RESPOND, bodies.response(action, self.day))


def make_late(step: Step, rng: random.Random) -> None:
    """A notification sent more than 5 working days after the authority became aware."""
    notified_on = dt.date.fromisoformat(step.body["notified_on"])
    aware = working_days_back(notified_on, rng.randint(6, 15))
    step.body["became_aware_on"] = aware.isoformat()
    step.body["incident_date"] = (aware - dt.timedelta(days=rng.randint(0, 3))).isoformat()
