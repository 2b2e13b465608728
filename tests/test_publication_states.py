"""The publication service's state tables (``services/publication/states.py``), checked pair by
pair against DOMAIN.md §3 (notices), §2 step 5 (reports) and step 7 (recommendations) written
out again here, independently of the tables under test."""

from __future__ import annotations

import datetime as dt
import itertools
from enum import StrEnum

import pytest

from services.publication.models import Scr
from services.publication.states import (
    NOTICE_TRANSITIONS,
    RECOMMENDATION_TRANSITIONS,
    REPORT_TRANSITIONS,
    NoticeStep,
    ReportState,
    ReportStep,
    next_state,
)
from services.publication.steps import working_together
from shared.errors import Conflict
from shared.events.vocab import (
    NonPublicationAction,
    NonPublicationOutcome,
    NonPublicationState,
    RecommendationStatus,
    WorkingTogether,
)

N, S = NonPublicationState, RecommendationStatus

# DOMAIN.md §3: awaiting_panel -> accepted | awaiting_lscb; awaiting_lscb -> published |
# awaiting_panel; accepted -> published. Every other pair is refused.
NOTICE: dict[tuple[NonPublicationState, NoticeStep], NonPublicationState] = {
    (N.AWAITING_PANEL, NoticeStep.ACCEPT): N.ACCEPTED,
    (N.AWAITING_PANEL, NoticeStep.CHALLENGE): N.AWAITING_LSCB,
    (N.AWAITING_LSCB, NoticeStep.PUBLISH): N.PUBLISHED,
    (N.AWAITING_LSCB, NoticeStep.MAINTAIN): N.AWAITING_PANEL,
    (N.ACCEPTED, NoticeStep.PUBLISH): N.PUBLISHED,
}
NOTICE_PAIRS = list(itertools.product(NonPublicationState, NoticeStep))
NOTICE_ILLEGAL = [pair for pair in NOTICE_PAIRS if pair not in NOTICE]

# A report is received, then published, once.
REPORT = {(ReportState.RECEIVED, ReportStep.PUBLISH): ReportState.PUBLISHED}

# Recommendations: implemented is final; nothing goes back to proposed; asking for the status a
# recommendation already has is out of order; a rejected one may be taken up after all.
RECOMMENDATION: dict[RecommendationStatus, set[RecommendationStatus]] = {
    S.PROPOSED: {S.ACCEPTED, S.IN_PROGRESS, S.IMPLEMENTED, S.NOT_ACCEPTED},
    S.ACCEPTED: {S.IN_PROGRESS, S.IMPLEMENTED, S.NOT_ACCEPTED},
    S.IN_PROGRESS: {S.ACCEPTED, S.IMPLEMENTED, S.NOT_ACCEPTED},
    S.NOT_ACCEPTED: {S.ACCEPTED, S.IN_PROGRESS},
    S.IMPLEMENTED: set(),
}
RECOMMENDATION_PAIRS = list(itertools.product(RecommendationStatus, RecommendationStatus))
RECOMMENDATION_ILLEGAL = [(a, b) for a, b in RECOMMENDATION_PAIRS if b not in RECOMMENDATION[a]]


def _flat(table: dict) -> dict:
    return {(state, step): to for state, steps in table.items() for step, to in steps.items()}


def test_the_notice_table_is_domain_section_3_and_covers_every_state() -> None:
    assert set(NOTICE_TRANSITIONS) == set(NonPublicationState)
    assert _flat(NOTICE_TRANSITIONS) == NOTICE
    assert len(NOTICE_PAIRS) == 16 and len(NOTICE_ILLEGAL) == 11
    assert NOTICE_TRANSITIONS[N.PUBLISHED] == {}


def test_notice_steps_are_the_panels_outcomes_and_the_boards_actions() -> None:
    # The API maps an outcome or an action onto a step by its value: they must all exist.
    public = {o.value for o in NonPublicationOutcome} | {a.value for a in NonPublicationAction}
    assert public == {s.value for s in NoticeStep}


def test_the_report_table() -> None:
    assert set(REPORT_TRANSITIONS) == set(ReportState)
    assert _flat(REPORT_TRANSITIONS) == REPORT
    assert REPORT_TRANSITIONS[ReportState.PUBLISHED] == {}


def test_the_recommendation_table() -> None:
    assert set(RECOMMENDATION_TRANSITIONS) == set(RecommendationStatus)
    for status, steps in RECOMMENDATION_TRANSITIONS.items():
        assert set(steps) == RECOMMENDATION[status], status
        # The step is the status asked for.
        assert all(to is step for step, to in steps.items()), status
    assert len(RECOMMENDATION_ILLEGAL) == 25 - 12


@pytest.mark.parametrize(("state", "step"), list(NOTICE), ids=str)
def test_a_legal_notice_step_leads_where_the_domain_says(
    state: NonPublicationState, step: NoticeStep
) -> None:
    assert next_state(NOTICE_TRANSITIONS, "notice", state, step) is NOTICE[state, step]


def _refused(table: dict, what: str, state: StrEnum, step: StrEnum) -> Conflict:
    with pytest.raises(Conflict) as refused:
        next_state(table, what, state, step)
    assert refused.value.status == 409
    assert refused.value.extra == {"state": state.value}
    assert f"'{step.value}'" in refused.value.detail
    assert f"the {what} is {state.value}" in refused.value.detail
    return refused.value


@pytest.mark.parametrize(("state", "step"), NOTICE_ILLEGAL, ids=str)
def test_any_other_notice_step_is_a_conflict_naming_the_state(
    state: NonPublicationState, step: NoticeStep
) -> None:
    refused = _refused(NOTICE_TRANSITIONS, "notice", state, step)
    possible = ", ".join(s.value for s in NOTICE_TRANSITIONS[state]) or "none"
    assert refused.detail.endswith(f"possible now: {possible}")
    if state is N.PUBLISHED:
        assert "a final state" in refused.detail


def test_a_published_report_cannot_be_published_again() -> None:
    assert (
        next_state(REPORT_TRANSITIONS, "report", ReportState.RECEIVED, ReportStep.PUBLISH)
        is ReportState.PUBLISHED
    )
    refused = _refused(REPORT_TRANSITIONS, "report", ReportState.PUBLISHED, ReportStep.PUBLISH)
    assert "a final state" in refused.detail


@pytest.mark.parametrize(
    ("status", "asked"),
    [(a, b) for a, b in RECOMMENDATION_PAIRS if b in RECOMMENDATION[a]],
    ids=str,
)
def test_a_legal_recommendation_move(status: RecommendationStatus, asked: S) -> None:
    assert next_state(RECOMMENDATION_TRANSITIONS, "recommendation", status, asked) is asked


@pytest.mark.parametrize(("status", "asked"), RECOMMENDATION_ILLEGAL, ids=str)
def test_any_other_recommendation_move_is_a_conflict_in_its_own_words(
    status: RecommendationStatus, asked: RecommendationStatus
) -> None:
    refused = _refused(RECOMMENDATION_TRANSITIONS, "recommendation", status, asked)
    # A recommendation's "accepted" is not a notice's: no word of the panel or of publication.
    assert "panel" not in refused.detail and "publication" not in refused.detail
    assert "awaits" not in refused.detail
    if status is S.IMPLEMENTED:
        assert "a final state" in refused.detail


@pytest.mark.parametrize(
    ("initiated_on", "expected"),
    [
        (dt.date(2012, 1, 1), WorkingTogether.BEFORE_2013),
        (dt.date(2013, 4, 14), WorkingTogether.BEFORE_2013),
        (dt.date(2013, 4, 15), WorkingTogether.UNDER_2013),
        (dt.date(2014, 1, 6), WorkingTogether.UNDER_2013),
    ],
)
def test_working_together_2013_came_into_force_on_15_april_2013(
    initiated_on: dt.date, expected: WorkingTogether
) -> None:
    assert working_together(Scr(initiated_on=initiated_on)) is expected
