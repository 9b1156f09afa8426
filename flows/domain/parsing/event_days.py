"""The day something happened (a call, an incident): today, yesterday, a day of the month, a
month and day, or "2026-11-20" — the most recent such day, never in the future. Anything else
goes to the general date parser of flows/domain/parsing/, which asks back when the year is unclear.
"""

# As typed: "今天" (today), "昨天" (yesterday), "20号" (the 20th), "11月20日" (20 November).

from __future__ import annotations

import re
from datetime import date, timedelta

from flows.domain.context import Context
from flows.domain.parsing.answers import Invalid, Parsed, ParseResult
from flows.domain.parsing.dates import parse_past_date

# Chinese units and date words are written as escapes: no Chinese text in .py files.
_FULL_DATE = re.compile(r"^(\d{4})[-/.\u5e74](\d{1,2})[-/.\u6708](\d{1,2})[\u65e5\u53f7]?$")
_MONTH_DAY = re.compile(r"^(\d{1,2})[-/.\u6708](\d{1,2})[\u65e5\u53f7]?$")
_DAY = re.compile(r"^(\d{1,2})[\u65e5\u53f7]$")
# A month and day later this year by more than this is taken as last year's.
ROLL_BACK_AFTER_DAYS = 183
_RELATIVE = {
    "\u4eca\u5929": 0,
    "\u4eca\u65e5": 0,
    "\u6628\u5929": 1,
    "\u6628\u65e5": 1,
    "\u524d\u5929": 2,
    "today": 0,
    "yesterday": 1,
}


def parse_day(raw: str, ctx: Context) -> ParseResult[date]:
    # e.g. 今天/昨天/前天 (today, yesterday, the day before), 2026-11-20, 11月20日, 11-20, 20号
    """A day not in the future: a relative word, a full date, a month and day, or a day."""
    today = ctx.now.date()
    cleaned = re.sub(r"\s", "", raw).lower()
    if cleaned in _RELATIVE:
        return Parsed(today - timedelta(days=_RELATIVE[cleaned]))
    day = _calendar_day(cleaned, today)
    if day is None:
        general = parse_past_date(raw, ctx)
        if isinstance(general, Invalid) and general.reason == "parsing.date.future":
            # The general message speaks of a loan date; this is the day something happened.
            return Invalid("days.in_future")
        return general
    if day > today:
        return Invalid("days.in_future")
    return Parsed(day)


def _calendar_day(cleaned: str, today: date) -> date | None:
    try:
        if match := _FULL_DATE.match(cleaned):
            return date(int(match[1]), int(match[2]), int(match[3]))
        if match := _MONTH_DAY.match(cleaned):
            day = date(today.year, int(match[1]), int(match[2]))
            # "12月30日" typed in January means last year's; "12月1日" typed in late November
            # is a day still to come (or a slip), not one eleven months ago: it is refused.
            if day <= today or (day - today).days <= ROLL_BACK_AFTER_DAYS:
                return day
            return day.replace(year=today.year - 1)
        if match := _DAY.match(cleaned):
            day = date(today.year, today.month, int(match[1]))
            if day <= today:
                return day
            previous = today.replace(day=1) - timedelta(days=1)
            return previous.replace(day=int(match[1]))
    except ValueError:
        return None
    return None
