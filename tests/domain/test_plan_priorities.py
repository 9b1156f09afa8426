"""The plan a debt counsellor would sign: current debts kept current, the part above the legal
line never paid first, overdue lawful debts next by the order, money exact to the fen."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flows.domain.facts import Facts
from flows.domain.ledger import Debt, DueSpec, InstallmentTerms, LenderKind, RateQuote
from flows.domain.money import Period
from flows.domain.plan import (
    ORDERS,
    Order,
    Plan,
    PlanDebt,
    Refusal,
    contractual_due,
    custom_order,
    moved,
    plan_debts,
    simulate,
)

D = Decimal
TODAY = date(2026, 11, 24)
MONTHLY = D("2100")  # income 6,000 - essentials 3,900


def planned(result: Plan | Refusal) -> Plan:
    assert isinstance(result, Plan), result
    return result


def payments(plan: Plan, debt_id: int) -> list[Decimal]:
    return [row.paid for m in plan.months if (row := m.row(debt_id)) is not None]


# ---- the issue's case ------------------------------------------------------------------------

LOAN_714 = Debt(
    id=1,
    platform="714",
    contract_date=date(2026, 10, 20),
    borrowed=D("3000"),
    received=D("2100"),
    remaining_principal=D("3000"),
    installments=InstallmentTerms(payment=D("3000"), periods=1),
    due=DueSpec.once(date(2026, 10, 27)),
    days_overdue=28,
    owed_now=D("4500"),
)
CARD = Debt(
    id=2,
    platform="\u4fe1\u7528\u5361",  # xinyongka: credit card
    lender=LenderKind.BANK,
    remaining_principal=D("8000"),
    rate=RateQuote(per_period=D("0.015"), period=Period.MONTH),
    due=DueSpec.monthly(10),
    days_overdue=35,
)
JIEBEI = Debt(
    id=3,
    platform="\u501f\u5457",  # Jiebei
    lender=LenderKind.MICROLENDER,
    remaining_principal=D("10000"),
    rate=RateQuote(per_period=D("0.012"), period=Period.MONTH),
    due=DueSpec.monthly(15),
    days_overdue=20,
)
WEILIDAI = Debt(
    id=4,
    platform="\u5fae\u7c92\u8d37",  # Weilidai, not overdue
    lender=LenderKind.BANK,
    borrowed=D("6000"),
    remaining_principal=D("6000"),
    installments=InstallmentTerms(payment=D("650"), periods=10),
    due=DueSpec.monthly(20),
    days_overdue=0,
)
ANYIHUA = Debt(
    id=5,
    platform="\u5b89\u9038\u82b1",  # Anyihua
    lender=LenderKind.CONSUMER_FINANCE,
    remaining_principal=D("5000"),
    rate=RateQuote(per_period=D("0.019"), period=Period.MONTH),
    due=DueSpec.monthly(5),
    days_overdue=60,
)
FIVE = (LOAN_714, CARD, JIEBEI, WEILIDAI, ANYIHUA)


def test_the_714_loan_is_planned_for_what_the_law_protects_not_the_900_taken_up_front(
    facts: Facts,
):
    # Contract 3,000, received 2,100, due in 7 days; lender type unknown, so the line that may
    # apply is the lowest: 4 x LPR on 2026-10-20 = 12%. Lawful: 2,100 + 2,100 x 12% x 7/365
    # = 2,104.83. The other 895.17 (the 900 taken up front, less those 4.83) may be above the
    # line: planned, but only after every lawful payment.
    debts, _ = plan_debts(FIVE, facts, TODAY)
    loan = next(d for d in debts if d.id == 1)
    assert loan.balance == D("2104.83") and loan.disputed == D("895.17")
    assert loan.disputed_last and loan.planned_total == D("3000.00")


def test_the_issue_case_keeps_the_current_weilidai_current_from_month_one(facts: Facts):
    debts, _ = plan_debts(FIVE, facts, TODAY)
    for order in ORDERS:
        plan = planned(simulate(debts, MONTHLY, order))
        weilidai = payments(plan, 4)
        # At least its 650 every month until it is cleared, never 0 (in the guide's order
        # exactly 650, the last one 650.01: the schedule's rate rounds to the fen each month).
        assert all(paid >= D("650") for paid in weilidai), order
        assert plan.at_risk == ()
    guide = planned(simulate(debts, MONTHLY, Order.GUIDE))
    assert payments(guide, 4) == [D("650.00")] * 9 + [D("650.01")]


def test_the_issue_case_in_the_guide_order_month_by_month(facts: Facts):
    # Month 1: 微粒贷 its 650 first; the other 1,450 to the largest overdue lawful debt, 借呗:
    # 10,000 + 120 interest - 1,450 = 8,670. 信用卡 and 安逸花 wait (interest 120 and 95); the
    # 714 loan, above the line, comes last.
    debts, _ = plan_debts(FIVE, facts, TODAY)
    plan = planned(simulate(debts, MONTHLY, Order.GUIDE))
    first = plan.months[0]
    assert [r.debt_id for r in first.rows] == [3, 2, 5, 4, 1]
    assert {r.debt_id: r.paid for r in first.rows} == {
        3: D("1450.00"),
        2: D("0.00"),
        5: D("0.00"),
        4: D("650.00"),
        1: D("0.00"),
    }
    assert first.row(3).balance == D("8670.00")
    # Month 2: 借呗 interest on 8,670 at 1.2% = 104.04; 8,670 + 104.04 - 1,450 = 7,324.04.
    assert plan.months[1].row(3).balance == D("7324.04")
    payoff = {o.debt.id: o.payoff_month for o in plan.debts}
    assert payoff == {3: 8, 2: 13, 5: 16, 4: 10, 1: 18}
    # The 714 loan's part above the line is paid only once nothing lawful is left: month 17,
    # after its lawful 2,104.83 is done (865.56 in month 16, 1,239.27 in month 17).
    for month in plan.months:
        for row in month.rows:
            if row.paid_disputed:
                assert all(r.lawful_left == 0 for r in month.rows), month.number
    assert plan.months[16].row(1).paid == D("2100.00")
    assert plan.months[16].row(1).paid_disputed == D("860.73")
    assert plan.total_paid == plan.total_principal + plan.total_interest == D("35734.44")


# ---- a budget that covers only the current loans ---------------------------------------------


def test_a_budget_covering_only_the_current_loans_pays_them_and_leaves_the_overdue_waiting():
    debts = [
        PlanDebt(1, "overdue", D("5000"), overdue=True),
        PlanDebt(2, "current A", D("3000"), minimum=D("600")),
        PlanDebt(3, "current B", D("2000"), minimum=D("500")),
    ]
    plan = planned(simulate(debts, D("1100"), Order.GUIDE))
    assert plan.months[0].row(1).paid == 0
    assert plan.months[0].row(2).paid == D("600") and plan.months[0].row(3).paid == D("500")
    assert plan.at_risk == ()


def test_a_budget_short_of_the_current_payments_names_the_payment_at_risk():
    debts = [
        PlanDebt(2, "current A", D("3000"), minimum=D("600")),
        PlanDebt(3, "current B", D("2000"), minimum=D("500")),
        PlanDebt(1, "overdue", D("5000"), overdue=True),
    ]
    plan = planned(simulate(debts, D("1000"), Order.GUIDE))
    # The larger current debt's 600 first, then 400 of the other's 500: that one is at risk.
    assert plan.months[0].row(2).paid == D("600") and plan.months[0].row(3).paid == D("400")
    (risk,) = plan.at_risk
    assert (risk.debt_id, risk.month, risk.reason) == (3, 1, "budget")
    assert (risk.due, risk.paid) == (D("500"), D("400"))


# ---- a 714 loan alone ------------------------------------------------------------------------


def loan_714(**fields: object) -> Debt:
    values: dict[str, object] = {
        "id": 1,
        "platform": "714",
        "contract_date": date(2026, 11, 20),
        "borrowed": D("3000"),
        "received": D("2100"),
        "remaining_principal": D("3000"),
        "installments": InstallmentTerms(payment=D("3000"), periods=1),
        "due": DueSpec.once(date(2026, 11, 27)),
        "days_overdue": 0,
    }
    values.update(fields)
    return Debt.model_validate(values)


def test_a_714_loan_alone_not_yet_due_pays_the_lawful_part_by_its_due_date_and_the_rest_last(
    facts: Facts,
):
    # Lender type unknown: lawful 2,104.83 is its contractual payment this month (due on the
    # 27th); the 895.17 that may be above the line follows only after it.
    debts, _ = plan_debts([loan_714()], facts, TODAY)
    (loan,) = debts
    assert loan.single and loan.minimum == D("2104.83")
    plan = planned(simulate(debts, D("2500"), Order.GUIDE))
    first = plan.months[0].row(1)
    assert (first.paid, first.paid_disputed) == (D("2500.00"), D("395.17"))
    assert payments(plan, 1) == [D("2500.00"), D("500.00")]
    assert plan.total_paid == D("3000.00")


def test_a_714_loan_from_a_licensed_lender_is_planned_without_the_part_above_the_line(
    facts: Facts,
):
    # A licensed lender: the line is known (24%), the part above it is not paid but negotiated,
    # and the full 3,000 due on the 27th is named as a payment at risk.
    debts, _ = plan_debts([loan_714(lender=LenderKind.MICROLENDER)], facts, TODAY)
    (loan,) = debts
    # 2,100 + 2,100 x 24% x 7 / 365 = 2,109.67; above: 890.33.
    assert loan.balance == D("2109.67") and loan.disputed == D("890.33")
    assert not loan.disputed_last
    plan = planned(simulate(debts, D("2500"), Order.GUIDE))
    assert payments(plan, 1) == [D("2109.67")]
    assert plan.total_disputed == D("890.33")
    (risk,) = plan.at_risk
    assert (risk.reason, risk.due, risk.paid) == ("above_line", D("3000"), D("2109.67"))


# ---- a friend's loan without interest --------------------------------------------------------


def test_a_friends_loan_without_interest_costs_nothing_and_waits_for_the_overdue(facts: Facts):
    friend = Debt(
        id=1,
        platform="\u8001\u738b",  # Lao Wang
        lender=LenderKind.PRIVATE,
        borrowed=D("5000"),
        rate=RateQuote(per_period=D("0"), period=Period.YEAR),
    )
    overdue = Debt(id=2, platform="X", lender=LenderKind.BANK, remaining_principal=D("1000"))
    overdue = overdue.model_copy(update={"days_overdue": 10})
    debts, _ = plan_debts([friend, overdue], facts, TODAY)
    plan = planned(simulate(debts, D("1000"), Order.GUIDE))
    assert payments(plan, 2) == [D("1000.00")]
    assert payments(plan, 1) == [D("0.00")] + [D("1000.00")] * 5
    assert plan.total_interest == 0 and plan.at_risk == ()


# ---- a credit card with a minimum payment ----------------------------------------------------


def test_a_credit_card_keeps_its_minimum_payment_while_the_rest_goes_to_the_overdue():
    card = PlanDebt(1, "card", D("8000"), monthly_rate=D("0.015"), minimum=D("800"))
    overdue = PlanDebt(2, "overdue", D("3000"), monthly_rate=D("0.01"), overdue=True)
    plan = planned(simulate([card, overdue], D("1500"), Order.GUIDE))
    # Month 1: card 120 interest, its 800 minimum -> 7,320; overdue 30 interest, 700 -> 2,330.
    assert plan.months[0].row(1).paid == D("800") and plan.months[0].row(1).balance == D("7320")
    assert plan.months[0].row(2).paid == D("700") and plan.months[0].row(2).balance == D("2330")
    assert all(p >= D("800") for p in payments(plan, 1)[:-1])


def test_a_credit_card_without_a_known_minimum_is_named_not_paid_silently_nothing(facts: Facts):
    card = Debt(
        id=1,
        platform="card",
        lender=LenderKind.BANK,
        remaining_principal=D("8000"),
        rate=RateQuote(per_period=D("0.0005"), period=Period.DAY),
        due=DueSpec.monthly(10),
        days_overdue=0,
    )
    overdue = Debt(
        id=2, platform="X", lender=LenderKind.BANK, remaining_principal=D("9000"), days_overdue=9
    )
    debts, _ = plan_debts([card, overdue], facts, TODAY)
    plan = planned(simulate(debts, D("1000"), Order.GUIDE))
    (risk,) = plan.at_risk
    assert (risk.debt_id, risk.reason) == (1, "payment_unknown")


# ---- an installment loan three periods behind ------------------------------------------------


def test_an_installment_loan_three_periods_behind_pays_its_installment_then_the_arrears(
    facts: Facts,
):
    # 12 x 900 on 10,000 (about 14.5% a year, within the bank's line), 3 periods (90 days)
    # behind. A current loan's 650 first, then the overdue loan's own 900, then the rest of the
    # money to it as the only overdue debt.
    behind = Debt(
        id=1,
        platform="behind",
        lender=LenderKind.BANK,
        borrowed=D("10000"),
        remaining_principal=D("9000"),
        installments=InstallmentTerms(payment=D("900"), periods=12),
        due=DueSpec.monthly(8),
        days_overdue=90,
    )
    debts, _ = plan_debts([behind, WEILIDAI], facts, TODAY)
    plan = planned(simulate(debts, D("2000"), Order.GUIDE))
    first = plan.months[0]
    assert first.row(4).paid == D("650.00") and first.row(1).paid == D("1350.00")
    # Money only for the current loan and part of the installment: the current one still first.
    short = planned(simulate(debts, D("1200"), Order.GUIDE))
    assert short.months[0].row(4).paid == D("650.00") and short.months[0].row(1).paid == D("550")
    assert short.at_risk == ()  # an overdue loan's installment is not a current payment


# ---- the guide's priority among overdue lawful debts: credit-report damage, then size ------


@pytest.mark.parametrize(
    ("kind", "may_report"),
    [
        (LenderKind.BANK, True),
        (LenderKind.CREDIT_CARD, True),
        (LenderKind.CONSUMER_FINANCE, True),
        (LenderKind.MICROLENDER, True),  # 借呗 / 微粒贷-type online small loans
        (LenderKind.UNKNOWN, True),  # may be a licensed lender: treated cautiously
        (None, True),  # not asked: the same as unknown
        (LenderKind.PRIVATE, False),  # a person: may not report
    ],
)
def test_which_lender_kinds_may_damage_the_credit_report(facts: Facts, kind, may_report):
    debt = Debt(id=1, platform="X", lender=kind, remaining_principal=D("1000"), days_overdue=9)
    (planned_debt,), _ = plan_debts([debt], facts, TODAY)
    assert planned_debt.reports_credit is may_report


def test_the_guide_pays_overdue_debts_that_may_damage_the_credit_report_first_then_the_large(
    facts: Facts,
):
    # All overdue, all within the line, no interest (so only the order decides). The friend's
    # 8,000 is the largest but may not be reported: it comes after every other overdue debt;
    # among the rest the largest first; an unknown lender is treated as one that may report.
    def overdue(debt_id: int, kind: LenderKind | None, amount: str) -> Debt:
        return Debt(
            id=debt_id,
            platform=f"P{debt_id}",
            lender=kind,
            remaining_principal=D(amount),
            days_overdue=30,
        )

    debts, _ = plan_debts(
        [
            overdue(1, LenderKind.PRIVATE, "8000"),
            overdue(2, LenderKind.BANK, "3000"),
            overdue(3, None, "2000"),
            overdue(4, LenderKind.MICROLENDER, "5000"),
            overdue(5, LenderKind.PRIVATE, "1000"),
        ],
        facts,
        TODAY,
    )
    plan = planned(simulate(debts, D("4000"), Order.GUIDE))
    assert [o.debt.id for o in plan.debts] == [4, 2, 3, 1, 5]
    first = plan.months[0]
    assert [first.row(i).paid for i in (4, 2, 3, 1, 5)] == [D("4000"), 0, 0, 0, 0]
    # The alternatives keep their own rule: snowball the smallest first, whoever lent it.
    snowball = planned(simulate(debts, D("4000"), Order.SNOWBALL))
    assert [o.debt.id for o in snowball.debts] == [5, 3, 2, 4, 1]


def test_a_current_debt_is_kept_current_ahead_of_an_overdue_one_that_may_damage_the_report(
    facts: Facts,
):
    # The priority only orders what is left after the current payments: a current private
    # loan's 500 still comes before the overdue bank loan.
    friend = Debt(
        id=1,
        platform="friend",
        lender=LenderKind.PRIVATE,
        remaining_principal=D("5000"),
        installments=InstallmentTerms(payment=D("500"), periods=10),
        due=DueSpec.monthly(5),
        days_overdue=0,
    )
    bank = Debt(
        id=2,
        platform="bank",
        lender=LenderKind.BANK,
        remaining_principal=D("9000"),
        days_overdue=40,
    )
    debts, _ = plan_debts([friend, bank], facts, TODAY)
    first = planned(simulate(debts, D("1200"), Order.GUIDE)).months[0]
    assert first.row(1).paid == D("500") and first.row(2).paid == D("700")


# ---- money exact -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("case", "debts", "monthly", "first", "second"),
    [
        # 1,000.02 at 1,000 a month: not 1,000 now and a tail of 0.02 next month, nor 0.02
        # over the month's money: 999.02 now, exactly 1 yuan next month.
        ("tail of 0.02", [PlanDebt(1, "A", D("1000.02"))], D("1000"), {1: "999.02"}, {1: "1"}),
        # A last installment a few fen above the contract amount (interest added) is asked
        # whole: 500.40 with the installment, B gets the rest of the month.
        (
            "last installment",
            [PlanDebt(1, "A", D("500.40"), minimum=D("500")), PlanDebt(2, "B", D("3000"))],
            D("800"),
            {1: "500.40", 2: "299.60"},
            {2: "800"},
        ),
        # The money runs out on the second debt 0.30 short of clearing it: it gets 1 yuan less
        # than that, and the first stays cleared.
        (
            "money runs out",
            [PlanDebt(1, "A", D("700"), overdue=True), PlanDebt(2, "B", D("300.30"), overdue=True)],
            D("1000"),
            {1: "700", 2: "299.30"},
            {2: "1"},
        ),
        # A balance below 1 yuan the money cannot clear is not paid in part.
        (
            "below 1 yuan",
            [
                PlanDebt(1, "A", D("999.80"), overdue=True),
                PlanDebt(2, "B", D("0.50"), overdue=True),
            ],
            D("1000"),
            {1: "999.80", 2: "0"},
            {2: "0.50"},
        ),
        # A current loan's installment the money covers only in part, 0.40 short of clearing:
        # it is paid 1 yuan less and named at risk (checked below), never over the budget.
        (
            "short installment",
            [PlanDebt(1, "A", D("500.40"), minimum=D("600"))],
            D("500"),
            {1: "499.40"},
            {1: "1"},
        ),
    ],
)
def test_no_month_pays_more_than_its_money_and_no_payment_leaves_a_tail_below_one_yuan(
    case, debts, monthly, first, second
):
    plan = planned(simulate(debts, monthly, Order.GUIDE))
    for month, expected in zip(plan.months, (first, second), strict=False):
        assert month.paid <= month.available, case
        for debt_id, amount in expected.items():
            row = month.row(debt_id)
            assert row is not None and row.paid == D(amount), case
            assert not 0 < row.lawful_left < 1 or row.balance_before < 1, case
    assert plan.total_paid == plan.total_principal + plan.total_interest


def test_a_short_installment_made_smaller_to_leave_one_yuan_is_named_at_risk():
    plan = planned(
        simulate([PlanDebt(1, "A", D("500.40"), minimum=D("600"))], D("500"), Order.GUIDE)
    )
    assert [(r.debt_id, r.month, r.reason, r.due, r.paid) for r in plan.at_risk] == [
        (1, 1, "budget", D("500.40"), D("499.40"))
    ]


# ---- the user's own order --------------------------------------------------------------------


def test_a_debt_moved_up_is_paid_first_but_never_ahead_of_a_current_payment():
    debts = [
        PlanDebt(1, "big overdue", D("5000"), overdue=True),
        PlanDebt(2, "small overdue", D("1000"), overdue=True),
        PlanDebt(3, "current", D("3000"), minimum=D("300")),
    ]
    order = custom_order(debts, ())
    assert order == (1, 2, 3)
    order = moved(order, 2, -1)
    assert order == (2, 1, 3)
    assert moved(order, 2, -1) == order  # already first
    assert moved(order, 99, 1) == order  # a forged id moves nothing
    plan = planned(simulate(debts, D("1000"), Order.CUSTOM, custom=order))
    first = plan.months[0]
    assert first.row(3).paid == D("300") and first.row(2).paid == D("700")
    assert first.row(1).paid == 0


# ---- properties ------------------------------------------------------------------------------

money = st.decimals(min_value=D("0.01"), max_value=D("50000"), places=2)
rates = st.decimals(min_value=D("0"), max_value=D("0.04"), places=4)


@st.composite
def debt_lists(draw: st.DrawFn) -> list[PlanDebt]:
    count = draw(st.integers(min_value=1, max_value=6))
    debts = []
    for i in range(1, count + 1):
        overdue = draw(st.booleans())
        single = not overdue and draw(st.booleans())
        balance = draw(money)
        above = draw(st.booleans())
        debts.append(
            PlanDebt(
                id=i,
                platform=f"P{i}",
                balance=balance,
                monthly_rate=draw(rates),
                minimum=balance if single else draw(st.one_of(st.just(D("0")), money)),
                overdue=overdue,
                above_line=above,
                disputed=draw(money) if above else D("0"),
                disputed_last=above and draw(st.booleans()),
                due_month=draw(st.integers(min_value=1, max_value=4)),
                single=single,
                above_rate=draw(st.sampled_from([D("0"), D("0.01")])) if above else D("0"),
                reports_credit=draw(st.booleans()),
            )
        )
    return debts


@settings(max_examples=200, deadline=None)
@given(
    debts=debt_lists(),
    monthly=st.decimals(min_value=D("0"), max_value=D("30000"), places=2),
    order=st.sampled_from(list(Order)),
    one_offs=st.dictionaries(st.integers(min_value=1, max_value=130), money, max_size=2),
    custom=st.permutations(range(1, 7)),
)
def test_every_plan_keeps_current_debts_current_and_never_pays_the_unlawful_part_first(
    debts, monthly, order, one_offs, custom
):
    result = simulate(debts, monthly, order, one_offs, custom=tuple(custom))
    if isinstance(result, Refusal):
        # No plan: it says why (nothing to pay with, interest outgrows it, or too long).
        assert result.reason in {"nothing_available", "interest_not_covered", "too_long"}
        return
    by_id = {d.id: d for d in debts}
    risky = {(r.debt_id, r.reason) for r in result.at_risk}
    for month in result.months:
        # Never more than the month's money, to the fen.
        assert month.paid <= month.available
        due = {}
        for row in month.rows:
            debt = by_id[row.debt_id]
            lawful_paid = row.paid - row.paid_disputed
            assert row.paid >= 0 and row.balance >= 0 and row.disputed >= 0
            # No payment leaves a lawful balance as a tail of a few fen (one entered below
            # 1 yuan is paid whole or not at all).
            owed = row.lawful_left + lawful_paid
            assert not 0 < row.lawful_left < 1 or (owed < 1 and lawful_paid == 0)
            if debt.current and debt.due_in(month.number) and debt.minimum > 0:
                due[row.debt_id] = contractual_due(debt, owed)
        # Current debts' contractual payments in full when the month's money covers them all;
        # else each one short is named as a payment at risk.
        covered = sum(due.values(), D(0)) <= month.available
        for debt_id, amount in due.items():
            row = month.row(debt_id)
            assert row is not None
            if row.paid - row.paid_disputed < amount:
                assert not covered and (debt_id, "budget") in risky
        # No part above the line while any lawful balance is still unpaid this month.
        if any(row.paid_disputed > 0 for row in month.rows):
            assert all(row.lawful_left == 0 for row in month.rows)
    # Every planned balance reaches 0; what is left out (a part above a known line) is named.
    for outcome in result.debts:
        last = result.months[outcome.payoff_month - 1].row(outcome.debt.id)
        assert last is not None and last.balance == 0
        assert outcome.paid == outcome.debt.planned_total + outcome.interest
    assert result.total_disputed == sum((d.disputed_left_out for d in debts), D(0))
    assert result.total_paid == result.total_principal + result.total_interest


def test_a_credit_card_minimum_entered_in_the_debt_list_is_kept_current(facts: Facts):
    card = Debt(
        id=1,
        platform="card",
        lender=LenderKind.BANK,
        remaining_principal=D("8000"),
        rate=RateQuote(per_period=D("0.015"), period=Period.MONTH),
        due=DueSpec.monthly(10),
        days_overdue=0,
        minimum_payment=D("800"),
    )
    overdue = Debt(
        id=2, platform="X", lender=LenderKind.BANK, remaining_principal=D("9000"), days_overdue=9
    )
    debts, _ = plan_debts([card, overdue], facts, TODAY)
    plan = planned(simulate(debts, D("1000"), Order.GUIDE))
    assert plan.at_risk == ()
    assert plan.months[0].row(1).paid == D("800") and plan.months[0].row(2).paid == D("200")
