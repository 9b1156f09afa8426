"""A payment applied to a debt by rule: charges first, then principal; the balance follows.

Pure. The order a payment is applied in is the one a contract or the law would use, and every
reply says which rule was used (flows.payment_log.Basis):

- an installment loan: this period's interest is the principal left times the schedule's
  monthly rate (the quoted rate, else the rate that turns the contract amount into the
  schedule); the rest of the payment is principal;
- a bill above the principal (what is owed now, from a credit card or a platform's app): the
  difference is fees, penalties and interest, paid first (revolving credit), then principal;
- a rate and a day to count from (the last payment, else the contract date): interest for those
  days is paid first, then principal. Civil Code art. 561 (民法典第五百六十一条) applies a
  payment that does not cover everything to fees first, then interest, then principal unless
  agreed otherwise; fees and interest are counted together here since the bot cannot tell them
  apart;
- nothing known: the whole payment is counted as principal, and the reply says so plainly.

A debt above its legal line: only the part the law protects is the target (the money actually
received, 砍头息 never counted as principal, and interest only up to the line). What the lender
asks beyond that stays in "owed now" (the lender's figure) and is left for negotiation.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from flows.domain.assessment import assess
from flows.domain.facts import Facts
from flows.domain.ledger import Debt
from flows.domain.legal import line_for
from flows.domain.money import DAYS_PER_YEAR, MONTHS_PER_YEAR, ZERO, yuan
from flows.domain.payment_log import Basis, Payment, PaymentKind
from flows.domain.plan import plan_debts, schedule_monthly_rate

# A day or two of interest is not worth a line; more than a year without a payment is counted as
# one year at most (the estimate is for splitting a payment, not for claiming arrears).
MAX_INTEREST_DAYS = 365
DAYS_PER_PERIOD = 30  # a monthly period, for interest accrued part of the way through one


@dataclass(frozen=True, slots=True)
class Applied:
    """A payment applied: the updated debt and how the money was split."""

    debt: Debt
    to_charges: Decimal
    to_principal: Decimal
    overpaid: Decimal
    basis: Basis
    balance_before: Decimal | None
    balance_after: Decimal | None
    waived: Decimal = ZERO
    lawful_only: bool = False  # above its line: the target is the lawful part only
    beyond_lawful: Decimal | None = None  # the lender's figure above the lawful part, left

    @property
    def cleared(self) -> bool:
        return self.debt.cleared


def facts_of(raw: Any) -> Facts:
    return raw if isinstance(raw, Facts) else Facts()


def above_line(debt: Debt, facts: Facts, today: date) -> bool:
    return assess(debt, facts, today).exceeds


def principal_left(debt: Debt) -> Decimal | None:
    """The principal still to repay, in contract money as the debt list keeps it."""
    base = debt.remaining_principal if debt.remaining_principal is not None else debt.principal
    return None if base is None else yuan(base)


def lawful_left(debt: Debt, facts: Facts, today: date) -> Decimal:
    """The part of the balance the plan targets (for a debt above its line, what the law
    protects: flows.plan's lawful part); 0 when nothing is left."""
    usable, _missing = plan_debts((debt,), facts, today)
    return usable[0].balance if usable else ZERO


def contract_for(debt: Debt, target: Decimal, facts: Facts, today: date) -> Decimal:
    """The largest contract balance (to the fen, at most the current one) whose lawful part,
    as the plan counts it, is no more than `target`: what the debt list keeps once the
    lawful part fell to `target`. The part above the line stays in it, disputed."""
    contract = principal_left(debt) or ZERO
    low, high = 0, int(contract * 100)  # in fen

    def lawful(fen: int) -> Decimal:
        probe = debt.model_copy(update={"remaining_principal": Decimal(fen) / 100})
        return lawful_left(probe, facts, today)

    if lawful(high) <= target:
        return contract
    while low < high:  # the lawful part never falls as the contract balance grows
        middle = (low + high + 1) // 2
        if lawful(middle) <= target:
            low = middle
        else:
            high = middle - 1
    return yuan(Decimal(low) / 100)


def _line_monthly(debt: Debt, facts: Facts, today: date) -> Decimal | None:
    line = line_for(debt, facts, today)
    return None if line is None else line.rate / MONTHS_PER_YEAR


def _monthly_rate(debt: Debt) -> Decimal | None:
    if debt.rate is not None:
        return debt.rate.rate().monthly_simple()
    return schedule_monthly_rate(debt)


def charges_due(
    debt: Debt, base: Decimal | None, facts: Facts, today: date, since: date | None, lawful: bool
) -> tuple[Decimal, Basis]:
    """Fees, penalties and interest a payment goes to before the principal, and the rule used."""
    if base is None:
        return ZERO, Basis.UNKNOWN
    cap = _line_monthly(debt, facts, today) if lawful else None
    if debt.installments is not None and debt.installments.periods > 1:
        # (One payment on one day, a 7-day loan, has no schedule to split by: see below.)
        rate = _monthly_rate(debt)
        if rate is not None:
            if cap is not None:
                rate = min(rate, cap)
            # A period's interest accrues over the period: a second payment days after the
            # first (an extra payment) owes only those days' interest, and goes to principal.
            share = Decimal(1)
            if since is not None:
                share = (
                    Decimal(min(max((today - since).days, 0), DAYS_PER_PERIOD)) / DAYS_PER_PERIOD
                )
            return yuan(base * rate * share), Basis.SCHEDULE
    estimated = _estimated_interest(debt, base, cap, today, since)
    if debt.owed_now is not None and debt.owed_now > base:
        billed = yuan(debt.owed_now - base)
        if not lawful:
            return billed, Basis.BILL
        # Above the line: of the lender's charges, only interest up to the line is a target.
        return (min(billed, estimated), Basis.ESTIMATED) if estimated else (ZERO, Basis.UNKNOWN)
    if estimated is not None:
        return estimated, Basis.ESTIMATED
    if debt.owed_now is not None:
        return ZERO, Basis.BILL  # the bill is no more than the principal: no charges on it
    return ZERO, Basis.UNKNOWN


def _estimated_interest(
    debt: Debt, base: Decimal, cap: Decimal | None, today: date, since: date | None
) -> Decimal | None:
    start = since or debt.contract_date
    monthly = debt.rate.rate().monthly_simple() if debt.rate is not None else cap
    if start is None or monthly is None:
        return None
    if cap is not None:
        monthly = min(monthly, cap)
    days = min(max((today - start).days, 0), MAX_INTEREST_DAYS)
    return yuan(base * monthly * MONTHS_PER_YEAR * days / DAYS_PER_YEAR)


def last_paid_on(payments: tuple[Payment, ...], debt_id: int) -> date | None:
    days = [
        p.day for p in payments if p.debt_id == debt_id and p.kind is not PaymentKind.CORRECTION
    ]
    return max(days, default=None)


def apply_payment(
    debt: Debt,
    amount: Decimal,
    kind: PaymentKind,
    facts: Facts,
    today: date,
    since: date | None = None,
) -> Applied:
    """`amount` paid on `debt` on `today` (`since`: the previous payment's day, if any)."""
    amount = yuan(amount)
    lawful = above_line(debt, facts, today)
    contract = principal_left(debt)
    # The target: for a debt above its line, the lawful part the plan counts.
    base = lawful_left(debt, facts, today) if lawful and contract is not None else contract
    charges, basis = charges_due(debt, base, facts, today, since, lawful)
    to_charges = min(amount, charges)
    rest = amount - to_charges
    to_principal = rest if base is None else min(rest, base)
    overpaid = rest - to_principal
    after = None if base is None else base - to_principal
    # The debt list keeps contract money: the part above the line stays in it, disputed.
    kept = None if contract is None else contract - to_principal
    if lawful and after is not None and contract is not None:
        kept = contract_for(debt, after, facts, today)
    owed = None if debt.owed_now is None else max(ZERO, yuan(debt.owed_now - amount))
    waived = ZERO
    if kind is PaymentKind.SETTLEMENT:
        # Agreed: this payment closes the debt; what was still owed is let go.
        before_total = debt.owed_now if debt.owed_now is not None else (contract or ZERO) + charges
        waived = max(ZERO, yuan(before_total - amount))
        after, kept, owed = ZERO, ZERO, ZERO
    update: dict[str, Any] = {"owed_now": owed}
    if kept is not None:
        update["remaining_principal"] = kept
    updated = debt.model_copy(update=update)
    beyond = None
    if lawful and after == 0 and (kept or owed):
        # The lawful part is paid; what the lender still asks is above the line, disputed.
        beyond = max(kept or ZERO, owed or ZERO)
    if updated.remaining_principal == 0 and not updated.owed_now:
        updated = updated.model_copy(update={"paid_off": True})
    return Applied(
        debt=updated,
        to_charges=to_charges,
        to_principal=to_principal,
        overpaid=overpaid,
        basis=basis,
        balance_before=base,
        balance_after=after,
        waived=waived,
        lawful_only=lawful,
        beyond_lawful=beyond,
    )


def corrected(debt: Debt, balance: Decimal) -> Debt:
    """The user says the principal left is `balance` (the bill says so): kept as a correction."""
    updated = debt.model_copy(update={"remaining_principal": yuan(balance)})
    if balance == 0 and not debt.owed_now:
        updated = updated.model_copy(update={"paid_off": True})
    elif balance > 0 and debt.paid_off:
        updated = updated.model_copy(update={"paid_off": False})
    return updated
