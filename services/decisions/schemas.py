"""HTTP input and output of the decisions service."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StringConstraints

from shared.calendar import BusinessDate, PastBusinessDate
from shared.events.vocab import (
    CaseState,
    ConsiderationOutcome,
    InitiationDecision,
    NonInitiationReason,
    ResponseAction,
)
from shared.schemas import StrictInput

FollowUpStatus = Literal["open", "overdue", "closed"]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


# --- input --------------------------------------------------------------------------------


class DecisionCreate(StrictInput):
    notification_id: str = Field(min_length=1, max_length=36)
    decision: InitiationDecision
    decided_on: PastBusinessDate | None = Field(default=None, description="Defaults to today.")
    reasons: list[NonInitiationReason] = Field(
        default_factory=list, max_length=10, description="For `not_initiate`: one or more."
    )
    other_reason: str | None = Field(
        default=None, min_length=1, max_length=2_000, description="With reason `other`."
    )
    alternative_review_type: str | None = Field(
        default=None,
        min_length=1,
        max_length=60,
        description="For `not_initiate`, the review proposed instead: a code from "
        "`GET /v1/alternative-review-types` (needed with reason `other_review_preferred`).",
    )
    other_review_type: str | None = Field(
        default=None,
        min_length=1,
        max_length=300,
        description="With alternative_review_type `other`: the board's name for it.",
    )
    rationale: str | None = Field(
        default=None, min_length=1, max_length=20_000, description="Needed for `not_initiate`."
    )
    reviewers: list[Name] = Field(
        default_factory=list,
        max_length=10,
        description="For `initiate`: who will conduct the review (information only).",
    )


class ConsiderationCreate(StrictInput):
    considered_on: PastBusinessDate | None = Field(default=None, description="Defaults to today.")
    outcome: ConsiderationOutcome
    rationale: str | None = Field(
        default=None, min_length=1, max_length=20_000, description="Needed unless `agree`."
    )
    response_due_on: BusinessDate | None = Field(
        default=None,
        description="For `challenge` and `refer_back`: when the board must answer by. "
        "Defaults to 14 days after considered_on.",
    )
    statutory_breach: StrictBool = Field(
        default=False,
        description="The panel sees a clear statutory breach: DfE and Ofsted are alerted (para 9).",
    )


class ResponseCreate(StrictInput):
    responded_on: PastBusinessDate | None = Field(default=None, description="Defaults to today.")
    action: ResponseAction
    information: str | None = Field(
        default=None,
        min_length=1,
        max_length=50_000,
        description="Needed for `provide_information`: what the panel asked for.",
    )


# --- output -------------------------------------------------------------------------------


class _Read(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class CaseRead(_Read):
    case_id: str
    notification_id: str
    reference: str
    lscb_id: str
    notified_on: dt.date
    state: CaseState
    state_since: dt.date
    opened_at: dt.datetime


class CasePage(BaseModel):
    items: list[CaseRead]
    total: int
    limit: int
    offset: int


class AuditEntryRead(_Read):
    id: str
    seq: int
    step: str = Field(description="What happened: the decision, a consideration, a response...")
    on: dt.date = Field(description="The business date it happened on.")
    recorded_at: dt.datetime
    actor: str = Field(description="Who recorded it (the token's subject).")
    actor_role: str
    state_before: CaseState
    state_after: CaseState
    change: dict[str, Any]


class FollowUpRead(_Read):
    id: str
    decision_id: str
    case_id: str
    lscb_id: str
    reason: ConsiderationOutcome
    opened_on: dt.date
    due_on: dt.date
    status: FollowUpStatus
    overdue_on: dt.date | None
    closed_on: dt.date | None
    response_id: str | None


class FollowUpPage(BaseModel):
    items: list[FollowUpRead]
    total: int
    limit: int
    offset: int


class DecisionSummary(_Read):
    id: str
    case_id: str
    reference: str
    notification_id: str
    lscb_id: str
    decision: InitiationDecision
    decided_on: dt.date
    reasons: list[NonInitiationReason]
    other_reason: str | None
    alternative_review_type: str | None
    alternative_review_type_label: str | None
    rationale: str
    reviewers: list[str]
    state: CaseState
    state_since: dt.date
    recorded_by: str
    recorded_at: dt.datetime


class DecisionRead(DecisionSummary):
    """A decision with where it stands, its open follow-up and its whole history."""

    open_follow_up: FollowUpRead | None
    history: list[AuditEntryRead]


class DecisionPage(BaseModel):
    items: list[DecisionSummary]
    total: int
    limit: int
    offset: int


class ConsiderationRead(BaseModel):
    id: str
    decision_id: str
    considered_on: dt.date
    outcome: ConsiderationOutcome
    first_consideration: bool
    rationale: str | None
    response_due_on: dt.date | None
    statutory_breach: bool
    state: CaseState = Field(description="The case's state after this consideration.")
    follow_up: FollowUpRead | None = Field(description="Opened by a challenge or referral.")
    recorded_by: str
    recorded_at: dt.datetime


class ResponseRead(BaseModel):
    id: str
    decision_id: str
    follow_up_id: str
    responded_on: dt.date
    action: ResponseAction
    information: str | None
    state: CaseState = Field(description="The case's state after this response.")
    recorded_by: str
    recorded_at: dt.datetime


class AgendaItem(BaseModel):
    decision: DecisionSummary
    waiting_since: dt.date
    days_waiting: int
    first_consideration: bool = Field(description="False when the board has answered already.")
    history: list[AuditEntryRead]


class ReviewTypeRead(BaseModel):
    code: str
    label: str


class AgendaPage(BaseModel):
    items: list[AgendaItem]
    total: int
    limit: int
    offset: int
