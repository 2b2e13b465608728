"""What every service's HTTP input models share."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class StrictInput(BaseModel):
    """Base of request bodies. A misspelt field is an integration bug: it answers 422 naming
    the field rather than being ignored, and strings are stripped of surrounding blanks."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
