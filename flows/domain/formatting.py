"""How numbers appear inside replies: yuan with thousands separators, rates as percentages.

Locale templates get these as plain strings, so both languages show the same figures.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from flows.domain.money import yuan


def money_text(amount: Decimal) -> str:
    """12000 -> "12,000"; 5000.5 -> "5,000.50" (fen shown only when there are any)."""
    rounded = yuan(amount)
    if rounded == rounded.to_integral_value():
        return f"{int(rounded):,}"
    return f"{rounded:,.2f}"


def percent_text(fraction: Decimal, places: int = 2) -> str:
    """0.138 -> "13.8%"; 0.0005 -> "0.05%"; at most `places` decimals, no trailing zeros."""
    value = (fraction * 100).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    shown = f"{value:f}"
    if "." in shown:
        shown = shown.rstrip("0").rstrip(".")
    return f"{shown}%"
