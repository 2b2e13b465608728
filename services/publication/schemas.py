"""HTTP output of the publication service."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class LscbRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    name: str
    active: bool
    merged_into: str | None
