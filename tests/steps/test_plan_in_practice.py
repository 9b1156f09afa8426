"""The repayment plan in practice: which month it starts, what each debt costs in it, and how
few orders it offers when they cannot differ."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from bot.locale import Locales
from bot.settings import PROJECT_ROOT
from flows.conversation.planned import payment_on, plan_start
from flows.domain.budget import Budget
from flows.domain.context import Context
from flows.domain.facts import Facts
from flows.domain.ledger import Debt, DueSpec, InstallmentTerms, LenderKind
from flows.domain.plan import Order, Plan, plan_debts, simulate
from flows.domain.texts import Text
from tests.driver import Driver, rendered
from tests.samples import head_interest_loan, one_loan_and_a_budget

TODAY = date(2026, 11, 25)


LOCALES = Locales.load(PROJECT_ROOT / "locales")


def _plan_state(ctx: Context, **debt_terms: object) -> Driver:
    chat = Driver(ctx)  # ctx.now: 2026-11-24, late in the month
    chat.command("start")
    debt = Debt(id=1, platform="借呗", borrowed=Decimal(20000), **debt_terms)
    budget = Budget(income=Decimal(6000), rent=Decimal(3200))
    chat.state = chat.state.model_copy(
        update={"debts": (debt,), "next_debt_id": 2, "budget": budget}
    )
    chat.command("plan")
    return chat


def test_a_refused_plan_does_not_point_at_a_table_it_does_not_offer(ctx: Context):
    bot = one_loan_and_a_budget(ctx, "月息2分", "1600", ("0",) * 6)
    bot.command("plan")
    overview = bot.outcome.replies[0].text
    assert overview.values["closing"] == Text("plan.closing_refused")
    assert "plan.show_table" not in [b.label.key for b in bot.buttons]


def test_an_installment_loan_without_a_quoted_rate_costs_its_schedule_in_the_plan(facts: Facts):
    # 10,000 in 12 payments of 1,000: the plan must cost 2,000 of interest, not 0.
    from flows.domain.plan import Order, plan_debts, simulate

    loan = Debt(
        id=1,
        platform="x",
        lender=LenderKind.BANK,
        borrowed=Decimal(10000),
        remaining_principal=Decimal(10000),
        installments=InstallmentTerms(payment=Decimal(1000), periods=12),
    )
    debts, _ = plan_debts([loan], facts, TODAY)
    plan = simulate(debts, Decimal(1000), Order.GUIDE)
    # The schedule costs about 35% a year, above the bank's 24% line: the plan charges interest
    # up to the line (2% a month on what is left, 1,000 a month: 12 months, not 0 interest) and
    # leaves the 652.85 above the line (12,000 - 12 x 945.596, the annuity at the line).
    assert plan.payoff_month == 12
    assert plan.total_interest == Decimal("1270.32")
    assert plan.total_disputed == Decimal("652.85")


def test_late_in_the_month_with_this_months_due_day_past_the_plan_starts_next_month(
    ctx: Context,
):
    # Before: month 1 was November even on the 24th, with the 15th's payment already made,
    # planning a full 2,800 for the last days of the month.
    chat = _plan_state(ctx, due=DueSpec.monthly(15), days_overdue=0)
    overview = rendered(chat)["plan.overview_single"]
    assert "计划从下月（2026-12）开始" in overview
    chart = next(r for r in chat.outcome.replies if r.attachment is not None)
    assert chart.attachment.payload["months"][0] == "2026-12"
    # A reminder for the December due date names the plan's first month.
    assert payment_on(chat.state, 1, date(2026, 12, 15), ctx) == Decimal(2800)


@pytest.mark.parametrize(
    "terms",
    [
        {"due": DueSpec.monthly(15), "days_overdue": 9},  # overdue: pay now
        {"due": DueSpec.monthly(28), "days_overdue": 0},  # due later this month
        {"due": DueSpec.monthly(15)},  # not known whether it is overdue
        {"days_overdue": 0},  # due day not known
    ],
)
def test_the_plan_starts_this_month_while_something_may_be_due_in_it(
    ctx: Context, terms: dict[str, object]
):
    chat = _plan_state(ctx, **terms)
    assert "计划从本月（2026-11）开始" in rendered(chat)["plan.overview_single"]
    chart = next(r for r in chat.outcome.replies if r.attachment is not None)
    assert chart.attachment.payload["months"][0] == "2026-11"


def test_the_first_month_rule_at_the_turn_of_the_year():
    debts = (Debt(id=1, platform="x", borrowed=Decimal(1), due=DueSpec.monthly(5), days_overdue=0),)
    assert plan_start(debts, date(2026, 12, 20)) == date(2027, 1, 1)
    assert plan_start(debts, date(2026, 12, 5)) == date(2026, 12, 5)  # due today


def test_a_loan_with_an_up_front_deduction_is_planned_for_what_the_law_protects(
    ctx: Context,
) -> None:
    # 6 x 1,000 on a 5,000 contract, 4,200 received: 135% a year on the money received, far
    # above the licensed 24% line. The plan repays the 4,200 received (the 800 taken up front is
    # never principal) with interest up to the line, 2% a month, at 1,000 a month:
    # m1 84.00 -> 3,284.00; m2 65.68 -> 2,349.68; m3 46.99 -> 1,396.67; m4 27.93 -> 424.60;
    # m5 8.49 -> pays 433.09. The rest of the contract, 6,000 - 4,498.85 = 1,501.15, is left
    # to negotiate, not paid (6 x 749.808..., the annuity at the line).
    debts, _ = plan_debts((head_interest_loan(),), ctx.facts, ctx.now.date())
    (debt,) = debts
    assert debt.above_line  # the legal check still runs on the money received
    assert debt.balance == Decimal("4200.00") and debt.minimum == Decimal("749.81")
    assert debt.disputed == Decimal("1501.15") and not debt.disputed_last
    plan = simulate(debts, Decimal(1000), Order.GUIDE)
    assert isinstance(plan, Plan)
    (outcome,) = plan.debts
    assert outcome.payoff_month == 5
    assert outcome.interest == Decimal("233.09")
    assert plan.total_disputed == Decimal("1501.15")


def test_one_debt_gets_its_plan_without_three_identical_orders(ctx: Context) -> None:
    # 500 yuan owed, 3,200 a month: "三种还款顺序对比" listed the same line three times, with
    # three order buttons that change nothing.
    chat = Driver(ctx)
    chat.command("start")
    debt = Debt(id=1, platform="fenqile", borrowed=Decimal(500), remaining_principal=Decimal(500))
    budget = Budget(income=Decimal(5000), rent=Decimal(1000), food=Decimal(800))
    chat.state = chat.state.model_copy(
        update={"debts": (debt,), "next_debt_id": 2, "budget": budget}
    )
    chat.command("plan")
    assert chat.keys[0] == "plan.overview_single"
    assert not [b for b in chat.buttons if b.data.split("|")[-1].startswith("order:")]
    shown = LOCALES.get("zh-CN").render(chat.outcome.replies[0].text)
    assert "fenqile\uff08500 \u5143\uff09" in shown  # fenqile (500 yuan)
