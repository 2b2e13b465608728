"""What may happen next, as tables (DOMAIN.md §3): to a final report, to a non-publication
notice, to a recommendation's implementation status.

Nothing else in the service decides whether a step is in order: :func:`next_state` refuses any
(state, step) pair missing from its table with a 409 naming the current state.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TypeVar

from shared.errors import Conflict
from shared.events.vocab import NonPublicationState, RecommendationStatus

__all__ = [
    "NOTICE_TRANSITIONS",
    "RECOMMENDATION_TRANSITIONS",
    "REPORT_TRANSITIONS",
    "SETTLED_STATUSES",
    "NoticeStep",
    "ReportState",
    "ReportStep",
    "next_state",
]


class ReportState(StrEnum):
    RECEIVED = "received"
    PUBLISHED = "published"


class ReportStep(StrEnum):
    PUBLISH = "publish"


class NoticeStep(StrEnum):
    ACCEPT = "accept"  # the panel
    CHALLENGE = "challenge"  # the panel
    PUBLISH = "publish"  # the board publishes after all
    MAINTAIN = "maintain"  # the board keeps its decision: back to the panel


R, N = ReportState, NonPublicationState
REPORT_TRANSITIONS: dict[ReportState, dict[ReportStep, ReportState]] = {
    R.RECEIVED: {ReportStep.PUBLISH: R.PUBLISHED},
    R.PUBLISHED: {},
}

NOTICE_TRANSITIONS: dict[NonPublicationState, dict[NoticeStep, NonPublicationState]] = {
    N.AWAITING_PANEL: {NoticeStep.ACCEPT: N.ACCEPTED, NoticeStep.CHALLENGE: N.AWAITING_LSCB},
    N.AWAITING_LSCB: {NoticeStep.PUBLISH: N.PUBLISHED, NoticeStep.MAINTAIN: N.AWAITING_PANEL},
    # Para 11: "one has since been published": an accepted decision may still be reversed.
    N.ACCEPTED: {NoticeStep.PUBLISH: N.PUBLISHED},
    N.PUBLISHED: {},
}

# A recommendation's status: the step is the status asked for. Going back is allowed where real
# life goes back (work stalls, a rejected recommendation is taken up after all); an implemented
# one stays implemented, and asking for the status it already has is a step out of order.
S = RecommendationStatus
RECOMMENDATION_TRANSITIONS: dict[RecommendationStatus, dict[RecommendationStatus, S]] = {
    S.PROPOSED: {s: s for s in (S.ACCEPTED, S.IN_PROGRESS, S.IMPLEMENTED, S.NOT_ACCEPTED)},
    S.ACCEPTED: {s: s for s in (S.IN_PROGRESS, S.IMPLEMENTED, S.NOT_ACCEPTED)},
    S.IN_PROGRESS: {s: s for s in (S.ACCEPTED, S.IMPLEMENTED, S.NOT_ACCEPTED)},
    S.NOT_ACCEPTED: {s: s for s in (S.ACCEPTED, S.IN_PROGRESS)},
    S.IMPLEMENTED: {},
}

# Implemented or rejected: nothing more is expected of it, so it is never overdue.
SETTLED_STATUSES = frozenset({S.IMPLEMENTED, S.NOT_ACCEPTED})

_WAITING: dict[StrEnum, str] = {
    N.AWAITING_PANEL: "it awaits the panel's consideration",
    N.AWAITING_LSCB: "it awaits the board's response",
    N.ACCEPTED: "the panel accepted it; only a publication may follow",
    R.RECEIVED: "it awaits its publication",
}

State = TypeVar("State", bound=StrEnum)
Step = TypeVar("Step", bound=StrEnum)


def next_state(
    table: dict[State, dict[Step, State]], what: str, current: State, step: Step
) -> State:
    """Where ``step`` leads from ``current`` in ``table``; 409 naming the state otherwise."""
    allowed = table[current]
    if step in allowed:
        return allowed[step]
    # By identity: members of different StrEnums with one value are equal and hash alike, and a
    # recommendation's "accepted" must not read as a notice's.
    waiting = next((text for state, text in _WAITING.items() if state is current), None)
    reason = waiting or ("a final state" if not allowed else "")
    options = ", ".join(s.value for s in allowed) or "none"
    raise Conflict(
        f"cannot record '{step.value}' now: the {what} is {current.value}"
        + (f" ({reason})" if reason else "")
        + f"; possible now: {options}",
        state=current.value,
    )
