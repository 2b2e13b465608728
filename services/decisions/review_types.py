"""The kinds of review boards propose instead of an SCR (para 18: "over twenty"), seeded from
``reference/alternative_review_types.csv``. A board names one by code, or ``other`` with its own
words; the list is the service's to extend (a new row in the file), not the caller's."""

from __future__ import annotations

import csv
from functools import cache
from importlib import resources

OTHER = "other"


@cache
def review_types() -> dict[str, str]:
    """Code -> label, in the file's order."""
    source = resources.files("services.decisions") / "reference" / "alternative_review_types.csv"
    with source.open(encoding="utf-8") as handle:
        return {row["code"]: row["label"] for row in csv.DictReader(handle)}
