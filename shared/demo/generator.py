"""A year of the panel's work from a :class:`YearPlan`: a deterministic (seeded) timeline.

Every case of the year is placed so that the steps the plan counts fall inside the year; some
take steps after it (a board answering a challenge in the next year, a publication confirmed
later), which the year's figures, "as of the end of the year", must ignore. Noise cases lie
wholly before or wholly after the year, partly on the boards that are not in touch during it.
Which challenges are referrals back, which flag a breach and which notifications are late is
chosen last, among the year's steps, so that each count is exact.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Sequence

from shared.demo import bodies
from shared.demo.plan import TAIL_DAYS, YearPlan
from shared.demo.timeline import Case, Kind, Step, Timeline, Walk, make_late, working_day_from

WORKING_TOGETHER_2013 = dt.date(2013, 4, 15)
Build = Callable[[Walk], None]
# A recommendation's implementation over time: each path is a series of statuses.
PATHS = (
    (),
    (),
    ("accepted",),
    ("accepted", "in_progress"),
    ("accepted", "in_progress", "implemented"),
    ("in_progress", "implemented"),
    ("implemented",),
    ("not_accepted",),
)


class _Year:
    def __init__(self, plan: YearPlan, rng: random.Random) -> None:
        self.plan, self.rng = plan, rng
        self.start, self.end = plan.date_from, plan.date_to
        self.tail = self.end + dt.timedelta(days=TAIL_DAYS)
        self.cases: list[Case] = []

    def place(
        self, what: str, build: Build, earliest: dt.date, latest: dt.date, near_end: bool = False
    ) -> Case:
        """A case whose steps before its release fall in [earliest, latest], started at random
        (near ``latest`` with ``near_end``); tried again earlier if weekends pushed it out."""
        seed, case_id = self.rng.getrandbits(32), f"c{len(self.cases):04d}"

        def attempt(start: dt.date) -> tuple[Case, dt.date]:
            case = Case(case_id, "", what)
            walk = Walk(case, random.Random(seed), start)
            build(walk)
            case.steps.sort(key=lambda s: s.on)  # stable: same-day steps keep their order
            return case, walk.last_in_window

        _, last = attempt(earliest)
        room = (latest - earliest).days - (last - earliest).days - 3
        if room < 0:
            raise ValueError(f"a {what} case does not fit between {earliest} and {latest}")
        offset = (
            room - self.rng.randint(0, min(room, 40)) if near_end else self.rng.randint(0, room)
        )
        start = earliest + dt.timedelta(days=offset)
        while True:
            case, last = attempt(start)
            if last <= latest:
                self.cases.append(case)
                return case
            start -= dt.timedelta(days=(last - latest).days + 1)
            if start < earliest:
                raise ValueError(f"a {what} case does not fit between {earliest} and {latest}")

    # --- initiation decisions and the panel's advice (para 10) --------------------------------

    def query(self, w: Walk) -> None:
        w.consider("query")

    def challenged(self, what: str, rounds: int) -> Build:
        def build(w: Walk) -> None:
            w.notify()
            w.decide(False)
            self.query(w)
            for _ in range(rounds):
                w.respond("provide_information")
                self.query(w)
            self.ending(what, w)

        return build

    def ending(self, what: str, w: Walk) -> None:
        after = self.end + dt.timedelta(days=1)
        if what == "scr_initiated_after_advice":
            w.respond("initiate_scr")
        elif what == "accepted_after_further_information":
            w.respond("provide_information")
            w.consider("agree")
        elif what == "awaiting_silent":  # the follow-up stays open
            pass
        elif what == "awaiting_informed":  # back with the panel at the year's end
            w.respond("provide_information")
        elif what == "awaiting_answers_after":
            w.jump_to(after)
            w.respond("initiate_scr", 0, 20)
        elif what == "awaiting_agreed_after":
            w.respond("provide_information")
            w.jump_to(after)
            w.consider("agree", 0, 25)

    def decisions(self) -> None:
        p, start, end = self.plan, self.start, self.end

        def initiation(w: Walk) -> None:
            w.notify()
            w.decide(True)

        def agreed(w: Walk) -> None:
            w.notify()
            w.decide(False)
            w.consider("agree")

        def on_agenda(w: Walk) -> None:
            w.notify()
            w.decide(False, 2, 10)
            w.jump_to(end + dt.timedelta(days=1))
            w.consider(w.rng.choice(["agree", "query"]), 3, 30)

        for _ in range(p.initiations - p.completions_initiated_in_year):
            self.place("scr_initiated", initiation, start, end)
        for _ in range(p.agreed_without_challenge):
            self.place("agreed_without_challenge", agreed, start, end)
        for _ in range(p.on_agenda_at_end):
            self.place("on_agenda_at_end", on_agenda, start, end, near_end=True)
        endings = (
            ["scr_initiated_after_advice"] * p.scr_after_advice
            + ["accepted_after_further_information"] * p.accepted_after_information
            + [
                self.rng.choice(
                    [
                        "awaiting_silent",
                        "awaiting_informed",
                        "awaiting_answers_after",
                        "awaiting_agreed_after",
                    ]
                )
                for _ in range(p.awaiting_information)
            ]
        )
        rounds = [0] * len(endings)
        for _ in range(p.extra_rounds):  # spread at random, at most three each
            rounds[self.rng.choice([i for i, r in enumerate(rounds) if r < 3])] += 1
        for what, extra in zip(endings, rounds, strict=True):
            near_end = what.startswith("awaiting")
            self.place(what, self.challenged(what, extra), start, end, near_end=near_end)

    # --- completed SCRs (paras 11 and 22), quality and recommendations --------------------------

    def completions(self) -> None:
        p = self.plan
        kinds = (
            [("report_short_notice", True)] * p.short_notice
            + [("report", True)] * (p.reports - p.short_notice)
            + [("notice_accepted", False)] * p.notices_accepted
            + [("notice_being_reconsidered", False)] * p.notices_being_reconsidered
            + [("notice_since_published", False)] * p.notices_since_published
        )
        self.rng.shuffle(kinds)
        reports = [i for i, (_, is_report) in enumerate(kinds) if is_report]
        published = set(self.rng.sample(reports, p.reports_published))
        reviewed = set(self.rng.sample(reports, p.quality_reviews))
        in_year = set(self.rng.sample(range(len(kinds)), p.completions_initiated_in_year))
        for i, (what, is_report) in enumerate(kinds):
            build = self.completion(what, i in in_year, i in published, i in reviewed)
            lead = 100 if i in in_year else 0
            tail = 0 if is_report else 75
            self.place(
                what,
                build,
                self.start + dt.timedelta(days=lead),
                self.end - dt.timedelta(days=tail),
            )

    def completion(self, what: str, in_year: bool, published: bool, reviewed: bool) -> Build:
        start = self.start

        def build(w: Walk) -> None:
            completed_on = w.day
            if in_year:  # one of the year's initiations: notified in the year too
                room = max(0, (completed_on - start).days - 95)
                w.at(start + dt.timedelta(days=w.rng.randint(0, room)))
            else:
                back = completed_on - dt.timedelta(days=w.rng.randint(150, 420))
                w.at(min(back, start - dt.timedelta(days=40)))
            w.notify()
            w.decide(True)
            w.at(completed_on)
            if what.startswith("report"):
                self.report(w, what == "report_short_notice", published, reviewed)
            else:
                self.notice(w, what)

        return build

    def report(self, w: Walk, short: bool, published: bool, reviewed: bool) -> None:
        days = w.rng.randint(0, 6) if short else w.rng.randint(7, 40)
        step = w.add(Kind.REPORT, bodies.report(w.rng, w.case.id.upper(), w.day, days))
        w.release()
        if published:
            on = working_day_from(step.on + dt.timedelta(days=days + w.rng.randint(0, 10)))
            url = f"https://scr.example.org/reports/{w.case.id}"
            self.later(w, on, Kind.PUBLISH, {"published_on": on.isoformat(), "url": url})
        if reviewed:
            on = working_day_from(step.on + dt.timedelta(days=w.rng.randint(14, 100)))
            under = w.case.initiated_on is not None and w.case.initiated_on >= WORKING_TOGETHER_2013
            self.later(w, on, Kind.REVIEW, bodies.quality_review(w.rng, on, under))
        self.implementation(w, step)

    def notice(self, w: Walk, what: str) -> None:
        step = w.add(Kind.NOTICE, bodies.notice(w.rng, w.day))
        url = f"https://scr.example.org/reports/{w.case.id}"
        after = self.end + dt.timedelta(days=w.rng.randint(10, 120))
        if what == "notice_accepted":
            w.later(7, 30)
            w.add(Kind.NOTICE_CONSIDER, bodies.notice_consideration("accept", w.day))
            w.release()
            if w.rng.random() < 0.3:  # accepted in the year, published after it
                self.later(
                    w, after, Kind.NOTICE_RESPOND, bodies.notice_response("publish", after, url)
                )
        else:
            w.later(7, 25)
            w.add(Kind.NOTICE_CONSIDER, bodies.notice_consideration("challenge", w.day))
            w.later(7, 30)
            if what == "notice_since_published":
                w.add(Kind.NOTICE_RESPOND, bodies.notice_response("publish", w.day, url))
            elif w.rng.random() < 0.5:  # the board maintains its decision: back to the panel
                w.add(Kind.NOTICE_RESPOND, bodies.notice_response("maintain", w.day, url))
            w.release()
        self.implementation(w, step)

    def later(
        self, w: Walk, on: dt.date, kind: Kind, body: dict, position: int | None = None
    ) -> None:
        """A step after the case's window, unless it would fall too long after the year."""
        if on <= self.tail:
            w.add_on(on, kind, body, position)

    def implementation(self, w: Walk, made: Step) -> None:
        """The board moves some recommendations on, with evidence, over the following months."""
        for position, _ in enumerate(made.body.get("recommendations", [])):
            on = made.on
            for status in w.rng.choice(PATHS):
                on = working_day_from(on + dt.timedelta(days=w.rng.randint(20, 120)))
                if on > self.tail:
                    break
                w.add_on(
                    on,
                    Kind.UPDATE_RECOMMENDATION,
                    bodies.recommendation_update(status, on),
                    position,
                )

    # --- noise: wholly before or wholly after the year ----------------------------------------

    def noise(self, what: str) -> Build:
        def build(w: Walk) -> None:
            w.notify()
            if what == "initiated":
                w.decide(True)
            elif what == "notice":
                w.decide(True)
                w.later(40, 120)
                w.add(Kind.NOTICE, bodies.notice(w.rng, w.day))
                w.later(5, 20)
                w.add(Kind.NOTICE_CONSIDER, bodies.notice_consideration("accept", w.day))
            elif what == "report":
                w.decide(True)
                w.later(40, 120)
                days = w.rng.randint(3, 30)
                step = w.add(Kind.REPORT, bodies.report(w.rng, w.case.id.upper(), w.day, days))
                on = working_day_from(step.on + dt.timedelta(days=days))
                url = f"https://scr.example.org/reports/{w.case.id}"
                w.add_on(on, Kind.PUBLISH, {"published_on": on.isoformat(), "url": url})
            else:
                w.decide(False)
                if what == "agreed":
                    w.consider("agree")
                else:  # challenged, then an SCR after the panel's advice
                    w.consider("query")
                    w.respond("initiate_scr")

        return build

    def noises(self, count: int, earliest: dt.date, latest: dt.date, where: str) -> None:
        for _ in range(count):
            what = self.rng.choice(["initiated", "report", "notice", "agreed", "advised"])
            self.place(f"noise_{where}_{what}", self.noise(what), earliest, latest)


def generate(plan: YearPlan, boards: Sequence[str], seed: int = 2014) -> Timeline:
    """The year ``plan`` describes, on the registry's ``boards`` (every id, merged or not)."""
    plan.check()
    rng = random.Random(seed)
    merged = {source for source, _ in plan.merges}
    active = sorted(set(boards) - merged)
    if not 0 <= plan.boards_not_in_touch < len(active):
        raise ValueError("YearPlan.boards_not_in_touch must be fewer than the active boards")
    shuffled = list(active)
    rng.shuffle(shuffled)
    quiet = sorted(shuffled[: plan.boards_not_in_touch])
    in_touch = sorted(shuffled[plan.boards_not_in_touch :])

    year = _Year(plan, rng)
    year.decisions()
    year.completions()
    touching = list(year.cases)
    if len(touching) < len(in_touch):
        raise ValueError("YearPlan has fewer cases in the year than boards in touch")
    day = dt.timedelta(days=1)
    year.noises(
        plan.noise_before, plan.date_from - dt.timedelta(days=420), plan.date_from - day, "before"
    )
    year.noises(plan.noise_after, plan.date_to + day, year.tail - dt.timedelta(days=10), "after")

    # Every board in touch has a case in the year; the others take the rest at random.
    rng.shuffle(touching)
    for case, board in zip(touching, in_touch, strict=False):
        case.board = board
    for case in touching[len(in_touch) :]:
        case.board = rng.choice(in_touch)
    for case in year.cases[len(touching) :]:
        on_quiet = quiet and rng.random() < plan.noise_on_quiet_boards
        case.board = rng.choice(quiet if on_quiet else in_touch)

    _choose_exact_counts(plan, year.cases, rng)
    return Timeline(plan, seed, tuple(active), tuple(quiet), tuple(year.cases))


def _choose_exact_counts(plan: YearPlan, cases: list[Case], rng: random.Random) -> None:
    """Referrals back, breaches and late notifications among the year's own steps."""

    def in_year(step: Step) -> bool:
        return plan.date_from <= step.on <= plan.date_to

    queries = [
        s
        for c in cases
        for s in c.steps
        if s.kind is Kind.CONSIDER and s.body["outcome"] != "agree" and in_year(s)
    ]
    if len(queries) != plan.queries:  # the plan's arithmetic and the builders disagree
        raise AssertionError(f"{len(queries)} challenges in the year, planned {plan.queries}")
    for step in rng.sample(queries, plan.referrals_back):
        step.body["outcome"] = "refer_back"
        step.body["rationale"] = "The information is not clear or detailed enough to decide."
    # A breach may be flagged on a decision or on a notice not to publish (para 9).
    challenged_notices = [
        s
        for c in cases
        for s in c.steps
        if s.kind is Kind.NOTICE_CONSIDER and s.body["outcome"] == "challenge" and in_year(s)
    ]
    on_notice = rng.sample(
        challenged_notices, min(1, plan.statutory_breaches, len(challenged_notices))
    )
    for step in on_notice + rng.sample(queries, plan.statutory_breaches - len(on_notice)):
        step.body["statutory_breach"] = True
    # Considerations outside the year flag breaches too: they must not count.
    others = [
        s
        for c in cases
        for s in c.steps
        if s.kind in (Kind.CONSIDER, Kind.NOTICE_CONSIDER)
        and s.body["outcome"] not in ("agree", "accept")
        and not in_year(s)
    ]
    for step in rng.sample(others, len(others) // 3):
        step.body["statutory_breach"] = True
    notified = [s for c in cases for s in c.steps if s.kind is Kind.NOTIFY and in_year(s)]
    for step in rng.sample(notified, plan.late_notifications):
        make_late(step, rng)
    # Some of the noise is late too: it must not count.
    outside = [s for c in cases for s in c.steps if s.kind is Kind.NOTIFY and not in_year(s)]
    for step in rng.sample(outside, len(outside) // 4):
        make_late(step, rng)
