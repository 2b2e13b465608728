"""The decisions service's tables: the cases opened by notifications."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, MetaData, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.db import NAMING_CONVENTION, UTCDateTime


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Case(Base):
    """A case, opened when its serious incident notification arrives (case id = notification id).

    ``state`` holds a :class:`services.decisions.states.CaseState` value; it is a plain string
    column so that adding a state needs no schema change.
    """

    __tablename__ = "cases"

    case_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    notification_id: Mapped[str] = mapped_column(String(36))
    reference: Mapped[str] = mapped_column(String(40))
    lscb_id: Mapped[str] = mapped_column(String(20), index=True)
    notified_on: Mapped[dt.date] = mapped_column(Date)
    state: Mapped[str] = mapped_column(String(40))
    opened_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
