"""The publication service's tables: its own copy of the board registry (reports will be checked
against it), filled from the registry's events."""

from __future__ import annotations

from sqlalchemy import Boolean, MetaData, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.db import NAMING_CONVENTION


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
