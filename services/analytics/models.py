"""The analytics service's tables: its own copies of the facts the figures are computed from.

They are filled from events only. There are no foreign keys: events about different boards and
cases travel on different partitions, so a notification may be applied before its board is, and
nothing here may assume that another event of the same case was applied first either.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Date, Index, MetaData, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.db import NAMING_CONVENTION


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
