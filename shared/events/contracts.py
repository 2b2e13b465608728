"""Every event type, one pydantic model each, versioned. The AsyncAPI document is made from these.

A breaking change to an event makes a new class with ``version = 2`` beside the old one; consumers
handle both until the old one is no longer produced.
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from shared.events.envelope import EventData
from shared.events.vocab import (
    AbuseOrNeglect,
    AddresseeKind,
    AlertType,
    CaseState,
    ConsiderationOutcome,
    InitiationDecision,
    NonInitiationReason,
    NonPublicationAction,
    NonPublicationOutcome,
    NonPublicationProposal,
    NonPublicationReason,
    NonPublicationState,
    Outcome,
    QualityFeature,
    QualityProblem,
    RecommendationLevel,
    RecommendationStatus,
    ResponseAction,
    Sector,
    Sex,
    WorkingTogether,
)


class Authority(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    ons_code: str
    name: str
    dfe_la_code: str


# --- notifications ---------------------------------------------------------------------------


class LscbRegisteredV1(EventData):
    event_type = "lscb.registered"
    producer = "notifications"
    summary = "A board joined the registry."

    lscb_id: str
    name: str
    registered_on: dt.date
    authorities: tuple[Authority, ...]


class LscbUpdatedV1(EventData):
    event_type = "lscb.updated"
    producer = "notifications"
    summary = "A board was renamed, or merged into another (then inactive from changed_on)."

    lscb_id: str
    name: str
    active: bool
    merged_into: str | None = None
    changed_on: dt.date
    authorities: tuple[Authority, ...]


class NotificationReceivedV1(EventData):
    event_type = "notification.received"
    producer = "notifications"
    summary = "A serious incident was notified: it opens a case (case_id = notification_id)."

    notification_id: str
    case_id: str
    reference: str
    lscb_id: str
    incident_date: dt.date
    became_aware_on: dt.date
    notified_on: dt.date = Field(description="The business date of this event.")
    outcome: Outcome
    abuse_or_neglect: tuple[AbuseOrNeglect, ...]
    child_age_years: int
    child_sex: Sex
    looked_after: bool
    on_child_protection_plan: bool
    working_days_to_notify: int
    late: bool


# --- decisions --------------------------------------------------------------------------------
# Every decisions event names the case (the Kafka key), the decision and the board, and carries
# its own business date, so that a consumer can answer "as of any date" from the events alone.


class DecisionEventData(EventData):
    """What every decisions event carries: the case (its Kafka key), decision and board."""

    decision_id: str
    case_id: str
    lscb_id: str


class DecisionRecordedV1(DecisionEventData):
    event_type = "decision.recorded"
    producer = "decisions"
    summary = "A board decided to initiate an SCR, or not to (with its reasons)."

    notification_id: str
    reference: str = Field(description="The case's reference (the notification's).")
    decision: InitiationDecision
    decided_on: dt.date = Field(description="The business date of this event.")
    reasons: tuple[NonInitiationReason, ...] = ()
    other_reason: str | None = None
    alternative_review_type: str | None = Field(
        default=None, description="Code of the review proposed instead (`other`: free text)."
    )
    alternative_review_type_label: str | None = Field(
        default=None, description="Its label, or the board's own words for `other`."
    )
    reviewers: tuple[str, ...] = ()
    state: CaseState = Field(description="The case's state after the decision.")


class ConsiderationRecordedV1(DecisionEventData):
    event_type = "consideration.recorded"
    producer = "decisions"
    summary = "The panel considered a non-initiation decision: agree, challenge or refer back."

    consideration_id: str
    considered_on: dt.date = Field(description="The business date of this event.")
    outcome: ConsiderationOutcome
    first_consideration: bool = Field(description="The panel's first look at this decision.")
    statutory_breach: bool
    response_due_on: dt.date | None = None
    state: CaseState = Field(description="The case's state after the consideration.")


class FollowUpOpenedV1(DecisionEventData):
    event_type = "follow_up.opened"
    producer = "decisions"
    summary = "A challenge or referral back asks the board for a response by a due date."

    follow_up_id: str
    consideration_id: str
    reason: ConsiderationOutcome
    opened_on: dt.date = Field(description="The business date of this event.")
    due_on: dt.date


class FollowUpOverdueV1(DecisionEventData):
    event_type = "follow_up.overdue"
    producer = "decisions"
    summary = "A follow-up passed its due date without a response (emitted once)."

    follow_up_id: str
    due_on: dt.date
    overdue_on: dt.date = Field(description="The business date: the day after the due date.")


class FollowUpClosedV1(DecisionEventData):
    event_type = "follow_up.closed"
    producer = "decisions"
    summary = "The board's response closed a follow-up."

    follow_up_id: str
    response_id: str
    closed_on: dt.date = Field(description="The business date of this event.")
    action: ResponseAction
    was_overdue: bool


class LscbResponseRecordedV1(DecisionEventData):
    event_type = "lscb_response.recorded"
    producer = "decisions"
    summary = "A board answered the panel: it initiates an SCR, or gives further information."

    response_id: str
    follow_up_id: str
    responded_on: dt.date = Field(description="The business date of this event.")
    action: ResponseAction
    state: CaseState = Field(description="The case's state after the response.")


class ScrInitiatedV1(DecisionEventData):
    event_type = "scr.initiated"
    producer = "decisions"
    summary = "An SCR was initiated: on the board's own decision, or after the panel's advice."

    scr_id: str = Field(description="The SCR's id: the case id, as every event of it is keyed.")
    reference: str
    initiated_on: dt.date = Field(description="The business date of this event.")
    after_advice: bool
    reviewers: tuple[str, ...] = ()


# --- publication ------------------------------------------------------------------------------
# Every publication event names the SCR and its case (the same id: the Kafka key, so that an
# SCR's events stay in order behind its initiation) and the board, and carries its business date.


class PublicationEventData(EventData):
    """What every publication event carries: the SCR, its case (the Kafka key) and board."""

    scr_id: str
    case_id: str
    lscb_id: str


class RecommendationFacts(BaseModel):
    """A recommendation as the figures see it: no text, only what is counted."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    recommendation_id: str
    level: RecommendationLevel
    sector: Sector
    addressee_kind: AddresseeKind
    names_addressee: bool = Field(
        description="The pre-screen found a specific addressee (not 'all agencies' and the like)."
    )
    due_on: dt.date | None = None


class ReportReceivedV1(PublicationEventData):
    event_type = "report.received"
    producer = "publication"
    summary = (
        "A board sent an SCR's final report before publication; `short_notice` when fewer than "
        "7 days before its planned publication."
    )

    report_id: str
    submitted_on: dt.date = Field(description="The business date of this event.")
    planned_publication_on: dt.date
    short_notice: bool
    notice_days: int = Field(description="Days from submission to planned publication.")
    initiated_on: dt.date
    working_together: WorkingTogether
    recommendations: tuple[RecommendationFacts, ...] = ()


class ReportPublishedV1(PublicationEventData):
    event_type = "report.published"
    producer = "publication"
    summary = "A board confirmed a report's publication (date and address)."

    report_id: str
    published_on: dt.date = Field(description="The business date of this event.")
    url: str


class NoticeEventData(PublicationEventData):
    """What every event of a non-publication notice carries: the notice, its state after the
    step, and the step's number in the notice's history (steps of one day are told apart by it)."""

    notice_id: str
    state: NonPublicationState
    seq: int = Field(ge=1, description="1 for the notice itself, then one per step.")


class NonPublicationNotifiedV1(NoticeEventData):
    event_type = "non_publication.notified"
    producer = "publication"
    summary = "A board notified a decision not to publish an SCR report in full."

    notified_on: dt.date = Field(description="The business date of this event.")
    reasons: tuple[NonPublicationReason, ...]
    proposal: NonPublicationProposal
    delay_until: dt.date | None = None
    initiated_on: dt.date
    recommendations: tuple[RecommendationFacts, ...] = ()


class NonPublicationConsideredV1(NoticeEventData):
    event_type = "non_publication.considered"
    producer = "publication"
    summary = "The panel accepted or challenged a decision not to publish."

    consideration_id: str
    considered_on: dt.date = Field(description="The business date of this event.")
    outcome: NonPublicationOutcome
    first_consideration: bool
    statutory_breach: bool = False


class NonPublicationRespondedV1(NoticeEventData):
    event_type = "non_publication.responded"
    producer = "publication"
    summary = (
        "A board answered: it publishes after all, or maintains its decision (back to the panel)."
    )

    response_id: str
    responded_on: dt.date = Field(description="The business date of this event.")
    action: NonPublicationAction
    published_on: dt.date | None = None
    url: str | None = None


class NonPublicationResolvedV1(NoticeEventData):
    event_type = "non_publication.resolved"
    producer = "publication"
    summary = (
        "A notice reached an outcome: the panel accepted it, or the report was published "
        "(an accepted notice may still be published later, so a notice may resolve twice)."
    )

    resolved_on: dt.date = Field(description="The business date of this event.")
    resolution: NonPublicationState = Field(description="`accepted` or `published`.")
    proposal: NonPublicationProposal


class QualityReviewRecordedV1(PublicationEventData):
    event_type = "quality_review.recorded"
    producer = "publication"
    summary = "A panel member scored a report against para 28 and flagged para 27's problems."

    review_id: str
    report_id: str
    reviewed_on: dt.date = Field(description="The business date of this event.")
    working_together: WorkingTogether
    scores: dict[QualityFeature, int]
    problems: tuple[QualityProblem, ...] = ()


class RecommendationUpdatedV1(PublicationEventData):
    event_type = "recommendation.updated"
    producer = "publication"
    summary = "A board moved a recommendation's implementation status, with evidence."

    recommendation_id: str
    report_id: str | None = None
    notice_id: str | None = None
    changed_on: dt.date = Field(description="The business date of this event.")
    status_before: RecommendationStatus
    status: RecommendationStatus
    seq: int = Field(ge=1, description="The update's number in the recommendation's history.")


class ScrOverdueV1(PublicationEventData):
    event_type = "scr.overdue"
    producer = "publication"
    summary = "Six months after initiation, neither a report nor a notice has come (once per SCR)."

    initiated_on: dt.date
    due_on: dt.date
    overdue_on: dt.date = Field(description="The business date: the day after the due date.")


# --- analytics --------------------------------------------------------------------------------


class AlertRaisedV1(EventData):
    event_type = "alert.raised"
    producer = "analytics"
    summary = (
        "A rule raised an alert (once per cause): a flagged breach, a silent board, an overdue "
        "follow-up or SCR, a report sent at short notice. Ids and dates only: no personal data."
    )

    alert_id: str
    alert_type: AlertType
    cause: str = Field(description="What raised it (e.g. the consideration's id): one per cause.")
    lscb_id: str
    case_id: str | None = Field(default=None, description="The case, when the alert has one.")
    raised_on: dt.date = Field(description="The business date of the cause.")


ALL_EVENTS: tuple[type[EventData], ...] = (
    LscbRegisteredV1,
    LscbUpdatedV1,
    NotificationReceivedV1,
    DecisionRecordedV1,
    ConsiderationRecordedV1,
    FollowUpOpenedV1,
    FollowUpOverdueV1,
    FollowUpClosedV1,
    LscbResponseRecordedV1,
    ScrInitiatedV1,
    ReportReceivedV1,
    ReportPublishedV1,
    NonPublicationNotifiedV1,
    NonPublicationConsideredV1,
    NonPublicationRespondedV1,
    NonPublicationResolvedV1,
    QualityReviewRecordedV1,
    RecommendationUpdatedV1,
    ScrOverdueV1,
    AlertRaisedV1,
)

EVENTS_BY_TYPE: dict[str, type[EventData]] = {cls.type_name(): cls for cls in ALL_EVENTS}
