"""Agreed installments: an arrangement made with a lender is stored on the debt, old states
without one still load, and the plan keeps the agreed amount current first and repays what was
agreed."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from flows.conversation.state import UserState
from flows.domain.budget import parse_first_month
from flows.domain.context import Context
from flows.domain.facts import Facts
from flows.domain.ledger import Agreement, Debt, LenderKind, RateQuote
from flows.domain.money import Period
from flows.domain.parsing.answers import Invalid, Parsed
from flows.domain.plan import Order, Plan, Refusal, plan_debts, simulate

D = Decimal
TODAY = date(2026, 11, 24)


def planned(result: Plan | Refusal) -> Plan:
    assert isinstance(result, Plan), result
    return result


@pytest.mark.parametrize(
    ("first", "months", "left", "offset"),
    [
        ("2026-11", 12, 12, 0),  # starts this month: every payment still to make
        ("2027-01", 6, 6, 2),  # starts in two months
        ("2026-08", 12, 9, 0),  # started three months ago: those taken as paid as agreed
        ("2025-01", 6, 0, 0),  # over
    ],
)
def test_an_agreement_counts_its_months_from_the_plan_start(first, months, left, offset):
    agreement = Agreement(monthly=D("800"), first_month=first, months=months)
    assert agreement.months_left(TODAY) == left
    assert agreement.first_due_offset(TODAY) == offset
    assert agreement.total == D("800") * months


@pytest.mark.parametrize(
    "bad",
    [
        {"monthly": "0", "first_month": "2026-12", "months": 3},
        {"monthly": "-5", "first_month": "2026-12", "months": 3},
        {"monthly": "800", "first_month": "2026-13", "months": 3},
        {"monthly": "800", "first_month": "next", "months": 3},
        {"monthly": "800", "first_month": "2026-12", "months": 0},
        {"monthly": "800", "first_month": "2026-12", "months": 121},
    ],
)
def test_an_impossible_agreement_is_not_stored(bad):
    with pytest.raises(ValidationError):
        Agreement.model_validate(bad)


def test_a_state_stored_before_agreements_existed_still_loads_and_one_with_it_round_trips():
    old = {"started": True, "debts": [{"id": 1, "platform": "A", "owed_now": "1000"}]}
    state = UserState.model_validate(old)
    assert state.debts[0].agreement is None
    agreed = Agreement(monthly=D("800"), first_month="2026-12", months=12)
    debt = state.debts[0].model_copy(update={"agreement": agreed})
    saved = state.model_copy(update={"debts": (debt,)}).model_dump_json()
    assert UserState.model_validate_json(saved).debts[0].agreement == agreed


SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("下个月", "2026-12"),
        ("这个月", "2026-11"),
        ("2027年1月", "2027-01"),
        ("2027-03", "2027-03"),
        ("3月", "2027-03"),
        ("2026年9月", "2026-09"),  # already started: a past month is a real answer here
    ],
)
def test_the_first_month_is_understood_as_people_write_it(facts: Facts, typed, expected):
    ctx = Context(now=datetime(2026, 11, 24, 10, tzinfo=SHANGHAI), facts=facts)
    assert parse_first_month(typed, ctx) == Parsed(expected)


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("2001年1月", "agreement.month_too_old"),
        ("很快", "budget.month.not_understood"),
        ("🤝", "budget.month.not_understood"),
    ],
)
def test_a_first_month_not_understood_gets_a_reason(facts: Facts, typed, reason):
    ctx = Context(now=datetime(2026, 11, 24, 10, tzinfo=SHANGHAI), facts=facts)
    result = parse_first_month(typed, ctx)
    assert isinstance(result, Invalid) and result.reason == reason


# ---- the plan -------------------------------------------------------------------------------

JIEBEI = Debt(
    id=1,
    platform="借呗",
    lender=LenderKind.MICROLENDER,
    remaining_principal=D("10000"),
    days_overdue=40,
)
BANK = Debt(
    id=2,
    platform="bank",
    lender=LenderKind.BANK,
    remaining_principal=D("9000"),
    rate=RateQuote(per_period=D("0.01"), period=Period.MONTH),
    days_overdue=9,
)


def with_agreement(debt: Debt, monthly: str, first: str, months: int) -> Debt:
    agreement = Agreement(monthly=D(monthly), first_month=first, months=months)
    return debt.model_copy(update={"agreement": agreement})


def test_an_agreed_debt_is_planned_as_what_was_agreed_and_kept_current(facts: Facts):
    # 借呗, 40 days overdue, agreed at 800 a month for 12 months from this month: no longer an
    # overdue balance but 9,600 to repay at 800 a month, first every month; the overdue bank
    # loan gets the rest.
    agreed = with_agreement(JIEBEI, "800", "2026-11", 12)
    debts, missing = plan_debts([agreed, BANK], facts, TODAY)
    assert missing == ()
    first, _ = debts
    assert (first.balance, first.minimum, first.agreed, first.current) == (
        D("9600.00"),
        D("800.00"),
        True,
        True,
    )
    plan = planned(simulate(debts, D("1000"), Order.GUIDE))
    assert plan.at_risk == ()
    for month in plan.months[:11]:
        assert month.row(1).paid == D("800")
    assert plan.months[0].row(2).paid == D("200")  # after the bank's 90 of interest
    outcome = next(o for o in plan.debts if o.debt.id == 1)
    assert outcome.paid == D("9600.00") and outcome.interest == 0
    # Every order keeps it current, the snowball too (the bank's 9,000 is smaller).
    for order in (Order.AVALANCHE, Order.SNOWBALL):
        first_month = planned(simulate(debts, D("1000"), order)).months[0]
        assert first_month.row(1).paid == D("800") and first_month.row(2).paid == D("200")


def test_an_agreed_payment_the_money_cannot_cover_is_named_at_risk(facts: Facts):
    debts, _ = plan_debts([with_agreement(JIEBEI, "800", "2026-11", 12)], facts, TODAY)
    plan = planned(simulate(debts, D("500"), Order.GUIDE))
    assert [(r.debt_id, r.month, r.reason, r.due, r.paid) for r in plan.at_risk] == [
        (1, 1, "budget", D("800.00"), D("500"))
    ]


def test_an_agreement_starting_later_is_kept_current_from_its_first_month(facts: Facts):
    # From 2027-01 (plan month 3): before that the money goes to the overdue bank loan first
    # (the guide's order), from then on the agreed 800 comes first.
    agreed = with_agreement(JIEBEI, "800", "2027-01", 6)
    debts, _ = plan_debts([agreed, BANK], facts, TODAY)
    plan = planned(simulate(debts, D("1000"), Order.GUIDE))
    assert [plan.months[n].row(1).paid for n in range(4)] == [0, 0, D("800"), D("800")]
    assert plan.months[0].row(2).paid == D("1000")


def test_an_agreement_that_is_over_leaves_the_debt_list_amounts(facts: Facts):
    over = with_agreement(JIEBEI, "800", "2025-01", 6)
    (debt,), _ = plan_debts([over], facts, TODAY)
    assert not debt.agreed and debt.balance == D("10000") and debt.overdue


def test_a_debt_with_an_agreement_but_no_amounts_is_still_planned(facts: Facts):
    bare = Debt(
        id=3, platform="X", agreement=Agreement(monthly=D("300"), first_month="2026-11", months=4)
    )
    (debt,), missing = plan_debts([bare], facts, TODAY)
    assert missing == () and debt.balance == D("1200.00")


def test_an_agreement_on_a_loan_above_its_line_is_paid_as_agreed_and_says_so(facts: Facts):
    # A 714 loan settled at 1,000 a month for 3 months: the agreement is kept current (it is the
    # user's arrangement now), and the plan says the loan behind it was above its line, softly,
    # with no amount it cannot know. A lawful loan's agreement carries no such note.
    from flows.steps.plan import debt_rules
    from tests.samples import seven_one_four

    above = with_agreement(seven_one_four(id=5), "1000", "2026-11", 3)
    lawful = with_agreement(JIEBEI, "800", "2026-11", 12)
    (first, second), _ = plan_debts([above, lawful], facts, TODAY)
    assert first.agreed and first.agreed_above_line and first.balance == D("3000.00")
    assert [name for name, _ in debt_rules(first)] == ["agreed", "agreed_above"]
    assert [name for name, _ in debt_rules(second)] == ["agreed"]
    plan = planned(simulate((first, second), D("1800"), Order.GUIDE))
    assert plan.at_risk == ()
    assert (plan.months[0].row(5).paid, plan.months[0].row(1).paid) == (D("1000"), D("800"))
