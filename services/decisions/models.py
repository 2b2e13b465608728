"""The decisions service's tables: cases, the initiation decision on each, the follow-ups the
panel opens, and every step taken (the audit trail).

A case's ``state`` holds a :class:`shared.events.vocab.CaseState` value as a plain string, so that
adding a state needs no schema change; the transitions are in ``states.py``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Date,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from shared.db import NAMING_CONVENTION, UTCDateTime, utcnow


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Case(Base):
    """A case, opened when its serious incident notification arrives (case id = notification id).

    ``state_since`` is the business date of the step that brought the case to its state: the day
    the party it waits for has been waiting since, and the earliest date the next step may bear.
    """

    __tablename__ = "cases"

    case_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    notification_id: Mapped[str] = mapped_column(String(36))
    reference: Mapped[str] = mapped_column(String(40))
    lscb_id: Mapped[str] = mapped_column(String(20), index=True)
    notified_on: Mapped[dt.date] = mapped_column(Date)
    state: Mapped[str] = mapped_column(String(40), index=True)
    state_since: Mapped[dt.date] = mapped_column(Date)
    opened_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class Decision(Base):
    """A board's decision to initiate an SCR or not: one per case."""

    __tablename__ = "decisions"
    __table_args__ = (Index("ix_decisions_lscb_decided", "lscb_id", "decided_on"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.case_id"), unique=True)
    lscb_id: Mapped[str] = mapped_column(String(20))
    decision: Mapped[str] = mapped_column(String(20))
    decided_on: Mapped[dt.date] = mapped_column(Date, index=True)
    reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    other_reason: Mapped[str | None] = mapped_column(Text, default=None)
    alternative_review_type: Mapped[str | None] = mapped_column(String(60), default=None)
    alternative_review_type_label: Mapped[str | None] = mapped_column(String(300), default=None)
    rationale: Mapped[str] = mapped_column(Text, default="")
    reviewers: Mapped[list[str]] = mapped_column(JSON, default=list)
    recorded_by: Mapped[str] = mapped_column(String(200))
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    # Always wanted with the decision (its state lives on the case): loaded in the same query.
    case: Mapped[Case] = relationship(lazy="joined", innerjoin=True)


class FollowUp(Base):
    """What a challenge or a referral back asks of the board, by a due date.

    ``status`` is ``open``, ``overdue`` (still open, past ``due_on``; marked once, by the
    scheduler) or ``closed`` (the board responded).
    """

    __tablename__ = "follow_ups"
    __table_args__ = (Index("ix_follow_ups_status_due", "status", "due_on"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    decision_id: Mapped[str] = mapped_column(ForeignKey("decisions.id"), index=True)
    case_id: Mapped[str] = mapped_column(String(36))
    lscb_id: Mapped[str] = mapped_column(String(20), index=True)
    consideration_id: Mapped[str] = mapped_column(String(36))
    reason: Mapped[str] = mapped_column(String(20))
    opened_on: Mapped[dt.date] = mapped_column(Date)
    due_on: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10))
    overdue_on: Mapped[dt.date | None] = mapped_column(Date, default=None)
    closed_on: Mapped[dt.date | None] = mapped_column(Date, default=None)
    response_id: Mapped[str | None] = mapped_column(String(36), default=None)


class AuditEntry(Base):
    """One entry of a decision's audit trail, never changed once written: who did what, on which
    business date, when it was recorded, the state before and after, and the structured change.

    Panel considerations and board responses are entries themselves (their id is the entry's).
    ``(decision_id, seq)`` is unique, so two steps recorded at once on one decision cannot both
    land: the second fails instead of silently following a state it never saw.
    """

    __tablename__ = "audit_entries"
    __table_args__ = (UniqueConstraint("decision_id", "seq"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    decision_id: Mapped[str] = mapped_column(ForeignKey("decisions.id"))
    seq: Mapped[int] = mapped_column(Integer)
    step: Mapped[str] = mapped_column(String(30))
    on: Mapped[dt.date] = mapped_column(Date)
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor: Mapped[str] = mapped_column(String(200))
    actor_role: Mapped[str] = mapped_column(String(20))
    state_before: Mapped[str] = mapped_column(String(40))
    state_after: Mapped[str] = mapped_column(String(40))
    change: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
