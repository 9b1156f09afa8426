"""Late-payment terms as typed: a penalty rate, a fixed fee, or both."""

from __future__ import annotations

import re
from decimal import Decimal

from flows.domain.context import Context
from flows.domain.formatting import money_text, percent_text
from flows.domain.ledger import PenaltyRule, RateQuote
from flows.domain.money import Period
from flows.domain.parsing.amounts import check_amount, parse_amount
from flows.domain.parsing.answers import Ask, Invalid, Option, Parsed, ParseResult
from flows.domain.parsing.numerals import (
    _YUAN_WORDS,
    MAX_INPUT,
    _strip_words,
    normalise,
    number_value,
)
from flows.domain.parsing.rates import _plausible, parse_rate

_PENALTY_NAMES = (
    "\u7f5a\u606f",  # faxi (penalty interest)
    "\u903e\u671f\u8d39",  # yuqi fei (late fee)
    "\u6ede\u7eb3\u91d1",  # zhinajin (late charge)
    "\u8fdd\u7ea6\u91d1",  # weiyuejin (liquidated damages)
    "\u7f5a\u91d1",  # fajin (fine)
    "\u903e\u671f",  # yuqi (overdue)
    "\u6536",  # shou (charges)
)
_FEE_MARKS = (
    "\u6bcf\u6b21",  # meici (each time)
    "\u6bcf\u671f",  # meiqi (each installment)
    "\u6bcf\u7b14",  # meibi (each loan)
    "\u4e00\u6b21",  # yici (once)
)
_PENALTY_SPLIT = re.compile(r"[+;\u548c\u3001\u52a0]|,(?!\d{3})")  # plus, he, dunhao, jia
_NONE_WORDS = (
    "\u6ca1\u6709",  # meiyou (none)
    "\u65e0",  # wu (none)
    "\u6ca1\u6709\u7f5a\u606f",  # meiyou faxi (no penalty)
    "\u4e0d\u6536",  # bu shou (not charged)
    "0",
)


DAILY_PLACES = Decimal("1e-10")  # a daily rate converted from a monthly one is not exact


def parse_penalty(raw: str, ctx: Context | None = None) -> ParseResult[PenaltyRule]:
    # e.g. "罚息日万五" (penalty 0.05% a day), "0.1%/天", "每次100元" (100 yuan each time),
    # "日万五+每次50元" (both), "没有" (none).
    """What lateness costs: a penalty rate (converted to a daily rate), a fixed fee per
    occurrence, or both. "None" means no penalty."""
    cleaned = normalise(raw)
    if not cleaned or len(cleaned) > MAX_INPUT:
        return Invalid("parsing.penalty.not_understood")
    if cleaned in _NONE_WORDS:
        return Parsed(PenaltyRule(daily_rate=Decimal(0)))
    rates: list[ParseResult[RateQuote]] = []
    fees: list[ParseResult[Decimal]] = []
    for part in filter(None, _PENALTY_SPLIT.split(cleaned)):
        part = _strip_words(part, _PENALTY_NAMES)
        if any(mark in part for mark in _FEE_MARKS) or part.endswith(_YUAN_WORDS):
            for mark in _FEE_MARKS:
                part = part.replace(mark, "")
            fees.append(parse_amount(part))
        elif number_value(part) is not None:
            return _bare_penalty(part, raw)
        else:
            rates.append(parse_rate(part))
    if len(rates) > 1 or len(fees) > 1 or not (rates or fees):
        return Invalid("parsing.penalty.not_understood")
    return _combine_penalty(rates[0] if rates else None, fees[0] if fees else None)


def _combine_penalty(
    rate: ParseResult[RateQuote] | None, fee: ParseResult[Decimal] | None
) -> ParseResult[PenaltyRule]:
    if isinstance(fee, Invalid):
        return fee
    if isinstance(rate, Invalid):
        return rate
    fixed_fee = fee.value if isinstance(fee, Parsed) else None
    if isinstance(rate, Ask):
        return Ask(
            rate.question,
            tuple(
                Option(o.label, _penalty(o.value, fixed_fee), o.label_values) for o in rate.options
            ),
            rate.values,
        )
    quote = rate.value if isinstance(rate, Parsed) else None
    return Parsed(_penalty(quote, fixed_fee))


def _penalty(quote: RateQuote | None, fixed_fee: Decimal | None) -> PenaltyRule:
    daily = None if quote is None else quote.rate().daily_simple().quantize(DAILY_PLACES)
    return PenaltyRule(daily_rate=daily, fixed_fee=fixed_fee)


def _bare_penalty(part: str, raw: str) -> ParseResult[PenaltyRule]:
    """A number alone: yuan per late payment, or a daily rate in percent? Ask."""
    number = number_value(part)
    assert number is not None
    options: list[Option[PenaltyRule]] = []
    fee = check_amount(number)
    if isinstance(fee, Parsed):
        options.append(
            Option(
                "parsing.penalty.option_fee",
                PenaltyRule(fixed_fee=fee.value),
                {"fee": money_text(fee.value)},
            )
        )
    daily = RateQuote(per_period=number / 100, period=Period.DAY)
    if _plausible(daily):
        options.append(
            Option(
                "parsing.penalty.option_daily",
                PenaltyRule(daily_rate=daily.per_period),
                {
                    "rate": percent_text(daily.per_period, 4),
                    "annual": percent_text(daily.rate().annual_simple()),
                },
            )
        )
    if not options:
        return Invalid("parsing.penalty.not_understood")
    question = "parsing.penalty.confirm" if len(options) == 1 else "parsing.penalty.which"
    return Ask(question, tuple(options), {"typed": raw.strip()[:MAX_INPUT]})
