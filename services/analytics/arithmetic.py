"""What the figures are computed with: shares and means to one decimal, and "dated in the period"
as SQL."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from sqlalchemy import ColumnElement

from services.analytics.schemas import Period

TENTH = Decimal("0.1")


def one_decimal(value: Fraction) -> float:
    """``value`` to one decimal, halves rounded up (0.25 -> 0.3), never to the even neighbour.

    The figures' denominators are small, so the Decimal quotient (28 digits) is either exact, as
    it is for every value that lies on a half, or far too far from a half for its last digit to
    matter: the rounding is the exact one.
    """
    quotient = Decimal(value.numerator) / Decimal(value.denominator)
    return float(quotient.quantize(TENTH, rounding=ROUND_HALF_UP))


def percent(part: int, whole: int) -> float | None:
    """100 * ``part`` / ``whole`` to one decimal, halves rounded up (35 of 66: 53.0); ``None``
    when ``whole`` is 0."""
    if whole == 0:
        return None
    return one_decimal(Fraction(100 * part, whole))


def mean(total: int, count: int) -> float | None:
    """``total`` / ``count`` to one decimal, halves rounded up; ``None`` when ``count`` is 0."""
    if count == 0:
        return None
    return one_decimal(Fraction(total, count))


def in_period(column: Any, p: Period) -> ColumnElement[bool]:
    """``column`` (a business date) lies in [from, to]; a null date does not."""
    return column.between(p.date_from, p.date_to)
