"""What the user's current repayment plan gives one debt: shared by the reminders and step 5.

The current plan is the one /plan shows in the order the user last chose (`state.plan_order`),
from the debts and the budget in the state: nothing is stored, so it follows every edit. No
budget, no usable debts, nothing left or a refused plan: no plan, and callers say nothing about
an amount.

Nothing is kept between calls (a plan takes a few milliseconds and the reminder pass is held to
30 messages a second anyway): no user's plan outlives the call that needed it.
"""

from __future__ import annotations

import calendar
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from flows.conversation.state import UserState
from flows.domain.budget import asset_sales, available, living_floor, month_key, month_offset
from flows.domain.context import Context
from flows.domain.ledger import Debt
from flows.domain.money import ZERO
from flows.domain.plan import Order, Plan, plan_debts, simulate


def plan_start(debts: Iterable[Debt], today: date, paid: Collection[tuple[int, date]] = ()) -> date:
    # Month 1 of the plan. It is this month while something may still be paid in it: a debt
    # overdue or not known not to be (days overdue unknown), a due day from today to the
    # month's end, or a debt whose due day is unknown. Otherwise (late in the month, every due
    # day of this month past and nothing overdue) this month's payments are done and the plan
    # starts next month. The returned day only anchors the calendar: month 1 is its month.
    # A due date of this month already paid (`paid`: debt id and due date, marked 已还 or
    # recorded) is done too: the plan does not spend this month's money on it a second time.
    open_debts = [d for d in debts if not d.cleared]
    if not open_debts or any(_still_due_this_month(d, today, paid) for d in open_debts):
        return today
    return date(today.year + today.month // 12, today.month % 12 + 1, 1)


def _still_due_this_month(debt: Debt, today: date, paid: Collection[tuple[int, date]] = ()) -> bool:
    if debt.days_overdue != 0 or debt.due is None:
        return True
    if debt.due.on_date is not None:
        if (debt.id, debt.due.on_date) in paid:
            return False
        return debt.due.on_date <= today or month_key(debt.due.on_date, 0) == month_key(today, 0)
    last = calendar.monthrange(today.year, today.month)[1]
    due = date(today.year, today.month, min(debt.due.day_of_month or last, last))
    return due >= today and (debt.id, due) not in paid


def paid_marks(state: UserState) -> frozenset[tuple[int, date]]:
    """The due dates marked paid (已还, or with a payment recorded for them)."""
    return frozenset((mark.debt_id, mark.due_date) for mark in state.paid_dues)


def plan_start_of(state: UserState, ctx: Context) -> date:
    return plan_start(state.debts, ctx.now.date(), paid_marks(state))


def chosen_order(state: UserState) -> Order:
    return Order(state.plan_order) if state.plan_order in set(Order) else Order.GUIDE


def current_plan(state: UserState, ctx: Context) -> Plan | None:
    """The plan /plan shows now in the user's chosen order, or None when there is none."""
    if state.budget is None:
        return None
    today = ctx.now.date()
    start = plan_start(state.debts, today, paid_marks(state))
    debts, _missing = plan_debts(state.debts, ctx.facts, today, start)
    money = available(state.budget, living_floor(ctx))
    if not debts or money.nothing_left:
        return None
    sales = asset_sales(state.budget, start)
    order = chosen_order(state)
    result = simulate(debts, money.monthly, order, sales, custom=state.plan_custom)
    return result if isinstance(result, Plan) else None


def month_number(today: date, day: date) -> int:
    """The plan month a date falls in, counted from `today`'s month as 1 (callers pass the
    plan's first month, plan_start); a date in an earlier month: month 1."""
    return max(1, month_offset(today, month_key(day, 0)) + 1)


def payment_in_month(plan: Plan, debt_id: int, number: int) -> Decimal | None:
    """What the plan pays this debt in month `number`: None when the debt is not in the plan,
    0 when the plan pays it nothing that month (its turn comes later, or it is cleared)."""
    if all(outcome.debt.id != debt_id for outcome in plan.debts):
        return None
    if number > len(plan.months):
        return ZERO
    row = plan.months[number - 1].row(debt_id)
    return row.paid if row is not None else ZERO


def payment_on(state: UserState, debt_id: int, due: date, ctx: Context) -> Decimal | None:
    """What the current plan pays this debt in the month of `due`; None without a plan."""
    return payment_in(current_plan(state, ctx), state, debt_id, due, ctx)


def payment_in(
    plan: Plan | None, state: UserState, debt_id: int, due: date, ctx: Context
) -> Decimal | None:
    """What `plan` (the state's current plan, computed once for several debts) pays this debt
    in the month of `due`; None without a plan or when the debt is not in it."""
    if plan is None:
        return None
    return payment_in_month(plan, debt_id, month_number(plan_start_of(state, ctx), due))


@dataclass(frozen=True, slots=True)
class MonthlyOffer:
    """A steady monthly amount the plan pays a debt, and the plan month it starts in."""

    amount: Decimal
    start: int  # plan month, 1 = the plan's first month (plan_start)

    def start_month(self, first: date) -> str:
        """'YYYY-MM' of the offer's first month; `first` is a day in the plan's first month."""
        return month_key(first, self.start - 1)


def monthly_offer(state: UserState, debt_id: int, ctx: Context) -> MonthlyOffer | None:
    """The amount a month the current plan pays this debt steadily, and the month it starts.

    The plan pays a debt unevenly: its contractual payment (or nothing) while others come
    first, the rest of a month in which the debt before it is cleared, more once others are
    cleared, a smaller last payment, and more in a month with one-off sale money. The offer is
    the debt's own planned payment in the first month from which the plan pays it about that
    much again the next month and at least that much every month after, until the month it is
    cleared (one-off months and the last payment left out; 1 yuan of leeway for fen rounding).
    A promise the plan keeps, never money the plan gives other debts that month. None without
    a plan.
    """
    plan = current_plan(state, ctx)
    if plan is None:
        return None
    # Only the lawful part of a payment is offered: a part above the legal line is what the
    # negotiation is about, planned last only in case the line turns out not to apply.
    paid = [
        (m.number, row.paid - row.paid_disputed, bool(m.one_off), row.lawful_left == 0)
        for m in plan.months
        if (row := m.row(debt_id)) is not None and row.paid > row.paid_disputed
    ]
    if not paid:
        return None
    regular = [(n, amount) for n, amount, one_off, last in paid if not one_off and not last]
    if not regular:
        regular = [(n, amount) for n, amount, one_off, _ in paid if not one_off]
    candidates = regular or [(n, amount) for n, amount, _, _ in paid]
    for i, (number, amount) in enumerate(candidates):
        later = [a for _, a in candidates[i + 1 :]]
        holds = all(a >= amount - LEEWAY for a in later)
        repeats = bool(later) and abs(later[0] - amount) <= LEEWAY
        if holds and (repeats or not later):
            return MonthlyOffer(amount, number)
    number, amount = next(
        (n, a)
        for i, (n, a) in enumerate(candidates)
        if all(b >= a - LEEWAY for _, b in candidates[i + 1 :])
    )
    return MonthlyOffer(amount, number)


LEEWAY = Decimal("1")  # yuan: payments this close count as the same monthly amount
