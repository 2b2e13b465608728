"""The states of a case in the decisions service: the one place their names are written.

Only the first is reached yet (a notification opens the case); the transitions between them (the
initiation decision and the panel's considerations, DOMAIN.md §3) come with decisions.
"""

from __future__ import annotations

from enum import StrEnum


class CaseState(StrEnum):
    AWAITING_INITIATION_DECISION = "awaiting_initiation_decision"
    SCR_INITIATED = "scr_initiated"
    AWAITING_PANEL = "awaiting_panel"
    AWAITING_LSCB = "awaiting_lscb"
    AGREED_WITHOUT_CHALLENGE = "agreed_without_challenge"
    ACCEPTED_AFTER_FURTHER_INFORMATION = "accepted_after_further_information"
    SCR_INITIATED_AFTER_ADVICE = "scr_initiated_after_advice"
