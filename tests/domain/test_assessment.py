"""The legal check of one debt: its all-in cost, the line, and the yuan above it."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from flows.domain.assessment import annuity_payment, assess
from flows.domain.facts import Facts
from flows.domain.ledger import Debt, DueSpec, InstallmentTerms, LenderKind, PenaltyRule, RateQuote
from flows.domain.legal import LineKind
from flows.domain.money import Period

TODAY = date(2026, 11, 24)
PRIVATE = LenderKind.PRIVATE


def debt(**fields) -> Debt:
    return Debt(id=1, platform="x", **fields)


def test_an_installment_loan_is_checked_by_its_real_apr(facts: Facts):
    loan = debt(
        lender=PRIVATE,
        contract_date=date(2025, 6, 1),
        received=Decimal(10000),
        installments=InstallmentTerms(payment=Decimal(1000), periods=12),
    )
    result = assess(loan, facts, TODAY)
    assert round(result.all_in_annual_rate, 4) == Decimal("0.3507")
    assert result.line == Decimal("0.12")  # 4 x 3.00% (LPR of 2025-05-20)
    assert result.lpr_date == date(2025, 5, 20)
    assert result.line_kind is LineKind.PRIVATE_LPR
    assert result.exceeds
    # At 1% a month the same 12 payments would be 888.49 each: 661.85 yuan of interest.
    # Paid: 2,000 yuan of interest. Above the line: 1,338.15 yuan.
    assert round(10000 * 0.01 / (1 - 1.01**-12), 2) == 888.49
    assert result.interest_above_line == Decimal("1338.15")


def test_upfront_deduction_counts_on_the_money_received(facts: Facts):
    loan = debt(
        lender=LenderKind.MICROLENDER,
        borrowed=Decimal(10000),
        received=Decimal(9000),
        installments=InstallmentTerms(payment=Decimal("893.33"), periods=12),
    )
    result = assess(loan, facts, TODAY)
    assert round(result.all_in_annual_rate, 3) == Decimal("0.336")  # facts §7
    assert result.line == Decimal("0.24")
    assert result.exceeds
    assert result.lpr_date is None  # licensed: no LPR involved
    assert result.method == "irr"


def test_a_quoted_rate_below_the_line_has_nothing_above_it(facts: Facts):
    loan = debt(
        lender=LenderKind.CONSUMER_FINANCE,
        contract_date=date(2025, 6, 1),
        borrowed=Decimal(10000),
        rate=RateQuote(per_period=Decimal("0.0005"), period=Period.DAY),
    )
    result = assess(loan, facts, TODAY)
    assert result.all_in_annual_rate == Decimal("0.1825")
    assert not result.exceeds
    assert result.interest_above_line == Decimal("0.00")


def test_a_quoted_rate_above_the_line_counts_the_years_since_the_contract(facts: Facts):
    # 月息2分 = 24% a year, private, contract 2023-09-01 (line 13.8%), 2023-09-01 to
    # 2026-11-24 is 1180 days: 10,000 x (24% - 13.8%) x 1180/365 = 3,297.53 yuan.
    loan = debt(
        lender=PRIVATE,
        contract_date=date(2023, 9, 1),
        borrowed=Decimal(10000),
        rate=RateQuote(per_period=Decimal("0.02"), period=Period.MONTH),
    )
    result = assess(loan, facts, TODAY)
    assert (TODAY - date(2023, 9, 1)).days == 1180
    assert result.line == Decimal("0.138")
    assert result.interest_above_line == Decimal("3297.53")


def test_penalty_and_fees_count_in_the_all_in_cost_while_overdue(facts: Facts):
    # Normal 18.25%; overdue 30 days on 5,000 remaining: penalty 5000 x 0.05% x 30 = 75,
    # one late fee of 50: 125 yuan in 30 days = 125 x 365 / (5000 x 30) = 30.42% a year.
    loan = debt(
        lender=LenderKind.MICROLENDER,
        contract_date=date(2025, 6, 1),
        borrowed=Decimal(10000),
        remaining_principal=Decimal(5000),
        rate=RateQuote(per_period=Decimal("0.0005"), period=Period.DAY),
        penalty=PenaltyRule(daily_rate=Decimal("0.0005"), fixed_fee=Decimal(50)),
        days_overdue=30,
        due=DueSpec.monthly(15),
    )
    result = assess(loan, facts, TODAY)
    assert round(result.lateness_rate, 4) == Decimal("0.3042")
    assert round(result.all_in_annual_rate, 4) == Decimal("0.4867")
    # A licensed small-loan company is not lending illegally: no 36% note (issue 16).
    assert result.exceeds and not result.over_criminal_line
    # Room under 24% while overdue: (24% - 18.25%) x 5000 x 30/365 = 23.63; 125 - 23.63.
    assert result.interest_above_line == Decimal("101.37")


def test_a_penalty_does_not_count_when_not_overdue(facts: Facts):
    loan = debt(
        lender=LenderKind.BANK,
        borrowed=Decimal(10000),
        rate=RateQuote(per_period=Decimal("0.18"), period=Period.YEAR),
        penalty=PenaltyRule(daily_rate=Decimal("0.001")),
        days_overdue=0,
    )
    result = assess(loan, facts, TODAY)
    assert result.all_in_annual_rate == Decimal("0.18")
    assert result.lateness_rate is None


def test_an_old_contract_uses_the_old_line_before_2020_08_20(facts: Facts):
    # 2020-02-20 to 2020-08-20 (182 days) at 24%, then to 2026-11-24 (2287 days) at 12%.
    loan = debt(
        lender=PRIVATE,
        contract_date=date(2020, 2, 20),
        borrowed=Decimal(10000),
        rate=RateQuote(per_period=Decimal("0.3"), period=Period.YEAR),
    )
    result = assess(loan, facts, TODAY)
    assert result.line_kind is LineKind.PRIVATE_OLD_RULES
    before, after = 182, 2287
    expected = 10000 * (0.06 * before + 0.18 * after) / 365
    assert abs(float(result.interest_above_line) - expected) < 0.01


def test_nothing_known_about_the_rate_means_no_verdict(facts: Facts):
    result = assess(debt(lender=PRIVATE, borrowed=Decimal(5000)), facts, TODAY)
    assert result.all_in_annual_rate is None
    assert not result.exceeds
    assert result.interest_above_line is None
    assert result.line == Decimal("0.12")  # the line is still known: today's LPR estimate


def test_without_the_data_files_there_is_no_line():
    loan = debt(rate=RateQuote(per_period=Decimal("0.36"), period=Period.YEAR))
    result = assess(loan, Facts(), TODAY)
    assert result.line is None and not result.exceeds
    assert result.all_in_annual_rate == Decimal("0.36")


def test_annuity_payment_matches_the_facts_example():
    # Facts §7: 10,000 yuan, 12 periods, 2% a month -> 945.60 a month.
    assert round(annuity_payment(Decimal(10000), Decimal("0.02"), 12), 2) == Decimal("945.60")
    assert annuity_payment(Decimal(1200), Decimal(0), 12) == Decimal(100)
