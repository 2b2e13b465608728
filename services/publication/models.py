"""The publication service's tables: its own copy of the board registry (reports will be checked
against it) and the SCRs initiated, both filled from other services' events."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Boolean, Date, MetaData, String
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
