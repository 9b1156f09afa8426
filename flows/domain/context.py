"""What a decision may depend on besides its inputs: the clock, the facts, the settings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class Context:
    """What a decision may depend on besides state and event: the clock, facts and settings."""

    now: datetime
    facts: Any = None
    settings: Any = None
