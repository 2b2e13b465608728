"""Event handlers of the notifications service: it produces the registry and notifications and
consumes nothing (yet); the empty table keeps the shape every service shares."""

from __future__ import annotations

from shared.consumer import Handler
from shared.events.envelope import EventData

HANDLERS: dict[type[EventData], Handler] = {}
