"""The repayment plan's arithmetic: hand-checked splits for each order, and its invariants."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from flows.domain.ledger import Debt, InstallmentTerms, RateQuote
from flows.domain.money import Period
from flows.domain.plan import (
    ORDERS,
    Order,
    Plan,
    PlanDebt,
    Refusal,
    compare,
    plan_debts,
    prioritized,
    simulate,
)

D = Decimal


def planned(result: Plan | Refusal) -> Plan:
    assert isinstance(result, Plan), result
    return result


def payments(plan: Plan, debt_id: int) -> list[Decimal]:
    return [row.paid for m in plan.months if (row := m.row(debt_id)) is not None]


def payoff(plan: Plan) -> dict[int, int]:
    return {d.debt.id: d.payoff_month for d in plan.debts}


def test_snowball_clears_the_smallest_balance_first_then_rolls_its_payment_on():
    debts = [PlanDebt(1, "A", D("1000")), PlanDebt(2, "B", D("500"))]
    plan = planned(simulate(debts, D("600"), Order.SNOWBALL))
    assert payments(plan, 2) == [D("500")]
    assert payments(plan, 1) == [D("100"), D("600"), D("300")]
    assert payoff(plan) == {1: 3, 2: 1}
    assert plan.total_interest == 0 and plan.total_paid == D("1500")


def test_avalanche_pays_the_highest_rate_first_with_interest_to_the_fen():
    debts = [
        PlanDebt(1, "A", D("1000"), monthly_rate=D("0.02")),
        PlanDebt(2, "B", D("1000"), monthly_rate=D("0.01")),
    ]
    plan = planned(simulate(debts, D("500"), Order.AVALANCHE))
    # Month 1: A 20.00 interest, pays 500 -> 520.00; B 10.00 interest, nothing paid -> 1010.00.
    # Month 2: A 10.40 -> 30.40 left; B another 10.00 -> 1020.00.
    # Month 3: A 0.61 -> pays 31.01; B 10.00 -> 1030.00, pays 468.99 -> 561.01.
    # Month 4: B 5.61 -> 566.62, pays 500 -> 66.62. Month 5: B 0.67 -> pays 67.29.
    assert payments(plan, 1) == [D("500"), D("500"), D("31.01")]
    assert payments(plan, 2) == [D("0"), D("0"), D("468.99"), D("500"), D("67.29")]
    interest = {d.debt.id: d.interest for d in plan.debts}
    assert interest == {1: D("31.01"), 2: D("36.28")}
    assert payoff(plan) == {1: 3, 2: 5}
    assert plan.total_paid == D("2067.29") == plan.total_principal + plan.total_interest


def test_guide_order_puts_overdue_and_large_debts_first_and_above_the_line_last():
    debts = [
        PlanDebt(1, "small", D("800")),
        PlanDebt(2, "large", D("5000")),
        PlanDebt(3, "overdue", D("1000"), overdue=True),
        PlanDebt(4, "usury", D("9000"), monthly_rate=D("0.05"), above_line=True),
    ]
    assert [d.id for d in prioritized(debts, Order.GUIDE)] == [3, 2, 1, 4]
    assert [d.id for d in prioritized(debts, Order.AVALANCHE)] == [4, 1, 2, 3]
    assert [d.id for d in prioritized(debts, Order.SNOWBALL)] == [1, 3, 2, 4]


def test_known_minimums_are_paid_first_and_the_rest_goes_to_the_top_priority():
    debts = [
        PlanDebt(1, "installments", D("1000"), minimum=D("300")),
        PlanDebt(2, "overdue", D("2000"), overdue=True),
    ]
    plan = planned(simulate(debts, D("500"), Order.GUIDE))
    assert payments(plan, 1) == [D("300"), D("300"), D("300"), D("100")]
    assert payments(plan, 2) == [D("200"), D("200"), D("200"), D("400"), D("500"), D("500")]
    assert payoff(plan) == {1: 4, 2: 6}


def test_a_one_off_sale_is_paid_in_the_month_the_user_expects_it():
    debts = [PlanDebt(1, "A", D("3000"))]
    plan = planned(simulate(debts, D("500"), Order.GUIDE, one_offs={2: D("1000")}))
    assert payments(plan, 1) == [D("500"), D("1500"), D("500"), D("500")]
    assert plan.months[1].one_off == D("1000") and plan.months[1].available == D("1500")
    assert plan.payoff_month == 4


def test_no_month_pays_more_than_is_available_and_no_debt_goes_below_zero():
    debts = [PlanDebt(1, "A", D("333.33")), PlanDebt(2, "B", D("100.01"))]
    plan = planned(simulate(debts, D("1000"), Order.AVALANCHE))
    assert plan.payoff_month == 1
    assert plan.months[0].paid == D("433.34") <= plan.months[0].available
    assert all(row.balance == 0 for row in plan.months[0].rows)


def test_payments_that_do_not_cover_the_interest_are_refused_not_planned():
    debts = [PlanDebt(1, "A", D("10000"), monthly_rate=D("0.05"))]
    refusal = simulate(debts, D("400"), Order.GUIDE)
    assert isinstance(refusal, Refusal)
    assert refusal.reason == "interest_not_covered"
    assert refusal.monthly_interest == D("500.00")


def test_a_plan_longer_than_ten_years_is_refused():
    refusal = simulate([PlanDebt(1, "A", D("100000"))], D("100"), Order.SNOWBALL)
    assert isinstance(refusal, Refusal) and refusal.reason == "too_long"


def test_nothing_available_is_refused():
    refusal = simulate([PlanDebt(1, "A", D("100"))], D("0"), Order.GUIDE)
    assert isinstance(refusal, Refusal) and refusal.reason == "nothing_available"


def test_compare_gives_every_order_and_avalanche_never_costs_more_interest():
    debts = [
        PlanDebt(1, "A", D("2000"), monthly_rate=D("0.03")),
        PlanDebt(2, "B", D("8000"), monthly_rate=D("0.01")),
        PlanDebt(3, "C", D("500"), monthly_rate=D("0.02")),
    ]
    plans = {o: planned(p) for o, p in compare(debts, D("1500")).items()}
    assert set(plans) == set(ORDERS)
    assert all(p.total_interest >= plans[Order.AVALANCHE].total_interest for p in plans.values())


def test_debts_from_the_list_use_principal_rate_installments_and_skip_what_is_unknown(facts):
    today = date(2026, 11, 24)
    debts = (
        Debt(
            id=1,
            platform="A",
            borrowed=D("10000"),
            remaining_principal=D("6000"),
            rate=RateQuote(per_period=D("0.0005"), period=Period.DAY),
            installments=InstallmentTerms(payment=D("800"), periods=12),
            days_overdue=10,
        ),
        Debt(id=2, platform="B", borrowed=D("3000"), received=D("2500")),
        Debt(id=3, platform="no amount"),
        Debt(id=4, platform="done", borrowed=D("100"), paid_off=True),
    )
    usable, missing = plan_debts(debts, facts, today)
    first, second = usable
    assert first.balance == D("6000.00") and first.minimum == D("800.00") and first.overdue
    assert first.monthly_rate == D("0.0005") * 365 / 12
    assert second.balance == D("2500.00") and not second.rate_known
    assert [d.id for d in missing] == [3]


# ---- properties ----------------------------------------------------------------------------

money = st.decimals(min_value=D("0.01"), max_value=D("200000"), places=2)
rates = st.decimals(min_value=D("0"), max_value=D("0.06"), places=4)


@st.composite
def debt_lists(draw: st.DrawFn) -> list[PlanDebt]:
    count = draw(st.integers(min_value=1, max_value=6))
    return [
        PlanDebt(
            id=i,
            platform=f"P{i}",
            balance=draw(money),
            monthly_rate=draw(rates),
            minimum=draw(st.one_of(st.just(D("0")), money)),
            overdue=draw(st.booleans()),
            above_line=draw(st.booleans()),
        )
        for i in range(1, count + 1)
    ]


@settings(max_examples=150, deadline=None)
@given(
    debts=debt_lists(),
    monthly=st.decimals(min_value=D("0"), max_value=D("60000"), places=2),
    order=st.sampled_from(list(Order)),
    one_offs=st.dictionaries(st.integers(min_value=1, max_value=130), money, max_size=3),
)
def test_any_plan_terminates_and_keeps_its_books(debts, monthly, order, one_offs):
    result = simulate(debts, monthly, order, one_offs)
    if isinstance(result, Refusal):
        assert result.reason in {"nothing_available", "interest_not_covered", "too_long"}
        return
    assert 1 <= result.payoff_month <= 120
    assert result.total_paid == result.total_principal + result.total_interest
    for month in result.months:
        # Never more than the month's money, to the fen.
        assert month.paid <= month.available
        for row in month.rows:
            assert row.paid >= 0 and row.balance >= 0
            if row.paid >= row.interest:
                assert row.balance <= row.balance_before
    for outcome in result.debts:
        present = [m.number for m in result.months if m.row(outcome.debt.id) is not None]
        assert present == list(range(1, outcome.payoff_month + 1))
        last = result.months[outcome.payoff_month - 1].row(outcome.debt.id)
        assert last is not None and last.balance == 0
        assert outcome.paid == outcome.debt.balance + outcome.interest
    assert result.payoff_month == max(d.payoff_month for d in result.debts)
