"""The notifications service's tables: the board registry and serious incident notifications."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, MetaData, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship, selectinload

from shared.db import NAMING_CONVENTION, UTCDateTime, utcnow


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Lscb(Base):
    """A Local Safeguarding Children Board; covers one or more local authorities."""

    __tablename__ = "lscbs"

    id: Mapped[str] = mapped_column(String(20), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    merged_into: Mapped[str | None] = mapped_column(ForeignKey("lscbs.id"), default=None)
    registered_on: Mapped[dt.date] = mapped_column(Date)
    changed_on: Mapped[dt.date | None] = mapped_column(Date, default=None)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    # Loaded only where asked for (WITH_AUTHORITIES): the notification hot path needs the board,
    # not its areas, and async code must never lazy-load by surprise.
    authorities: Mapped[list[LocalAuthority]] = relationship(
        back_populates="lscb", order_by="LocalAuthority.ons_code", lazy="raise_on_sql"
    )


class LocalAuthority(Base):
    __tablename__ = "local_authorities"

    ons_code: Mapped[str] = mapped_column(String(9), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    dfe_la_code: Mapped[str] = mapped_column(String(3))
    lscb_id: Mapped[str] = mapped_column(ForeignKey("lscbs.id"), index=True)

    lscb: Mapped[Lscb] = relationship(back_populates="authorities")


class Notification(Base):
    """A serious incident notification; it opens a case whose id is the notification's id."""

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_lscb_notified", "lscb_id", "notified_on"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    lscb_id: Mapped[str] = mapped_column(ForeignKey("lscbs.id"))
    incident_date: Mapped[dt.date] = mapped_column(Date)
    became_aware_on: Mapped[dt.date] = mapped_column(Date)
    notified_on: Mapped[dt.date] = mapped_column(Date, index=True)
    outcome: Mapped[str] = mapped_column(String(20))
    abuse_or_neglect: Mapped[list[str]] = mapped_column(JSON)
    age_years: Mapped[int] = mapped_column(Integer)
    sex: Mapped[str] = mapped_column(String(10))
    looked_after: Mapped[bool] = mapped_column(Boolean)
    on_child_protection_plan: Mapped[bool] = mapped_column(Boolean)
    agencies_involved: Mapped[list[str]] = mapped_column(JSON)
    summary: Mapped[str] = mapped_column(Text)
    working_days_to_notify: Mapped[int] = mapped_column(Integer)
    late: Mapped[bool] = mapped_column(Boolean)
    recorded_by: Mapped[str] = mapped_column(String(200))
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def case_id(self) -> str:
        # A notification opens a case; the case is known everywhere by the notification's id.
        return self.id


WITH_AUTHORITIES = selectinload(Lscb.authorities)
