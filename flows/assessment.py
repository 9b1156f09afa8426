"""What one debt really costs and whether the law protects it: the seam the plan reads.

PLACEHOLDER until the legal check of step 2 lands: it knows only the quoted rate and never
says a line is exceeded.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from flows.facts import Facts
from flows.ledger import Debt


@dataclass(frozen=True, slots=True)
class Assessment:
    all_in_annual_rate: Decimal | None  # simple annual rate, interest + penalty + fees
    line: Decimal | None  # the legal line applied, as an annual fraction
    exceeds: bool
    interest_above_line: Decimal | None  # yuan, over the loan's life


def assess(debt: Debt, facts: Facts, today: date) -> Assessment:
    annual = debt.rate.rate().annual_simple() if debt.rate else None
    return Assessment(all_in_annual_rate=annual, line=None, exceeds=False, interest_above_line=None)
