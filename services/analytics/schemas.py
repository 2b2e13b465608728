"""HTTP output of the analytics service. Figure names are the public contract (DOMAIN.md §5)."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field


class Period(BaseModel):
    """A closed period of business dates; the JSON keys are literally ``from`` and ``to``."""

    # ``from`` is a Python keyword, so the fields carry other names and the aliases are the keys.
    model_config = ConfigDict(
        frozen=True, validate_by_name=True, validate_by_alias=True, serialize_by_alias=True
    )

    date_from: dt.date = Field(alias="from")
    date_to: dt.date = Field(alias="to")


class SummaryRead(BaseModel):
    period: Period
    notifications_received: int = Field(
        description="Serious incident notifications with notified_on in the period."
    )
    notifications_late: int = Field(
        description="Of those, notified more than 5 working days after the authority knew."
    )
    lscbs_total: int = Field(
        description="Boards active at `to`: registered on or before it and not merged by then."
    )
    lscbs_silent_12_months: int = Field(
        description=(
            "Of the boards active at `to`, those with no notification in the twelve months up to"
            " `to`; a board merged by `to` notifies for the board it was merged into."
        )
    )
