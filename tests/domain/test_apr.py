"""The real APR of installment loans, checked against arithmetic done another way."""

from __future__ import annotations

import math
from decimal import Decimal

import pytest

from flows.domain.apr import annualise, installment_apr, irr, npv
from flows.domain.money import Period


def float_rate(received: float, payment: float, periods: int) -> float:
    """Independent check: Newton's method in floats on the annuity formula."""
    rate = 0.05
    for _ in range(100):
        growth = (1 + rate) ** -periods
        value = payment * (1 - growth) / rate - received
        slope = payment * (periods * (1 + rate) ** (-periods - 1) / rate - (1 - growth) / rate**2)
        rate -= value / slope
    return rate


def test_ten_thousand_received_twelve_payments_of_one_thousand():
    # Spreadsheet RATE(12, -1000, 10000) = 2.9228%; x12 = 35.07%.
    result = installment_apr(Decimal(10000), Decimal(1000), 12)
    assert result is not None
    assert abs(result.per_period - Decimal("0.029228")) < Decimal("0.000001")
    assert round(result.nominal_annual, 4) == Decimal("0.3507")
    assert abs(float(result.per_period) - float_rate(10000, 1000, 12)) < 1e-9
    assert abs(float(result.effective_annual) - (1.029228540769**12 - 1)) < 1e-9


def test_equal_payments_at_two_percent_a_month_cost_twenty_four_percent():
    # Facts §7: 10,000 yuan, 12 periods, 2% a month -> 945.60 a month. The annuity formula
    # gives 945.596; the half fen rounded up makes the rate a hair above 2%.
    assert round(10000 * 0.02 / (1 - 1.02**-12), 2) == 945.60
    result = installment_apr(Decimal(10000), Decimal("945.60"), 12)
    assert result is not None
    assert Decimal("0.24") < result.nominal_annual < Decimal("0.2401")


@pytest.mark.parametrize(
    ("payment", "nominal", "effective"),
    [
        # Facts §7: a 0.6% monthly fee on 10,000 over 12 periods is about 13.0% (13.8% effective).
        ("893.33", "0.130", "0.138"),
        # Facts §7: the same loan at a 1% monthly fee is about 21.5%.
        ("933.33", "0.215", None),
    ],
)
def test_a_flat_monthly_fee_costs_almost_twice_its_nominal_rate(payment, nominal, effective):
    result = installment_apr(Decimal(10000), Decimal(payment), 12)
    assert result is not None
    assert round(result.nominal_annual, 3) == Decimal(nominal)
    if effective:
        assert round(result.effective_annual, 3) == Decimal(effective)
    assert abs(float(result.per_period) - float_rate(10000, float(payment), 12)) < 1e-9


def test_interest_taken_up_front_is_counted_on_the_money_received():
    # Facts §7: contract 10,000, 9,000 received, 12 x 893.33 -> about 33.6%.
    result = installment_apr(Decimal(9000), Decimal("893.33"), 12)
    assert result is not None
    assert round(result.nominal_annual, 3) == Decimal("0.336")


def test_eight_thousand_received_of_ten_thousand():
    # 10,000 on paper + 1,000 flat interest in 12 payments, but only 8,000 arrived.
    result = installment_apr(Decimal(8000), Decimal("916.67"), 12)
    assert result is not None
    expected = float_rate(8000, 916.67, 12)
    assert abs(float(result.per_period) - expected) < 1e-9
    assert round(result.nominal_annual, 4) == Decimal(str(round(expected * 12, 4)))
    assert result.nominal_annual > Decimal("0.63")


def test_one_payment_has_a_closed_form():
    # 1,000 now, 1,100 in a month: exactly 10% a month.
    result = installment_apr(Decimal(1000), Decimal(1100), 1)
    assert result is not None
    assert result.per_period == Decimal("0.1")
    assert result.nominal_annual == Decimal("1.2")
    assert abs(float(result.effective_annual) - (1.1**12 - 1)) < 1e-9


def test_two_payments_solve_a_quadratic():
    # 1000 = 600v + 600v^2, v = 1/(1+r): v = (-600 + sqrt(600^2 + 4*600*1000)) / 1200.
    v = (-600 + math.sqrt(600**2 + 4 * 600 * 1000)) / 1200
    result = installment_apr(Decimal(1000), Decimal(600), 2)
    assert result is not None
    assert abs(float(result.per_period) - (1 / v - 1)) < 1e-9


def test_paying_back_exactly_what_was_received_costs_nothing():
    result = installment_apr(Decimal(12000), Decimal(1000), 12)
    assert result is not None
    assert result.per_period == 0
    assert result.nominal_annual == 0
    assert not result.per_period.is_signed()


def test_a_fee_paid_on_day_one_raises_the_rate():
    without = installment_apr(Decimal(10000), Decimal(1000), 12)
    with_fee = installment_apr(Decimal(10000), Decimal(1000), 12, upfront_fees=Decimal(500))
    assert without is not None and with_fee is not None
    assert with_fee.per_period > without.per_period
    assert abs(float(with_fee.per_period) - float_rate(9500, 1000, 12)) < 1e-9


def test_the_rate_found_makes_the_flows_worth_nothing():
    flows = [Decimal(5000), Decimal(-1000), Decimal(-2000), Decimal(-2600)]
    rate = irr(flows)
    assert rate is not None
    assert abs(npv(rate, flows)) < Decimal("1e-6")


def test_no_rate_without_repayment():
    assert irr([Decimal(1000), Decimal(0)]) is None
    assert irr([Decimal(-1000), Decimal(-5)]) is None
    assert installment_apr(Decimal(1000), Decimal(0), 12) is None
    assert installment_apr(Decimal(0), Decimal(100), 12) is None


def test_daily_periods_annualise_over_365_days():
    result = annualise(Decimal("0.0005"), Period.DAY)
    assert result.nominal_annual == Decimal("0.1825")
    assert round(result.effective_annual, 3) == Decimal("0.200")  # facts §7: compounded ≈ 20.0%
