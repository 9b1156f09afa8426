"""Everything the bot remembers about one user, as validated, JSON-serialisable models."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import Field

from flows.domain.budget import Budget
from flows.domain.contact_log import LogEntry, NextAction
from flows.domain.ledger import Debt
from flows.domain.models import Frozen
from flows.domain.payment_log import Baseline, Payment
from flows.domain.reminder_marks import PaidDue, Snooze

STATE_VERSION = 1
HISTORY_LIMIT = 20


class Position(Frozen):
    """Where the user is: a step, a node inside it, and the answers given so far in that node."""

    step: str = "welcome"
    node: str = "intro"
    draft: dict[str, Any] = Field(default_factory=dict)


class Profile(Frozen):
    """What the user told us about themselves that several steps reuse."""

    delay_reason: str | None = None  # one of the reason ids offered in step 1
    delay_reason_text: str | None = None  # the reason in the user's own words


class UserState(Frozen):
    version: int = STATE_VERSION
    locale: str = "zh-CN"
    timezone: str = "Asia/Shanghai"
    started: bool = False
    position: Position = Field(default_factory=Position)
    history: tuple[Position, ...] = ()
    prompt_seq: int = 0
    profile: Profile = Field(default_factory=Profile)
    # ---- step 2: the debt list ----
    debts: tuple[Debt, ...] = ()
    next_debt_id: int = 1
    # The day the list last changed: a plan built on old balances says so.
    debts_changed_on: date | None = None
    # ---- reminders: the local hour they are sent at ----
    reminder_hour: int = 9
    # occurrences marked 已还 (Paid) from a reminder
    paid_dues: tuple[PaidDue, ...] = ()
    # reminders pushed later with 推迟提醒 (Remind me later)
    snoozes: tuple[Snooze, ...] = ()
    # ---- steps 3-4: budget and plan ----
    budget: Budget | None = None  # None: not entered yet
    plan_order: str = "guide"  # the order the user last chose to look at (flows.plan.Order)
    plan_custom: tuple[int, ...] = ()  # debt ids in the user's own order (Order.CUSTOM)
    # ---- steps 5-7: negotiation, collection, afterwards ----
    contact_log: tuple[LogEntry, ...] = ()
    next_log_id: int = 1
    next_action: NextAction | None = None
    # ---- do no harm: when a crisis reply was last shown (never what was written) ----
    crisis_shown_at: datetime | None = None
    # ---- payments and progress (issue 21) ----
    payments: tuple[Payment, ...] = ()
    next_payment_id: int = 1
    baseline: Baseline | None = None  # set with the first payment recorded
    milestones: tuple[str, ...] = ()  # messages already sent once ("cleared:3", "quarter:1")

    def own_debt(self, raw_id: object) -> Debt | None:
        """This user's debt with this id; None for anything else. Ids from buttons, commands
        and drafts are untrusted: forged, deleted or garbage ids find nothing."""
        text_id = str(raw_id)
        if not text_id.isdigit() or len(text_id) > 9:
            return None
        wanted = int(text_id)
        return next((d for d in self.debts if d.id == wanted), None)

    def at(self, position: Position) -> UserState:
        """Move to `position`, remembering where we were so Back can come back."""
        if position.step == self.position.step and position.node == self.position.node:
            return self.model_copy(update={"position": position})
        history = (*self.history, self.position)[-HISTORY_LIMIT:]
        return self.model_copy(update={"position": position, "history": history})

    def with_draft(self, draft: dict[str, Any]) -> UserState:
        return self.model_copy(
            update={"position": self.position.model_copy(update={"draft": draft})}
        )

    def back(self) -> UserState | None:
        """The state one position earlier, or None when there is nowhere to go back to."""
        if not self.history:
            return None
        *rest, previous = self.history
        return self.model_copy(update={"position": previous, "history": tuple(rest)})
