"""Step 3's arithmetic and answers: what is truly left each month, never below the floor."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from bot.settings import Settings
from flows.conversation.state import UserState
from flows.domain.budget import (
    DEFAULT_LIVING_FLOOR,
    AssetSale,
    Budget,
    asset_sales,
    available,
    living_floor,
    month_key,
    parse_money,
    parse_sale_amount,
    parse_sale_month,
)
from flows.domain.context import Context
from flows.domain.parsing.amounts import parse_amount
from flows.domain.parsing.answers import Ask, Invalid, Parsed
from tests.conftest import SHANGHAI

D = Decimal


def test_available_is_income_minus_essentials():
    budget = Budget(income=D("8000"), rent=D("2000"), food=D("1500"), transport=D("300"))
    result = available(budget, D("1500"))
    assert result.essentials == D("3800.00")
    assert result.monthly == D("4200.00")
    assert not result.floor_applied and not result.nothing_left


def test_living_is_never_squeezed_below_the_floor():
    budget = Budget(income=D("3000"), food=D("500"))
    result = available(budget, D("1500"))
    assert result.floor_applied
    assert result.reserved == D("1500.00")
    assert result.monthly == D("1500.00")


def test_when_essentials_eat_everything_nothing_is_left_and_never_negative():
    result = available(Budget(income=D("4000"), rent=D("3000"), family=D("2000")), D("1500"))
    assert result.monthly == 0 and result.nothing_left


def test_the_floor_comes_from_the_settings_with_a_sensible_default(monkeypatch):
    monkeypatch.setenv("LIVING_FLOOR", "2000")
    now = datetime(2026, 11, 24, tzinfo=SHANGHAI)
    assert living_floor(Context(now=now, settings=Settings(_env_file=None))) == D("2000.00")
    assert living_floor(Context(now=now)) == DEFAULT_LIVING_FLOOR == D("1500")


def test_asset_sales_land_in_their_month_and_a_passed_month_counts_now():
    budget = Budget(
        income=D("5000"),
        assets=(
            AssetSale(amount=D("3000"), month="2027-02"),
            AssetSale(amount=D("500"), month="2026-01"),
        ),
    )
    assert asset_sales(budget, date(2026, 11, 24)) == {4: D("3000"), 1: D("500")}


def test_a_budget_survives_the_state_round_trip():
    sale = AssetSale(amount=D("3000"), month="2027-02")
    state = UserState(budget=Budget(income=D("6000.50"), rent=D("0"), assets=(sale,)))
    assert UserState.model_validate_json(state.model_dump_json()) == state
    assert UserState.model_validate_json("{}").budget is None


@pytest.mark.parametrize(
    ("typed", "amount"),
    [
        ("8000", "8000"),
        ("1.5\u4e07", "15000"),
        ("\u00a52,000", "2000"),
        ("2k", "2000"),
        ("3000\u5143", "3000"),
        ("\u4e09\u5343", "3000"),
    ],
)
def test_amounts_are_read_the_way_people_write_them(typed, amount):
    assert parse_amount(typed) == Parsed(D(amount))
    assert parse_money(typed) == Parsed(D(amount))


@pytest.mark.parametrize("typed", ["0", "\u6ca1\u6709", "\u96f6", "0\u5143"])
def test_zero_spending_is_accepted(typed):
    assert parse_money(typed) == Parsed(D("0"))


@pytest.mark.parametrize("typed", ["-500", "abc", "\U0001f600", "99999999999", "1e9"])
def test_bad_amounts_get_a_reason_not_a_guess(typed):
    assert isinstance(parse_money(typed), Invalid)


def test_an_asset_worth_nothing_is_not_a_sale():
    assert isinstance(parse_sale_amount("0"), Invalid)


def test_sale_months(ctx):
    assert parse_sale_month("3\u4e2a\u6708\u540e", ctx) == Parsed(month_key(ctx.now.date(), 3))
    assert parse_sale_month("2027\u5e743\u6708", ctx) == Parsed("2027-03")
    assert parse_sale_month("2027-03", ctx) == Parsed("2027-03")
    assert parse_sale_month("3\u6708", ctx) == Parsed("2027-03")
    assert parse_sale_month("12\u6708", ctx) == Parsed("2026-12")
    assert parse_sale_month("\u4e0b\u4e2a\u6708", ctx) == Parsed("2026-12")
    assert isinstance(parse_sale_month("2025-01", ctx), Invalid)
    assert isinstance(parse_sale_month("500\u4e2a\u6708", ctx), Invalid)
    assert isinstance(parse_sale_month("\u968f\u4fbf", ctx), Invalid)


def test_a_bare_month_number_is_asked_back_not_guessed(ctx):
    asked = parse_sale_month("3", ctx)
    assert isinstance(asked, Ask)
    assert [o.value for o in asked.options] == ["2027-02", "2027-03"]
