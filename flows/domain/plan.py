"""Step 4's arithmetic: month by month, the monthly amount split across the debts.
Long (one algorithm: the tiers, the orders and the month loop must be read together).

Pure and exact: Decimal yuan to the fen. Each month, interest accrues on the principal left
(simple interest, as the law counts it: unpaid interest does not earn interest), then the month's
money (the monthly amount plus any one-off sale) is paid out in tiers, the way a debt counsellor
would (the priority-debt practice of StepChange / National Debtline, adapted to the guide):

1. Keep what is current current: every debt not overdue gets its contractual payment (its
   installment; a single-payment loan its whole amount in the month it falls due), in the order's
   priority, while the money lasts. A payment the money does not cover is named (`AtRisk`) so the
   user can negotiate before the due date; never a silent 0.
2. The regular installments of overdue installment loans (so the arrears stop growing).
3. The rest of every lawful balance, to the debt at the top of the order until it is cleared.
4. Last, and only once every lawful balance is paid: the part of a debt that may be above its
   legal line when the lender type is not known (the line is not certain, so it is planned, but
   never ahead of a lawful payment). A part above a known line is not planned at all: it is
   shown as to be negotiated (`PlanDebt.disputed`).

A payment goes to the unpaid interest first, then to the principal, and never past zero. A
month never pays more than its money, and no payment leaves a balance below 1 yuan: a
contractual payment that would leave a few fen asks the whole balance, and where the money runs
out the payment is made smaller so that 1 yuan (not 0.02) is left for next month.

For a debt above its line the plan's target is what the law protects: the money actually
received (an amount taken up front, 砍头息, is never principal) plus interest up to the line.

Orders: the guide's (debts within the legal line first; among them the already overdue, those
that may damage the credit report (征信: every lender but a known private one) before those
that may not, and the large ones first; debts above the line last, flagged for negotiation),
avalanche (the highest rate first), snowball (the smallest balance first) and the user's own
(debts moved up or down).
Every order only decides tiers 2-4 among equals; tier 1 always comes first.

A plan that would not end within the horizon is not a plan: `Refusal` says why.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any, Literal

from flows.domain.apr import installment_apr
from flows.domain.assessment import annuity_payment, assess
from flows.domain.budget import HORIZON_MONTHS, month_key, month_offset
from flows.domain.ledger import Debt
from flows.domain.money import MONTHS_PER_YEAR, ZERO, Period, yuan


class Order(StrEnum):
    GUIDE = "guide"
    AVALANCHE = "avalanche"
    SNOWBALL = "snowball"
    CUSTOM = "custom"  # the user's own: the guide's order with debts moved up or down


# The orders compared side by side; the user's own order is shown when chosen.
ORDERS = (Order.GUIDE, Order.AVALANCHE, Order.SNOWBALL)
# A balance below this is paid in the same month rather than left as a tail of a few fen.
TAIL = Decimal("1")


@dataclass(frozen=True, slots=True)
class PlanDebt:
    """A debt as the plan sees it: the lawful amount left, its monthly rate and payment."""

    id: int
    platform: str
    balance: Decimal  # lawful principal left, yuan (what the plan repays in tiers 1-3)
    monthly_rate: Decimal = ZERO  # simple, as a fraction a month (at most the legal line)
    minimum: Decimal = ZERO  # the lawful contractual payment a month when known, else 0
    overdue: bool = False
    above_line: bool = False  # above the legal line: paid last, flagged for negotiation
    rate_known: bool = True
    # The part above (or, lender type unknown, possibly above) the legal line: not in `balance`.
    disputed: Decimal = ZERO
    # Lender type unknown: the line is not certain, so the disputed part is planned, after every
    # lawful payment (tier 4). Otherwise it is left out of the plan, to negotiate.
    disputed_last: bool = False
    # The installment the contract asks when the lawful one (`minimum`) is less.
    contract_minimum: Decimal | None = None
    due_month: int = 1  # the first plan month the contractual payment falls due
    single: bool = False  # one payment of everything, in `due_month` only (a 7-day loan)
    # Not overdue, but what it asks a month is not known (no installments entered).
    payment_unknown: bool = False
    # Lender type unknown: the contract's monthly rate above the (possibly applying) line; that
    # interest is added to the disputed part, planned last.
    above_rate: Decimal = ZERO
    # Overdue, it may damage the credit report (征信): every lender kind but a known private
    # one (an unknown lender may be licensed). The guide's order pays these first.
    reports_credit: bool = True
    # An installment arrangement agreed with the lender: kept current like a contract's
    # installment (`minimum` is the agreed amount, `balance` what is left of the agreed total).
    agreed: bool = False
    # Agreed, on a loan above its legal line: what was agreed may include a part the law may
    # not protect. It is still paid as agreed (the user's new arrangement); the plan says so.
    agreed_above_line: bool = False

    @property
    def current(self) -> bool:
        """Not overdue: its contractual payment comes before everything else."""
        return not self.overdue

    @property
    def planned_total(self) -> Decimal:
        """What the plan repays of its principal: the lawful balance, plus the disputed part
        when it is planned last."""
        return self.balance + (self.disputed if self.disputed_last else ZERO)

    @property
    def disputed_left_out(self) -> Decimal:
        """The part above the line the plan does not pay: to be negotiated."""
        return ZERO if self.disputed_last else self.disputed

    def due_in(self, number: int) -> bool:
        """Whether its contractual payment falls due in plan month `number`."""
        if self.single:
            return number == self.due_month
        return number >= self.due_month


@dataclass(frozen=True, slots=True)
class DebtMonth:
    """One debt in one month: interest added, amount paid, what is left after paying."""

    debt_id: int
    interest: Decimal
    paid: Decimal
    balance_before: Decimal  # owed at the start of the month, before interest
    balance: Decimal  # owed at the end of the month (principal + unpaid interest [+ planned
    # disputed part])
    paid_disputed: Decimal = ZERO  # of `paid`, what went to the part above the line (tier 4)
    disputed: Decimal = ZERO  # of `balance`, the part above the line still planned last

    @property
    def lawful_left(self) -> Decimal:
        """What is left of the lawful balance at the end of the month."""
        return self.balance - self.disputed


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


AtRiskReason = Literal["budget", "above_line", "payment_unknown"]


@dataclass(frozen=True, slots=True)
class AtRisk:
    """A contractual payment the plan cannot make in full: negotiate before its due date.

    budget: the month's money does not cover every current debt's payment; above_line: the
    installment includes a part above the legal line the plan does not pay first;
    payment_unknown: not overdue, but its monthly payment is not known to the plan."""

    debt_id: int
    month: int  # the first plan month it happens
    reason: AtRiskReason
    due: Decimal  # what the contract asks that month (0 when unknown)
    paid: Decimal  # what the plan pays that month


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
    at_risk: tuple[AtRisk, ...] = field(default=())

    @property
    def total_interest(self) -> Decimal:
        return sum((d.interest for d in self.debts), ZERO)

    @property
    def total_paid(self) -> Decimal:
        return sum((d.paid for d in self.debts), ZERO)

    @property
    def total_principal(self) -> Decimal:
        return sum((d.debt.planned_total for d in self.debts), ZERO)

    @property
    def total_disputed(self) -> Decimal:
        """The parts above the line left out of the plan, to negotiate."""
        return sum((d.debt.disputed_left_out for d in self.debts), ZERO)

    @property
    def payoff_month(self) -> int:
        return len(self.months)

    def balances(self) -> dict[int, list[Decimal]]:
        """Per debt id: the balance at the start, then at the end of every month."""
        series = {d.debt.id: [d.debt.planned_total] for d in self.debts}
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
    debts: Iterable[Debt], facts: Any, today: date, start: date | None = None
) -> tuple[tuple[PlanDebt, ...], tuple[Debt, ...]]:
    """The open debts the plan can use, and those it cannot because no amount is known.
    `start`: a day in the plan's first month (default `today`), for single-payment due dates."""
    usable: list[PlanDebt] = []
    missing: list[Debt] = []
    for debt in debts:
        if debt.cleared:
            continue
        agreed = _agreed(debt, start or today, facts, today)
        if agreed is not None:
            usable.append(agreed)
            continue
        balance = _balance(debt)
        if balance is None:
            missing.append(debt)
        elif balance > 0:
            usable.append(_plan_debt(debt, balance, facts, today, start or today))
    return tuple(usable), tuple(missing)


def _agreed(debt: Debt, start: date, facts: Any, today: date) -> PlanDebt | None:
    """A debt with an agreed arrangement still running: what was agreed is what the plan repays
    and keeps current (the agreed amount a month from its first month, nothing more on top);
    None without one, or once its months are over (then the debt list's amounts count)."""
    agreement = debt.agreement
    if agreement is None:
        return None
    left = agreement.months_left(start)
    if left <= 0:
        return None
    return PlanDebt(
        id=debt.id,
        platform=debt.platform,
        balance=yuan(agreement.monthly * left),
        minimum=yuan(agreement.monthly),
        due_month=agreement.first_due_offset(start) + 1,
        reports_credit=debt.lender_kind.may_report_credit,
        agreed=True,
        agreed_above_line=assess(debt, facts, today).exceeds,
    )


def _balance(debt: Debt) -> Decimal | None:
    for amount in (debt.remaining_principal, debt.principal, debt.owed_now):
        if amount is not None:
            return yuan(amount)
    return None


def _plan_debt(debt: Debt, balance: Decimal, facts: Any, today: date, start: date) -> PlanDebt:
    check = assess(debt, facts, today)
    monthly_rate = debt.rate.rate().monthly_simple() if debt.rate else None
    if monthly_rate is None and check.method == "irr" and check.interest_rate is not None:
        # An installment loan without a quoted rate: its real rate is the IRR of the schedule
        # (a month's share of it), not zero.
        monthly_rate = schedule_monthly_rate(debt) or check.interest_rate / MONTHS_PER_YEAR
    if monthly_rate is None and check.method == "single":
        monthly_rate = ZERO  # one payment, interest included: nothing accrues on top
    single = _single_due(debt)
    minimum = _monthly_minimum(debt)
    if single is not None:
        # Everything, in the month it falls due; once overdue, all of it is arrears (tier 3).
        minimum = ZERO if debt.overdue else balance
    due_month = 1
    if single is not None and not debt.overdue:
        due_month = max(1, month_offset(start, month_key(single, 0)) + 1)
    plan = PlanDebt(
        id=debt.id,
        platform=debt.platform,
        balance=balance,
        monthly_rate=monthly_rate if monthly_rate is not None else ZERO,
        minimum=minimum,
        overdue=debt.overdue,
        above_line=check.exceeds,
        rate_known=monthly_rate is not None,
        due_month=due_month,
        single=single is not None and not debt.overdue,
        payment_unknown=_payment_unknown(debt, single),
        reports_credit=debt.lender_kind.may_report_credit,
    )
    if not check.exceeds:
        return plan
    return _lawful(plan, debt, check)


def _single_due(debt: Debt) -> date | None:
    """The one due date of a loan repaid in one payment (no installments, or one), else None."""
    if debt.due is None or debt.due.on_date is None:
        return None
    if debt.installments is not None and debt.installments.periods != 1:
        return None
    return debt.due.on_date


def _payment_unknown(debt: Debt, single: date | None) -> bool:
    # Known not to be overdue, repaid month by month, but with no installment or minimum
    # amount: what it asks each month is not known, so the plan cannot guarantee it.
    monthly = debt.due is not None and debt.due.day_of_month is not None
    known = debt.installments is not None or debt.minimum_payment is not None
    return debt.days_overdue == 0 and monthly and single is None and not known


def _line_unknown(debt: Debt) -> bool:
    """The lender type is not known: the line that applies is not certain (issue 16).

    A known private lender's line (4x LPR) is certain, like a licensed lender's: the part above
    it is left to negotiate, not planned last."""
    return debt.lender is None or not debt.lender.known


def _lawful(plan: PlanDebt, debt: Debt, check: Any) -> PlanDebt:
    """A debt above its legal line: the lawful target and payment, the rest disputed.

    - A single payment (a 7-day loan): the law protects the money received plus interest up to
      the line; the assessment's yuan above the line is the disputed part.
    - Otherwise the principal the law counts is the money received: a balance in contract
      money is scaled by received / borrowed (the amount taken up front is never principal),
      and interest runs at most at the line. An installment's lawful payment is the annuity
      of the lawful principal at that rate over the periods left; the assessment's yuan above
      the line (its share still to pay) is the disputed part. A quoted rate: the principal
      taken up front is the disputed part; interest above the line is not charged.
    """
    contract = plan.balance
    above = check.interest_above_line if check.interest_above_line is not None else ZERO
    if plan.single or check.method == "single":
        lawful = min(contract, max(ZERO, yuan(contract - above)))
        return _replace(plan, debt, lawful, contract - lawful, plan.monthly_rate, None)
    share = Decimal(1)
    if debt.remaining_principal is not None and debt.borrowed:
        share = min(Decimal(1), debt.remaining_principal / debt.borrowed)
    lawful = contract
    received, borrowed = debt.received, debt.borrowed
    if debt.remaining_principal is not None and borrowed and received and received < borrowed:
        lawful = yuan(contract * debt.received / debt.borrowed)
    rate = plan.monthly_rate
    if check.line is not None:
        rate = min(rate, check.line / MONTHS_PER_YEAR)
    above_rate = plan.monthly_rate - rate if _line_unknown(debt) else ZERO
    disputed = contract - lawful
    if check.method == "irr" and above:
        # The schedule's yuan above the line, its share still to pay (the balance is principal;
        # the interest to come is in the schedule). For a quoted rate the assessment's yuan is
        # interest already run, not in the balance: the plan just charges at most the line.
        disputed = max(disputed, yuan(above * share))
    lawful_minimum = None
    terms = debt.installments
    if terms is not None and plan.minimum > 0:
        periods = terms.periods
        if debt.remaining_principal is not None and debt.borrowed:
            periods = max(1, round(terms.periods * share))
        lawful_minimum = min(plan.minimum, yuan(annuity_payment(lawful, rate, periods)))
    lawful_plan = _replace(plan, debt, lawful, disputed, rate, lawful_minimum)
    return dataclasses.replace(lawful_plan, above_rate=above_rate)


def _replace(
    plan: PlanDebt,
    debt: Debt,
    lawful: Decimal,
    disputed: Decimal,
    rate: Decimal,
    lawful_minimum: Decimal | None,
) -> PlanDebt:
    minimum = plan.minimum
    contract_minimum = None
    if plan.single:
        minimum = lawful
        contract_minimum = plan.minimum if disputed > 0 else None
    elif lawful_minimum is not None and lawful_minimum < plan.minimum:
        minimum, contract_minimum = lawful_minimum, plan.minimum
    return PlanDebt(
        id=plan.id,
        platform=plan.platform,
        balance=lawful,
        monthly_rate=rate,
        minimum=minimum,
        overdue=plan.overdue,
        above_line=True,
        rate_known=plan.rate_known,
        disputed=max(ZERO, yuan(disputed)),
        disputed_last=_line_unknown(debt),
        contract_minimum=contract_minimum,
        due_month=plan.due_month,
        single=plan.single,
        payment_unknown=plan.payment_unknown,
        reports_credit=plan.reports_credit,
    )


def schedule_monthly_rate(debt: Debt) -> Decimal | None:
    """The monthly rate of an installment schedule on the contract amount; None without one."""
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
        # A credit card's minimum payment, or what a revolving loan asks this month.
        return yuan(debt.minimum_payment) if debt.minimum_payment else ZERO
    per_year = {Period.DAY: 365, Period.MONTH: MONTHS_PER_YEAR, Period.YEAR: 1}[terms.period]
    return yuan(terms.payment * per_year / MONTHS_PER_YEAR)


# ---- orders ---------------------------------------------------------------------------------


def _guide_key(d: PlanDebt) -> tuple[Any, ...]:
    # Lawful before above the line; overdue before current (a current one's payment is kept
    # anyway, tier 1); credit-report damage before none; then the largest first.
    return (d.above_line, not d.overdue, not d.reports_credit, -d.balance, d.id)


def prioritized(
    debts: Iterable[PlanDebt], order: Order, custom: Sequence[int] = ()
) -> tuple[PlanDebt, ...]:
    """The debts, first to be paid first. `custom`: debt ids in the user's own order (ids
    not listed follow, in the guide's order)."""
    if order is Order.AVALANCHE:
        return tuple(sorted(debts, key=lambda d: (-(d.monthly_rate + d.above_rate), d.id)))
    if order is Order.SNOWBALL:
        return tuple(sorted(debts, key=lambda d: (d.planned_total, -d.monthly_rate, d.id)))
    guide = sorted(debts, key=_guide_key)
    if order is Order.CUSTOM:
        place = {debt_id: i for i, debt_id in enumerate(dict.fromkeys(custom))}
        return tuple(sorted(guide, key=lambda d: place.get(d.id, len(place))))
    return tuple(guide)


def custom_order(debts: Iterable[PlanDebt], custom: Sequence[int]) -> tuple[int, ...]:
    """The user's own order as a full list of the debts' ids (a new debt joins in the guide's
    place after the ones already placed; a deleted one drops out)."""
    return tuple(d.id for d in prioritized(debts, Order.CUSTOM, custom))


def moved(order: Sequence[int], debt_id: int, step: int) -> tuple[int, ...]:
    """`order` with `debt_id` moved `step` places (-1 up, +1 down), kept within the list."""
    ids = list(order)
    if debt_id not in ids:
        return tuple(ids)
    at = ids.index(debt_id)
    to = min(max(at + step, 0), len(ids) - 1)
    ids.insert(to, ids.pop(at))
    return tuple(ids)


# ---- the simulation -------------------------------------------------------------------------


@dataclass(slots=True)
class _Books:
    """What each debt still owes, changed month by month: principal, unpaid interest, and
    the disputed part planned last."""

    principal: dict[int, Decimal]
    unpaid: dict[int, Decimal]
    disputed: dict[int, Decimal]

    def lawful(self, debt_id: int) -> Decimal:
        return self.principal[debt_id] + self.unpaid[debt_id]

    def owed(self, debt_id: int) -> Decimal:
        return self.lawful(debt_id) + self.disputed[debt_id]


def simulate(
    debts: Iterable[PlanDebt],
    monthly: Decimal,
    order: Order,
    one_offs: Mapping[int, Decimal] | None = None,
    horizon: int = HORIZON_MONTHS,
    custom: Sequence[int] = (),
) -> Plan | Refusal:
    """The plan for `order`, or a refusal when it cannot end within `horizon` months."""
    ordered = prioritized(debts, order, custom)
    one_offs = one_offs or {}
    monthly = yuan(monthly)
    first_interest = sum((yuan(d.balance * d.monthly_rate) for d in ordered), ZERO)
    if monthly <= 0:
        return Refusal(order, "nothing_available", monthly, first_interest)
    books = _Books(
        principal={d.id: d.balance for d in ordered},
        unpaid={d.id: ZERO for d in ordered},
        disputed={d.id: d.disputed if d.disputed_last else ZERO for d in ordered},
    )
    months: list[Month] = []
    risks: dict[tuple[int, str], AtRisk] = {}
    for number in range(1, horizon + 1):
        open_debts = [d for d in ordered if books.owed(d.id) > 0]
        if not open_debts:
            break
        months.append(_month(number, open_debts, books, monthly, one_offs, risks))
    if any(books.owed(d.id) > 0 for d in ordered):
        reason: RefusalReason = "interest_not_covered" if monthly <= first_interest else "too_long"
        return Refusal(order, reason, monthly, first_interest)
    risks.update(_standing_risks(ordered, months, risks))
    ranked = sorted(
        risks.values(), key=lambda r: (r.month, [d.id for d in ordered].index(r.debt_id))
    )
    return Plan(order, monthly, tuple(months), _outcomes(ordered, months), tuple(ranked))


def _month(
    number: int,
    open_debts: list[PlanDebt],
    books: _Books,
    monthly: Decimal,
    one_offs: Mapping[int, Decimal],
    risks: dict[tuple[int, str], AtRisk],
) -> Month:
    """One month: interest, then payments in tiers; updates `books` in place."""
    before = {d.id: books.owed(d.id) for d in open_debts}
    lawful_interest = {
        d.id: yuan(books.principal[d.id] * d.monthly_rate) if d.monthly_rate else ZERO
        for d in open_debts
    }
    for debt_id, added in lawful_interest.items():
        books.unpaid[debt_id] += added
    # Lender type unknown: interest above the line that may apply joins the part planned last.
    above = {
        d.id: yuan(books.principal[d.id] * d.above_rate) if d.above_rate else ZERO
        for d in open_debts
    }
    for debt_id, added in above.items():
        books.disputed[debt_id] += added
    interest = {d.id: lawful_interest[d.id] + above[d.id] for d in open_debts}
    one_off = yuan(one_offs.get(number, ZERO))
    budget = monthly + one_off
    lawful = {d.id: books.lawful(d.id) for d in open_debts}
    disputed = {d.id: books.disputed[d.id] for d in open_debts}
    pay, extra = allocate(open_debts, lawful, disputed, budget, number)
    for debt in open_debts:
        due = contractual_due(debt, lawful[debt.id])
        if debt.current and debt.due_in(number) and pay[debt.id] < due:
            risks.setdefault(
                (debt.id, "budget"), AtRisk(debt.id, number, "budget", due, pay[debt.id])
            )
    rows = []
    for debt in open_debts:
        paid = pay[debt.id] + extra[debt.id]
        to_interest = min(pay[debt.id], books.unpaid[debt.id])
        books.unpaid[debt.id] -= to_interest
        books.principal[debt.id] -= pay[debt.id] - to_interest
        books.disputed[debt.id] -= extra[debt.id]
        rows.append(
            DebtMonth(
                debt.id,
                interest[debt.id],
                paid,
                before[debt.id],
                books.owed(debt.id),
                extra[debt.id],
                books.disputed[debt.id],
            )
        )
    return Month(number, budget, one_off, tuple(rows))


def contractual_due(debt: PlanDebt, lawful: Decimal) -> Decimal:
    """What its contractual payment asks when `lawful` is owed: the installment (or minimum),
    never more than the balance, and the whole balance when the installment would leave less
    than 1 yuan of it (the last installment clears the fen the interest added)."""
    due = min(debt.minimum, lawful)
    return lawful if lawful - due < TAIL else due


def allocate(
    ordered: Sequence[PlanDebt],
    lawful: Mapping[int, Decimal],
    disputed: Mapping[int, Decimal],
    budget: Decimal,
    number: int = 1,
) -> tuple[dict[int, Decimal], dict[int, Decimal]]:
    """Split `budget` in tiers (see the module doc): the contractual payments of current debts,
    the installments of overdue ones, the rest of the lawful balances in order, then the
    disputed parts planned last once nothing lawful is left. Returns the lawful payments and
    the disputed payments; together never more than `budget`, and none leaves a balance below
    1 yuan it could have cleared (see `_leave_no_tails`)."""
    remaining = budget
    pay = dict.fromkeys(lawful, ZERO)
    for tier in (True, False):
        for debt in ordered:
            if debt.current is not tier or not debt.due_in(number) or debt.minimum <= 0:
                continue
            share = min(contractual_due(debt, lawful[debt.id]) - pay[debt.id], remaining)
            share = max(share, ZERO)
            pay[debt.id] += share
            remaining -= share
    for debt in ordered:
        share = min(lawful[debt.id] - pay[debt.id], remaining)
        pay[debt.id] += share
        remaining -= share
    extra = dict.fromkeys(lawful, ZERO)
    if all(lawful[d.id] == pay[d.id] for d in ordered):
        for debt in ordered:
            share = min(disputed[debt.id], remaining)
            extra[debt.id] += share
            remaining -= share
    _leave_no_tails(ordered, lawful, pay)
    _leave_no_tails(ordered, disputed, extra)
    return pay, extra


def _leave_no_tails(
    ordered: Sequence[PlanDebt], owed: Mapping[int, Decimal], pay: dict[int, Decimal]
) -> None:
    # A payment that would leave less than 1 yuan (a few fen that would come back next month as
    # a payment of 0.02) is made smaller instead, so that exactly 1 yuan is left for next
    # month: the month never pays more than its money. Only the payment where the month's money
    # runs out can leave such a tail: a contractual payment asks the whole balance when it would
    # leave less than 1 yuan (`contractual_due`), the debts before it are cleared and those after
    # it get nothing, so there is no other payment of the month to take the fen from without
    # leaving a tail there or cutting a contractual payment. A balance already below 1 yuan
    # that the money cannot clear is not paid in part: it is paid whole next month.
    for debt in ordered:
        if ZERO < owed[debt.id] - pay[debt.id] < TAIL:
            pay[debt.id] = max(ZERO, owed[debt.id] - TAIL)


def _standing_risks(
    ordered: Sequence[PlanDebt], months: list[Month], found: Mapping[tuple[int, str], AtRisk]
) -> dict[tuple[int, str], AtRisk]:
    # Payments at risk whatever the money: an installment with a part above the line (the plan
    # pays its lawful part first), and a current debt whose monthly payment is not known.
    risks: dict[tuple[int, str], AtRisk] = {}
    for debt in ordered:
        month = debt.due_month
        row = months[month - 1].row(debt.id) if month <= len(months) else None
        paid = row.paid if row is not None else ZERO
        if debt.current and debt.contract_minimum is not None and paid < debt.contract_minimum:
            risks[(debt.id, "above_line")] = AtRisk(
                debt.id, month, "above_line", debt.contract_minimum, paid
            )
        if debt.payment_unknown and (debt.id, "budget") not in found:
            first = months[0].row(debt.id) if months else None
            paid = first.paid if first is not None else ZERO
            risks[(debt.id, "payment_unknown")] = AtRisk(debt.id, 1, "payment_unknown", ZERO, paid)
    return risks


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
    debts: Iterable[PlanDebt],
    monthly: Decimal,
    one_offs: Mapping[int, Decimal] | None = None,
    custom: Sequence[int] | None = None,
) -> dict[Order, Plan | Refusal]:
    """Every order, for the user to compare; the user's own too when `custom` is given."""
    listed = tuple(debts)
    orders = (*ORDERS, Order.CUSTOM) if custom is not None else ORDERS
    return {
        order: simulate(listed, monthly, order, one_offs, custom=custom or ()) for order in orders
    }
