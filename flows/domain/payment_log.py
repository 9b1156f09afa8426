"""What the user paid, kept in their state: one entry per payment or balance correction.

Separate from flows/domain/payments.py (the rules that split a payment) so
flows/conversation/state.py can hold the log without importing the plan or the legal check.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import StrEnum

from pydantic import AwareDatetime, Field

from flows.domain.models import Frozen

# More than ten years of monthly payments on ten debts; older entries are never dropped silently,
# a user at the limit is told (flows/steps/payments.py).
MAX_PAYMENTS = 2000


class PaymentKind(StrEnum):
    INSTALLMENT = "installment"  # the scheduled payment of a period (or an agreed installment)
    SETTLEMENT = "settlement"  # an agreed settlement: this amount closes the debt
    EXTRA = "extra"  # more than planned, from the user's own money
    LUMP_SUM = "lump_sum"  # a lump sum from something sold
    CORRECTION = "correction"  # not a payment: the user set the balance to what the bill says


PAID_KINDS = (
    PaymentKind.INSTALLMENT,
    PaymentKind.EXTRA,
    PaymentKind.LUMP_SUM,
    PaymentKind.SETTLEMENT,
)


class Basis(StrEnum):
    """How the payment was split between charges (fees, penalties, interest) and principal."""

    SCHEDULE = "schedule"  # an installment loan: this period's interest on the schedule's rate
    BILL = "bill"  # what is owed now above the principal: fees and interest, paid first
    ESTIMATED = "estimated"  # interest estimated from the rate since the last payment
    UNKNOWN = "unknown"  # nothing to tell interest from principal: all counted as principal
    CORRECTION = "correction"


class Payment(Frozen):
    id: int = Field(ge=1)
    debt_id: int = Field(ge=1)
    kind: PaymentKind
    amount: Decimal = Field(ge=0)  # yuan paid; 0 for a correction
    at: AwareDatetime  # when it was paid (a day the user named: noon of that day, their zone)
    to_charges: Decimal = Field(default=Decimal(0), ge=0)  # fees, penalties, interest
    to_principal: Decimal = Field(default=Decimal(0), ge=0)
    overpaid: Decimal = Field(default=Decimal(0), ge=0)  # beyond what was owed
    basis: Basis = Basis.UNKNOWN
    balance_before: Decimal | None = None  # principal left before (the lawful part, if above)
    balance_after: Decimal | None = None
    waived: Decimal = Field(default=Decimal(0), ge=0)  # a settlement: what the lender let go

    @property
    def day(self) -> date:
        return self.at.date()

    @property
    def reduction(self) -> Decimal:
        """How much the balance fell (negative: a correction upwards)."""
        if self.balance_before is None or self.balance_after is None:
            return self.to_principal
        return self.balance_before - self.balance_after


class Baseline(Frozen):
    """Where the user stood when they recorded their first payment: progress is measured from
    here (the payoff month the plan promised then, and what was left)."""

    on: date
    remaining: Decimal
    payoff_month: str | None = None  # "YYYY-MM", None when there was no plan
