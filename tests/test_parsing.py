"""What people type about a debt, read the way they meant it — or asked back, never guessed."""

from __future__ import annotations

from decimal import Decimal

import pytest

from flows.answers import Ask, Invalid, Parsed
from flows.parsing import parse_amount, parse_amount_or_zero

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
