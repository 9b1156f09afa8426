"""What one debt really costs and whether the law protects it: the seam the plan reads.

The comprehensive (all-in) annual cost of a debt is the sum of two parts, both as simple
annual fractions of the principal the law counts (the money actually received, Civil Code
art. 670):

1. Interest. With installment terms: the nominal annual IRR of the real cash flows (money
   received, then every payment), so flat fees and interest taken up front are counted. With
   only a quoted rate: its simple annual rate, scaled up by borrowed / received when interest
   runs on the contract amount but less arrived, plus the amount deducted up front spread over
   the loan's life.
2. Lateness, only while overdue (the private-lending provisions, arts. 28-29, cap overdue
   interest, penalties and fees together with the same line): the daily penalty rate x 365,
   plus fixed fees (one per missed monthly payment, at least one) spread over the days
   overdue. Penalty interest is assumed to run on top of normal interest, as platforms usually
   charge it.

`exceeds` compares that all-in rate with the legal line (flows/domain/legal.py).

`interest_above_line` is in yuan, over the loan's life:
- installments: the interest actually paid minus the interest the same schedule would cost at
  the line (same principal, same number of payments);
- quoted rate: principal x (rate - line) x years, from the contract date to today, or to the
  single due date if that is later; unknown without a contract date;
- plus the lateness charges beyond what the line still leaves room for during the days overdue
  (counted on the remaining principal).
For contracts under the old rules the line is averaged over the loan's days (legal.py).
"""

# Sources as cited in Chinese: 民法典 第六百七十条 (Civil Code art. 670); 民间借贷规定
# 第二十八、二十九条 (private-lending provisions, arts. 28-29). Interest taken up front: 砍头息.

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from flows.domain.apr import PERIODS_PER_YEAR, AprResult, installment_apr
from flows.domain.facts import Facts
from flows.domain.ledger import Debt
from flows.domain.legal import LegalLine, LineKind, line_for, line_over_days
from flows.domain.money import DAYS_PER_YEAR, Period, yuan

DAYS_PER_MONTH = Decimal(DAYS_PER_YEAR) / 12
FEE_EVERY_DAYS = 30  # a fixed late fee is charged once per missed monthly payment


@dataclass(frozen=True, slots=True)
class Assessment:
    all_in_annual_rate: Decimal | None  # simple annual rate, interest + penalty + fees
    line: Decimal | None  # the legal line applied, as an annual fraction
    exceeds: bool
    interest_above_line: Decimal | None  # yuan, over the loan's life
    # ---- details for replies ----
    legal_line: LegalLine | None = None  # kind, source, mark, LPR used
    interest_rate: Decimal | None = None  # part 1 alone (annual fraction)
    lateness_rate: Decimal | None = None  # part 2 alone (annual fraction), while overdue
    method: str | None = None  # "irr" (installments) or "quoted" (the rate as told)
    effective_annual: Decimal | None = None  # installments: the compounded annual rate
    # Above 36%: possible illegal lending, which concerns unlicensed lenders only, so never set
    # for a licensed lender (a licensed small-loan company is not lending illegally).
    over_criminal_line: bool = False
    # Lender unknown: above the licensed reference line too (the line if it is licensed).
    exceeds_licensed_line: bool = False
    term_days: int | None = None  # "single": days from the contract date to the one payment

    @property
    def line_kind(self) -> LineKind | None:
        return self.legal_line.kind if self.legal_line else None

    @property
    def lpr_date(self) -> date | None:
        """The effective date of the LPR the check used (None for licensed lenders)."""
        lpr = self.legal_line.lpr if self.legal_line else None
        return lpr.effective if lpr else None

    @property
    def source(self) -> str | None:
        return self.legal_line.source if self.legal_line else None


def assess(debt: Debt, facts: Facts, today: date) -> Assessment:
    line = line_for(debt, facts, today)
    interest = _interest(debt, today)
    lateness = _lateness(debt)
    rates = [r for r in (interest.rate, lateness.rate if lateness else None) if r is not None]
    all_in = sum(rates, Decimal(0)) if rates else None
    if line is None:
        return Assessment(
            all_in_annual_rate=all_in,
            line=None,
            exceeds=False,
            interest_above_line=None,
            interest_rate=interest.rate,
            lateness_rate=lateness.rate if lateness else None,
            method=interest.method,
            effective_annual=interest.effective,
        )
    above = _interest_above(debt, line, interest, lateness, today)
    shown = _as_shown(all_in)
    criminal = facts.legal.criminal_reference.rate if facts.legal else None
    if line.kind is LineKind.LICENSED:
        criminal = None
    licensed = line.licensed.rate if line.licensed is not None else None
    return Assessment(
        all_in_annual_rate=all_in,
        line=line.rate,
        exceeds=shown is not None and shown > line.rate,
        interest_above_line=above,
        legal_line=line,
        interest_rate=interest.rate,
        lateness_rate=lateness.rate if lateness else None,
        method=interest.method,
        effective_annual=interest.effective,
        over_criminal_line=bool(shown is not None and criminal and shown > criminal),
        exceeds_licensed_line=bool(shown is not None and licensed and shown > licensed),
        term_days=_term_days(interest),
    )


# Rates are shown to 0.01%; a rate that shows as the line itself is not "above" it (945.60 x 12
# on 10,000 is 24.0006%, only because the payment was rounded to the fen).
SHOWN_PLACES = Decimal("0.0001")


def _as_shown(rate: Decimal | None) -> Decimal | None:
    return None if rate is None else rate.quantize(SHOWN_PLACES, rounding=ROUND_HALF_UP)


# ---- part 1: interest -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Interest:
    rate: Decimal | None = None
    method: str | None = None
    effective: Decimal | None = None
    irr: AprResult | None = None
    life: tuple[date, date] | None = None  # first and last day the interest runs


def _interest(debt: Debt, today: date) -> _Interest:
    principal = debt.principal
    terms = debt.installments
    single = _single_payment(debt)
    if single is not None:
        return single
    if terms is not None and principal is not None:
        result = installment_apr(principal, terms.payment, terms.periods, terms.period)
        if result is not None:
            life = None
            if debt.contract_date is not None:
                days = _schedule_days(terms.periods, terms.period)
                life = (debt.contract_date, debt.contract_date + timedelta(days=days))
            return _Interest(result.nominal_annual, "irr", result.effective_annual, result, life)
    if debt.rate is None:
        return _Interest()
    annual = debt.rate.rate().annual_simple()
    life = _quoted_life(debt, today)
    if debt.borrowed and debt.received and debt.received < debt.borrowed:
        annual = annual * debt.borrowed / debt.received  # interest runs on the contract amount
        years = _years(life)
        if years:
            annual += (debt.borrowed - debt.received) / debt.received / years
    return _Interest(annual, "quoted", life=life)


def _term_days(interest: _Interest) -> int | None:
    if interest.method != "single" or interest.life is None:
        return None
    return (interest.life[1] - interest.life[0]).days


def _single_payment(debt: Debt) -> _Interest | None:
    """One payment on a known day (a 7-day or 14-day loan): the period is the real number of
    days from the contract date to the due date, not a month, so the rate is the interest over
    the money received, per year of those days (simple; compounding a week-long loan over a
    year gives a meaningless number)."""
    terms, principal, due = debt.installments, debt.principal, debt.due
    if terms is None or terms.periods != 1 or principal is None or debt.contract_date is None:
        return None
    if due is None or due.on_date is None or due.on_date <= debt.contract_date:
        return None
    days = (due.on_date - debt.contract_date).days
    rate = (terms.payment - principal) / principal * DAYS_PER_YEAR / days
    return _Interest(rate, "single", None, None, (debt.contract_date, due.on_date))


def _schedule_days(periods: int, period: Period) -> int:
    if period is Period.DAY:
        return periods
    if period is Period.YEAR:
        return periods * DAYS_PER_YEAR
    return int(periods * DAYS_PER_MONTH)


def _quoted_life(debt: Debt, today: date) -> tuple[date, date] | None:
    if debt.contract_date is None or debt.contract_date >= today:
        return None
    end = today
    if debt.due is not None and debt.due.on_date is not None and debt.due.on_date > today:
        end = debt.due.on_date
    return (debt.contract_date, end)


def _years(life: tuple[date, date] | None) -> Decimal | None:
    if life is None:
        return None
    days = (life[1] - life[0]).days
    return Decimal(days) / DAYS_PER_YEAR if days > 0 else None


# ---- part 2: lateness -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Lateness:
    rate: Decimal
    charges: Decimal  # yuan: penalty interest + fees over the days overdue
    base: Decimal
    days: int


def _lateness(debt: Debt) -> _Lateness | None:
    penalty = debt.penalty
    days = debt.days_overdue or 0
    base = debt.remaining_principal or debt.principal
    if penalty is None or days <= 0 or not base:
        return None
    charges = Decimal(0)
    if penalty.daily_rate:
        charges += base * penalty.daily_rate * days
    if penalty.fixed_fee:
        monthly = debt.installments is not None or (
            debt.due is not None and debt.due.day_of_month is not None
        )
        missed = max(1, math.ceil(days / FEE_EVERY_DAYS)) if monthly else 1
        charges += penalty.fixed_fee * missed
    rate = charges * DAYS_PER_YEAR / (base * days)
    return _Lateness(rate=rate, charges=charges, base=base, days=days)


# ---- interest above the line ------------------------------------------------------------------


def _interest_above(
    debt: Debt,
    line: LegalLine,
    interest: _Interest,
    lateness: _Lateness | None,
    today: date,
) -> Decimal | None:
    parts: list[Decimal] = []
    normal = _normal_above(debt, line, interest)
    if normal is not None:
        parts.append(normal)
    if lateness is not None:
        room = max(Decimal(0), line.rate - (interest.rate or Decimal(0)))
        allowed = room * lateness.base * lateness.days / DAYS_PER_YEAR
        parts.append(max(Decimal(0), lateness.charges - allowed))
    if not parts:
        return None
    return yuan(sum(parts, Decimal(0)))


def _normal_above(debt: Debt, line: LegalLine, interest: _Interest) -> Decimal | None:
    principal = debt.principal
    if interest.rate is None or principal is None:
        return None
    rate_line = line.rate if interest.life is None else line_over_days(line, *interest.life)
    terms = debt.installments
    if interest.method == "single" and terms is not None and interest.life is not None:
        days = (interest.life[1] - interest.life[0]).days
        allowed = principal * rate_line * days / DAYS_PER_YEAR
        return max(Decimal(0), terms.payment - principal - allowed)
    if interest.method == "irr" and terms is not None:
        paid = terms.payment * terms.periods - principal
        per_period = rate_line / PERIODS_PER_YEAR[terms.period]
        allowed = annuity_payment(principal, per_period, terms.periods) * terms.periods - principal
        return max(Decimal(0), paid - allowed)
    years = _years(interest.life)
    if years is None:
        return None
    return max(Decimal(0), principal * (interest.rate - rate_line) * years)


def annuity_payment(principal: Decimal, per_period: Decimal, periods: int) -> Decimal:
    # 等额本息: equal installments of principal and interest
    """The equal payment that repays `principal` with interest `per_period` (an annuity)."""
    if per_period == 0:
        return principal / periods
    return principal * per_period / (1 - (1 + per_period) ** -periods)
