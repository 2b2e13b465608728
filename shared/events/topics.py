"""Topic names: one topic per producing service, one dead-letter topic per consuming service."""

from __future__ import annotations

from shared.config import SERVICE_NAMES


def events_topic(producer: str) -> str:
    return f"scr.{producer}.events"


def dead_letter_topic(consumer: str) -> str:
    return f"scr.{consumer}.dlq"


def all_topics() -> list[str]:
    return [events_topic(s) for s in SERVICE_NAMES] + [dead_letter_topic(s) for s in SERVICE_NAMES]
