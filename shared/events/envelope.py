"""The CloudEvents 1.0 envelope every event travels in, and the base of every event's data."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

SOURCE_PREFIX = "urn:scr-panel:"


class EventData(BaseModel):
    """The facts of one event type; subclasses set the type, version and producer."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    event_type: ClassVar[str]
    version: ClassVar[int] = 1
    producer: ClassVar[str]
    summary: ClassVar[str] = ""

    @classmethod
    def type_name(cls) -> str:
        """The CloudEvents ``type``, version included: ``notification.received.v1``."""
        return f"{cls.event_type}.v{cls.version}"


class CloudEvent(BaseModel):
    """A CloudEvents 1.0 structured-mode envelope (JSON)."""

    model_config = ConfigDict(extra="allow")

    specversion: Literal["1.0"] = "1.0"
    id: str = Field(default_factory=lambda: str(uuid.uuid4()))
    source: str
    type: str
    time: dt.datetime
    subject: str = Field(
        description="The case id (or board id for registry events): the Kafka key."
    )
    datacontenttype: Literal["application/json"] = "application/json"
    data: dict[str, Any]

    @classmethod
    def wrap(cls, data: EventData, subject: str, time: dt.datetime | None = None) -> CloudEvent:
        return cls(
            source=f"{SOURCE_PREFIX}{data.producer}",
            type=data.type_name(),
            time=time or dt.datetime.now(dt.UTC),
            subject=subject,
            data=data.model_dump(mode="json"),
        )
