"""What the user did with a reminder, kept in their state: an occurrence paid, a reminder snoozed.

Separate from flows/conversation/reminders.py so flows/conversation/state.py can hold these
without importing the schedule.
"""

from __future__ import annotations

from datetime import date, datetime

from pydantic import Field

from flows.domain.models import Frozen


class PaidDue(Frozen):
    """The payment of one due date of one debt is done (for a monthly debt: that month's)."""

    debt_id: int
    due_date: date


class Snooze(Frozen):
    """Remind again about this due date at `at` (aware, UTC); `number` counts the snoozes of
    one due date, so each has its own key in the sent-log."""

    debt_id: int
    due_date: date
    number: int = Field(ge=1)
    at: datetime
