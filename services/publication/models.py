"""The publication service's tables.

Filled from other services' events: its copy of the board registry, the SCRs initiated and the
harm each case is about. Its own: final reports, non-publication notices and their steps, quality
reviews, recommendations and their updates, and the learning repository's entries.

States are plain strings holding the vocabularies' values (``shared.events.vocab``), so adding one
needs no schema change; the transitions are the tables in ``states.py``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.db import NAMING_CONVENTION, UTCDateTime, utcnow


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Lscb(Base):
    """A board as the registry last announced it. ``merged_into`` has no foreign key: events of
    different boards travel on different partitions and may be applied in any order."""

    __tablename__ = "lscbs"

    id: Mapped[str] = mapped_column(String(20), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    merged_into: Mapped[str | None] = mapped_column(String(20), default=None)


class Scr(Base):
    """A Serious Case Review as the decisions service announced its initiation (``scr.initiated``).

    Its id is the case id. Final reports, non-publication notices and the six-month overdue rule
    hang off it. ``lscb_id`` has no foreign key to ``lscbs``: the registry's events and the
    decisions' events travel on different topics and may be applied in any order.
    """

    __tablename__ = "scrs"

    scr_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    case_id: Mapped[str] = mapped_column(String(36))
    decision_id: Mapped[str] = mapped_column(String(36))
    lscb_id: Mapped[str] = mapped_column(String(20), index=True)
    reference: Mapped[str] = mapped_column(String(40))
    initiated_on: Mapped[dt.date] = mapped_column(Date, index=True)
    after_advice: Mapped[bool] = mapped_column(Boolean)
    reviewers: Mapped[list[str]] = mapped_column(JSON)
    received_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Six months after initiation; ``overdue_on`` once marked (scheduler.py), never again.
    due_on: Mapped[dt.date] = mapped_column(Date, index=True)
    overdue_on: Mapped[dt.date | None] = mapped_column(Date, default=None)
    # What completed it: "report" or "non_publication_notice" (one or the other, once).
    completed_by: Mapped[str | None] = mapped_column(String(30), default=None)
    completed_on: Mapped[dt.date | None] = mapped_column(Date, default=None)


class CaseHarm(Base):
    """What a case is about, from ``notification.received``: the learning repository's harm-type
    filter. Only the categories, never the child's details."""

    __tablename__ = "case_harms"

    case_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    lscb_id: Mapped[str] = mapped_column(String(20))
    outcome: Mapped[str] = mapped_column(String(20))  # an Outcome value
    abuse_or_neglect: Mapped[list[str]] = mapped_column(JSON)  # AbuseOrNeglect values


class Report(Base):
    """An SCR's final report, sent before publication (one per SCR)."""

    __tablename__ = "reports"
    __table_args__ = (Index("ix_reports_lscb_submitted", "lscb_id", "submitted_on"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    scr_id: Mapped[str] = mapped_column(ForeignKey("scrs.scr_id"), unique=True)
    lscb_id: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(300))
    text: Mapped[str] = mapped_column(Text)
    submitted_on: Mapped[dt.date] = mapped_column(Date, index=True)
    planned_publication_on: Mapped[dt.date] = mapped_column(Date)
    short_notice: Mapped[bool] = mapped_column(Boolean)
    themes: Mapped[list[str]] = mapped_column(JSON)
    learning_points: Mapped[list[str]] = mapped_column(JSON)
    prescreen: Mapped[dict[str, Any]] = mapped_column(JSON)
    state: Mapped[str] = mapped_column(String(20))  # a ReportState value
    published_on: Mapped[dt.date | None] = mapped_column(Date, default=None)
    url: Mapped[str | None] = mapped_column(String(2000), default=None)
    recorded_by: Mapped[str] = mapped_column(String(200))
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class NonPublicationNotice(Base):
    """A board's decision not to publish an SCR report in full (one per SCR), and where it
    stands. ``seq`` counts its steps (1: the notice itself); ``state_since`` is the date of the
    last, the earliest date the next may bear."""

    __tablename__ = "non_publication_notices"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    scr_id: Mapped[str] = mapped_column(ForeignKey("scrs.scr_id"), unique=True)
    lscb_id: Mapped[str] = mapped_column(String(20), index=True)
    notified_on: Mapped[dt.date] = mapped_column(Date, index=True)
    reasons: Mapped[list[str]] = mapped_column(JSON)  # NonPublicationReason values
    other_reason: Mapped[str | None] = mapped_column(Text, default=None)
    proposal: Mapped[str] = mapped_column(String(30))  # a NonPublicationProposal value
    delay_until: Mapped[dt.date | None] = mapped_column(Date, default=None)
    delay_until_event: Mapped[str | None] = mapped_column(Text, default=None)
    anonymised_summary: Mapped[str | None] = mapped_column(Text, default=None)
    rationale: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(20), index=True)  # a NonPublicationState value
    state_since: Mapped[dt.date] = mapped_column(Date)
    seq: Mapped[int] = mapped_column(Integer)
    published_on: Mapped[dt.date | None] = mapped_column(Date, default=None)
    url: Mapped[str | None] = mapped_column(String(2000), default=None)
    recorded_by: Mapped[str] = mapped_column(String(200))
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class NoticeStep(Base):
    """One step in a notice's history: who, on which business date, from which state to which.
    The unique (notice, seq) pair turns two steps racing on one notice into one winner."""

    __tablename__ = "notice_steps"
    __table_args__ = (UniqueConstraint("notice_id", "seq"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    notice_id: Mapped[str] = mapped_column(ForeignKey("non_publication_notices.id"))
    seq: Mapped[int] = mapped_column(Integer)
    step: Mapped[str] = mapped_column(String(30))
    on: Mapped[dt.date] = mapped_column(Date)
    actor: Mapped[str] = mapped_column(String(200))
    actor_role: Mapped[str] = mapped_column(String(20))
    state_before: Mapped[str | None] = mapped_column(String(20))
    state_after: Mapped[str] = mapped_column(String(20))
    change: Mapped[dict[str, Any]] = mapped_column(JSON)
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class Recommendation(Base):
    """A recommendation of a report (or of a notice proposing to publish recommendations only),
    and its implementation status, kept up to date by the board (para 29)."""

    __tablename__ = "recommendations"
    __table_args__ = (Index("ix_recommendations_lscb_status", "lscb_id", "status"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    report_id: Mapped[str | None] = mapped_column(ForeignKey("reports.id"), default=None)
    notice_id: Mapped[str | None] = mapped_column(
        ForeignKey("non_publication_notices.id"), default=None
    )
    scr_id: Mapped[str] = mapped_column(String(36))
    lscb_id: Mapped[str] = mapped_column(String(20))
    position: Mapped[int] = mapped_column(Integer)  # 1, 2, ... within its report or notice
    text: Mapped[str] = mapped_column(Text)
    addressee: Mapped[str] = mapped_column(String(300))
    addressee_kind: Mapped[str] = mapped_column(String(20))  # an AddresseeKind value
    level: Mapped[str] = mapped_column(String(20))  # a RecommendationLevel value
    sector: Mapped[str] = mapped_column(String(30))  # a Sector value
    due_on: Mapped[dt.date | None] = mapped_column(Date, index=True, default=None)
    made_on: Mapped[dt.date] = mapped_column(Date, index=True)  # its report's or notice's date
    status: Mapped[str] = mapped_column(String(20))  # a RecommendationStatus value
    status_since: Mapped[dt.date] = mapped_column(Date)
    seq: Mapped[int] = mapped_column(Integer, default=0)  # updates so far
    names_addressee: Mapped[bool] = mapped_column(Boolean)  # the pre-screen's signals
    measurable_action: Mapped[bool] = mapped_column(Boolean)


class RecommendationUpdate(Base):
    """One move of a recommendation's status: what was done, by whom, with what evidence."""

    __tablename__ = "recommendation_updates"
    __table_args__ = (UniqueConstraint("recommendation_id", "seq"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    recommendation_id: Mapped[str] = mapped_column(ForeignKey("recommendations.id"))
    seq: Mapped[int] = mapped_column(Integer)
    changed_on: Mapped[dt.date] = mapped_column(Date)
    status_before: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20))
    action_taken: Mapped[str] = mapped_column(Text)
    by_whom: Mapped[str] = mapped_column(String(300))
    evidence: Mapped[str] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(200))
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class QualityReview(Base):
    """The panel's review of a report against para 28's features and para 27's problems (one per
    report). ``scores`` maps each QualityFeature to ``{"score": 1..4, "comment": ...}``."""

    __tablename__ = "quality_reviews"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    report_id: Mapped[str] = mapped_column(ForeignKey("reports.id"), unique=True)
    scr_id: Mapped[str] = mapped_column(String(36))
    lscb_id: Mapped[str] = mapped_column(String(20))
    reviewed_on: Mapped[dt.date] = mapped_column(Date, index=True)
    working_together: Mapped[str] = mapped_column(String(40))  # a WorkingTogether value
    scores: Mapped[dict[str, Any]] = mapped_column(JSON)
    problems: Mapped[list[str]] = mapped_column(JSON)  # QualityProblem values
    comment: Mapped[str | None] = mapped_column(Text, default=None)
    reviewer: Mapped[str] = mapped_column(String(200))
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class RepositoryEntry(Base):
    """One searchable document of the learning repository: a published report, or the
    anonymised summary of an accepted non-publication notice. Nothing else is ever written here,
    so nothing unpublished or withheld can be found. The full-text index over it is
    dialect-specific (``repository.py`` and migration 0004)."""

    __tablename__ = "repository_entries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    source_id: Mapped[str] = mapped_column(String(36), unique=True)  # report or notice id
    kind: Mapped[str] = mapped_column(String(30))  # "report" or "anonymised_summary"
    scr_id: Mapped[str] = mapped_column(String(36))
    case_id: Mapped[str] = mapped_column(String(36), index=True)
    lscb_id: Mapped[str] = mapped_column(String(20), index=True)
    published_on: Mapped[dt.date] = mapped_column(Date)
    year: Mapped[int] = mapped_column(Integer, index=True)
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    recommendations: Mapped[str] = mapped_column(Text)  # their texts, one per line
    learning_points: Mapped[str] = mapped_column(Text)  # one per line
    themes: Mapped[list[str]] = mapped_column(JSON)
    url: Mapped[str | None] = mapped_column(String(2000), default=None)
