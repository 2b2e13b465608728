"""The publication figures of DOMAIN.md §5: reports received, non-publication notices and where
they stand, the publication rate, the quality of reports and their recommendations.

As every figure, "as of the end of the period": only facts dated on or before ``to`` count, and a
thing that moves (a notice, a recommendation) is counted in the state of its latest step dated on
or before ``to``, steps of one day taken in the order of their ``seq``. Counts are SQL aggregates,
one query per figure group whatever the volume.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import case, func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from services.analytics.arithmetic import in_period, mean, percent
from services.analytics.models import (
    NoticeStep,
    QualityProblemFlag,
    QualityReview,
    QualityScore,
    Recommendation,
    RecommendationStep,
    Report,
)
from services.analytics.schemas import (
    Period,
    QualityByWorkingTogether,
    QualityRead,
    RecommendationsRead,
)
from shared.events.vocab import (
    NonPublicationState,
    QualityFeature,
    QualityProblem,
    RecommendationStatus,
    WorkingTogether,
)

# A recommendation in one of these is no longer waited for, whatever its due date.
SETTLED = (RecommendationStatus.IMPLEMENTED.value, RecommendationStatus.NOT_ACCEPTED.value)
BEING_RECONSIDERED = (
    NonPublicationState.AWAITING_PANEL.value,
    NonPublicationState.AWAITING_LSCB.value,
)


def _total(condition: Any) -> Any:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


async def report_counts(session: AsyncSession, p: Period) -> tuple[int, int]:
    """``reports_received_before_publication``: final reports with ``submitted_on`` in
    [from, to]; ``reports_short_notice``: of those, the ones sent fewer than 7 days before their
    planned publication (as the publication service decided)."""
    row = (
        await session.execute(
            select(func.count(), _total(Report.short_notice)).where(
                in_period(Report.submitted_on, p)
            )
        )
    ).one()
    return int(row[0]), int(row[1])


@dataclass(frozen=True)
class NonPublicationOutcomes:
    """Where the notices first considered in a period stand at its end."""

    considered: int
    accepted: int
    being_reconsidered: int
    since_published: int


async def non_publication_outcomes(session: AsyncSession, p: Period) -> NonPublicationOutcomes:
    """The notices first considered in the period and their state at ``to``, in one query:

    - ``non_publication_cases_considered``: notices whose first consideration
      (``first_consideration``) has ``considered_on`` in [from, to]; a notice has one, so the
      first considerations alone count them, whether or not the notice's own event is here yet;
    - of those, ``non_publication_accepted``, ``non_publication_being_reconsidered`` and
      ``non_publication_since_published``: the state after the notice's latest step dated on or
      before ``to`` (ties on a date broken by ``seq``) is ``accepted``; ``awaiting_panel`` or
      ``awaiting_lscb`` (after a challenge, since the notice has been considered); ``published``.
      A notice accepted in the period but published after ``to`` counts as accepted.
    """
    first = aliased(NoticeStep, name="first")
    step = aliased(NoticeStep, name="step")
    # The first consideration is itself a step dated on or before ``to``: there always is one.
    state_at_to = (
        select(step.state)
        .where(step.notice_id == first.notice_id, step.on <= p.date_to)
        .order_by(step.on.desc(), step.seq.desc())
        .limit(1)
        .correlate(first)
        .scalar_subquery()
    )
    considered = (
        select(state_at_to.label("state"))
        .where(first.first_consideration, in_period(first.considered_on, p))
        .subquery("considered")
    )
    state = considered.c.state
    row = (
        await session.execute(
            select(
                func.count(),
                _total(state == NonPublicationState.ACCEPTED.value),
                _total(state.in_(BEING_RECONSIDERED)),
                _total(state == NonPublicationState.PUBLISHED.value),
            )
        )
    ).one()
    return NonPublicationOutcomes(
        considered=int(row[0]),
        accepted=int(row[1]),
        being_reconsidered=int(row[2]),
        since_published=int(row[3]),
    )


async def quality(session: AsyncSession, p: Period) -> QualityByWorkingTogether:
    """``quality``: of the quality reviews with ``reviewed_on`` in [from, to], split by whether
    the SCR was initiated before or under Working Together 2013: how many there are, each
    feature's mean score over the reviews that scored it, and the share of reviews flagging each
    problem. Every split, feature and problem is a key; a mean or share of nothing is null."""
    reviewed = dict(
        (
            await session.execute(
                select(QualityReview.working_together, func.count())
                .where(in_period(QualityReview.reviewed_on, p))
                .group_by(QualityReview.working_together)
            )
        )
        .tuples()
        .all()
    )
    scores: dict[tuple[str, str], tuple[int, int]] = {
        (split, feature): (int(total), int(count))
        for split, feature, total, count in await session.execute(
            select(
                QualityReview.working_together,
                QualityScore.feature,
                func.sum(QualityScore.score),
                func.count(),
            )
            .join(QualityReview, QualityReview.id == QualityScore.review_id)
            .where(in_period(QualityReview.reviewed_on, p))
            .group_by(QualityReview.working_together, QualityScore.feature)
        )
    }
    flagged: dict[tuple[str, str], int] = {
        (split, problem): int(count)
        for split, problem, count in await session.execute(
            select(QualityReview.working_together, QualityProblemFlag.problem, func.count())
            .join(QualityReview, QualityReview.id == QualityProblemFlag.review_id)
            .where(in_period(QualityReview.reviewed_on, p))
            .group_by(QualityReview.working_together, QualityProblemFlag.problem)
        )
    }

    def split(working_together: WorkingTogether) -> QualityRead:
        key = working_together.value
        n = int(reviewed.get(key, 0))
        return QualityRead(
            reports_reviewed=n,
            mean_scores={
                feature: mean(*scores.get((key, feature.value), (0, 0)))
                for feature in QualityFeature
            },
            problem_share_pct={
                problem: percent(flagged.get((key, problem.value), 0), n)
                for problem in QualityProblem
            },
        )

    return QualityByWorkingTogether(
        before_working_together_2013=split(WorkingTogether.BEFORE_2013),
        under_working_together_2013=split(WorkingTogether.UNDER_2013),
    )


async def recommendations(session: AsyncSession, p: Period) -> RecommendationsRead:
    """``recommendations``: of the recommendations made (their report received, or their notice
    notified) in [from, to], how many; how many in each status at ``to`` (the status after the
    latest change dated on or before ``to``, ties broken by ``seq``; ``proposed`` before any);
    the share naming a specific addressee; and how many are overdue: due before ``to`` and at
    ``to`` neither implemented nor not accepted. In one query."""
    step = aliased(RecommendationStep, name="step")
    status_at_to = func.coalesce(
        select(step.status)
        .where(step.recommendation_id == Recommendation.id, step.changed_on <= p.date_to)
        .order_by(step.changed_on.desc(), step.seq.desc())
        .limit(1)
        .correlate(Recommendation)
        .scalar_subquery(),
        literal(RecommendationStatus.PROPOSED.value),
    )
    made = (
        select(
            status_at_to.label("status"),
            Recommendation.names_addressee.label("names_addressee"),
            Recommendation.due_on.label("due_on"),
        )
        .where(in_period(Recommendation.made_on, p))
        .subquery("made")
    )
    rows = await session.execute(
        select(
            made.c.status,
            func.count(),
            _total(made.c.names_addressee),
            _total(made.c.due_on < p.date_to),
        ).group_by(made.c.status)
    )
    by_status = {status: 0 for status in RecommendationStatus}
    named = overdue = 0
    for status, count, naming, past_due in rows:
        by_status[RecommendationStatus(status)] += int(count)
        named += int(naming)
        if status not in SETTLED:
            overdue += int(past_due)
    total = sum(by_status.values())
    return RecommendationsRead(
        total=total,
        by_status=by_status,
        named_addressee_pct=percent(named, total),
        overdue=overdue,
    )
