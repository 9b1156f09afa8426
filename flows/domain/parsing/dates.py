"""Dates as typed (2025-03-05, 3月5号, 上个月15号) and the due day of a debt."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

from flows.domain.context import Context
from flows.domain.ledger import DueSpec
from flows.domain.parsing.answers import Ask, Invalid, Option, Parsed, ParseResult
from flows.domain.parsing.numerals import _DIGITS, MAX_INPUT, _strip_words, normalise, number_value
from flows.domain.parsing.rates import _PLAIN_NUMBER

_NUM = "[0-9" + "".join(_DIGITS) + "\u5341]+"  # digits, Chinese digits and shi (ten)
_YEAR_WORD = "\u5e74"  # nian (year)
_MONTH_WORD = "\u6708"  # yue (month)
_DAY_WORDS = "[\u65e5\u53f7]"  # ri, hao (day of month)
_FULL_DATE = (
    re.compile(r"(\d{4}|\d{2})[-/.](\d{1,2})[-/.](\d{1,2})"),
    re.compile(f"({_NUM}){_YEAR_WORD}({_NUM}){_MONTH_WORD}({_NUM}){_DAY_WORDS}?"),
    re.compile(r"(\d{4})(\d{2})(\d{2})"),
)
_MONTH_DAY = (
    re.compile(f"({_NUM}){_MONTH_WORD}({_NUM}){_DAY_WORDS}?"),
    re.compile(r"(\d{1,2})[-/](\d{1,2})"),
)
_YEAR_MONTH = (
    re.compile(f"({_NUM}){_YEAR_WORD}({_NUM}){_MONTH_WORD}(?:{_DAY_WORDS}|\u4efd)?"),  # fen
    re.compile(r"(\d{4})[-/](\d{1,2})"),
)
# Days said relative to today: jintian/jinri (today), zuotian/zuori (yesterday), qiantian (the
# day before), daqiantian (three days ago), mingtian (tomorrow), houtian (the day after).
RELATIVE_DAYS = {
    "\u4eca\u5929": 0,
    "\u4eca\u65e5": 0,
    "\u6628\u5929": -1,
    "\u6628\u65e5": -1,
    "\u524d\u5929": -2,
    "\u5927\u524d\u5929": -3,
    "\u660e\u5929": 1,
    "\u540e\u5929": 2,
    "today": 0,
    "yesterday": -1,
    "tomorrow": 1,
}
# Months relative to this one: xiageyue/xiayue (next), shangeyue/shangyue (last), benyue,
# zhegeyue, zheyue (this), each followed by a day: "xiageyue 5 hao".
_RELATIVE_MONTHS = {
    "\u4e0b\u4e2a\u6708": 1,
    "\u4e0b\u6708": 1,
    "\u4e0a\u4e2a\u6708": -1,
    "\u4e0a\u6708": -1,
    "\u672c\u6708": 0,
    "\u8fd9\u4e2a\u6708": 0,
    "\u8fd9\u6708": 0,
}
_RELATIVE_MONTH_DAY = re.compile(
    "(" + "|".join(sorted(_RELATIVE_MONTHS, key=len, reverse=True)) + f")({_NUM}){_DAY_WORDS}?"
)
FIRST_YEAR = 1990  # online lending did not exist before; an earlier year is a typo
LAST_YEAR = 2100


def parse_date(raw: str, ctx: Context | None = None) -> ParseResult[date]:
    # e.g. "2023-09-01", "2023/9/1", "2023年9月1日", "23.9.1", "20230901"; no year: "9月1日".
    """A calendar date, with digits or Chinese year/month/day marks.

    Without a year (only month and day) it asks which year, offering this year and the next.
    """
    return _date(raw, ctx, past_only=False)


def parse_past_date(raw: str, ctx: Context | None = None) -> ParseResult[date]:
    """A date that has already happened, such as a contract date; never later than today."""
    return _date(raw, ctx, past_only=True)


def _date(raw: str, ctx: Context | None, *, past_only: bool) -> ParseResult[date]:
    cleaned = normalise(raw)
    if len(cleaned) > MAX_INPUT:
        return Invalid("parsing.date.not_understood")
    today = _today(ctx)
    found = _full_date(cleaned)
    if found is None and today is not None:
        found = _relative_date(cleaned, today)
    if isinstance(found, Invalid):
        return found
    if found is not None:
        if past_only and today is not None and found > today:
            return Invalid("parsing.date.future")
        return Parsed(found)
    month_day = _month_day(cleaned)
    if month_day is None:
        result = _month_only(cleaned, raw, today, past_only=past_only)
        if isinstance(result, Invalid) and result.reason == "parsing.date.not_understood":
            return _remembered(raw, today, result)
        return result
    if today is None:
        return Invalid("parsing.date.need_year")
    month, day = month_day
    years = (today.year - 1, today.year) if past_only else (today.year, today.year + 1)
    options = []
    for year in years:
        candidate = _real_date(year, month, day)
        if candidate is None or (past_only and candidate > today):
            continue
        options.append(Option("parsing.date.option", candidate, {"date": candidate.isoformat()}))
    if not options:
        return Invalid("parsing.date.no_such_day")
    question = "parsing.date.confirm_year" if len(options) == 1 else "parsing.date.which_year"
    return Ask(question, tuple(options), {"typed": raw.strip()[:MAX_INPUT]})


def _relative_date(cleaned: str, today: date) -> date | Invalid | None:
    """ "zuotian" (yesterday) and the like; "xiageyue 5 hao" (the 5th of next month)."""
    if cleaned in RELATIVE_DAYS:
        return today + timedelta(days=RELATIVE_DAYS[cleaned])
    match = _RELATIVE_MONTH_DAY.fullmatch(cleaned)
    if not match:
        return None
    day = number_value(match[2])
    if day is None or day != int(day):
        return Invalid("parsing.date.not_understood")
    year, month = _shift_month(today.year, today.month, _RELATIVE_MONTHS[match[1]])
    found = _real_date(year, month, int(day))
    return found if found is not None else Invalid("parsing.date.no_such_day")


def _remembered(raw: str, today: date | None, otherwise: Invalid) -> ParseResult[date]:
    # "上周五" (last Friday), "去年过年的时候" (at the new year last year), "三个月前".
    """A day as people remember it, offered back to confirm (flows.relative_dates)."""
    from flows.domain.parsing.relative_dates import approximate  # it reads numbers with this module

    found = approximate(raw, today) if today is not None else None
    if found is None:
        return otherwise
    option = Option("parsing.date.option_first", found, {"date": found.isoformat()})
    values = {"typed": raw.strip()[:MAX_INPUT], "date": found.isoformat()}
    return Ask("parsing.date.approx", (option,), values)


def _shift_month(year: int, month: int, by: int) -> tuple[int, int]:
    index = year * 12 + month - 1 + by
    return index // 12, index % 12 + 1


def _month_only(
    cleaned: str, raw: str, today: date | None, *, past_only: bool
) -> ParseResult[date]:
    """A year and month without a day ("2023-09"): ask for the day, offering the 1st spelt out (the
    answer is confirmed, never a silent guess)."""
    for pattern in _YEAR_MONTH:
        match = pattern.fullmatch(cleaned)
        if not match:
            continue
        year, month = (_date_part(group) for group in match.groups())
        if year is None or month is None or year != int(year) or month != int(month):
            return Invalid("parsing.date.not_understood")
        if not FIRST_YEAR <= year <= LAST_YEAR:
            return Invalid("parsing.date.year_range")
        first = _real_date(int(year), int(month), 1)
        if first is None:
            return Invalid("parsing.date.no_such_day")
        if past_only and today is not None and first > today:
            return Invalid("parsing.date.future")
        option = Option("parsing.date.option_first", first, {"date": first.isoformat()})
        return Ask("parsing.date.which_day", (option,), {"typed": raw.strip()[:MAX_INPUT]})
    return Invalid("parsing.date.not_understood")


def _today(ctx: Context | None) -> date | None:
    return ctx.now.date() if ctx is not None and ctx.now is not None else None


def _full_date(cleaned: str) -> date | Invalid | None:
    for pattern in _FULL_DATE:
        match = pattern.fullmatch(cleaned)
        if not match:
            continue
        parts = [_date_part(group) for group in match.groups()]
        if any(p is None or p != int(p) for p in parts):
            return Invalid("parsing.date.not_understood")
        year, month, day = (int(p) for p in parts)  # type: ignore[arg-type]
        if year < 100:
            year += 2000
        if not FIRST_YEAR <= year <= LAST_YEAR:
            return Invalid("parsing.date.year_range")
        found = _real_date(year, month, day)
        return found if found is not None else Invalid("parsing.date.no_such_day")
    return None


def _date_part(group: str) -> Decimal | None:
    # e.g. "2023", "九" (9), "二〇二三" (2023, read digit by digit)
    """A year, month or day in digits or Chinese numerals (a long one read digit by digit)."""
    if len(group) > 2 and all(ch in _DIGITS for ch in group):
        return Decimal("".join(str(_DIGITS[ch]) for ch in group))
    return number_value(group)


def _month_day(cleaned: str) -> tuple[int, int] | None:
    for pattern in _MONTH_DAY:
        match = pattern.fullmatch(cleaned)
        if match:
            month, day = (number_value(group) for group in match.groups())
            if month is None or day is None or month != int(month) or day != int(day):
                return None
            return int(month), int(day)
    return None


def _real_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


_MONTH_END_WORDS = (
    "\u6708\u5e95",  # yuedi (end of month)
    "\u6708\u672b",  # yuemo (end of month)
    "\u6700\u540e\u4e00\u5929",  # zuihou yi tian (the last day)
)
_EVERY_MONTH_WORDS = (
    "\u6bcf\u4e2a\u6708",  # meige yue (every month)
    "\u6bcf\u6708",  # mei yue (every month)
    "\u6708",  # yue (month)
    "\u8fd8\u6b3e\u65e5",  # huankuan ri (repayment day)
    "\u662f",  # shi (is)
    "\u7684",  # de
)
_DAY_SUFFIXES = ("\u53f7", "\u65e5")  # hao, ri (day of month)
LAST_DAY = 31  # "the 31st" means the month's last day (DueSpec)


def parse_due(raw: str, ctx: Context | None = None) -> ParseResult[DueSpec]:
    # e.g. "15号" (the 15th), "每月15日" (the 15th of every month), "月底" (month end)
    """When payment is due: a day of the month, the month's last day, or one date."""
    cleaned = normalise(raw)
    if len(cleaned) > MAX_INPUT:
        return Invalid("parsing.due.not_understood")
    if any(word in cleaned for word in _MONTH_END_WORDS):
        return Parsed(DueSpec.monthly(LAST_DAY))
    monthly = _strip_words(cleaned, _EVERY_MONTH_WORDS)
    day_text = monthly
    for suffix in _DAY_SUFFIXES:
        day_text = day_text.removesuffix(suffix)
    plain = bool(_PLAIN_NUMBER.fullmatch(day_text))
    day = number_value(day_text) if plain else None
    if day is not None:
        if day != int(day) or not 1 <= day <= LAST_DAY:
            return Invalid("parsing.due.day_range")
        return Parsed(DueSpec.monthly(int(day)))
    on = parse_date(raw, ctx)
    if isinstance(on, Parsed) and _RELATIVE_MONTH_DAY.fullmatch(cleaned):
        return _monthly_or_once(on.value, raw)
    if isinstance(on, Parsed):
        return Parsed(DueSpec.once(on.value))
    if isinstance(on, Ask):
        return Ask(
            on.question,
            tuple(Option(o.label, DueSpec.once(o.value), o.label_values) for o in on.options),
            on.values,
        )
    if on.reason == "parsing.date.not_understood":
        return Invalid("parsing.due.not_understood")
    return on


def _monthly_or_once(day: date, raw: str) -> Ask[DueSpec]:
    # "xiageyue 5 hao" (the 5th of next month) answers "which day each month?" as well as "the
    # one date": ask which, never guess.
    options = (
        Option("parsing.due.option_monthly", DueSpec.monthly(day.day), {"day": str(day.day)}),
        Option("parsing.due.option_once", DueSpec.once(day), {"date": day.isoformat()}),
    )
    return Ask("parsing.due.which_kind", options, {"typed": raw.strip()[:MAX_INPUT]})
