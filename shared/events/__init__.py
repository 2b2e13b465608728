"""Event contracts: the CloudEvents envelope, one versioned model per event type, topic names."""

from shared.events.contracts import ALL_EVENTS, EVENTS_BY_TYPE
from shared.events.envelope import CloudEvent, EventData
from shared.events.topics import dead_letter_topic, events_topic

__all__ = [
    "ALL_EVENTS",
    "EVENTS_BY_TYPE",
    "CloudEvent",
    "EventData",
    "dead_letter_topic",
    "events_topic",
]
