"""The real cost of an installment loan: the internal rate of return of its cash flows.

Money actually received at the start, equal payments at the end of each period. The
per-period IRR is found by bisection in Decimal (no floats anywhere), then stated two ways:

- nominal annual = IRR x periods per year: how Chinese lenders must quote the annualised rate
  (PBOC announcement 2021 No. 3 allows the IRR method), and what the legal lines are compared
  with;
- effective annual = (1 + IRR)^(periods per year) - 1: what the money really grows at.

A flat "monthly fee" loan (a 0.6% monthly fee rate) or one with interest taken up front looks
cheap on paper; its IRR shows the real rate (facts section 7).
"""

# Terms as lenders and users write them: 年化 (annualised rate), 月费率0.6% (monthly fee rate),
# 砍头息 (interest deducted up front).

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, localcontext

from flows.domain.money import DAYS_PER_YEAR, MONTHS_PER_YEAR, Period

PRECISION = 40  # significant digits while searching; results are rounded far below this
TOLERANCE = Decimal("1e-24")  # the search stops when the bracket is this narrow
LOWEST = Decimal("-0.99")  # per period: repaying almost nothing
HIGHEST = Decimal(100)  # per period: 10,000% a period, beyond any loan
PLACES = Decimal("1e-12")
PERIODS_PER_YEAR = {Period.DAY: DAYS_PER_YEAR, Period.MONTH: MONTHS_PER_YEAR, Period.YEAR: 1}


@dataclass(frozen=True, slots=True)
class AprResult:
    """The real rate of a loan: per period, and per year as quoted (nominal) and compounded."""

    per_period: Decimal
    nominal_annual: Decimal
    effective_annual: Decimal
    period: Period = Period.MONTH


def npv(rate: Decimal, flows: Sequence[Decimal]) -> Decimal:
    """Net present value of `flows` (one per period, the first at time 0) at `rate`."""
    discount = 1 / (1 + rate)
    total = Decimal(0)
    for amount in reversed(flows):  # Horner: f0 + v(f1 + v(f2 + ...))
        total = amount + discount * total
    return total


def irr(flows: Sequence[Decimal]) -> Decimal | None:
    """The per-period rate at which `flows` are worth nothing today.

    `flows` start with the money received (positive) followed by what is paid (negative) each
    period, or the other way round. None when there is no rate in (-99%, 10,000%) per period:
    nothing paid back, or flows that never change sign.
    """
    if not flows or all(f >= 0 for f in flows) or all(f <= 0 for f in flows):
        return None
    with localcontext() as context:
        context.prec = PRECISION
        values = [Decimal(f) for f in flows]
        low, high = LOWEST, HIGHEST
        value_low, value_high = npv(low, values), npv(high, values)
        if value_low == 0:
            return low
        if value_high == 0:
            return high
        if (value_low > 0) == (value_high > 0):
            return None
        while high - low > TOLERANCE:
            middle = (low + high) / 2
            value_middle = npv(middle, values)
            if value_middle == 0:
                low = high = middle
                break
            if (value_middle > 0) == (value_low > 0):
                low, value_low = middle, value_middle
            else:
                high = middle
        found = ((low + high) / 2).quantize(PLACES)
        return found if found != 0 else Decimal(0).quantize(PLACES)  # no "-0"


def annualise(per_period: Decimal, period: Period = Period.MONTH) -> AprResult:
    """State a per-period rate per year, both nominal (x periods) and effective (compounded)."""
    count = PERIODS_PER_YEAR[period]
    with localcontext() as context:
        context.prec = PRECISION
        nominal = per_period * count
        effective = (1 + per_period) ** count - 1
        # Enough digits to round a huge rate (a typo'd payment compounds to 10^30 and more)
        # to PLACES; the default 28 would make quantize fail.
        context.prec = max(PRECISION, effective.adjusted() + 14, nominal.adjusted() + 14)
        return AprResult(
            per_period=per_period,
            nominal_annual=nominal.quantize(PLACES),
            effective_annual=effective.quantize(PLACES),
            period=period,
        )


def installment_apr(
    received: Decimal,
    payment: Decimal,
    periods: int,
    period: Period = Period.MONTH,
    upfront_fees: Decimal = Decimal(0),
) -> AprResult | None:
    """The real rate of a loan paid back in `periods` equal payments.

    `received` is the money that actually arrived (after anything deducted up front);
    `upfront_fees` are paid separately at the start (e.g. a membership fee charged on day one).
    None when the payments do not even return the money received minus nothing, i.e. there is
    no meaningful rate (all amounts must be positive).
    """
    if received <= 0 or payment <= 0 or periods <= 0:
        return None
    flows = [received - upfront_fees, *([-payment] * periods)]
    rate = irr(flows)
    return None if rate is None else annualise(rate, period)
