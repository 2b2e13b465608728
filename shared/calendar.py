"""Business dates: England's calendar (bank holidays from the ``holidays`` package)."""

from __future__ import annotations

import datetime as dt
import re
from functools import cache
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import holidays
from pydantic import AfterValidator, BeforeValidator, WithJsonSchema

LONDON = ZoneInfo("Europe/London")


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _iso_date_only(value: Any) -> Any:
    # pydantic would also take 0 or "1400000000" as a Unix time: an integration bug, not a date.
    if isinstance(value, dt.date) or (isinstance(value, str) and _ISO_DATE.fullmatch(value)):
        return value
    raise ValueError("must be a date written YYYY-MM-DD")


BusinessDate = Annotated[
    dt.date,
    BeforeValidator(_iso_date_only),
    WithJsonSchema({"type": "string", "format": "date"}),
]
"""A date in HTTP input: ISO 8601 ``YYYY-MM-DD`` and nothing else."""


def _not_in_future(value: dt.date) -> dt.date:
    if value > today():
        raise ValueError(f"must not be in the future (today is {today().isoformat()})")
    return value


PastBusinessDate = Annotated[BusinessDate, AfterValidator(_not_in_future)]
"""The business date on which a step happened: ``YYYY-MM-DD``, today or earlier."""


def today() -> dt.date:
    """Today's date in England: business dates are never later than this."""
    return dt.datetime.now(LONDON).date()


@cache
def _england_holidays(year: int) -> frozenset[dt.date]:
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year))


def is_working_day(day: dt.date) -> bool:
    return day.weekday() < 5 and day not in _england_holidays(day.year)


def working_days_after(start: dt.date, end: dt.date) -> int:
    """Working days after ``start`` up to and including ``end`` (0 when ``end <= start``).

    Aware on Friday, notified the next Monday: 1. The notification is due within 5.
    """
    if end <= start:
        return 0
    days = 0
    day = start
    while day < end:
        day += dt.timedelta(days=1)
        if is_working_day(day):
            days += 1
    return days


def months_before(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` earlier, clamped to the month's end (29 Feb -> 28 Feb)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    for candidate_day in range(day.day, 27, -1):
        try:
            return dt.date(year, month, candidate_day)
        except ValueError:
            continue
    return dt.date(year, month, min(day.day, 28))


def months_after(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later, clamped to the month's end (31 Aug + 6 -> 28/29 Feb)."""
    return months_before(day, -months)
