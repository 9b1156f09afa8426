"""What people type about a debt, read the way they meant it — or asked back, never guessed."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from flows.domain.context import Context
from flows.domain.ledger import DueSpec, PenaltyRule, RateQuote
from flows.domain.money import Period
from flows.domain.parsing.amounts import parse_amount, parse_amount_or_zero
from flows.domain.parsing.answers import Ask, Invalid, Parsed
from flows.domain.parsing.dates import parse_due, parse_past_date
from flows.domain.parsing.durations import parse_days_overdue, parse_periods
from flows.domain.parsing.penalties import parse_penalty
from flows.domain.parsing.rates import parse_rate

# ---- amounts --------------------------------------------------------------------------------

AMOUNTS = [
    ("5000", "5000.00"),
    ("5000.5", "5000.50"),
    ("15000.00", "15000.00"),
    ("1.5万", "15000.00"),
    ("1.5万元", "15000.00"),
    ("0.5万", "5000.00"),
    ("10万", "100000.00"),
    ("3千", "3000.00"),
    ("三千", "3000.00"),
    ("两千五", "2500.00"),
    ("一万二", "12000.00"),
    ("三百五", "350.00"),
    ("十万", "100000.00"),
    ("二十万", "200000.00"),
    ("一百二十万", "1200000.00"),
    ("五千零五十", "5050.00"),
    ("一万零五", "10005.00"),
    ("一千二百三十四", "1234.00"),
    ("壹万贰仟", "12000.00"),
    ("2万5千", "25000.00"),
    ("1万2", "12000.00"),
    ("¥2,000", "2000.00"),
    ("￥３，０００", "3000.00"),
    ("1,234.56", "1234.56"),
    ("2000元", "2000.00"),
    ("两千块钱", "2000.00"),
    ("800块", "800.00"),
    ("2k", "2000.00"),
    ("2K", "2000.00"),
    ("2w", "20000.00"),
    ("2.5W", "25000.00"),
    ("２０００", "2000.00"),
    ("约2000", "2000.00"),
    ("8000左右", "8000.00"),
    (" 3000 ", "3000.00"),
    ("5000.555", "5000.56"),
    ("人民币5000元", "5000.00"),
    ("RMB 800", "800.00"),
]


@pytest.mark.parametrize(("typed", "expected"), AMOUNTS)
def test_amounts_people_type_are_read_as_yuan(typed: str, expected: str):
    assert parse_amount(typed) == Parsed(Decimal(expected))


AMOUNT_REFUSALS = [
    ("-500", "parsing.amount.negative"),
    ("负五百", "parsing.amount.negative"),
    ("0", "parsing.amount.zero"),
    ("零", "parsing.amount.zero"),
    ("0.001", "parsing.amount.zero"),
    ("abc", "parsing.amount.not_number"),
    ("万五万五", "parsing.amount.not_number"),
    ("万", "parsing.amount.not_number"),
    ("一二", "parsing.amount.not_number"),
    ("一百千", "parsing.amount.not_number"),
    ("1e5", "parsing.amount.not_number"),
    ("1,5", "parsing.amount.not_number"),
    ("12 34", "parsing.amount.not_number"),
    ("", "parsing.amount.not_number"),
    ("😀", "parsing.amount.not_number"),
    ("1000000000000000", "parsing.amount.too_big"),
    ("20亿", "parsing.amount.too_big"),
    ("2000-3000", "parsing.amount.range"),
    ("2000到3000", "parsing.amount.range"),
]


@pytest.mark.parametrize(("typed", "reason"), AMOUNT_REFUSALS)
def test_amounts_that_cannot_be_a_debt_are_refused_with_a_reason(typed: str, reason: str):
    assert parse_amount(typed) == Invalid(reason)


def test_zero_is_a_real_answer_where_nothing_is_possible():
    assert parse_amount_or_zero("0") == Parsed(Decimal("0.00"))
    assert parse_amount_or_zero("没有") == Parsed(Decimal("0.00"))
    assert parse_amount_or_zero("1.5万") == Parsed(Decimal("15000.00"))
    assert parse_amount_or_zero("-1") == Invalid("parsing.amount.negative")


def test_the_limit_is_one_billion_yuan_inclusive():
    assert parse_amount("1000000000") == Parsed(Decimal("1000000000.00"))
    assert parse_amount("1000000000.01") == Invalid("parsing.amount.too_big")


def test_no_amount_parser_ever_asks_back():
    assert not any(isinstance(parse_amount(t), Ask) for t, _ in AMOUNTS)


# ---- rates ----------------------------------------------------------------------------------

D, M, Y = Period.DAY, Period.MONTH, Period.YEAR

RATES = [
    ("日息万五", "0.0005", D),
    ("日利率0.05%", "0.0005", D),
    ("日利率 0.05 %", "0.0005", D),
    ("0.05%/天", "0.0005", D),
    ("每天万五", "0.0005", D),
    ("日息万分之五", "0.0005", D),
    ("日万3", "0.0003", D),
    ("日息万一", "0.0001", D),
    ("日息0.5‰", "0.0005", D),
    ("日息千分之一", "0.001", D),
    ("日息5厘", "0.0005", D),  # facts §7: daily 1 li = 0.01%
    ("日息0.05", "0.0005", D),  # 5% a day would be 1825% a year: only the percent reading fits
    ("月息2分", "0.02", M),
    ("月息一分五", "0.015", M),
    ("月利率1.5%", "0.015", M),
    ("1.5%/月", "0.015", M),
    ("月费率0.6%", "0.006", M),
    ("月息2", "0.02", M),
    ("年化24%", "0.24", Y),
    ("年利率18%", "0.18", Y),
    ("年化24", "0.24", Y),
    ("年息1分", "0.1", Y),  # facts §7: yearly 1 fen = 10%
    ("APR 36%", "0.36", Y),
    ("约年化24%左右", "0.24", Y),
    ("综合年化35.9%", "0.359", Y),
    ("年化1000%", "10", Y),
    ("免息", "0", Y),
    ("0%", "0", Y),
]


@pytest.mark.parametrize(("typed", "per_period", "period"), RATES)
def test_rates_people_quote_keep_their_period(typed: str, per_period: str, period: Period):
    assert parse_rate(typed) == Parsed(RateQuote(per_period=Decimal(per_period), period=period))


def _asked(result: object) -> list[tuple[Decimal, Period]]:
    assert isinstance(result, Ask), result
    return [(o.value.per_period, o.value.period) for o in result.options]


def test_a_bare_percentage_is_asked_back_as_monthly_or_yearly():
    # 24% a day would be 8760% a year: not offered.
    assert _asked(parse_rate("24%")) == [(Decimal("0.24"), M), (Decimal("0.24"), Y)]


def test_wan_wu_alone_is_asked_back_as_daily_or_monthly():
    assert _asked(parse_rate("万五")) == [(Decimal("0.0005"), D), (Decimal("0.0005"), M)]


def test_fen_without_a_period_offers_each_scale():
    assert _asked(parse_rate("2分")) == [
        (Decimal("0.002"), D),
        (Decimal("0.02"), M),
        (Decimal("0.2"), Y),
    ]


def test_a_yearly_number_below_one_is_asked_as_percent_or_fraction():
    assert _asked(parse_rate("年化0.24")) == [(Decimal("0.0024"), Y), (Decimal("0.24"), Y)]


def test_the_question_shows_the_annual_equivalent_on_each_button():
    result = parse_rate("万五")
    assert isinstance(result, Ask)
    assert result.options[0].label == "parsing.rate.option.day"
    assert result.options[0].label_values == {"rate": "0.05%", "annual": "18.25%"}
    assert result.values == {"typed": "万五"}


RATE_REFUSALS = [
    ("abc", "parsing.rate.not_understood"),
    ("万五万五", "parsing.rate.not_understood"),
    ("", "parsing.rate.not_understood"),
    ("-5%", "parsing.rate.negative"),
    ("日息2%月", "parsing.rate.two_periods"),
    ("日息3%", "parsing.rate.too_high"),  # 1095% a year
    ("年化1001%", "parsing.rate.too_high"),
    ("月息100%", "parsing.rate.too_high"),
    ("5000%", "parsing.rate.too_high"),
]


@pytest.mark.parametrize(("typed", "reason"), RATE_REFUSALS)
def test_rates_that_cannot_be_real_are_refused(typed: str, reason: str):
    assert parse_rate(typed) == Invalid(reason)


# ---- dates, due days, days overdue, installments, penalties ----------------------------------

TODAY = datetime(2026, 11, 24, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
CTX = Context(now=TODAY)

DATES = [
    "2023-09-01",
    "2023/9/1",
    "2023年9月1日",
    "2023年9月1号",
    "23.9.1",
    "2023.9.1",
    "20230901",
    "二〇二三年九月一日",
    "２０２３－０９－０１",
]


@pytest.mark.parametrize("typed", DATES)
def test_contract_dates_in_common_formats(typed: str):
    assert parse_past_date(typed, CTX) == Parsed(date(2023, 9, 1))


def test_a_date_without_a_year_asks_which_year():
    result = parse_past_date("9月1日", CTX)
    assert isinstance(result, Ask)
    assert [o.value for o in result.options] == [date(2025, 9, 1), date(2026, 9, 1)]


def test_a_past_date_without_a_year_offers_only_years_already_past():
    result = parse_past_date("12月5日", CTX)
    assert isinstance(result, Ask)
    assert [o.value for o in result.options] == [date(2025, 12, 5)]


DATE_REFUSALS = [
    ("2023-02-30", "parsing.date.no_such_day"),
    ("1980-01-01", "parsing.date.year_range"),
    ("2027-01-01", "parsing.date.future"),
    ("9.1", "parsing.date.not_understood"),
    ("上个星期八", "parsing.date.not_understood"),
]


@pytest.mark.parametrize(("typed", "reason"), DATE_REFUSALS)
def test_dates_that_cannot_be_a_contract_date_are_refused(typed: str, reason: str):
    assert parse_past_date(typed, CTX) == Invalid(reason)


DUE_DAYS = [
    ("15号", 15),
    ("每月15日", 15),
    ("15", 15),
    ("十五号", 15),
    ("二十五号", 25),
    ("每个月的15号", 15),
    ("还款日是10号", 10),
    ("月底", 31),
    ("每月月底", 31),
    ("31", 31),
]


@pytest.mark.parametrize(("typed", "day"), DUE_DAYS)
def test_a_monthly_due_day(typed: str, day: int):
    assert parse_due(typed, CTX) == Parsed(DueSpec.monthly(day))


def test_a_single_due_date():
    assert parse_due("2026-12-05", CTX) == Parsed(DueSpec.once(date(2026, 12, 5)))


def test_a_due_date_without_a_year_asks_this_year_or_next():
    result = parse_due("12月5日", CTX)
    assert isinstance(result, Ask)
    assert [o.value for o in result.options] == [
        DueSpec.once(date(2026, 12, 5)),
        DueSpec.once(date(2027, 12, 5)),
    ]


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("32", "parsing.due.day_range"),
        ("0", "parsing.due.day_range"),
        ("abc", "parsing.due.not_understood"),
    ],
)
def test_due_days_outside_a_month_are_refused(typed: str, reason: str):
    assert parse_due(typed, CTX) == Invalid(reason)


DAYS_OVERDUE = [
    ("30天", 30),
    ("30", 30),
    ("三十天", 30),
    ("45日", 45),
    ("已经逾期45天了", 45),
    ("两周", 14),
    ("0", 0),
    ("没逾期", 0),
    ("2026-10-25", 30),  # the day it fell due: counted to today
]


@pytest.mark.parametrize(("typed", "days"), DAYS_OVERDUE)
def test_days_overdue(typed: str, days: int):
    assert parse_days_overdue(typed, CTX) == Parsed(days)


@pytest.mark.parametrize(("typed", "days"), [("3个月", 90), ("半年", 180), ("半个月", 15)])
def test_months_overdue_are_asked_back_as_about_so_many_days(typed: str, days: int):
    result = parse_days_overdue(typed, CTX)
    assert isinstance(result, Ask)
    assert [o.value for o in result.options] == [days]


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("-3", "parsing.days.negative"),
        ("100000", "parsing.days.too_many"),
        ("abc", "parsing.days.not_understood"),
        ("2027-01-01", "parsing.days.future"),
    ],
)
def test_impossible_days_overdue_are_refused(typed: str, reason: str):
    assert parse_days_overdue(typed, CTX) == Invalid(reason)


@pytest.mark.parametrize(
    ("typed", "count"),
    [("12", 12), ("12期", 12), ("十二期", 12), ("12个月", 12), ("2年", 24), ("分12期", 12)],
)
def test_number_of_installments(typed: str, count: int):
    assert parse_periods(typed) == Parsed(count)


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("0", "parsing.periods.range"),
        ("601", "parsing.periods.range"),
        ("abc", "parsing.periods.not_understood"),
    ],
)
def test_impossible_installment_counts_are_refused(typed: str, reason: str):
    assert parse_periods(typed) == Invalid(reason)


PENALTIES = [
    ("罚息日万五", PenaltyRule(daily_rate=Decimal("0.0005"))),
    ("0.1%/天", PenaltyRule(daily_rate=Decimal("0.001"))),
    ("每次100元", PenaltyRule(fixed_fee=Decimal("100.00"))),
    ("100元", PenaltyRule(fixed_fee=Decimal("100.00"))),
    ("滞纳金每期30", PenaltyRule(fixed_fee=Decimal("30.00"))),
    ("日万五+每次50元", PenaltyRule(daily_rate=Decimal("0.0005"), fixed_fee=Decimal("50.00"))),
    ("没有", PenaltyRule(daily_rate=Decimal("0"))),
    # 2% a month = 24% a year = 24/365 % a day
    ("罚息月2%", PenaltyRule(daily_rate=Decimal("0.0006575342"))),
]


@pytest.mark.parametrize(("typed", "rule"), PENALTIES)
def test_penalty_rules(typed: str, rule: PenaltyRule):
    assert parse_penalty(typed) == Parsed(rule)


def test_a_bare_penalty_number_is_asked_back():
    result = parse_penalty("0.1")
    assert isinstance(result, Ask)
    assert [o.value for o in result.options] == [
        PenaltyRule(fixed_fee=Decimal("0.10")),
        PenaltyRule(daily_rate=Decimal("0.001")),
    ]


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("abc", "parsing.rate.not_understood"),
        ("日息5%", "parsing.rate.too_high"),
        ("每次-5元", "parsing.amount.negative"),
    ],
)
def test_impossible_penalties_are_refused(typed: str, reason: str):
    assert parse_penalty(typed) == Invalid(reason)


# ---- robustness -------------------------------------------------------------------------------

ALPHABET = (
    "0123456789.,-+%/~ 年月日天号期个万千百十亿零一二两三四五六七八九分厘元块息率化¥￥kKwWe半周底"
)
PARSERS = [
    parse_amount,
    parse_amount_or_zero,
    parse_rate,
    parse_past_date,
    parse_due,
    parse_days_overdue,
    parse_periods,
    parse_penalty,
]


@pytest.mark.parametrize("parser", PARSERS, ids=lambda p: p.__name__)
def test_no_typed_text_makes_a_parser_raise(parser):
    import random

    rng = random.Random(20261125)
    samples = ["", " ", "😀", "\u200b", "9" * 500, "万" * 50, "1" + "0" * 40 + "%", "0.0000001"]
    samples += [
        "".join(rng.choice(ALPHABET) for _ in range(rng.randint(1, 12))) for _ in range(3000)
    ]
    for sample in samples:
        result = parser(sample, CTX)
        assert isinstance(result, (Parsed, Invalid, Ask)), sample
        if isinstance(result, Ask):
            assert result.options, sample
