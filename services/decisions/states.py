"""The life of a case in the decisions service, as one table (DOMAIN.md §3).

Every step a caller can take is a :class:`Step`; :data:`TRANSITIONS` says, for each state, which
steps it allows and where each leads. Nothing else in the service decides whether a step is in
order: :func:`next_state` refuses any pair missing from the table with a 409 naming the state.
"""

from __future__ import annotations

from enum import StrEnum

from shared.errors import Conflict
from shared.events.vocab import CaseState, ConsiderationOutcome, ResponseAction

__all__ = [
    "CONSIDERATION_STEPS",
    "FINAL_STATES",
    "TRANSITIONS",
    "CaseState",
    "Step",
    "consideration_step",
    "next_state",
    "response_step",
]


class Step(StrEnum):
    INITIATE = "initiate"
    NOT_INITIATE = "not_initiate"
    # The panel agrees: at first sight, or after a challenge or referral has been answered.
    AGREE_FIRST = "agree_first"
    AGREE_LATER = "agree_later"
    CHALLENGE = "challenge"
    REFER_BACK = "refer_back"
    INITIATE_SCR = "initiate_scr"
    PROVIDE_INFORMATION = "provide_information"

    @property
    def public_name(self) -> str:
        """The word the caller used: both kinds of agreement are ``agree`` over HTTP."""
        return "agree" if self in (Step.AGREE_FIRST, Step.AGREE_LATER) else self.value


S = CaseState
TRANSITIONS: dict[CaseState, dict[Step, CaseState]] = {
    S.AWAITING_INITIATION_DECISION: {
        Step.INITIATE: S.SCR_INITIATED,
        Step.NOT_INITIATE: S.AWAITING_PANEL,
    },
    S.AWAITING_PANEL: {
        Step.AGREE_FIRST: S.AGREED_WITHOUT_CHALLENGE,
        Step.AGREE_LATER: S.ACCEPTED_AFTER_FURTHER_INFORMATION,
        Step.CHALLENGE: S.AWAITING_LSCB,
        Step.REFER_BACK: S.AWAITING_LSCB,
    },
    S.AWAITING_LSCB: {
        Step.INITIATE_SCR: S.SCR_INITIATED_AFTER_ADVICE,
        Step.PROVIDE_INFORMATION: S.AWAITING_PANEL,
    },
    S.SCR_INITIATED: {},
    S.AGREED_WITHOUT_CHALLENGE: {},
    S.ACCEPTED_AFTER_FURTHER_INFORMATION: {},
    S.SCR_INITIATED_AFTER_ADVICE: {},
}

# The audit trail's names for the panel's considerations (the others are decisions, responses).
CONSIDERATION_STEPS = frozenset(
    s.value for s in (Step.AGREE_FIRST, Step.AGREE_LATER, Step.CHALLENGE, Step.REFER_BACK)
)
FINAL_STATES = frozenset(state for state, steps in TRANSITIONS.items() if not steps)

_WHO_ACTS = {
    S.AWAITING_INITIATION_DECISION: "the board's initiation decision",
    S.AWAITING_PANEL: "the panel's consideration",
    S.AWAITING_LSCB: "the board's response",
}


def next_state(current: CaseState, step: Step) -> CaseState:
    """Where ``step`` leads from ``current``; 409 naming the state if the table has no such step."""
    allowed = TRANSITIONS[current]
    if step in allowed:
        return allowed[step]
    waiting = _WHO_ACTS.get(current)
    reason = f"it awaits {waiting}" if waiting else "a final state"
    raise Conflict(
        f"cannot record '{step.public_name}' now: the case is {current.value} ({reason})",
        state=current.value,
    )


def consideration_step(outcome: ConsiderationOutcome, first: bool) -> Step:
    if outcome is ConsiderationOutcome.AGREE:
        return Step.AGREE_FIRST if first else Step.AGREE_LATER
    return Step(outcome.value)


def response_step(action: ResponseAction) -> Step:
    return Step(action.value)
