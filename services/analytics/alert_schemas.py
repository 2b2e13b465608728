"""HTTP models of alerts, the pull feed, subscriptions and their delivery log."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, Field, HttpUrl, field_validator

from services.analytics.webhooks import secret_key
from shared.events.vocab import AlertType
from shared.schemas import StrictInput


class AlertLinks(BaseModel):
    alert: str = Field(description="The alert in the pull feed (absolute URL).")
    resource: str = Field(description="The API resource the alert is about (absolute URL).")


class AlertRead(BaseModel):
    """An alert: ids, type, dates and links only (no personal data)."""

    id: str
    type: AlertType
    lscb_id: str
    case_id: str | None = Field(description="The case, when the alert is about one.")
    raised_on: dt.date = Field(description="The business date of its cause.")
    raised_at: dt.datetime
    cursor: str = Field(description="Pass it as `since` to read the alerts raised after this one.")
    links: AlertLinks


class AlertFeed(BaseModel):
    """One page of the pull feed, oldest first."""

    items: list[AlertRead]
    next_since: str | None = Field(
        description="`since` for the next call: the last item's cursor (or the one given, if "
        "nothing is new)."
    )
    has_more: bool = Field(description="More alerts are already waiting after this page.")


class SubscriptionCreate(StrictInput):
    url: HttpUrl = Field(description="Where alerts are POSTed (http or https).")
    alert_types: list[AlertType] = Field(min_length=1, description="The types to receive.")
    secret: str | None = Field(
        default=None,
        description="`whsec_` and the base64 of 24 to 64 random bytes; one is generated if "
        "absent. Shown in this answer only.",
    )

    @field_validator("url")
    @classmethod
    def _not_too_long(cls, value: HttpUrl) -> HttpUrl:
        if len(str(value)) > 2000:
            raise ValueError("must be at most 2000 characters")
        return value

    @field_validator("alert_types")
    @classmethod
    def _once_each(cls, value: list[AlertType]) -> list[AlertType]:
        return sorted(set(value))

    @field_validator("secret")
    @classmethod
    def _a_whsec_secret(cls, value: str | None) -> str | None:
        if value is not None:
            secret_key(value)  # raises ValueError, answered 422 naming `secret`
        return value


class SubscriptionRead(BaseModel):
    id: str
    url: str
    alert_types: list[AlertType]
    lscb_id: str | None = Field(description="A board's subscription: only its alerts are sent.")
    active: bool
    created_at: dt.datetime
    disabled_at: dt.datetime | None
    disabled_reason: str | None


class SubscriptionCreated(SubscriptionRead):
    secret: str = Field(description="The signing secret: shown here only, keep it.")


class AttemptRead(BaseModel):
    attempted_at: dt.datetime
    duration_ms: int
    status_code: int | None = Field(description="The receiver's answer, if it answered.")
    error: str | None = Field(description="Why there was no answer (timeout, refused ...).")


class DeliveryRead(BaseModel):
    id: str
    alert_id: str
    message_id: str = Field(description="The `webhook-id` header: the same on every attempt.")
    status: Literal["pending", "succeeded", "failed", "cancelled"]
    next_attempt_at: dt.datetime | None
    created_at: dt.datetime
    finished_at: dt.datetime | None
    attempts: list[AttemptRead] = Field(description="Every attempt, oldest first.")
