"""Questions and warnings that may come at any step without losing the user's place."""

from __future__ import annotations

from flows.core import Context, Outcome
from flows.state import UserState


def answer(state: UserState, typed: str, ctx: Context) -> Outcome | None:
    """An answer to a question asked in passing (e.g. where to complain), or None."""
    return None


def with_warnings(outcome: Outcome, typed: str, ctx: Context) -> Outcome:
    """Add warnings a text calls for (e.g. a 征信修复 scam) to whatever the step answered."""
    return outcome
