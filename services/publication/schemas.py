"""HTTP output of the publication service."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict


class LscbRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    name: str
    active: bool
    merged_into: str | None


class ScrRead(BaseModel):
    """An initiated SCR as this service knows it (from the decisions service's events)."""

    model_config = ConfigDict(from_attributes=True)

    scr_id: str
    case_id: str
    decision_id: str
    lscb_id: str
    reference: str
    initiated_on: dt.date
    after_advice: bool
    reviewers: list[str]
    received_at: dt.datetime


class ScrPage(BaseModel):
    items: list[ScrRead]
    total: int
    limit: int
    offset: int
