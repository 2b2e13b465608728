"""HTTP input and output of the notifications service."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field, StrictBool, field_validator

from shared.calendar import PastBusinessDate
from shared.events.vocab import AbuseOrNeglect, Agency, Outcome, Sex
from shared.schemas import StrictInput

LATE_AFTER_WORKING_DAYS = 5


class AuthorityRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    ons_code: str
    name: str
    dfe_la_code: str


class LscbRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    name: str
    active: bool
    merged_into: str | None
    registered_on: dt.date
    changed_on: dt.date | None
    authorities: list[AuthorityRead]


class LscbRename(StrictInput):
    name: str = Field(min_length=2, max_length=200)
    changed_on: PastBusinessDate | None = Field(default=None, description="Defaults to today.")


class LscbMerge(StrictInput):
    into: str = Field(min_length=1, max_length=20, description="The board that takes over.")
    merged_on: PastBusinessDate | None = Field(default=None, description="Defaults to today.")


class NotificationCreate(StrictInput):
    lscb_id: str | None = Field(
        default=None,
        min_length=1,
        max_length=20,
        description="Defaults to the board of an lscb token.",
    )
    incident_date: PastBusinessDate
    became_aware_on: PastBusinessDate
    notified_on: PastBusinessDate | None = Field(default=None, description="Defaults to today.")
    outcome: Outcome
    abuse_or_neglect: list[AbuseOrNeglect] = Field(min_length=1, max_length=4)
    age_years: int = Field(ge=0, le=17, description="The child's age in whole years.")
    sex: Sex
    # JSON booleans only: "no" must not quietly read as a flag set.
    looked_after: StrictBool
    on_child_protection_plan: StrictBool
    agencies_involved: list[Agency] = Field(default_factory=list, max_length=len(Agency))
    summary: str = Field(
        min_length=1,
        max_length=10_000,
        description="What happened, without the child's name: the case is known by its reference.",
    )

    @field_validator("abuse_or_neglect", "agencies_involved")
    @classmethod
    def _no_repeats(cls, values: list[str]) -> list[str]:
        if len(set(values)) != len(values):
            raise ValueError("must not repeat a value")
        return values

    @field_validator("summary")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank")
        return value.strip()


class NotificationRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    case_id: str
    reference: str
    lscb_id: str
    incident_date: dt.date
    became_aware_on: dt.date
    notified_on: dt.date
    outcome: Outcome
    abuse_or_neglect: list[AbuseOrNeglect]
    age_years: int
    sex: Sex
    looked_after: bool
    on_child_protection_plan: bool
    agencies_involved: list[Agency]
    summary: str
    working_days_to_notify: int
    late: bool
    recorded_by: str
    recorded_at: dt.datetime


class NotificationPage(BaseModel):
    items: list[NotificationRead]
    total: int
    limit: int
    offset: int
