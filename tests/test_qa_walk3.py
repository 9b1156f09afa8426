"""Third QA pass, steps 1-4 walked as frightened users type: Xiao Wang (three online loans, one
with an up-front deduction), Sister Li (irregular income, a private lender, a car to sell), and
people with nothing left or one tiny debt. Each test names the input and the wrong output it
guards against."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from bot.locale import Locales
from bot.settings import PROJECT_ROOT
from flows.answers import Invalid, Parsed
from flows.budget import Budget
from flows.core import ButtonPress, Context
from flows.ledger import Debt, DueSpec, InstallmentTerms, LenderKind, PenaltyRule, RateQuote
from flows.money import Period
from flows.parsing import parse_amount_or_zero
from flows.plan import Order, Plan, plan_debts, simulate
from flows.steps.contact import script_values
from tests.driver import Driver, adding_a_debt

LOCALES = Locales.load(PROJECT_ROOT / "locales")

# ---- the plan follows an installment schedule with an up-front deduction -------------------


def _head_interest_loan() -> Debt:
    # 5,000 on the contract, 4,200 received, 6 x 1,000, nothing paid yet.
    return Debt(
        id=3,
        platform="xiaodai",
        lender=LenderKind.MICROLENDER,
        contract_date=date(2026, 8, 15),
        borrowed=Decimal(5000),
        received=Decimal(4200),
        remaining_principal=Decimal(5000),
        installments=InstallmentTerms(payment=Decimal(1000), periods=6),
        due=DueSpec(day_of_month=15),
        days_overdue=0,
    )


def test_a_loan_with_an_up_front_deduction_is_planned_for_what_the_law_protects(
    ctx: Context,
) -> None:
    # 6 x 1,000 on a 5,000 contract, 4,200 received: 135% a year on the money received, far
    # above the licensed 24% line. The plan repays the 4,200 received (the 800 taken up front is
    # never principal) with interest up to the line, 2% a month, at 1,000 a month:
    # m1 84.00 -> 3,284.00; m2 65.68 -> 2,349.68; m3 46.99 -> 1,396.67; m4 27.93 -> 424.60;
    # m5 8.49 -> pays 433.09. The rest of the contract, 6,000 - 4,498.85 = 1,501.15, is left
    # to negotiate, not paid (6 x 749.808..., the annuity at the line).
    debts, _ = plan_debts((_head_interest_loan(),), ctx.facts, ctx.now.date())
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


# ---- amounts with the word people put in front --------------------------------------------


@pytest.mark.parametrize(
    ("typed", "amount"),
    [
        ("\u5269" + "2\u4e07", 20000),  # sheng 2 wan: "20k left", at "how much is left"
        ("\u8fd8\u5269\u4e24\u4e07", 20000),  # still left two wan
        ("\u5230\u624b" + "4200", 4200),  # received 4,200, at "how much arrived"
        ("\u501f\u4e86" + "5\u5343", 5000),  # borrowed 5 thousand
        ("\u623f\u79df" + "1800", 1800),  # rent 1,800, at the rent question
        ("\u4ea4\u901a" + "300", 300),  # transport 300
        ("\u5de5\u8d44" + "6500\u5de6\u53f3", 6500),  # wages about 6,500
    ],
)
def test_an_amount_with_a_naming_word_in_front_is_read(typed: str, amount: int) -> None:
    # These were "not understood", and the next typed number landed in the wrong question.
    assert parse_amount_or_zero(typed) == Parsed(Decimal(amount).quantize(Decimal("0.01")))


def test_paid_so_much_is_not_read_as_what_is_left() -> None:
    # huan le 2000 ("paid 2,000") at "how much is left" is asked again, never taken as left.
    assert isinstance(parse_amount_or_zero("\u8fd8\u4e86" + "2000"), Invalid)


# ---- "I don't know" at a question that can be skipped -------------------------------------


@pytest.mark.parametrize(
    "typed",
    ["\u4e0d\u77e5\u9053", "\u4e0d\u6e05\u695a", "\u8bb0\u4e0d\u6e05\u4e86", "\u5fd8\u4e86"],
)
def test_i_dont_know_at_the_rate_question_skips_it(ctx: Context, typed: str) -> None:
    # bu zhidao / bu qingchu / ji bu qing le / wang le: was "rate not understood".
    chat = adding_a_debt(ctx)
    chat.say("\u501f\u5457")  # the platform
    chat.press("debts.lender.consumer_finance")
    chat.say("2025-03-10")
    chat.say("3\u4e07")
    chat.press("debts.same_as_borrowed")
    chat.say("2\u4e07")
    assert "debts.ask.rate" in chat.keys
    chat.say(typed)
    assert chat.keys[-1] == "debts.ask.payment"
    assert chat.state.position.draft.get("rate") is None


# ---- the list names the line and its rate in one phrase ------------------------------------


def test_the_list_says_the_rate_is_above_the_line_without_a_dangling_colon(ctx: Context) -> None:
    # Was "...135.02%，超过持牌机构参考线：24%": a colon in the middle of the sentence.
    chat = Driver(ctx)
    chat.command("start")
    chat.state = chat.state.model_copy(
        update={"debts": (_head_interest_loan(),), "next_debt_id": 4}
    )
    chat.command("debts")
    shown = LOCALES.get("zh-CN").render(chat.outcome.replies[-1].text)
    assert "\u9ad8\u4e8e\u6301\u724c\u673a\u6784\u53c2\u8003\u7ebf 24%" in shown  # above ... 24%
    assert "\uff1a24%" not in shown


# ---- Sister Li: a friend lent 50,000 at 2 fen a month in June 2023 --------------------------


def _friend_loan(**changes: object) -> Debt:
    values: dict[str, object] = {
        "id": 1,
        "platform": "friend",
        "lender": LenderKind.PRIVATE_OR_UNKNOWN,
        "contract_date": date(2023, 6, 1),
        "borrowed": Decimal(50000),
        "received": Decimal(50000),
        "remaining_principal": Decimal(50000),
        "rate": RateQuote(per_period=Decimal("0.02"), period=Period.MONTH),
        "penalty": PenaltyRule(),
        "days_overdue": 90,
    }
    values.update(changes)
    return Debt.model_validate(values)


def _check_text(ctx: Context, debt: Debt) -> str:
    chat = Driver(ctx)
    chat.command("start")
    chat.state = chat.state.model_copy(update={"debts": (debt,), "next_debt_id": 2})
    chat.command("debts")
    (button,) = [b for b in chat.buttons if b.data.endswith("open:1")]
    chat.send(ButtonPress(button.data))
    catalog = LOCALES.get("zh-CN")
    return "\n".join(catalog.render(reply.text) for reply in chat.outcome.replies)


def test_no_penalty_means_no_talk_of_a_zero_percent_lateness_cost(ctx: Context) -> None:
    # Penalty "none" and 90 days overdue printed "罚息和费用折合年化约 0%，综合年化 24%".
    shown = _check_text(ctx, _friend_loan())
    assert "0%" not in shown.replace("2023-06-01", "")
    assert "14.6%" in shown and "2022-08-22" in shown  # the LPR in force on 2023-06-01
    assert "16,379.18" in shown  # 50,000 x (24% - 14.6%) x 1,272 days / 365


def test_an_irregular_income_typed_as_a_range_is_offered_its_low_end(ctx: Context) -> None:
    # 3000 to 6000 (a market stall) was refused with "please write one number".
    chat = Driver(ctx)
    chat.command("start")
    chat.command("budget")
    chat.press("budget.start")
    chat.press("budget.income_kind.irregular")
    chat.say("3000\u5230" + "6000")
    assert chat.keys[-1] == "budget.ask.income_range"
    chat.press("budget.income_range_low")
    assert chat.state.position.draft["income"] == "3000.00"
    assert chat.keys[-1] == "budget.ask.rent"


# ---- one tiny debt --------------------------------------------------------------------------


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


# ---- step 1: the script in the user's own words ---------------------------------------------


def test_a_reason_typed_with_because_does_not_say_because_twice() -> None:
    # "yinwei shiye le, shouru duan le" (because I lost my job...) printed
    # "the reason is: because I lost my job".
    values = script_values(
        {"platform": "meituan", "reason": {"own_words": "\u56e0\u4e3a\u5931\u4e1a\u4e86"}}
    )
    assert values["reason"] == "\u5931\u4e1a\u4e86"  # shiye le (lost my job)


def test_a_contract_month_in_which_the_lpr_changed_offers_both_sides_of_the_change(ctx: Context):
    # June 2023: 3.65% until the 19th, 3.55% from the 20th; "the 1st" alone would pick silently.
    bot = adding_a_debt(ctx)
    bot.say("老王")
    bot.press("debts.lender.private_or_unknown")
    bot.say("2023年6月")
    assert bot.keys[-1] == "debts.ask.contract_day_lpr"
    assert [b.label.values["date"] for b in bot.buttons if b.label.values] == [
        "2023-06-01",
        "2023-06-20",
    ]
    bot.send(ButtonPress(bot.buttons[1].data))
    assert bot.state.position.draft["contract_date"] == "2023-06-20"


def test_a_contract_month_without_an_lpr_change_asks_for_the_day_as_before(ctx: Context):
    bot = adding_a_debt(ctx)
    bot.say("老王")
    bot.press("debts.lender.private_or_unknown")
    bot.say("2023年7月")
    assert bot.keys[-1] == "parsing.date.which_day"
