"""Days said the way people remember them — 上周五, 去年过年的时候, 三个月前, 前年年底 — as a
best guess that is always confirmed with a button, never stored silently."""

from __future__ import annotations

import re
from datetime import date, timedelta

from flows.domain.parsing.numerals import normalise, number_value

# The first day of the lunar new year (正月初一), from the published calendar.
SPRING_FESTIVAL = {
    2015: date(2015, 2, 19),
    2016: date(2016, 2, 8),
    2017: date(2017, 1, 28),
    2018: date(2018, 2, 16),
    2019: date(2019, 2, 5),
    2020: date(2020, 1, 25),
    2021: date(2021, 2, 12),
    2022: date(2022, 2, 1),
    2023: date(2023, 1, 22),
    2024: date(2024, 2, 10),
    2025: date(2025, 1, 29),
    2026: date(2026, 2, 17),
    2027: date(2027, 2, 6),
    2028: date(2028, 1, 26),
    2029: date(2029, 2, 13),
    2030: date(2030, 2, 3),
}
# Words around a remembered day that do not change it.
_FILLERS = (
    "的时候",
    "那时候",
    "时候",
    "那会儿",
    "那会",
    "左右",
    "前后",
    "的样子",
    "大概",
    "大约",
    "差不多",
    "应该是",
    "好像是",
    "是",
    "在",
    "的",
    "吧",
    "借的",
)
_YEARS = {"今年": 0, "去年": -1, "前年": -2, "大前年": -3}
_WEEKDAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6, "末": 5}
_WEEK_WORDS = ("星期", "礼拜", "周")
_LAST_WEEK = (
    "上上周",
    "上上个星期",
    "上上星期",
    "上周",
    "上个星期",
    "上星期",
    "上个礼拜",
    "上礼拜",
)
_THIS_WEEK = ("这周", "本周", "这个星期", "这星期", "这个礼拜", "这礼拜")
# In the year: 过年/春节 (the new year), 年初 (start), 年中 (middle), 年底/年末 (end).
_IN_YEAR = {
    "过年": "festival",
    "春节": "festival",
    "过完年": "festival",
    "年后": "festival",
    "年前": "before_festival",
    "年初": "start",
    "年中": "middle",
    "年底": "end",
    "年末": "end",
}
# 去年这时候 (this time last year), its fillers already cut off.
_THIS_TIME = ("", "这", "这个", "这时候", "这个时候")
_AGO = re.compile(r"^(.+?)(天|个星期|星期|周|个礼拜|礼拜|个月|年)(?:以前|之前|前)$")
_AGO_DAYS = {"天": 1, "个星期": 7, "星期": 7, "周": 7, "个礼拜": 7, "礼拜": 7}


def approximate(raw: str, today: date) -> date | None:
    """The day meant by a remembered expression, or None when `raw` is not one of them."""
    cleaned = _without_fillers(normalise(raw))
    if not cleaned:
        return None
    return (
        _weekday(cleaned, today)
        or _in_year(cleaned, today)
        or _month(cleaned, today)
        or _ago(cleaned, today)
    )


_MONTHS_BACK = {"上上个月": 2, "上上月": 2, "上个月": 1, "上月": 1, "这个月": 0, "本月": 0}


def _month(cleaned: str, today: date) -> date | None:
    # "上个月" (last month) alone: its first day, offered for confirmation like "2025-03".
    back = _MONTHS_BACK.get(cleaned)
    if back is None:
        return None
    index = today.year * 12 + today.month - 1 - back
    return date(index // 12, index % 12 + 1, 1)


def _without_fillers(cleaned: str) -> str:
    changed = True
    while changed:
        changed = False
        for word in sorted(_FILLERS, key=len, reverse=True):
            if cleaned.endswith(word) and len(cleaned) > len(word):
                cleaned, changed = cleaned[: -len(word)], True
            if cleaned.startswith(word) and len(cleaned) > len(word):
                cleaned, changed = cleaned[len(word) :], True
    return cleaned


def _weekday(cleaned: str, today: date) -> date | None:
    monday = today - timedelta(days=today.weekday())
    for words, weeks_back in ((_LAST_WEEK, None), (_THIS_WEEK, 0)):
        for word in sorted(words, key=len, reverse=True):
            if not cleaned.startswith(word):
                continue
            rest = cleaned[len(word) :]
            back = weeks_back if weeks_back is not None else (2 if word.startswith("上上") else 1)
            day = _day_of_week(rest)
            if day is None:
                return None
            found = monday - timedelta(weeks=back) + timedelta(days=day)
            return found if found <= today else None
    for word in _WEEK_WORDS:  # 周五 alone: the most recent Friday
        if cleaned.startswith(word):
            day = _day_of_week(cleaned[len(word) :])
            if day is None:
                return None
            return today - timedelta(days=(today.weekday() - day) % 7)
    return None


def _day_of_week(rest: str) -> int | None:
    for word in _WEEK_WORDS:
        rest = rest.removeprefix(word)
    return _WEEKDAYS.get(rest) if len(rest) == 1 else None


def _in_year(cleaned: str, today: date) -> date | None:
    for year_word, offset in sorted(_YEARS.items(), key=lambda item: -len(item[0])):
        if not cleaned.startswith(year_word):
            continue
        rest = cleaned[len(year_word) :]
        year = today.year + offset
        moment = _IN_YEAR.get(rest)
        if (
            moment is None
            and year_word != "今年"
            and rest in ("", "这", "这个", "这时候", "这个时候")
        ):
            moment = "same_day"
        return _moment(year, moment, today) if moment else None
    if cleaned in _IN_YEAR and _IN_YEAR[cleaned].endswith("festival"):
        # 过年的时候 alone: the most recent new year that has passed.
        this = _moment(today.year, _IN_YEAR[cleaned], today)
        return this if this is not None else _moment(today.year - 1, _IN_YEAR[cleaned], today)
    return None


def _moment(year: int, moment: str, today: date) -> date | None:
    found: date | None
    if moment in ("festival", "before_festival"):
        festival = SPRING_FESTIVAL.get(year)
        if festival is None:
            return None
        found = festival - timedelta(days=7) if moment == "before_festival" else festival
    elif moment == "start":
        found = date(year, 1, 1)
    elif moment == "middle":
        found = date(year, 7, 1)
    elif moment == "end":
        found = date(year, 12, 31)
    else:  # same_day: 去年这时候 (this time last year)
        found = _same_day(today, year)
    return found if found is not None and found <= today else None


def _same_day(today: date, year: int) -> date:
    try:
        return today.replace(year=year)
    except ValueError:  # 29 February
        return today.replace(year=year, day=28)


def _ago(cleaned: str, today: date) -> date | None:
    match = _AGO.match(cleaned)
    if not match:
        return None
    head, unit = match.groups()
    half = head.endswith("半") and len(head) > 1
    head = head.removesuffix("半").removesuffix("个") if half else head.removesuffix("个")
    if head in ("半", "大半"):
        count = 0.5
    else:
        value = number_value(head.removesuffix("多").removesuffix("来"))
        if value is None or value <= 0:
            return None
        count = float(value) + (0.5 if half else 0)
    if unit in _AGO_DAYS:
        days = round(count * _AGO_DAYS[unit])
    elif unit == "个月":
        days = round(count * 30)
    else:
        days = round(count * 365)
    if days <= 0 or days > 365 * 40:
        return None
    return today - timedelta(days=days)
