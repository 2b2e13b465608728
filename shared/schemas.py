"""What every service's HTTP input models share."""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, field_validator

T = TypeVar("T")


NUL = "\x00"


def holds_nul(value: Any) -> bool:
    """Whether a NUL character hides in ``value`` (a string, or strings in lists and maps).
    PostgreSQL cannot store one in text, and no genuine text, id or key holds one: it is an
    integration bug, to be answered 422 naming the field, never a database error (500)."""
    if isinstance(value, str):
        return NUL in value
    if isinstance(value, dict):
        return any(holds_nul(k) or holds_nul(v) for k, v in value.items())
    if isinstance(value, list | tuple | set | frozenset):
        return any(holds_nul(v) for v in value)
    return False


class StrictInput(BaseModel):
    """Base of request bodies. A misspelt field is an integration bug: it answers 422 naming
    the field rather than being ignored, and strings are stripped of surrounding blanks. A NUL
    character in any string answers 422 naming its field (nested models name their own)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*", mode="after")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        if holds_nul(value):
            raise ValueError("must not contain the NUL character")
        return value


class Page(BaseModel, Generic[T]):
    """One page of a list: its items and the total the list would give unpaged."""

    items: list[T]
    total: int
    limit: int
    offset: int
