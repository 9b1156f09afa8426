"""Base for stored models: immutable, JSON round-trippable, tolerant of fields it doesn't know."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Frozen(BaseModel):
    # extra="ignore": a state written by a newer version still loads in an older one.
    model_config = ConfigDict(frozen=True, extra="ignore")
