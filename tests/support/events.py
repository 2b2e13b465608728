"""Applying events straight through a service's handlers, as its consumer would, for tests that
build the events themselves instead of sending them through the broker."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from shared.consumer import Handler
from shared.db import make_engine, make_sessionmaker
from shared.events.envelope import CloudEvent, EventData


async def apply_through(
    handlers: Mapping[type[EventData], Handler], database_url: str, events: Iterable[EventData]
) -> None:
    """Each event through its handler, in a transaction of its own and a new envelope, as the
    consumer applies it (so only the handlers themselves stop a repeat); a type with no handler
    is skipped, as the consumer skips it."""
    engine = make_engine(database_url)
    sessions = make_sessionmaker(engine)
    try:
        for data in events:
            handler = handlers.get(type(data))
            if handler is None:
                continue
            async with sessions() as session, session.begin():
                subject = getattr(data, "case_id", "x")
                await handler(session, data, CloudEvent.wrap(data, subject=subject))
    finally:
        await engine.dispose()
