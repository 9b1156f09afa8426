"""Amounts and days typed in steps 5-7: "3000", "1.5万", "2千元"; "今天", "11月20日", "2026-11-20".

A small stand-in: the full Chinese amount parser of step 2 lives in flows/parsing.py once it
lands, and the lead may switch `parse_amount` here to it.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from flows.answers import Invalid, Parsed, ParseResult
from flows.core import Context
from flows.money import yuan

# Chinese units and date words are written as escapes: no Chinese text in .py files.
MAX_AMOUNT = Decimal(100_000_000)  # yuan; anything bigger is a typo
_AMOUNT = re.compile(
    r"^[¥\uffe5]?(\d+(?:\.\d+)?)(\u4e07|w|\u5343|k)?(\u5143|\u5757|\u5757\u94b1|rmb)?$",
    re.IGNORECASE,
)
_UNITS = {"\u4e07": 10_000, "w": 10_000, "\u5343": 1_000, "k": 1_000}
_FULL_DATE = re.compile(r"^(\d{4})[-/.\u5e74](\d{1,2})[-/.\u6708](\d{1,2})[\u65e5\u53f7]?$")
_MONTH_DAY = re.compile(r"^(\d{1,2})[-/.\u6708](\d{1,2})[\u65e5\u53f7]?$")
_DAY = re.compile(r"^(\d{1,2})[\u65e5\u53f7]$")
_RELATIVE = {
    "\u4eca\u5929": 0,
    "\u4eca\u65e5": 0,
    "\u6628\u5929": 1,
    "\u6628\u65e5": 1,
    "\u524d\u5929": 2,
    "today": 0,
    "yesterday": 1,
}


def format_amount(amount: Decimal) -> str:
    """12,000 or 1,234.50: whole yuan without decimals."""
    amount = yuan(amount)
    return f"{amount:,.0f}" if amount == amount.to_integral_value() else f"{amount:,.2f}"


def parse_amount(raw: str, ctx: Context | None = None) -> ParseResult[Decimal]:
    """A positive yuan amount, at most 100 million."""
    cleaned = re.sub(r"[\s,\uff0c]", "", raw)
    match = _AMOUNT.match(cleaned)
    if not match:
        if cleaned.startswith("-"):
            return Invalid("amounts.negative")
        return Invalid("amounts.not_amount")
    try:
        value = Decimal(match.group(1)) * _UNITS.get((match.group(2) or "").lower(), 1)
    except InvalidOperation:
        return Invalid("amounts.not_amount")
    if value <= 0:
        return Invalid("amounts.zero")
    if value > MAX_AMOUNT:
        return Invalid("amounts.too_big")
    return Parsed(yuan(value))


def parse_day(raw: str, ctx: Context) -> ParseResult[date]:
    """A day not in the future: 今天/昨天/前天, 2026-11-20, 11月20日, 11-20, 20号."""
    today = ctx.now.date()
    cleaned = re.sub(r"\s", "", raw).lower()
    if cleaned in _RELATIVE:
        return Parsed(today - timedelta(days=_RELATIVE[cleaned]))
    day = _calendar_day(cleaned, today)
    if day is None:
        return Invalid("days.not_a_day")
    if day > today:
        return Invalid("days.in_future")
    return Parsed(day)


def _calendar_day(cleaned: str, today: date) -> date | None:
    try:
        if match := _FULL_DATE.match(cleaned):
            return date(int(match[1]), int(match[2]), int(match[3]))
        if match := _MONTH_DAY.match(cleaned):
            day = date(today.year, int(match[1]), int(match[2]))
            # "12月30日" typed in January means last year's.
            return day if day <= today else day.replace(year=today.year - 1)
        if match := _DAY.match(cleaned):
            day = date(today.year, today.month, int(match[1]))
            if day <= today:
                return day
            previous = today.replace(day=1) - timedelta(days=1)
            return previous.replace(day=int(match[1]))
    except ValueError:
        return None
    return None
