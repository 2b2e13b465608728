"""The figures a generated year must give (DOMAIN.md section 5), from the plan's own counts and
by counting the timeline's steps: what was posted, not how the analytics service computes it.

The percentages and means are to one decimal with halves rounded up, as section 5 says.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from shared.calendar import months_before, working_days_after
from shared.demo.timeline import Case, Kind, Step, Timeline
from shared.events.vocab import (
    NonInitiationReason,
    QualityFeature,
    QualityProblem,
    RecommendationStatus,
    WorkingTogether,
)

WORKING_TOGETHER_2013 = dt.date(2013, 4, 15)
SETTLED = {RecommendationStatus.IMPLEMENTED.value, RecommendationStatus.NOT_ACCEPTED.value}


def one_decimal(numerator: int, denominator: int) -> float | None:
    if denominator == 0:
        return None
    value = Decimal(numerator) / Decimal(denominator)
    return float(value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def pct(part: int, whole: int) -> float | None:
    return one_decimal(100 * part, whole)


def expected_figures(t: Timeline) -> dict[str, Any]:
    """Every figure of the summary for the plan's year but ``named_addressee_pct`` (the
    publication service's pre-screen decides which addressees are named)."""
    p = t.plan
    start, end = p.date_from, p.date_to
    steps = t.steps()

    def dated(kind: Kind, when: str = "in") -> list[Step]:
        chosen = [s for _, s in steps if s.kind is kind]
        if when == "in":
            return [s for s in chosen if start <= s.on <= end]
        return [s for s in chosen if s.on <= end]

    notified = dated(Kind.NOTIFY)
    late = [
        s
        for s in notified
        if working_days_after(
            dt.date.fromisoformat(s.body["became_aware_on"]),
            dt.date.fromisoformat(s.body["notified_on"]),
        )
        > 5
    ]
    decided = dated(Kind.DECIDE)
    not_initiated = [s for s in decided if s.body["decision"] == "not_initiate"]
    reasons = Counter(r for s in not_initiated for r in s.body["reasons"])
    considerations = dated(Kind.CONSIDER)
    panel = len(considerations) + len(dated(Kind.NOTICE_CONSIDER))
    reports = dated(Kind.REPORT)
    short = [s for s in reports if _notice_days(s) < 7]
    completed = p.reports + p.notices
    active = set(t.active_boards)
    since = months_before(end, 12)
    heard = {c.board for c, s in steps if s.kind is Kind.NOTIFY and since < s.on <= end}
    return {
        "notifications_received": len(notified),
        "notifications_late": len(late),
        "lscbs_total": len(active),
        "lscbs_not_in_touch": len(t.quiet_boards),
        "lscbs_not_in_touch_pct": pct(len(t.quiet_boards), len(active)),
        "lscbs_silent_12_months": len(active - heard),
        "scr_initiation_decisions": len(decided) - len(not_initiated),
        "non_initiation_decisions_considered": p.considered,
        "agreed_without_challenge": p.agreed_without_challenge,
        "agreed_without_challenge_pct": pct(p.agreed_without_challenge, p.considered),
        "challenged_or_queried": p.challenged_or_queried,
        "scr_initiated_after_advice": p.scr_after_advice,
        "accepted_after_further_information": p.accepted_after_information,
        "awaiting_further_information": p.awaiting_information,
        "referrals_back": sum(s.body["outcome"] == "refer_back" for s in considerations),
        "statutory_breaches_flagged": sum(
            bool(s.body.get("statutory_breach"))
            for s in considerations + dated(Kind.NOTICE_CONSIDER)
        ),
        "reports_received_before_publication": len(reports),
        "reports_short_notice": len(short),
        "non_publication_cases_considered": p.notices,
        "non_publication_accepted": p.notices_accepted,
        "non_publication_being_reconsidered": p.notices_being_reconsidered,
        "non_publication_since_published": p.notices_since_published,
        "completed_scrs": completed,
        "publication_rate_pct": pct(p.reports + p.notices_since_published, completed),
        "panel_considerations": panel,
        # A year is twelve calendar months, whatever day it starts on.
        "panel_considerations_per_month": one_decimal(panel, 12),
        "non_initiation_reasons": {r.value: reasons.get(r.value, 0) for r in NonInitiationReason},
        "alternative_review_types": dict(
            sorted(
                Counter(
                    _review_key(s) for s in not_initiated if s.body.get("alternative_review_type")
                ).items()
            )
        ),
        "follow_ups_overdue": _follow_ups_overdue(t.cases, end),
        "quality": _quality(t, start, end),
        "recommendations": recommendation_figures(t.cases, start, end),
    }


def _notice_days(report: Step) -> int:
    planned = dt.date.fromisoformat(report.body["planned_publication_on"])
    return (planned - report.on).days


def _review_key(step: Step) -> str:
    code = str(step.body["alternative_review_type"])
    if code != "other":
        return code
    return "other:" + " ".join(str(step.body["other_review_type"]).split()).lower()


def _follow_ups_overdue(cases: tuple[Case, ...], end: dt.date) -> int:
    """A challenge or referral opens a follow-up due on its response_due_on; the board's next
    response closes it. Open at ``end`` and due before it: overdue."""
    overdue = 0
    for case in cases:
        due: dt.date | None = None
        for step in case.steps:
            if step.on > end:
                break
            if step.kind is Kind.CONSIDER and "response_due_on" in step.body:
                due = dt.date.fromisoformat(step.body["response_due_on"])
            elif step.kind is Kind.RESPOND:
                due = None
        overdue += due is not None and due < end
    return overdue


def _quality(t: Timeline, start: dt.date, end: dt.date) -> dict[str, Any]:
    sides: dict[str, list[Step]] = {w.value: [] for w in WorkingTogether}
    for case, step in t.steps():
        if step.kind is Kind.REVIEW and start <= step.on <= end:
            assert case.initiated_on is not None
            before = case.initiated_on < WORKING_TOGETHER_2013
            side = WorkingTogether.BEFORE_2013 if before else WorkingTogether.UNDER_2013
            sides[side.value].append(step)
    return {
        side: {
            "reports_reviewed": len(reviews),
            "mean_scores": {
                f.value: one_decimal(
                    sum(r.body["scores"][f.value]["score"] for r in reviews), len(reviews)
                )
                for f in QualityFeature
            },
            "problem_share_pct": {
                q.value: pct(sum(q.value in r.body["problems"] for r in reviews), len(reviews))
                for q in QualityProblem
            },
        }
        for side, reviews in sides.items()
    }


def recommendation_figures(cases: tuple[Case, ...], start: dt.date, end: dt.date) -> dict[str, Any]:
    """Made with a report received or a notice notified in the year; status at ``end``."""
    by_status = {s.value: 0 for s in RecommendationStatus}
    overdue = 0
    for case in cases:
        made = [s for s in case.steps if s.kind in (Kind.REPORT, Kind.NOTICE)]
        if not made or not start <= made[0].on <= end:
            continue
        for position, item in enumerate(made[0].body.get("recommendations", [])):
            status = "proposed"
            for step in case.steps:
                if (
                    step.kind is Kind.UPDATE_RECOMMENDATION
                    and step.position == position
                    and step.on <= end
                ):
                    status = step.body["status"]
            by_status[status] += 1
            due = item.get("due_on")
            overdue += (
                due is not None and dt.date.fromisoformat(due) < end and status not in SETTLED
            )
    return {"total": sum(by_status.values()), "by_status": by_status, "overdue": overdue}
