"""HTTP input and output of the publication service."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from pydantic import (
    AnyHttpUrl,
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StringConstraints,
    UrlConstraints,
    computed_field,
)

from services.publication.prescreen import Prescreen
from services.publication.states import SETTLED_STATUSES, ReportState
from shared.calendar import BusinessDate, PastBusinessDate, today
from shared.events.vocab import (
    AddresseeKind,
    NonPublicationAction,
    NonPublicationOutcome,
    NonPublicationProposal,
    NonPublicationReason,
    NonPublicationState,
    QualityFeature,
    QualityProblem,
    RecommendationLevel,
    RecommendationStatus,
    Sector,
    WorkingTogether,
)
from shared.schemas import StrictInput

Text = Annotated[str, StringConstraints(min_length=1, max_length=20_000)]
ShortText = Annotated[str, StringConstraints(min_length=1, max_length=300)]
# Themes are tags the repository filters by: one spelling each, whatever the board typed.
Theme = Annotated[
    str,
    StringConstraints(strip_whitespace=True, to_lower=True, min_length=1, max_length=60),
]
WebAddress = Annotated[AnyHttpUrl, UrlConstraints(max_length=2_000)]


# --- input --------------------------------------------------------------------------------


class RecommendationCreate(StrictInput):
    text: Text
    addressee: ShortText = Field(description="The organisation or named post it is addressed to.")
    addressee_kind: AddresseeKind
    level: RecommendationLevel
    sector: Sector
    due_on: BusinessDate | None = Field(
        default=None, description="When it should be implemented by; past it, it is overdue."
    )


class ReportCreate(StrictInput):
    scr_id: str = Field(min_length=1, max_length=36)
    submitted_on: PastBusinessDate | None = Field(default=None, description="Defaults to today.")
    planned_publication_on: BusinessDate = Field(
        description="At least 7 days after submitted_on; less is accepted as `short_notice`."
    )
    title: ShortText
    text: str = Field(min_length=1, max_length=2_000_000, description="The report's full text.")
    recommendations: list[RecommendationCreate] = Field(default_factory=list, max_length=200)
    learning_points: list[Text] = Field(default_factory=list, max_length=100)
    themes: list[Theme] = Field(
        default_factory=list, max_length=20, description="Tags for the learning repository."
    )


class PublicationCreate(StrictInput):
    published_on: PastBusinessDate | None = Field(default=None, description="Defaults to today.")
    url: WebAddress = Field(description="Where the report is published.")


class NoticeCreate(StrictInput):
    scr_id: str = Field(min_length=1, max_length=36)
    notified_on: PastBusinessDate | None = Field(default=None, description="Defaults to today.")
    reasons: list[NonPublicationReason] = Field(max_length=4, description="One or more.")
    other_reason: Text | None = Field(default=None, description="With reason `other`.")
    proposal: NonPublicationProposal
    delay_until: BusinessDate | None = Field(
        default=None, description="For `delay`: the date until which publication is delayed."
    )
    delay_until_event: ShortText | None = Field(
        default=None, description="For `delay`: the event awaited (e.g. the end of a trial)."
    )
    anonymised_summary: str | None = Field(
        default=None,
        min_length=1,
        max_length=200_000,
        description="For `anonymised_summary`: the summary, which the learning repository holds "
        "once the panel accepts the notice.",
    )
    rationale: Text = Field(description="Why the report should not be published in full.")
    recommendations: list[RecommendationCreate] = Field(
        default_factory=list,
        max_length=200,
        description="The SCR's recommendations (needed for `recommendations_only`).",
    )


class NoticeConsiderationCreate(StrictInput):
    considered_on: PastBusinessDate | None = Field(default=None, description="Defaults to today.")
    outcome: NonPublicationOutcome
    rationale: Text | None = Field(default=None, description="Needed for `challenge`.")
    statutory_breach: StrictBool = False


class NoticeResponseCreate(StrictInput):
    responded_on: PastBusinessDate | None = Field(default=None, description="Defaults to today.")
    action: NonPublicationAction
    url: WebAddress | None = Field(default=None, description="For `publish`: where it is.")
    information: Text | None = Field(
        default=None, description="For `maintain`: why the board maintains its decision."
    )


class FeatureScore(StrictInput):
    score: StrictInt = Field(ge=1, le=4, description="1 (absent) to 4 (strong).")
    comment: Text


class QualityReviewCreate(StrictInput):
    reviewed_on: PastBusinessDate | None = Field(default=None, description="Defaults to today.")
    scores: dict[QualityFeature, FeatureScore] = Field(
        description="Each of the seven features of para 28, scored."
    )
    problems: list[QualityProblem] = Field(
        default_factory=list, max_length=5, description="The problems of para 27 seen."
    )
    comment: Text | None = None


class RecommendationUpdateCreate(StrictInput):
    status: RecommendationStatus
    changed_on: PastBusinessDate | None = Field(default=None, description="Defaults to today.")
    action_taken: Text = Field(description="What was done (or why it was not accepted).")
    by_whom: ShortText = Field(description="Who did it: an organisation or a post.")
    evidence: Text = Field(description="What shows it: an audit, a policy, minutes...")


# --- output -------------------------------------------------------------------------------


class _Read(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class LscbRead(_Read):
    id: str
    name: str
    active: bool
    merged_into: str | None


class ScrRead(_Read):
    """An initiated SCR as this service knows it (from the decisions service's events)."""

    scr_id: str
    case_id: str
    decision_id: str
    lscb_id: str
    reference: str
    initiated_on: dt.date
    after_advice: bool
    reviewers: list[str]
    received_at: dt.datetime
    due_on: dt.date = Field(description="Six months after initiation.")
    overdue_on: dt.date | None = Field(description="When it became overdue, if it did.")
    completed_by: str | None = Field(description="`report` or `non_publication_notice`.")
    completed_on: dt.date | None


class RecommendationUpdateRead(_Read):
    id: str
    seq: int
    changed_on: dt.date
    status_before: RecommendationStatus
    status: RecommendationStatus
    action_taken: str
    by_whom: str
    evidence: str
    actor: str
    recorded_at: dt.datetime


class RecommendationRead(_Read):
    id: str
    report_id: str | None
    notice_id: str | None
    scr_id: str
    lscb_id: str
    position: int
    text: str
    addressee: str
    addressee_kind: AddresseeKind
    level: RecommendationLevel
    sector: Sector
    due_on: dt.date | None
    made_on: dt.date
    status: RecommendationStatus
    status_since: dt.date
    names_addressee: bool = Field(description="The pre-screen's signal.")
    measurable_action: bool = Field(description="The pre-screen's signal.")

    @computed_field(description="Past its due date today, neither implemented nor rejected.")
    def overdue(self) -> bool:
        return (
            self.due_on is not None
            and self.due_on < today()
            and self.status not in SETTLED_STATUSES
        )


class RecommendationDetail(RecommendationRead):
    history: list[RecommendationUpdateRead]


class FeatureScoreRead(BaseModel):
    score: int
    comment: str


class QualityReviewRead(_Read):
    id: str
    report_id: str
    scr_id: str
    lscb_id: str
    reviewed_on: dt.date
    working_together: WorkingTogether
    scores: dict[QualityFeature, FeatureScoreRead]
    problems: list[QualityProblem]
    comment: str | None
    reviewer: str
    recorded_at: dt.datetime

    @computed_field(description="The mean of the seven scores, one decimal.")
    def mean_score(self) -> float:
        return round(sum(s.score for s in self.scores.values()) / len(self.scores), 1)


class ReportSummary(_Read):
    id: str
    scr_id: str
    lscb_id: str
    title: str
    submitted_on: dt.date
    planned_publication_on: dt.date
    short_notice: bool
    state: ReportState
    published_on: dt.date | None
    url: str | None
    themes: list[str]
    recorded_by: str
    recorded_at: dt.datetime


class ReportRead(ReportSummary):
    """A report with its text, recommendations, pre-screen and quality review."""

    text: str
    learning_points: list[str]
    notice_days: int = Field(description="Days from submission to planned publication.")
    recommendations: list[RecommendationRead]
    prescreen: Prescreen = Field(
        description="Signals for a reviewer, not verdicts: see docs/prescreen.md."
    )
    quality_review: QualityReviewRead | None


class NoticeStepRead(_Read):
    id: str
    seq: int
    step: str
    on: dt.date = Field(description="The business date it happened on.")
    actor: str
    actor_role: str
    state_before: NonPublicationState | None
    state_after: NonPublicationState
    change: dict[str, Any]
    recorded_at: dt.datetime


class NoticeSummary(_Read):
    id: str
    scr_id: str
    lscb_id: str
    notified_on: dt.date
    reasons: list[NonPublicationReason]
    other_reason: str | None
    proposal: NonPublicationProposal
    delay_until: dt.date | None
    delay_until_event: str | None
    rationale: str
    state: NonPublicationState
    state_since: dt.date
    published_on: dt.date | None
    url: str | None
    recorded_by: str
    recorded_at: dt.datetime


class NoticeRead(NoticeSummary):
    anonymised_summary: str | None
    recommendations: list[RecommendationRead]
    history: list[NoticeStepRead]


class ChairsReportItem(BaseModel):
    """One recommendation as a board's annual report shows it: what was done and by whom."""

    recommendation: RecommendationRead
    status_at_end: RecommendationStatus = Field(description="Its status at the period's end.")
    actions: list[RecommendationUpdateRead] = Field(description="Dated on or before the end.")


class ChairsReport(BaseModel):
    """What an LSCB chair publishes in the annual report (para 29) for SCR recommendations
    made in the period: each one, what action has been taken, and by whom."""

    lscb_id: str
    lscb_name: str | None
    date_from: dt.date = Field(serialization_alias="from")
    date_to: dt.date = Field(serialization_alias="to")
    by_status: dict[RecommendationStatus, int]
    overdue: int
    items: list[ChairsReportItem]


class RepositoryHit(BaseModel):
    """One entry of the learning repository found by a search: a published report
    (``kind`` "report") or the anonymised summary of a report not published in full
    ("anonymised_summary"). ``rank``: higher is better (1 or more: the whole query found as a
    phrase). ``snippet``: HTML, the text escaped and each match in ``<mark>``...``</mark>``.
    ``matched_in``: which of title, learning_points, recommendations and body hold the words."""

    kind: str
    source_id: str
    scr_id: str
    lscb_id: str
    title: str
    published_on: dt.date
    year: int
    url: str | None
    themes: list[str]
    rank: float
    snippet: str
    matched_in: list[str]


class RepositoryPage(BaseModel):
    """A page of search results, best first; ``total`` counts every hit, ``q`` is the query."""

    items: list[RepositoryHit]
    total: int
    limit: int
    offset: int
    q: str
