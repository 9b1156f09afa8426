"""Amounts of money as typed: 1.5万, 两千五, ranges, 'nothing', with their bounds."""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal

from flows.domain.context import Context
from flows.domain.money import yuan
from flows.domain.parsing.answers import Invalid, Parsed, ParseResult
from flows.domain.parsing.numerals import (
    _APPROX_WORDS,
    _LABEL_WORDS,
    _NEGATIVE_WORDS,
    _PER_PERIOD_WORDS,
    _RANGE_SPLIT,
    _RANGE_WORDS,
    _SPLIT_NUMBER,
    _YUAN_WORDS,
    MAX_AMOUNT,
    MAX_INPUT,
    _strip_words,
    normalise,
    number_value,
)


def parse_amount(raw: str, ctx: Context | None = None) -> ParseResult[Decimal]:
    # Examples people type: "1.5万", "两千五" (2500), "¥2,000", "2k".
    """An amount of money in yuan, more than zero, as people type it."""
    return _amount(raw, allow_zero=False)


def parse_amount_or_zero(raw: str, ctx: Context | None = None) -> ParseResult[Decimal]:
    # "Nothing" as typed: "0", "没有" (none).
    """An amount where nothing is a real answer ("0", "none"): spending, amount owed now."""
    return _amount(raw, allow_zero=True)


_NOTHING_WORDS = (
    "\u6ca1\u6709",  # meiyou (none)
    "\u65e0",  # wu (none)
    "\u96f6",  # ling (zero)
)


def _amount(raw: str, *, allow_zero: bool) -> ParseResult[Decimal]:
    if _SPLIT_NUMBER.search(unicodedata.normalize("NFKC", raw)):
        return Invalid("parsing.amount.not_number")  # "12 34": two numbers, not 1234
    cleaned = _strip_amount_words(normalise(raw))
    if len(cleaned) > MAX_INPUT:
        return Invalid("parsing.amount.not_number")
    if allow_zero and cleaned in _NOTHING_WORDS:
        return Parsed(yuan(0))
    if cleaned.startswith(_NEGATIVE_WORDS):
        return Invalid("parsing.amount.negative")
    if any(word in cleaned for word in _RANGE_WORDS) or re.search(r"\d-\d", cleaned):
        return Invalid("parsing.amount.range")
    value = number_value(cleaned)
    if value is None:
        value = _amount_in_sentence(raw)
    if value is None:
        return Invalid("parsing.amount.not_number")
    return check_amount(value, allow_zero=allow_zero)


def _amount_in_sentence(raw: str) -> Decimal | None:
    # "到手也是15000" (received 15,000 too), "还剩8000没还" (8,000 left unpaid).
    """The one amount inside a sentence, when it is not counted per some other period than the
    question's (a daily amount is read by the monthly questions, flows.sentences)."""
    from flows.domain.parsing.sentences import (
        amount_in_sentence,  # it reads numbers with this module
    )

    said = amount_in_sentence(raw)
    if said is None or said.per not in (None, "month"):
        return None
    return said.value


def range_ends(raw: str) -> tuple[str, str] | None:
    """The two ends, as typed, of an amount said as a range ("3000到6000"); None if not two."""
    parts = _RANGE_SPLIT.split(raw.strip(), maxsplit=1)
    return (parts[0], parts[1]) if len(parts) == 2 else None


def check_amount(value: Decimal, *, allow_zero: bool = False) -> ParseResult[Decimal]:
    """The limits every amount obeys: not negative, not zero unless allowed, at most 10^9."""
    if value < 0:
        return Invalid("parsing.amount.negative")
    if value > MAX_AMOUNT:
        return Invalid("parsing.amount.too_big")
    amount = yuan(value)
    if amount == 0 and not allow_zero:
        return Invalid("parsing.amount.zero")
    return Parsed(amount)


def _strip_amount_words(cleaned: str) -> str:
    return _strip_words(cleaned, (*_YUAN_WORDS, *_APPROX_WORDS, *_PER_PERIOD_WORDS, *_LABEL_WORDS))
