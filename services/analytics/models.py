"""The analytics service's tables: its own copies of the facts the figures are computed from.

They are filled from events only. There are no foreign keys: events about different boards and
cases travel on different partitions, so a notification may be applied before its board is.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Date, MetaData, String
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
