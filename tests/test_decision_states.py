"""The decisions service's state machine (``services/decisions/states.py``), checked pair by pair
against DOMAIN.md §3 written out again here, independently of the table under test."""

from __future__ import annotations

import itertools

import pytest

from services.decisions.states import (
    CONSIDERATION_STEPS,
    FINAL_STATES,
    TRANSITIONS,
    CaseState,
    Step,
    consideration_step,
    next_state,
    response_step,
)
from shared.errors import Conflict
from shared.events.vocab import ConsiderationOutcome, ResponseAction

S = CaseState

# DOMAIN.md §3, transcribed: (state, step) -> the state it leads to. Every other pair is refused.
EXPECTED: dict[tuple[CaseState, Step], CaseState] = {
    (S.AWAITING_INITIATION_DECISION, Step.INITIATE): S.SCR_INITIATED,
    (S.AWAITING_INITIATION_DECISION, Step.NOT_INITIATE): S.AWAITING_PANEL,
    (S.AWAITING_PANEL, Step.AGREE_FIRST): S.AGREED_WITHOUT_CHALLENGE,
    (S.AWAITING_PANEL, Step.AGREE_LATER): S.ACCEPTED_AFTER_FURTHER_INFORMATION,
    (S.AWAITING_PANEL, Step.CHALLENGE): S.AWAITING_LSCB,
    (S.AWAITING_PANEL, Step.REFER_BACK): S.AWAITING_LSCB,
    (S.AWAITING_LSCB, Step.INITIATE_SCR): S.SCR_INITIATED_AFTER_ADVICE,
    (S.AWAITING_LSCB, Step.PROVIDE_INFORMATION): S.AWAITING_PANEL,
}
FINAL = {
    S.SCR_INITIATED,
    S.AGREED_WITHOUT_CHALLENGE,
    S.ACCEPTED_AFTER_FURTHER_INFORMATION,
    S.SCR_INITIATED_AFTER_ADVICE,
}
ALL_PAIRS = list(itertools.product(CaseState, Step))
ILLEGAL = [pair for pair in ALL_PAIRS if pair not in EXPECTED]


def test_the_table_is_domain_section_3_and_covers_every_state() -> None:
    assert set(TRANSITIONS) == set(CaseState)
    table = {
        (state, step): to for state, steps in TRANSITIONS.items() for step, to in steps.items()
    }
    assert table == EXPECTED
    assert len(ALL_PAIRS) == 56 and len(ILLEGAL) == 48


@pytest.mark.parametrize(("state", "step"), list(EXPECTED), ids=lambda v: str(v))
def test_a_legal_step_leads_where_the_domain_says(state: CaseState, step: Step) -> None:
    assert next_state(state, step) is EXPECTED[state, step]


@pytest.mark.parametrize(("state", "step"), ILLEGAL, ids=lambda v: str(v))
def test_any_other_step_is_a_conflict_naming_the_state(state: CaseState, step: Step) -> None:
    with pytest.raises(Conflict) as refused:
        next_state(state, step)
    assert refused.value.status == 409
    assert refused.value.extra == {"state": state.value}
    assert state.value in refused.value.detail
    assert f"'{step.public_name}'" in refused.value.detail
    expected_reason = "a final state" if state in FINAL else "it awaits"
    assert expected_reason in refused.value.detail


def test_final_states_have_no_steps() -> None:
    assert FINAL_STATES == FINAL
    for state in FINAL:
        assert TRANSITIONS[state] == {}
    for state in set(CaseState) - FINAL:
        assert TRANSITIONS[state], state


@pytest.mark.parametrize(
    ("outcome", "first", "step"),
    [
        (ConsiderationOutcome.AGREE, True, Step.AGREE_FIRST),
        (ConsiderationOutcome.AGREE, False, Step.AGREE_LATER),
        (ConsiderationOutcome.CHALLENGE, True, Step.CHALLENGE),
        (ConsiderationOutcome.CHALLENGE, False, Step.CHALLENGE),
        (ConsiderationOutcome.REFER_BACK, True, Step.REFER_BACK),
        (ConsiderationOutcome.REFER_BACK, False, Step.REFER_BACK),
    ],
)
def test_consideration_step_tells_a_first_agreement_from_a_later_one(
    outcome: ConsiderationOutcome, first: bool, step: Step
) -> None:
    assert consideration_step(outcome, first) is step
    assert step.value in CONSIDERATION_STEPS
    # Both agreements are "agree" to the caller; the table sends them to different final states.
    assert step.public_name == outcome.value
    expected = (
        S.AGREED_WITHOUT_CHALLENGE
        if step is Step.AGREE_FIRST
        else S.ACCEPTED_AFTER_FURTHER_INFORMATION
        if step is Step.AGREE_LATER
        else S.AWAITING_LSCB
    )
    assert next_state(S.AWAITING_PANEL, step) is expected


def test_consideration_steps_are_exactly_the_panels() -> None:
    panels = {"agree_first", "agree_later", "challenge", "refer_back"}
    assert panels == CONSIDERATION_STEPS


@pytest.mark.parametrize(
    ("action", "step", "to"),
    [
        (ResponseAction.INITIATE_SCR, Step.INITIATE_SCR, S.SCR_INITIATED_AFTER_ADVICE),
        (ResponseAction.PROVIDE_INFORMATION, Step.PROVIDE_INFORMATION, S.AWAITING_PANEL),
    ],
)
def test_response_step(action: ResponseAction, step: Step, to: CaseState) -> None:
    assert response_step(action) is step
    assert step.public_name == action.value
    assert next_state(S.AWAITING_LSCB, step) is to
