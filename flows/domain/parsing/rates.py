"""Interest rates as people quote them (日息万五, 月息2分, 年化24%), each naming its period."""

from __future__ import annotations

import re
from decimal import Decimal

from flows.domain.context import Context
from flows.domain.formatting import percent_text
from flows.domain.ledger import RateQuote
from flows.domain.money import Period
from flows.domain.parsing.answers import Ask, Invalid, Option, Parsed, ParseResult
from flows.domain.parsing.numerals import (
    _APPROX_WORDS,
    _DIGITS,
    _NEGATIVE_WORDS,
    _WAN,
    MAX_INPUT,
    _strip_words,
    normalise,
    number_value,
)

MAX_ANNUAL_RATE = Decimal(10)  # 1000% a year: beyond any real loan, so a typo
PLAUSIBLE_MIN_ANNUAL = Decimal("0.001")  # 0.1% a year: below this a reading is not meant

# Words naming the period, longest first so "/month" wins over "month".
_PERIOD_WORDS: tuple[tuple[str, Period], ...] = tuple(
    sorted(
        (
            ("\u65e5\u5229\u7387", Period.DAY),  # ri lilv (daily rate)
            ("\u65e5\u8d39\u7387", Period.DAY),  # ri feilv (daily fee rate)
            ("\u65e5\u606f", Period.DAY),  # ri xi (daily interest)
            ("\u65e5\u5229", Period.DAY),  # ri li
            ("\u6bcf\u65e5", Period.DAY),  # mei ri (each day)
            ("\u6bcf\u5929", Period.DAY),  # mei tian (each day)
            ("\u4e00\u5929", Period.DAY),  # yi tian (one day)
            ("\u65e5", Period.DAY),  # ri (day)
            ("\u5929", Period.DAY),  # tian (day)
            ("daily", Period.DAY),
            ("perday", Period.DAY),
            ("day", Period.DAY),
            ("\u6708\u5229\u7387", Period.MONTH),  # yue lilv (monthly rate)
            ("\u6708\u8d39\u7387", Period.MONTH),  # yue feilv (monthly fee rate)
            ("\u6708\u606f", Period.MONTH),  # yue xi (monthly interest)
            ("\u6708\u5229", Period.MONTH),  # yue li
            ("\u6bcf\u6708", Period.MONTH),  # mei yue (each month)
            ("\u4e00\u4e2a\u6708", Period.MONTH),  # yi ge yue (one month)
            ("\u6708", Period.MONTH),  # yue (month)
            ("monthly", Period.MONTH),
            ("permonth", Period.MONTH),
            ("month", Period.MONTH),
            ("\u5e74\u5316\u5229\u7387", Period.YEAR),  # nianhua lilv (annualised rate)
            ("\u7efc\u5408\u5e74\u5316", Period.YEAR),  # zonghe nianhua (all-in annualised)
            ("\u5e74\u5316", Period.YEAR),  # nianhua (annualised)
            ("\u5e74\u5229\u7387", Period.YEAR),  # nian lilv (annual rate)
            ("\u5e74\u8d39\u7387", Period.YEAR),  # nian feilv (annual fee rate)
            ("\u5e74\u606f", Period.YEAR),  # nian xi (annual interest)
            ("\u5e74\u5229", Period.YEAR),  # nian li
            ("\u6bcf\u5e74", Period.YEAR),  # mei nian (each year)
            ("\u5e74", Period.YEAR),  # nian (year)
            ("apr", Period.YEAR),
            ("annual", Period.YEAR),
            ("yearly", Period.YEAR),
            ("peryear", Period.YEAR),
            ("year", Period.YEAR),
        ),
        key=lambda pair: -len(pair[0]),
    )
)
_RATE_FILLERS = (
    "\u5229\u7387",  # lilv (rate)
    "\u5229\u606f",  # lixi (interest)
    "\u8d39\u7387",  # feilv (fee rate)
    "\u662f",  # shi (is)
    "\u4e3a",  # wei (is)
    "\u7684",  # de
    "\u6536",  # shou (charges)
    "/",
    "per",
    "a",
    *_APPROX_WORDS,
)
_FREE_WORDS = (
    "\u514d\u606f",  # mianxi (interest-free)
    "\u65e0\u606f",  # wuxi (no interest)
    "\u6ca1\u6709\u5229\u606f",  # meiyou lixi (no interest)
    "\u4e0d\u8981\u5229\u606f",  # buyao lixi (no interest)
    "\u6ca1\u5229\u606f",  # mei lixi (no interest)
    "\u65e0\u5229\u606f",  # wu lixi (no interest)
    "\u96f6\u5229\u606f",  # ling lixi (zero interest)
    "0\u5229\u606f",  # 0 lixi
    "\u4e0d\u6536\u5229\u606f",  # bu shou lixi (charges no interest)
    "\u4e0d\u7b97\u5229\u606f",  # bu suan lixi (no interest counted)
    "\u6ca1\u606f",  # mei xi (no interest)
    "\u514d\u5229\u606f",  # mian lixi (interest-free)
)
_PERCENT_OF = "\u767e\u5206\u4e4b"  # baifenzhi (percent)
_PER_TEN_THOUSAND = "\u4e07\u5206\u4e4b"  # wanfenzhi (per ten thousand)
_PER_THOUSAND = "\u5343\u5206\u4e4b"  # qianfenzhi (per thousand)
_FEN = "\u5206"  # fen: a tenth of the period's unit (monthly 1 fen = 1%)
_LI = "\u5398"  # li: a tenth of a fen
_PLAIN_NUMBER = re.compile(r"[\d.]+|[" + "".join(_DIGITS) + "\u5341]{1,4}")  # shi (ten)
_SMALL_NUMBER = re.compile(r"[\d.]+|[" + "".join(_DIGITS) + r"]{1,2}")
# One fen per period, as a fraction (facts section 7: month 1 fen = 1%, year 1 fen = 10%,
# day 1 fen = 0.1%).
FEN_SCALE = {
    Period.DAY: Decimal("0.001"),
    Period.MONTH: Decimal("0.01"),
    Period.YEAR: Decimal("0.1"),
}
PERIODS = (Period.DAY, Period.MONTH, Period.YEAR)


# fei (fee), as in 月费率 (monthly fee rate), 手续费 (handling fee), 服务费 (service fee)
_FEE_RATE_MARK = "\u8d39"


def parse_loan_rate(raw: str, ctx: Context | None = None) -> ParseResult[RateQuote]:
    # Fee rates as written: "月费率0.6%" (monthly fee rate), "手续费" (handling fee).
    """A loan's interest rate. A fee rate ("monthly fee 0.6%") is charged on the original
    principal every period, so it is not an interest rate: the real cost is about 1.5 times
    it for 3 periods, rising to about 1.85 times (data/legal_facts.toml, fee_factor_*); it is
    refused with a pointer to the installment questions."""
    if _FEE_RATE_MARK in normalise(raw):
        facts = getattr(getattr(ctx, "facts", None), "legal_facts", None)
        names = (
            "fee_periods_short",
            "fee_factor_short",
            "fee_periods_long",
            "fee_factor_long",
        )
        values = {n: facts.value(n, "zh-CN") if facts else "" for n in names}
        return Invalid("parsing.rate.fee_rate", values)
    return parse_rate(raw, ctx)


def parse_rate(raw: str, ctx: Context | None = None) -> ParseResult[RateQuote]:
    # As quoted: "日息万五" (0.05% a day), "月息2分" (2% a month), "月利率1.5%", "年化24%".
    # Without a period: "24%", "万五", "2分". A period word without "%": "年化24".
    """A rate as people quote it: a period word (daily, monthly, annual) and a value.

    Without a period ("24%", "wan wu", "2 fen") the answer is a question: which period? Only
    readings between 0.1% and 1000% a year are offered. A number without "%" after a period
    word ("annual 24") is read as a percentage when the other reading is beyond any real loan,
    and asked back when both could be meant.
    """
    cleaned = normalise(raw)
    if not cleaned or len(cleaned) > MAX_INPUT:
        return Invalid("parsing.rate.not_understood")
    if (
        _strip_words(cleaned, ("\u7684", "\u554a", "\u5440", "\u5427")) in _FREE_WORDS
    ):  # de, a, ya, ba
        return Parsed(RateQuote(per_period=Decimal(0), period=Period.YEAR))
    periods, rest = _take_periods(cleaned)
    if len(periods) > 1:
        return Invalid("parsing.rate.two_periods")
    period = periods[0] if periods else None
    rest = _strip_words(rest, _RATE_FILLERS)
    if rest.startswith(_NEGATIVE_WORDS):
        return Invalid("parsing.rate.negative")
    return _rate_from_value(rest, period, raw.strip())


def _take_periods(cleaned: str) -> tuple[list[Period], str]:
    found: list[Period] = []
    for word, period in _PERIOD_WORDS:
        if word in cleaned:
            cleaned = cleaned.replace(word, "")
            if period not in found:
                found.append(period)
    return found, cleaned


def _rate_from_value(rest: str, period: Period | None, typed: str) -> ParseResult[RateQuote]:
    fraction = _explicit_fraction(rest)
    if fraction == 0:
        return Parsed(RateQuote(per_period=Decimal(0), period=period or Period.YEAR))
    if fraction is not None:
        if period is not None:
            return _one_rate(fraction, period)
        return _which_period([RateQuote(per_period=fraction, period=p) for p in PERIODS], typed)
    fen = _fen_count(rest)
    if fen is not None:
        if period is not None:
            return _one_rate(fen * FEN_SCALE[period], period)
        return _which_period(
            [RateQuote(per_period=fen * FEN_SCALE[p], period=p) for p in PERIODS], typed
        )
    bare = number_value(rest)
    if bare is None:
        return Invalid("parsing.rate.not_understood")
    if bare == 0:
        return Parsed(RateQuote(per_period=Decimal(0), period=period or Period.YEAR))
    if period is None:
        return _which_period([RateQuote(per_period=bare / 100, period=p) for p in PERIODS], typed)
    readings = [RateQuote(per_period=bare / 100, period=period)]
    if bare < 1:
        readings.append(RateQuote(per_period=bare, period=period))
    plausible = [q for q in readings if _plausible(q)]
    if len(plausible) == 1:
        return Parsed(plausible[0])
    if not plausible:
        return Invalid("parsing.rate.too_high")
    return _ask_rate("parsing.rate.which_reading", plausible, typed)


def _explicit_fraction(rest: str) -> Decimal | None:
    # e.g. "24%", "0.5‰", "百分之24" (24 percent), "万五", "万分之五" (5 per ten thousand)
    """Values whose size is written out: percent, per mille, per ten thousand."""
    if rest.endswith("%"):
        number = number_value(rest[:-1])
        return None if number is None else number / 100
    if rest.endswith("\u2030"):  # per mille sign
        number = number_value(rest[:-1])
        return None if number is None else number / 1000
    for prefix, divisor in (
        (_PERCENT_OF, 100),
        (_PER_TEN_THOUSAND, 10000),
        (_PER_THOUSAND, 1000),
        (_WAN, 10000),
    ):
        if rest.startswith(prefix):
            tail = rest[len(prefix) :]
            if prefix == _WAN and not _SMALL_NUMBER.fullmatch(tail):
                # "万五万五" is not one rate
                return None
            number = number_value(tail)
            return None if number is None else number / divisor
    return None


def _fen_count(rest: str) -> Decimal | None:
    # "2分" -> 2, "1分5" or "一分五厘" -> 1.5, "5厘" -> 0.5
    """A rate in fen and li (a li is a tenth of a fen), counted in fen."""
    if _FEN not in rest:
        if not rest.endswith(_LI):
            return None
        tenths = number_value(rest[: -len(_LI)])
        return None if tenths is None else tenths / 10
    whole_text, _, tail = rest.partition(_FEN)
    tail = tail.removesuffix(_LI)
    whole = number_value(whole_text)
    tenths = number_value(tail) if tail else Decimal(0)
    if whole is None or tenths is None or tenths >= 10:
        return None
    return whole + tenths / 10


def _one_rate(fraction: Decimal, period: Period) -> ParseResult[RateQuote]:
    quote = RateQuote(per_period=fraction, period=period)
    if quote.rate().annual_simple() > MAX_ANNUAL_RATE:
        return Invalid("parsing.rate.too_high")
    return Parsed(quote)


def _plausible(quote: RateQuote) -> bool:
    annual = quote.rate().annual_simple()
    return PLAUSIBLE_MIN_ANNUAL <= annual <= MAX_ANNUAL_RATE


def _which_period(candidates: list[RateQuote], typed: str) -> ParseResult[RateQuote]:
    plausible = [q for q in candidates if _plausible(q)]
    if not plausible:
        return Invalid("parsing.rate.too_high")
    return _ask_rate("parsing.rate.which_period", plausible, typed)


def _ask_rate(question: str, options: list[RateQuote], typed: str) -> Ask[RateQuote]:
    # One plausible reading is confirmed, not offered as a "which one?" with one choice.
    return Ask(
        "parsing.rate.confirm" if len(options) == 1 else question,
        tuple(
            Option(
                f"parsing.rate.option.{q.period.value}",
                q,
                {
                    "rate": percent_text(q.per_period, 4),
                    "annual": percent_text(q.rate().annual_simple()),
                },
            )
            for q in options
        ),
        {"typed": typed[:MAX_INPUT]},
    )
