"""Every event type, one pydantic model each, versioned. The AsyncAPI document is made from these.

A breaking change to an event makes a new class with ``version = 2`` beside the old one; consumers
handle both until the old one is no longer produced.
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from shared.events.envelope import EventData
from shared.events.vocab import AbuseOrNeglect, Outcome, Sex


class Authority(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    ons_code: str
    name: str
    dfe_la_code: str


# --- notifications ---------------------------------------------------------------------------


class LscbRegisteredV1(EventData):
    event_type = "lscb.registered"
    producer = "notifications"
    summary = "A board joined the registry."

    lscb_id: str
    name: str
    registered_on: dt.date
    authorities: tuple[Authority, ...]


class LscbUpdatedV1(EventData):
    event_type = "lscb.updated"
    producer = "notifications"
    summary = "A board was renamed, or merged into another (then inactive from changed_on)."

    lscb_id: str
    name: str
    active: bool
    merged_into: str | None = None
    changed_on: dt.date
    authorities: tuple[Authority, ...]


class NotificationReceivedV1(EventData):
    event_type = "notification.received"
    producer = "notifications"
    summary = "A serious incident was notified: it opens a case (case_id = notification_id)."

    notification_id: str
    case_id: str
    reference: str
    lscb_id: str
    incident_date: dt.date
    became_aware_on: dt.date
    notified_on: dt.date = Field(description="The business date of this event.")
    outcome: Outcome
    abuse_or_neglect: tuple[AbuseOrNeglect, ...]
    child_age_years: int
    child_sex: Sex
    looked_after: bool
    on_child_protection_plan: bool
    working_days_to_notify: int
    late: bool


ALL_EVENTS: tuple[type[EventData], ...] = (
    LscbRegisteredV1,
    LscbUpdatedV1,
    NotificationReceivedV1,
)

EVENTS_BY_TYPE: dict[str, type[EventData]] = {cls.type_name(): cls for cls in ALL_EVENTS}
