"""Dates, durations and amounts in everyday words, as typed at the guide's questions."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from flows.domain.context import Context
from flows.domain.parsing.amounts import parse_amount_or_zero
from flows.domain.parsing.answers import Ask, Invalid, Parsed
from flows.domain.parsing.dates import parse_past_date
from flows.domain.parsing.durations import parse_days_overdue
from flows.domain.parsing.event_days import parse_day

TODAY = date(2026, 11, 24)  # ctx.now


def test_a_monthly_amount_written_per_month_is_read():
    from flows.domain.parsing.amounts import parse_amount

    for typed in ("1500元/月", "每月1500", "每个月1500块", "1500/month"):
        assert parse_amount(typed).value == Decimal(1500)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("昨天", date(2026, 11, 23)),
        ("前天", date(2026, 11, 22)),
        ("今天", TODAY),
        ("上个月5号", date(2026, 10, 5)),
        ("本月3号", date(2026, 11, 3)),
        ("2023年9月1日", date(2023, 9, 1)),
    ],
)
def test_a_past_day_in_everyday_words_is_read(ctx: Context, typed: str, expected: date):
    assert parse_past_date(typed, ctx) == Parsed(expected)
    assert parse_day(typed, ctx) == Parsed(expected)


@pytest.mark.parametrize("typed", ["明天", "下个月5号", "2026年12月"])
def test_a_day_still_to_come_is_refused_as_a_past_day(ctx: Context, typed: str):
    assert parse_past_date(typed, ctx) == Invalid("parsing.date.future")
    # The day something happened has its own message, not the loan date's.
    assert parse_day(typed, ctx) == Invalid("days.in_future")


@pytest.mark.parametrize(
    ("typed", "first"),
    [
        ("2023年9月", date(2023, 9, 1)),
        ("2023-09", date(2023, 9, 1)),
        ("2024年2月份", date(2024, 2, 1)),
    ],
)
def test_a_month_without_a_day_is_asked_back_never_guessed(ctx: Context, typed: str, first: date):
    # Before: "没看懂这个日期". Now: which day? with the 1st offered, spelt out, as a button.
    result = parse_past_date(typed, ctx)
    assert isinstance(result, Ask) and result.question == "parsing.date.which_day"
    (option,) = result.options
    assert option.value == first and option.label_values == {"date": first.isoformat()}


@pytest.mark.parametrize(
    ("typed", "question", "days"),
    [
        ("一个多月", "parsing.days.about_more", 30),
        ("两个多月了", "parsing.days.about_more", 60),
        ("一个月出头", "parsing.days.about_more", 30),
        ("20多天", "parsing.days.about_more", 20),
        ("十多天", "parsing.days.about_more", 10),
        ("半年多", "parsing.days.about_more", 180),
        ("快两个月了", "parsing.days.about", 60),
        ("不到一个月", "parsing.days.about", 30),
        ("3个月", "parsing.days.about", 90),
    ],
)
def test_a_rough_time_overdue_is_asked_back_as_days(
    ctx: Context, typed: str, question: str, days: int
):
    result = parse_days_overdue(typed, ctx)
    assert isinstance(result, Ask) and result.question == question
    (option,) = result.options
    assert option.value == days


@pytest.mark.parametrize(("typed", "days"), [("昨天", 1), ("上个月5号", 50), ("30天", 30)])
def test_overdue_since_a_day_in_everyday_words_counts_the_days(ctx: Context, typed: str, days: int):
    assert parse_days_overdue(typed, ctx) == Parsed(days)


@pytest.mark.parametrize(
    ("typed", "amount"),
    [
        ("\u5269" + "2\u4e07", 20000),  # sheng 2 wan: "20k left", at "how much is left"
        ("\u8fd8\u5269\u4e24\u4e07", 20000),  # still left two wan
        ("\u5230\u624b" + "4200", 4200),  # received 4,200, at "how much arrived"
        ("\u501f\u4e86" + "5\u5343", 5000),  # borrowed 5 thousand
        ("\u623f\u79df" + "1800", 1800),  # rent 1,800, at the rent question
        ("\u4ea4\u901a" + "300", 300),  # transport 300
        ("\u5de5\u8d44" + "6500\u5de6\u53f3", 6500),  # wages about 6,500
    ],
)
def test_an_amount_with_a_naming_word_in_front_is_read(typed: str, amount: int) -> None:
    # These were "not understood", and the next typed number landed in the wrong question.
    assert parse_amount_or_zero(typed) == Parsed(Decimal(amount).quantize(Decimal("0.01")))


def test_paid_so_much_is_not_read_as_what_is_left() -> None:
    # huan le 2000 ("paid 2,000") at "how much is left" is asked again, never taken as left.
    assert isinstance(parse_amount_or_zero("\u8fd8\u4e86" + "2000"), Invalid)


def test_a_day_next_week_is_not_taken_as_last_year(ctx: Context):
    # Before: "12月1日" typed on 24 November was logged as 2025-12-01, eleven months back.
    assert parse_day("12月1日", ctx) == Invalid("days.in_future")
    assert parse_day("2025年12月1日", ctx) == Parsed(date(2025, 12, 1))


def test_late_december_typed_in_january_is_still_last_year(ctx: Context):
    january = replace(ctx, now=ctx.now.replace(year=2027, month=1, day=5))
    assert parse_day("12月30日", january) == Parsed(date(2026, 12, 30))
