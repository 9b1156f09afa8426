"""Numbers said inside a sentence: 到手也是15000, 还剩8000没还, 每天100元, 一天打二十多个 —
the one amount in it, how rough it is, and the period it is counted per."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from flows.domain.parsing.numerals import normalise, number_value

# Money already paid ("还了2000") at "how much is left" means something else: never read.
_PAID_WORDS = ("还了", "已还", "已经还", "还过", "还掉")
# A per-period amount, longest first inside each period.
_PER_WORDS = {
    "day": (
        "每一天",
        "每天",
        "一天",
        "每日",
        "一日",
        "天天",
        "日均",
        "/天",
        "/日",
        "perday",
        "aday",
    ),
    "week": ("每个星期", "一个星期", "每星期", "每礼拜", "每周", "一周", "/周", "perweek", "aweek"),
    "year": ("每一年", "每年", "一年", "年薪", "年收入", "/年", "peryear", "ayear"),
    "month": ("每个月", "一个月", "每月", "月薪", "月均", "/月", "permonth", "amonth"),
}
# What a monthly amount is, counted from another period (a month as 30 days, as the
# days-overdue estimate does; a year as 12 months; a week as 52/12 of a month).
MONTH_FACTOR = {"day": Decimal(30), "week": Decimal(52) / 12, "year": 1 / Decimal(12)}
_ROUGH_WORDS = ("左右", "大概", "大约", "差不多", "将近", "接近", "快", "不到", "估计", "约")
_MORE_WORDS = ("多", "出头", "几", "来")
# A span of digits or Chinese numerals (with their units, thousands commas, k and w).
_SPAN = re.compile(r"[0-9.,kw万千百十亿零〇一二两三四五六七八九壹贰叁肆伍陆柒捌玖拾佰仟]+")
# Right after a number these make it a count, a date or a rate, not an amount of money.
_NOT_MONEY_AFTER = (
    "期",
    "天",
    "个月",
    "月",
    "年",
    "次",
    "号",
    "日",
    "%",
    "分",
    "岁",
    "周",
    "点",
    "个",
)


@dataclass(frozen=True, slots=True)
class Said:
    """The one number in a sentence: its value, the period it is per ("day", "week", "month",
    "year" or None) and whether it was rough (左右, 多, 将近)."""

    value: Decimal
    per: str | None = None
    rough: bool = False


def amount_in_sentence(raw: str) -> Said | None:
    """The single amount of money in `raw`; None when there is none, several, or it is paid."""
    cleaned = normalise(raw)
    if not cleaned or len(cleaned) > 60 or any(word in cleaned for word in _PAID_WORDS):
        return None
    per, cleaned = _take_per(cleaned)
    rough = any(word in cleaned for word in (*_ROUGH_WORDS, *_MORE_WORDS))
    numbers = _numbers(cleaned) or []
    values = [value for value, after in numbers if not after.startswith(_NOT_MONEY_AFTER)]
    if len(values) != 1:
        return None
    return Said(values[0], per, rough)


def count_in_sentence(raw: str) -> Said | None:
    # "一天打二十多个" (twenty-odd calls a day), "每天 30 个电话".
    """The single count in `raw` (calls, messages), with its period; None when not one."""
    cleaned = normalise(raw)
    if not cleaned or len(cleaned) > 60:
        return None
    per, cleaned = _take_per(cleaned)
    rough = any(word in cleaned for word in (*_ROUGH_WORDS, *_MORE_WORDS))
    values = [value for value, _after in _numbers(cleaned) or []]
    if len(values) != 1 or values[0] != int(values[0]):
        return None
    return Said(values[0], per, rough)


def per_month(said: Said) -> Decimal:
    """The amount counted per month (a daily 100 is 3,000 a month)."""
    factor = MONTH_FACTOR.get(said.per or "month", Decimal(1))
    return (said.value * factor).quantize(Decimal(1))


def _take_per(cleaned: str) -> tuple[str | None, str]:
    for per, words in _PER_WORDS.items():
        for word in words:
            if word in cleaned:
                return per, cleaned.replace(word, " ", 1)
    return None, cleaned


def _numbers(cleaned: str) -> list[tuple[Decimal, str]] | None:
    """Each number-like span with the text right after it; None when a span is not a number."""
    found: list[tuple[Decimal, str]] = []
    for match in _SPAN.finditer(cleaned.replace("几", "")):  # ji: "十几" (ten-odd) is rough 10
        span = match.group().strip(",.")
        if not any(ch.isdigit() for ch in span) and len(span) < 2 and span != "十":
            continue  # a lone 一 is a word (一样, 一直), not an amount
        value = number_value(span)
        if value is None:
            return None  # "5000一笔3000": number-like, yet not one number; never guess
        found.append((value, cleaned.replace("几", "")[match.end() :]))
    return found
