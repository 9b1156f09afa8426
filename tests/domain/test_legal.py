"""The LPR in force on a date, and the legal line a debt is compared with (facts §1–§3)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from flows.domain.facts import Facts
from flows.domain.ledger import Debt, LenderKind
from flows.domain.legal import LineKind, line_for, line_over_days, lpr_on

TODAY = date(2026, 11, 24)

# Facts §1, typed again here on purpose: the data file must say the same.
TABLE = [
    ("2019-08-20", "4.25"),
    ("2019-09-20", "4.20"),
    ("2019-11-20", "4.15"),
    ("2020-02-20", "4.05"),
    ("2020-04-20", "3.85"),
    ("2021-12-20", "3.80"),
    ("2022-01-20", "3.70"),
    ("2022-08-22", "3.65"),
    ("2023-06-20", "3.55"),
    ("2023-08-21", "3.45"),
    ("2024-07-22", "3.35"),
    ("2024-10-21", "3.10"),
    ("2025-05-20", "3.00"),
]


def test_the_data_file_has_the_thirteen_changes_of_the_facts(facts: Facts):
    assert facts.lpr is not None
    assert [(c.effective.isoformat(), c.rate) for c in facts.lpr.changes] == [
        (day, Decimal(rate) / 100) for day, rate in TABLE
    ]


@pytest.mark.parametrize(("effective", "rate"), TABLE)
def test_a_change_applies_from_its_effective_date(facts: Facts, effective: str, rate: str):
    assert facts.lpr is not None
    day = date.fromisoformat(effective)
    on = lpr_on(day, facts.lpr)
    assert on is not None and on.rate == Decimal(rate) / 100 and on.effective == day


@pytest.mark.parametrize("index", range(1, len(TABLE)))
def test_the_day_before_a_change_still_has_the_previous_rate(facts: Facts, index: int):
    assert facts.lpr is not None
    day_before = date.fromisoformat(TABLE[index][0]) - timedelta(days=1)
    on = lpr_on(day_before, facts.lpr)
    assert on is not None
    assert on.rate == Decimal(TABLE[index - 1][1]) / 100


def test_there_is_no_lpr_before_2019_08_20(facts: Facts):
    assert facts.lpr is not None
    assert lpr_on(date(2019, 8, 19), facts.lpr) is None


def test_the_latest_rate_stays_in_force(facts: Facts):
    assert facts.lpr is not None
    on = lpr_on(TODAY, facts.lpr)
    assert on is not None and on.effective == date(2025, 5, 20)


def private(contract: date | None, lender: LenderKind | None = LenderKind.PRIVATE):
    return Debt(id=1, platform="x", lender=lender, contract_date=contract)


@pytest.mark.parametrize(
    ("contract", "line", "lpr_date"),
    [
        (date(2023, 9, 1), "0.138", date(2023, 8, 21)),
        (date(2025, 6, 1), "0.12", date(2025, 5, 20)),
        (date(2020, 8, 20), "0.154", date(2020, 4, 20)),
        (date(2024, 10, 20), "0.134", date(2024, 7, 22)),
        (date(2024, 10, 21), "0.124", date(2024, 10, 21)),
    ],
)
def test_private_lending_is_capped_at_four_times_the_lpr_of_the_contract_date(
    facts: Facts, contract: date, line: str, lpr_date: date
):
    found = line_for(private(contract), facts, TODAY)
    assert found is not None
    assert found.kind is LineKind.PRIVATE_LPR
    assert found.rate == Decimal(line)
    assert found.lpr is not None and found.lpr.effective == lpr_date
    assert "第二十五条" in found.source and found.mark == "VERIFIED"
    assert not found.newer_lpr_possible


def test_an_unknown_lender_is_checked_like_a_private_one(facts: Facts):
    found = line_for(private(date(2023, 9, 1), lender=None), facts, TODAY)
    assert found is not None and found.rate == Decimal("0.138")


@pytest.mark.parametrize(
    "kind", [LenderKind.BANK, LenderKind.CONSUMER_FINANCE, LenderKind.MICROLENDER]
)
def test_licensed_lenders_get_the_24_percent_reference_line(facts: Facts, kind: LenderKind):
    found = line_for(private(date(2023, 9, 1), lender=kind), facts, TODAY)
    assert found is not None
    assert found.kind is LineKind.LICENSED
    assert found.rate == Decimal("0.24")
    assert found.lpr is None
    assert found.mark == "VERIFIED-2nd"


@pytest.mark.parametrize("contract", [date(2020, 8, 19), date(2019, 8, 19), date(2018, 3, 1)])
def test_contracts_before_2020_08_20_follow_the_old_rules_until_then(facts: Facts, contract: date):
    found = line_for(private(contract), facts, TODAY)
    assert found is not None
    assert found.kind is LineKind.PRIVATE_OLD_RULES
    assert found.old_rate == Decimal("0.24")
    assert found.switch_day == date(2020, 8, 20)
    # From 2020-08-20: 4 x the LPR when a suit is filed, estimated with today's LPR.
    assert found.rate == Decimal("0.12")
    assert found.lpr is not None and found.lpr.effective == date(2025, 5, 20)
    assert "第三十一条" in found.source


def test_an_unknown_contract_date_uses_todays_lpr_as_an_estimate(facts: Facts):
    found = line_for(private(None), facts, TODAY)
    assert found is not None
    assert found.kind is LineKind.PRIVATE_ESTIMATED
    assert found.rate == Decimal("0.12")
    # The table was checked through 2025-07-21: a later LPR may exist.
    assert found.newer_lpr_possible


def test_no_line_without_the_data_files():
    assert line_for(private(date(2023, 9, 1)), Facts(), TODAY) is None


def test_old_rules_average_the_two_lines_over_the_days(facts: Facts):
    found = line_for(private(date(2020, 8, 10)), facts, TODAY)
    assert found is not None
    # 10 days at 24%, 10 days at 12%.
    assert line_over_days(found, date(2020, 8, 10), date(2020, 8, 30)) == Decimal("0.18")
    # Entirely after the switch: the new line.
    assert line_over_days(found, date(2021, 1, 1), date(2022, 1, 1)) == Decimal("0.12")
