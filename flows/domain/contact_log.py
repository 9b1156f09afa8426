"""What steps 5-7 remember: the contact and incident log, and the user's next action.

One log for every platform: a contact (a call or chat with the lender) or an incident (abusive
collection), each dated and tied to a platform name (and the debt id, when it is on the list).
It is part of the user's state, so /export includes it in the JSON and CSV files.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Literal

from pydantic import Field

from flows.domain.models import Frozen

MAX_LOG_ENTRIES = 200
NOTE_LENGTH = 200


class LogEntry(Frozen):
    id: int = Field(ge=1)
    kind: Literal["contact", "incident"] = "contact"
    on: date
    platform: str | None = Field(default=None, max_length=30)
    debt_id: int | None = None
    channel: str | None = Field(default=None, max_length=30)  # a channel id (see negotiate)
    who: str | None = Field(default=None, max_length=30)  # agent name or number
    outcome: str | None = Field(default=None, max_length=30)  # an outcome id
    outcome_text: str | None = Field(default=None, max_length=NOTE_LENGTH)  # own words
    terms: str | None = Field(default=None, max_length=NOTE_LENGTH)  # what was agreed
    behaviours: tuple[str, ...] = ()  # incident: collection behaviour ids
    description: str | None = Field(default=None, max_length=500)  # incident, own words


class NextAction(Frozen):
    """Step 7: one concrete thing the user decided to do next."""

    kind: str = Field(max_length=30)
    amount: Decimal | None = Field(default=None, gt=0)  # yuan, e.g. saved every month
    own_words: str | None = Field(default=None, max_length=NOTE_LENGTH)
    set_on: date
