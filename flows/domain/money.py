"""Money and rate primitives: yuan as Decimal with two places, rates that name their period."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
DAYS_PER_YEAR = 365
MONTHS_PER_YEAR = 12


def yuan(value: Decimal | int | str) -> Decimal:
    """Round an amount to whole fen (two places), half up, as a bank statement would."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


class Period(StrEnum):
    DAY = "day"
    MONTH = "month"
    YEAR = "year"


@dataclass(frozen=True, slots=True)
class Rate:
    # Rate(Decimal("0.0005"), Period.DAY) is 日息万五, as lenders write it.
    """An interest rate as a fraction per period.

    Rate(Decimal("0.0005"), Period.DAY) is 0.05% a day.
    """

    per_period: Decimal
    period: Period

    def annual_simple(self) -> Decimal:
        # 年化: the annualised rate lenders quote.
        """The simple (non-compounded) annual rate, the way Chinese lenders quote it."""
        if self.period is Period.DAY:
            return self.per_period * DAYS_PER_YEAR
        if self.period is Period.MONTH:
            return self.per_period * MONTHS_PER_YEAR
        return self.per_period

    def monthly_simple(self) -> Decimal:
        """The simple monthly rate: annual_simple / 12."""
        if self.period is Period.MONTH:
            return self.per_period
        return self.annual_simple() / MONTHS_PER_YEAR

    def daily_simple(self) -> Decimal:
        """The simple daily rate: annual_simple / 365."""
        if self.period is Period.DAY:
            return self.per_period
        return self.annual_simple() / DAYS_PER_YEAR

    @classmethod
    def annual(cls, fraction: Decimal | str) -> Rate:
        return cls(Decimal(fraction), Period.YEAR)
