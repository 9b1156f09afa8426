"""How long: days overdue (三个多月, 半年) and the number of installments."""

from __future__ import annotations

import re
from decimal import Decimal

from flows.domain.context import Context
from flows.domain.parsing.answers import Ask, Invalid, Option, Parsed, ParseResult
from flows.domain.parsing.dates import _today, parse_past_date
from flows.domain.parsing.numerals import (
    _APPROX_WORDS,
    _DIGITS,
    _NEGATIVE_WORDS,
    _SMALL_UNITS,
    MAX_INPUT,
    _strip_words,
    normalise,
    number_value,
)

MAX_DAYS_OVERDUE = 36500
_NOT_OVERDUE_WORDS = (
    "\u6ca1\u903e\u671f",  # mei yuqi (not overdue)
    "\u672a\u903e\u671f",  # wei yuqi (not overdue)
    "\u8fd8\u6ca1\u903e\u671f",  # hai mei yuqi (not overdue yet)
    "\u6ca1\u6709\u903e\u671f",  # meiyou yuqi (not overdue)
    "\u6ca1\u6709",  # meiyou (none)
    "\u6ca1",  # mei (no)
    "\u65e0",  # wu (none)
)
_OVERDUE_FILLERS = (
    "\u903e\u671f\u4e86",  # yuqi le (overdue)
    "\u903e\u671f",  # yuqi (overdue)
    "\u5df2\u7ecf",  # yijing (already)
    "\u5df2",  # yi (already)
    "\u4e86",  # le
    *_APPROX_WORDS,
)
_DAY_UNITS = ("\u5929", "\u65e5", "days", "day", "d")  # tian, ri (day)
_WEEK_UNITS = ("\u4e2a\u661f\u671f", "\u661f\u671f", "\u5468", "weeks", "week")  # week
_MONTH_UNITS = ("\u4e2a\u6708", "months", "month")  # ge yue (month)
_YEAR_UNITS = ("\u5e74", "years", "year")  # nian (year)
_HALF = "\u534a"  # ban (half)
DAYS_PER_MONTH_ESTIMATE = 30
_DUO = "\u591a"  # duo: "yi ge duo yue" (a month and more), "20 duo tian" (20-odd days)
_MORE_AFTER = re.compile(
    "(?<=[0-9" + "".join(_DIGITS) + "".join(_SMALL_UNITS) + "\u4e2a\u534a])" + _DUO  # ge, ban
)
_MORE_ENDINGS = (_DUO, "\u51fa\u5934")  # duo, chutou ("a month chutou": just over a month)
_NEARLY_WORDS = (
    "\u5feb",  # kuai (almost)
    "\u5c06\u8fd1",  # jiangjin (nearly)
    "\u63a5\u8fd1",  # jiejin (close to)
    "\u4e0d\u5230",  # budao (not quite)
)


def parse_days_overdue(raw: str, ctx: Context | None = None) -> ParseResult[int]:
    # e.g. "30天" (30 days), "两周" (two weeks), "0"/"没逾期" (not overdue); "3个月" (3 months)
    """How many days a payment is late: days, weeks, "not overdue", or the date it fell due.

    Months and years are not a whole number of days: "3 months" is asked back as
    "about 90 days?".
    """
    cleaned = normalise(raw)
    if len(cleaned) > MAX_INPUT:
        return Invalid("parsing.days.not_understood")
    if cleaned in _NOT_OVERDUE_WORDS:
        return Parsed(0)
    cleaned = _strip_words(cleaned, _OVERDUE_FILLERS)
    if cleaned.startswith(_NEGATIVE_WORDS):
        return Invalid("parsing.days.negative")
    cleaned, vague = _without_vague_words(cleaned)
    # "一个半月" (a month and a half) is said with the half before the unit: "一个月半".
    cleaned = cleaned.replace("\u4e2a\u534a\u6708", "\u4e2a\u6708\u534a")
    cleaned = cleaned.replace("\u4e2a\u534a\u661f\u671f", "\u4e2a\u661f\u671f\u534a")
    exact = _count_with_units(cleaned, ("", *_DAY_UNITS), 1)
    if exact is None:
        exact = _count_with_units(cleaned, _WEEK_UNITS, 7)
    if exact is not None and vague:
        # "20 duo tian", "kuai 10 tian": a rough count, confirmed before it is used.
        return _about_days(exact, raw, vague)
    if exact is not None:
        return _days_in_range(exact)
    months = _count_with_units(cleaned, _MONTH_UNITS, 1)
    if months is None:
        years = _count_with_units(cleaned, _YEAR_UNITS, 1)
        months = None if years is None else years * 12
    if months is not None:
        return _about_days(months * DAYS_PER_MONTH_ESTIMATE, raw, vague or "about")
    since = parse_past_date(raw, ctx)
    today = _today(ctx)
    if isinstance(since, Parsed) and today is not None:
        return _days_in_range((today - since.value).days)
    if isinstance(since, Ask) and today is not None:
        # "10月1日" without a year: the days since each possible year's day, most recent first.
        options = tuple(
            Option(
                "parsing.days.option_since",
                (today - o.value).days,
                {"days": str((today - o.value).days), "date": o.value.isoformat()},
            )
            for o in sorted(since.options, key=lambda o: o.value, reverse=True)
            if isinstance(_days_in_range((today - o.value).days), Parsed)
        )
        if options:
            return Ask("parsing.days.about", options, {"typed": raw.strip()[:MAX_INPUT]})
    if isinstance(since, Invalid) and since.reason == "parsing.date.future":
        return Invalid("parsing.days.future")
    return Invalid("parsing.days.not_understood")


def _without_vague_words(cleaned: str) -> tuple[str, str]:
    """The count without "duo" (more than) or "kuai" (almost), and which one it had: "more",
    "nearly" or ""."""
    for word in _NEARLY_WORDS:
        if cleaned.startswith(word) and len(cleaned) > len(word):
            return cleaned[len(word) :], "nearly"
    without = _MORE_AFTER.sub("", cleaned, count=1)
    if without != cleaned:
        return without, "more"
    for ending in _MORE_ENDINGS:
        if cleaned.endswith(ending) and len(cleaned) > len(ending):
            return cleaned[: -len(ending)], "more"
    return cleaned, ""


def _about_days(days: Decimal | int, raw: str, vague: str) -> ParseResult[int]:
    """Ask back a rough count of days: at least `days` for "more", about `days` otherwise."""
    about = int(days)
    checked = _days_in_range(about)
    if not isinstance(checked, Parsed):
        return checked
    question = "parsing.days.about_more" if vague == "more" else "parsing.days.about"
    return Ask(
        question,
        (Option("parsing.days.option_about", about, {"days": str(about)}),),
        {"typed": raw.strip()[:MAX_INPUT]},
    )


def _count_with_units(cleaned: str, units: tuple[str, ...], scale: int) -> Decimal | None:
    # "3个月" with month units -> 3; "半个月" (half a month) -> 0.5; "一年半" -> 1.5
    """A count of `units` times `scale`, halves included; None if no unit fits."""
    for unit in sorted(units, key=len, reverse=True):
        if unit and unit not in cleaned:
            continue
        head, _, tail = cleaned.partition(unit) if unit else (cleaned, "", "")
        half = Decimal("0.5") if tail == _HALF else Decimal(0)
        if tail and not half:
            continue
        # "半个月": half a month
        if head in (_HALF, _HALF + "\u4e2a"):
            return Decimal("0.5") * scale
        count = number_value(head.removesuffix("\u4e2a"))  # ge: the measure word
        if count is not None:
            return (count + half) * scale
    return None


def _days_in_range(days: Decimal | int) -> ParseResult[int]:
    if days != int(days):
        return Invalid("parsing.days.not_understood")
    if days < 0:
        return Invalid("parsing.days.negative")
    if days > MAX_DAYS_OVERDUE:
        return Invalid("parsing.days.too_many")
    return Parsed(int(days))


MAX_PERIODS = 600
_PERIOD_COUNT_UNITS = ("\u671f", "\u4e2a\u6708", "\u6708", "\u6b21")  # qi, ge yue, yue, ci


def parse_periods(raw: str, ctx: Context | None = None) -> ParseResult[int]:
    # e.g. "12", "12期", "十二期", "12个月", "2年" (24)
    """How many monthly payments: a number of installments or months, or years (x 12)."""
    cleaned = _strip_words(normalise(raw), ("\u5206", "\u5171", "\u4e00\u5171"))  # fen, gong
    if len(cleaned) > MAX_INPUT:
        return Invalid("parsing.periods.not_understood")
    count = _count_with_units(cleaned, ("", *_PERIOD_COUNT_UNITS), 1)
    if count is None:
        years = _count_with_units(cleaned, _YEAR_UNITS, 1)
        count = None if years is None else years * 12
    if count is None or count != int(count):
        return Invalid("parsing.periods.not_understood")
    if not 1 <= count <= MAX_PERIODS:
        return Invalid("parsing.periods.range")
    return Parsed(int(count))
