"""HTTP output of the decisions service."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict

from services.decisions.states import CaseState


class CaseRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    case_id: str
    notification_id: str
    reference: str
    lscb_id: str
    notified_on: dt.date
    state: CaseState
    opened_at: dt.datetime


class CasePage(BaseModel):
    items: list[CaseRead]
    total: int
    limit: int
    offset: int
