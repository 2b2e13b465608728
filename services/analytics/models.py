"""The analytics service's tables: its own copies of the facts the figures are computed from.

They are filled from events only. There are no foreign keys: events about different boards and
cases travel on different partitions, so a notification may be applied before its board is, and
nothing here may assume that another event of the same case was applied first either.

Histories (a notice's steps, a recommendation's status changes) are kept as one row per step,
keyed by the producer's own step number, so that "where did it stand at a date" is a lookup of the
latest step on or before that date, whatever order the steps were applied in.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.db import NAMING_CONVENTION, BigIntPK, UTCDateTime


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Lscb(Base):
    """A board as the registry announced it, with the business date of its merge if merged."""

    __tablename__ = "lscbs"

    id: Mapped[str] = mapped_column(String(20), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    merged_into: Mapped[str | None] = mapped_column(String(20), default=None)
    registered_on: Mapped[dt.date] = mapped_column(Date)
    merged_on: Mapped[dt.date | None] = mapped_column(Date, default=None)


class Notification(Base):
    """A serious incident notification: only what the figures need."""

    __tablename__ = "notifications"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    lscb_id: Mapped[str] = mapped_column(String(20))
    notified_on: Mapped[dt.date] = mapped_column(Date, index=True)
    late: Mapped[bool] = mapped_column(Boolean)


class Decision(Base):
    """A board's initiation decision: what the decision figures count it by."""

    __tablename__ = "decisions"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    case_id: Mapped[str] = mapped_column(String(36))
    lscb_id: Mapped[str] = mapped_column(String(20))
    decision: Mapped[str] = mapped_column(String(20))  # an InitiationDecision value
    decided_on: Mapped[dt.date] = mapped_column(Date, index=True)
    # The code of the review proposed instead; for `other` the board's own words, normalised
    # (see ``consumers.alternative_review_key``), so that the same words count as one type.
    alternative_review_type: Mapped[str | None] = mapped_column(Text, default=None)


class DecisionReason(Base):
    """One reason a board gave for not initiating: a row each, so that SQL counts them (a JSON
    list had to be decoded row by row, the slowest part of a many-year summary)."""

    __tablename__ = "decision_reasons"

    decision_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    reason: Mapped[str] = mapped_column(String(40), primary_key=True)  # a NonInitiationReason


class Consideration(Base):
    """The panel's consideration of a non-initiation decision, first or later."""

    __tablename__ = "considerations"
    # "A later agreement dated on or before `to`" looks a decision's considerations up by both:
    # without this the planner may walk the date index once per decision (bench/summary.py).
    __table_args__ = (
        Index("ix_considerations_decision_considered", "decision_id", "considered_on"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    decision_id: Mapped[str] = mapped_column(String(36))
    considered_on: Mapped[dt.date] = mapped_column(Date, index=True)
    outcome: Mapped[str] = mapped_column(String(20))  # a ConsiderationOutcome value
    first_consideration: Mapped[bool] = mapped_column(Boolean)
    statutory_breach: Mapped[bool] = mapped_column(Boolean)


class Response(Base):
    """A board's response to a challenge or a referral back."""

    __tablename__ = "responses"
    __table_args__ = (Index("ix_responses_decision_responded", "decision_id", "responded_on"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    decision_id: Mapped[str] = mapped_column(String(36))
    responded_on: Mapped[dt.date] = mapped_column(Date, index=True)
    action: Mapped[str] = mapped_column(String(30))  # a ResponseAction value


class FollowUp(Base):
    """A follow-up asked of a board, from its opening to its closing.

    Keyed by the follow-up's id so that its opening and its closing may arrive in either order:
    a closing seen first makes the row with ``opened_on`` and ``due_on`` still unknown (null), and
    the opening fills them in later.
    """

    __tablename__ = "follow_ups"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    decision_id: Mapped[str] = mapped_column(String(36))
    lscb_id: Mapped[str] = mapped_column(String(20))
    opened_on: Mapped[dt.date | None] = mapped_column(Date, index=True, default=None)
    due_on: Mapped[dt.date | None] = mapped_column(Date, index=True, default=None)
    closed_on: Mapped[dt.date | None] = mapped_column(Date, index=True, default=None)


# --- publication --------------------------------------------------------------------------------


class Report(Base):
    """An SCR's final report, sent before publication.

    Its receipt and its publication each fill in their own columns of one row, so they may arrive
    in either order: a publication seen first makes the row with ``submitted_on`` still unknown.
    """

    __tablename__ = "reports"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    scr_id: Mapped[str] = mapped_column(String(36))
    lscb_id: Mapped[str] = mapped_column(String(20))
    submitted_on: Mapped[dt.date | None] = mapped_column(Date, index=True, default=None)
    short_notice: Mapped[bool | None] = mapped_column(Boolean, default=None)
    published_on: Mapped[dt.date | None] = mapped_column(Date, default=None)


class Notice(Base):
    """A board's decision not to publish an SCR report in full, as notified."""

    __tablename__ = "notices"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    scr_id: Mapped[str] = mapped_column(String(36))
    lscb_id: Mapped[str] = mapped_column(String(20))
    notified_on: Mapped[dt.date] = mapped_column(Date, index=True)


class NoticeStep(Base):
    """One step of a notice's history (its notification, a panel consideration, a board's
    response) and the notice's state after it. ``seq`` is the publication service's number of the
    step: it orders steps of one day, and a redelivered step finds its row already there.

    Only a consideration has ``considered_on`` (its ``on`` again), ``outcome`` and
    ``first_consideration``: the consideration figures count those rows by them.
    """

    __tablename__ = "notice_steps"
    # "The notice's latest step on or before `to`" looks a notice's steps up by both.
    __table_args__ = (Index("ix_notice_steps_notice_on", "notice_id", "on", "seq"),)

    notice_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # notified, considered or responded
    on: Mapped[dt.date] = mapped_column(Date)
    state: Mapped[str] = mapped_column(String(20))  # a NonPublicationState value
    considered_on: Mapped[dt.date | None] = mapped_column(Date, index=True, default=None)
    outcome: Mapped[str | None] = mapped_column(String(20), default=None)  # NonPublicationOutcome
    first_consideration: Mapped[bool | None] = mapped_column(Boolean, default=None)
    statutory_breach: Mapped[bool | None] = mapped_column(Boolean, default=None)


class QualityReview(Base):
    """A panel member's review of a report: whether its SCR was initiated under Working Together
    2013 is carried by the review itself, so that the report's own event need not be here."""

    __tablename__ = "quality_reviews"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    report_id: Mapped[str] = mapped_column(String(36))
    lscb_id: Mapped[str] = mapped_column(String(20))
    reviewed_on: Mapped[dt.date] = mapped_column(Date, index=True)
    working_together: Mapped[str] = mapped_column(String(40))  # a WorkingTogether value


class QualityScore(Base):
    """One feature's score in a review (para 28): a row each, so that SQL averages them."""

    __tablename__ = "quality_scores"

    review_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    feature: Mapped[str] = mapped_column(String(40), primary_key=True)  # a QualityFeature
    score: Mapped[int] = mapped_column(Integer)


class QualityProblemFlag(Base):
    """One problem (para 27) a review flagged: a row each, so that SQL counts them."""

    __tablename__ = "quality_problems"

    review_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    problem: Mapped[str] = mapped_column(String(40), primary_key=True)  # a QualityProblem


class Recommendation(Base):
    """A recommendation of a report or a notice, made (status ``proposed``) on the report's
    ``submitted_on`` or the notice's ``notified_on``. Its later statuses are its steps."""

    __tablename__ = "recommendations"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    lscb_id: Mapped[str] = mapped_column(String(20))
    made_on: Mapped[dt.date] = mapped_column(Date, index=True)
    names_addressee: Mapped[bool] = mapped_column(Boolean)
    due_on: Mapped[dt.date | None] = mapped_column(Date, default=None)


class RecommendationStep(Base):
    """One change of a recommendation's implementation status, keyed by the producer's number of
    the change (so a redelivery finds its row, and changes of one day keep their order)."""

    __tablename__ = "recommendation_steps"
    # "The recommendation's latest change on or before `to`" looks its changes up by both.
    __table_args__ = (
        Index(
            "ix_recommendation_steps_recommendation_changed",
            "recommendation_id",
            "changed_on",
            "seq",
        ),
    )

    recommendation_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    changed_on: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20))  # a RecommendationStatus value


# The read models: every table above, filled from other services' events only. `scr-panel
# analytics rebuild` empties these (and the inbox) and fills them again from a replay of every
# service's outbox. Tables added below this line (alerts, subscriptions, deliveries) are the
# service's own records, not read models: a rebuild keeps them.
READ_MODELS: tuple[type[Base], ...] = (
    Lscb,
    Notification,
    Decision,
    DecisionReason,
    Consideration,
    Response,
    FollowUp,
    Report,
    Notice,
    NoticeStep,
    QualityReview,
    QualityScore,
    QualityProblemFlag,
    Recommendation,
    RecommendationStep,
)


# --- alerts and their webhook deliveries (the service's own records: a rebuild keeps them) ------


class Alert(Base):
    """An alert a rule raised, once per cause (``type`` and ``cause`` are unique together).

    ``seq`` orders the pull feed (``GET /v1/alerts?since=``) and is its cursor: alerts are
    inserted one transaction at a time (``alerts.raise_alert``), so a later ``seq`` is never
    committed before an earlier one and a reader past a cursor misses nothing.
    """

    __tablename__ = "alerts"
    __table_args__ = (UniqueConstraint("type", "cause", name="uq_alerts_type_cause"),)

    seq: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(36), unique=True)
    type: Mapped[str] = mapped_column(String(40))  # an AlertType value
    # What raised it: the consideration's, follow-up's, report's or SCR's id; for a silent board
    # its id and the date of its last notification (or "never").
    cause: Mapped[str] = mapped_column(String(200))
    lscb_id: Mapped[str] = mapped_column(String(20), index=True)
    case_id: Mapped[str | None] = mapped_column(String(36), default=None)
    raised_on: Mapped[dt.date] = mapped_column(Date)  # the cause's business date
    raised_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, index=True)
    # The API resource the alert is about, as (service, path): links are made from them with the
    # public addresses in the settings, so a move of a service changes no stored row.
    resource_service: Mapped[str] = mapped_column(String(20))
    resource_path: Mapped[str] = mapped_column(String(300))


class Subscription(Base):
    """Where to send alerts of some types. It belongs to its creator's role (``dfe``, ``ofsted``
    ...) or, for a board, to the board: a board's subscription only ever receives its own alerts.
    The secret signs deliveries, so it is kept as given; it is shown once, when created."""

    __tablename__ = "subscriptions"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    owner_role: Mapped[str] = mapped_column(String(20))  # a Role value
    owner_lscb_id: Mapped[str | None] = mapped_column(String(20), default=None)
    created_by: Mapped[str] = mapped_column(Text)
    url: Mapped[str] = mapped_column(Text)
    alert_types: Mapped[list[str]] = mapped_column(JSON)  # AlertType values
    secret: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True, index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    disabled_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    disabled_reason: Mapped[str | None] = mapped_column(Text, default=None)


class Delivery(Base):
    """One alert to one subscription, until it is delivered or given up.

    ``message_id`` is the ``webhook-id`` header: the same on every attempt and redelivery, so a
    receiver can drop duplicates. The worker takes a due delivery by pushing ``next_attempt_at``
    past its attempt (a lease): if it dies mid-attempt, the delivery falls due again by itself.
    """

    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint("subscription_id", "alert_id", name="uq_deliveries_subscription_alert"),
        Index("ix_deliveries_due", "status", "next_attempt_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    subscription_id: Mapped[str] = mapped_column(String(36), index=True)
    alert_id: Mapped[str] = mapped_column(String(36))
    message_id: Mapped[str] = mapped_column(String(60))
    status: Mapped[str] = mapped_column(String(20))  # pending, succeeded, failed, cancelled
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # Attempts since it was last (re)scheduled: picks the next pause of the retry schedule.
    round_attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)


class DeliveryAttempt(Base):
    """One attempt of a delivery: when, how long, and the status code or the error."""

    __tablename__ = "delivery_attempts"

    seq: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    delivery_id: Mapped[str] = mapped_column(String(36), index=True)
    attempted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    duration_ms: Mapped[int] = mapped_column(Integer)
    status_code: Mapped[int | None] = mapped_column(Integer, default=None)
    error: Mapped[str | None] = mapped_column(Text, default=None)
