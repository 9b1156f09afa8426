"""Amounts the user types: digits with 万/千/k multipliers, currency marks and commas.

MINIMAL stand-in written by the budget/plan branch; the full parser of the debts branch
replaces this file at merge time (same signature).
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from flows.answers import Invalid, Parsed, ParseResult
from flows.core import Context
from flows.money import yuan

MAX_AMOUNT = Decimal("100000000")
# Multipliers: wan (10 000), qian (1 000), k. Written as escapes: no CJK text in .py files.
_MULTIPLIERS = {"\u4e07": Decimal(10000), "\u5343": Decimal(1000), "k": Decimal(1000)}
_NOISE = re.compile(r"[\s,\uff0c\u00a5\uffe5$]|rmb|cny|\u5143|\u5757|\u4eba\u6c11\u5e01")
_CHINESE_DIGITS = dict(
    zip("\u96f6\u4e00\u4e8c\u4e09\u56db\u4e94\u516d\u4e03\u516b\u4e5d", "0123456789", strict=True)
)
_AMOUNT = re.compile(r"(\d+(?:\.\d+)?)([\u4e07\u5343k]?)")


def parse_amount(raw: str, ctx: Context | None = None) -> ParseResult[Decimal]:
    """A positive amount in yuan, rounded to the fen."""
    cleaned = _NOISE.sub("", raw.lower())
    cleaned = "".join(_CHINESE_DIGITS.get(ch, ch) for ch in cleaned)
    match = _AMOUNT.fullmatch(cleaned)
    if match is None:
        return Invalid("budget.amount.not_a_number")
    try:
        value = Decimal(match.group(1)) * _MULTIPLIERS.get(match.group(2), Decimal(1))
    except InvalidOperation:
        return Invalid("budget.amount.not_a_number")
    if value > MAX_AMOUNT:
        return Invalid("budget.amount.too_large")
    if value <= 0:
        return Invalid("budget.amount.not_positive")
    return Parsed(yuan(value))
