"""Step 4's arithmetic: month by month, the monthly amount split across the debts.

Pure and exact: Decimal yuan to the fen. Each month, interest accrues on the principal left
(simple interest, as the law counts it: unpaid interest does not earn interest), the month's
money (the monthly amount plus any one-off sale) pays the known minimums first, in priority
order, and the rest goes to the debt at the top of the order until it is cleared, then to the
next. A payment goes to the unpaid interest first, then to the principal, and never past zero.

Three orders: the guide's (debts within the legal line first, the already overdue and the large
ones first among them; debts above the line last, flagged for negotiation), avalanche (the
highest rate first) and snowball (the smallest balance first). The order is fixed at the start.

A plan that would not end within the horizon is not a plan: `Refusal` says why.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any, Literal

from flows.apr import installment_apr
from flows.assessment import assess
from flows.budget import HORIZON_MONTHS
from flows.ledger import Debt
from flows.money import MONTHS_PER_YEAR, ZERO, Period, yuan


class Order(StrEnum):
    GUIDE = "guide"
    AVALANCHE = "avalanche"
    SNOWBALL = "snowball"


ORDERS = (Order.GUIDE, Order.AVALANCHE, Order.SNOWBALL)


@dataclass(frozen=True, slots=True)
class PlanDebt:
    """A debt as the plan sees it: what is left to repay, its monthly rate and minimum."""

    id: int
    platform: str
    balance: Decimal  # principal left, yuan
    monthly_rate: Decimal = ZERO  # simple, as a fraction a month
    minimum: Decimal = ZERO  # the monthly installment when known, else 0
    overdue: bool = False
    above_line: bool = False  # above the legal line: paid last, flagged for negotiation
    rate_known: bool = True


@dataclass(frozen=True, slots=True)
class DebtMonth:
    """One debt in one month: interest added, amount paid, what is left after paying."""

    debt_id: int
    interest: Decimal
    paid: Decimal
    balance_before: Decimal  # owed at the start of the month, before interest
    balance: Decimal  # owed at the end of the month (principal + unpaid interest)


@dataclass(frozen=True, slots=True)
class Month:
    number: int  # 1 = the month the plan starts
    available: Decimal  # the monthly amount plus this month's one-off sales
    one_off: Decimal
    rows: tuple[DebtMonth, ...]  # the debts still open at the start of the month

    @property
    def paid(self) -> Decimal:
        return sum((row.paid for row in self.rows), ZERO)

    def row(self, debt_id: int) -> DebtMonth | None:
        return next((r for r in self.rows if r.debt_id == debt_id), None)


@dataclass(frozen=True, slots=True)
class DebtOutcome:
    debt: PlanDebt
    interest: Decimal
    paid: Decimal
    payoff_month: int


@dataclass(frozen=True, slots=True)
class Plan:
    order: Order
    monthly: Decimal
    months: tuple[Month, ...]
    debts: tuple[DebtOutcome, ...]  # in the order's priority

    @property
    def total_interest(self) -> Decimal:
        return sum((d.interest for d in self.debts), ZERO)

    @property
    def total_paid(self) -> Decimal:
        return sum((d.paid for d in self.debts), ZERO)

    @property
    def total_principal(self) -> Decimal:
        return sum((d.debt.balance for d in self.debts), ZERO)

    @property
    def payoff_month(self) -> int:
        return len(self.months)

    def balances(self) -> dict[int, list[Decimal]]:
        """Per debt id: the balance at the start, then at the end of every month."""
        series = {d.debt.id: [d.debt.balance] for d in self.debts}
        for month in self.months:
            for debt_id, values in series.items():
                row = month.row(debt_id)
                values.append(row.balance if row else ZERO)
        return series


RefusalReason = Literal["nothing_available", "interest_not_covered", "too_long"]


@dataclass(frozen=True, slots=True)
class Refusal:
    """No honest plan: nothing to pay with, interest outgrows the payments, or too long."""

    order: Order
    reason: RefusalReason
    monthly: Decimal
    monthly_interest: Decimal  # the interest of the first month, all debts together


# ---- from the debt list ---------------------------------------------------------------------


def plan_debts(
    debts: Iterable[Debt], facts: Any, today: date
) -> tuple[tuple[PlanDebt, ...], tuple[Debt, ...]]:
    """The open debts the plan can use, and those it cannot because no amount is known."""
    usable: list[PlanDebt] = []
    missing: list[Debt] = []
    for debt in debts:
        if debt.cleared:
            continue
        balance = _balance(debt)
        if balance is None:
            missing.append(debt)
        elif balance > 0:
            usable.append(_plan_debt(debt, balance, facts, today))
    return tuple(usable), tuple(missing)


def _balance(debt: Debt) -> Decimal | None:
    for amount in (debt.remaining_principal, debt.principal, debt.owed_now):
        if amount is not None:
            return yuan(amount)
    return None


def _plan_debt(debt: Debt, balance: Decimal, facts: Any, today: date) -> PlanDebt:
    check = assess(debt, facts, today)
    monthly_rate = debt.rate.rate().monthly_simple() if debt.rate else None
    if monthly_rate is None and check.method == "irr" and check.interest_rate is not None:
        # An installment loan without a quoted rate: its real rate is the IRR of the schedule
        # (a month's share of it), not zero.
        monthly_rate = _schedule_rate(debt) or check.interest_rate / MONTHS_PER_YEAR
    if monthly_rate is None and check.method == "single":
        monthly_rate = ZERO  # one payment, interest included: nothing accrues on top
    return PlanDebt(
        id=debt.id,
        platform=debt.platform,
        balance=balance,
        monthly_rate=monthly_rate if monthly_rate is not None else ZERO,
        minimum=_monthly_minimum(debt),
        overdue=debt.overdue,
        above_line=check.exceeds,
        rate_known=monthly_rate is not None,
    )


def _schedule_rate(debt: Debt) -> Decimal | None:
    # The balance the plan carries is in contract money (the remaining principal, at first the
    # contract amount), so its monthly rate is the one that turns the contract amount into the
    # schedule. The legal check's IRR runs on the money received instead (an up-front deduction
    # counts against the lender there); applied to the contract balance it would make the plan
    # charge more interest than the schedule itself (5,000 contract, 4,200 received, 6 x 1,000:
    # 1,000 of interest in 6 months, not 2,765 in 8).
    terms = debt.installments
    if terms is None or debt.borrowed is None:
        return None
    result = installment_apr(debt.borrowed, terms.payment, terms.periods, terms.period)
    if result is None or result.per_period < 0:
        return None
    return result.nominal_annual / MONTHS_PER_YEAR


def _monthly_minimum(debt: Debt) -> Decimal:
    terms = debt.installments
    if terms is None:
        return ZERO
    per_year = {Period.DAY: 365, Period.MONTH: MONTHS_PER_YEAR, Period.YEAR: 1}[terms.period]
    return yuan(terms.payment * per_year / MONTHS_PER_YEAR)


# ---- orders ---------------------------------------------------------------------------------


def prioritized(debts: Iterable[PlanDebt], order: Order) -> tuple[PlanDebt, ...]:
    """The debts, first to be paid first."""
    if order is Order.AVALANCHE:
        return tuple(sorted(debts, key=lambda d: (-d.monthly_rate, d.id)))
    if order is Order.SNOWBALL:
        return tuple(sorted(debts, key=lambda d: (d.balance, -d.monthly_rate, d.id)))
    return tuple(sorted(debts, key=lambda d: (d.above_line, not d.overdue, -d.balance, d.id)))


# ---- the simulation -------------------------------------------------------------------------


def simulate(
    debts: Iterable[PlanDebt],
    monthly: Decimal,
    order: Order,
    one_offs: Mapping[int, Decimal] | None = None,
    horizon: int = HORIZON_MONTHS,
) -> Plan | Refusal:
    """The plan for `order`, or a refusal when it cannot end within `horizon` months."""
    ordered = prioritized(debts, order)
    one_offs = one_offs or {}
    monthly = yuan(monthly)
    first_interest = sum((yuan(d.balance * d.monthly_rate) for d in ordered), ZERO)
    if monthly <= 0:
        return Refusal(order, "nothing_available", monthly, first_interest)
    principal = {d.id: d.balance for d in ordered}
    unpaid = dict.fromkeys(principal, ZERO)
    months: list[Month] = []
    for number in range(1, horizon + 1):
        open_debts = [d for d in ordered if principal[d.id] + unpaid[d.id] > 0]
        if not open_debts:
            break
        months.append(_month(number, open_debts, principal, unpaid, monthly, one_offs))
    if any(principal[d.id] + unpaid[d.id] > 0 for d in ordered):
        reason: RefusalReason = "interest_not_covered" if monthly <= first_interest else "too_long"
        return Refusal(order, reason, monthly, first_interest)
    return Plan(order, monthly, tuple(months), _outcomes(ordered, months))


def _month(
    number: int,
    open_debts: list[PlanDebt],
    principal: dict[int, Decimal],
    unpaid: dict[int, Decimal],
    monthly: Decimal,
    one_offs: Mapping[int, Decimal],
) -> Month:
    """One month: interest, then payments; updates `principal` and `unpaid` in place."""
    before = {d.id: principal[d.id] + unpaid[d.id] for d in open_debts}
    interest = {d.id: yuan(principal[d.id] * d.monthly_rate) for d in open_debts}
    for debt_id, added in interest.items():
        unpaid[debt_id] += added
    one_off = yuan(one_offs.get(number, ZERO))
    budget = monthly + one_off
    payments = allocate(
        open_debts, {d.id: principal[d.id] + unpaid[d.id] for d in open_debts}, budget
    )
    rows = []
    for debt in open_debts:
        paid = payments[debt.id]
        to_interest = min(paid, unpaid[debt.id])
        unpaid[debt.id] -= to_interest
        principal[debt.id] -= paid - to_interest
        balance = principal[debt.id] + unpaid[debt.id]
        rows.append(DebtMonth(debt.id, interest[debt.id], paid, before[debt.id], balance))
    return Month(number, budget, one_off, tuple(rows))


def allocate(
    ordered: list[PlanDebt], owed: Mapping[int, Decimal], budget: Decimal
) -> dict[int, Decimal]:
    """Split `budget`: known minimums first in priority order, then the rest to the top debt
    until it is cleared, then the next. Never more than owed, never more than the budget."""
    remaining = budget
    payments = dict.fromkeys(owed, ZERO)
    for debt in ordered:
        share = min(debt.minimum, owed[debt.id], remaining)
        payments[debt.id] += share
        remaining -= share
    for debt in ordered:
        share = min(owed[debt.id] - payments[debt.id], remaining)
        payments[debt.id] += share
        remaining -= share
    return payments


def _outcomes(ordered: tuple[PlanDebt, ...], months: list[Month]) -> tuple[DebtOutcome, ...]:
    outcomes = []
    for debt in ordered:
        rows = [(m.number, m.row(debt.id)) for m in months]
        present = [(n, r) for n, r in rows if r is not None]
        payoff = next((n for n, r in present if r.balance == 0), 0)
        outcomes.append(
            DebtOutcome(
                debt=debt,
                interest=sum((r.interest for _, r in present), ZERO),
                paid=sum((r.paid for _, r in present), ZERO),
                payoff_month=payoff,
            )
        )
    return tuple(outcomes)


def compare(
    debts: Iterable[PlanDebt], monthly: Decimal, one_offs: Mapping[int, Decimal] | None = None
) -> dict[Order, Plan | Refusal]:
    """Every order, for the user to compare."""
    listed = tuple(debts)
    return {order: simulate(listed, monthly, order, one_offs) for order in ORDERS}
