"""The plan as the other steps use it: reminders name the planned payment, negotiation offers
the plan's monthly amount, and the plan follows the debt list, the budget and paid marks."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from bot.locale import Locales
from bot.render import render
from bot.settings import PROJECT_ROOT
from flows.conversation import planned
from flows.conversation.core import ButtonPress
from flows.conversation.reminders import Scheduled, mark_paid, reminder_message, schedule
from flows.conversation.state import UserState
from flows.domain.budget import Budget
from flows.domain.context import Context
from flows.domain.formatting import money_text
from flows.domain.ledger import Debt, DueSpec, InstallmentTerms, RateQuote
from flows.domain.money import Period
from flows.steps.plan import situation
from tests.driver import Driver

D = Decimal
SHANGHAI = ZoneInfo("Asia/Shanghai")
LOCALES = Locales.load(PROJECT_ROOT / "locales")
BUDGET = Budget(income=D("9000"), rent=D("2000"), food=D("1500"))  # 5,500 a month
JIEBEI = Debt(
    id=1,
    platform="\u501f\u5457",
    remaining_principal=D("20000"),
    rate=RateQuote(per_period=D("0.0003"), period=Period.DAY),
    days_overdue=30,
    due=DueSpec.monthly(27),
)
MEITUAN = Debt(
    id=2,
    platform="\u7f8e\u56e2\u6708\u4ed8",
    remaining_principal=D("3000"),
    rate=RateQuote(per_period=D("0.015"), period=Period.MONTH),
    installments=InstallmentTerms(payment=D("500"), periods=6),
    due=DueSpec.monthly(27),
)
SMALL = Debt(id=3, platform="Small", remaining_principal=D("1000"), due=DueSpec.monthly(27))


def user(*debts: Debt, **fields: object) -> UserState:
    return UserState(started=True, debts=debts, next_debt_id=len(debts) + 1, **fields)


def reminder_lines(state: UserState, debt: Debt, due: date, ctx: Context) -> list:
    row = Scheduled(debt.id, due, 3, ctx.now.astimezone(UTC))
    message = reminder_message(state, debt, row, ctx.now, ctx)
    return list(message.text.values["lines"])


def plan_line(state: UserState, debt: Debt, due: date, ctx: Context):
    return reminder_lines(state, debt, due, ctx)[2]


# ---- reminders -> plan ----------------------------------------------------------------------


def test_a_reminder_names_what_the_plan_pays_that_debt_this_month(ctx):
    # Guide order: the minimum of 美团 first (500), the rest (5,000) to the overdue 借呗.
    state = user(JIEBEI, MEITUAN, budget=BUDGET)
    line = plan_line(state, JIEBEI, date(2026, 11, 27), ctx)
    assert line.key == "reminders.plan.amount"
    assert line.values["amount"] == "5,000"
    assert plan_line(state, MEITUAN, date(2026, 11, 27), ctx).values["amount"] == "500"


def test_the_reminder_follows_the_order_the_user_last_chose(ctx):
    # Avalanche: 美团 (1.5% a month) comes first: 3,000 + its interest up to the line that may
    # apply (lender type unknown: 4 x LPR, 1% a month) = 3,030; the 15 above it waits until
    # every lawful payment is made. 借呗 gets the rest.
    state = user(JIEBEI, MEITUAN, budget=BUDGET, plan_order="avalanche")
    assert plan_line(state, MEITUAN, date(2026, 11, 27), ctx).values["amount"] == "3,030"
    assert plan_line(state, JIEBEI, date(2026, 11, 27), ctx).values["amount"] == "2,470"


def test_a_due_date_next_month_names_next_months_payment(ctx):
    state = user(JIEBEI, MEITUAN, budget=BUDGET, plan_order="avalanche")
    plan = planned.current_plan(state, ctx)
    assert plan is not None
    december = plan.months[1].row(JIEBEI.id)
    assert december is not None and december.paid > D("2455")
    line = plan_line(state, JIEBEI, date(2026, 12, 27), ctx)
    assert line.values["amount"] == money_text(december.paid)


def test_a_debt_whose_turn_comes_later_is_said_so_not_given_zero_yuan(ctx):
    state = user(JIEBEI, MEITUAN, SMALL, budget=BUDGET)
    line = plan_line(state, SMALL, date(2026, 11, 27), ctx)
    assert line.key == "reminders.plan.nothing_this_month"


def test_without_a_budget_the_reminder_names_no_planned_amount(ctx):
    state = user(JIEBEI, MEITUAN)
    lines = reminder_lines(state, JIEBEI, date(2026, 11, 27), ctx)
    assert [line.key for line in lines] == [
        "reminders.when.in_days",
        "reminders.amount.remaining",
        "reminders.plan.none",
    ]
    shown = render(LOCALES.get("zh-CN"), reminder_message_for(state, JIEBEI, ctx)).parts[0]
    assert "\u6309\u4f60\u7684\u8ba1\u5212" not in shown  # no "according to your plan"


def reminder_message_for(state: UserState, debt: Debt, ctx: Context):
    row = Scheduled(debt.id, date(2026, 11, 27), 3, ctx.now.astimezone(UTC))
    return reminder_message(state, debt, row, ctx.now, ctx)


def test_a_refused_plan_names_no_amount(ctx):
    # 100 a month left does not cover 借呗's interest (about 182 a month): no plan.
    state = user(JIEBEI, budget=Budget(income=D("1600")))
    assert plan_line(state, JIEBEI, date(2026, 11, 27), ctx).key == "reminders.plan.none"


def test_nothing_left_in_the_budget_names_no_amount(ctx):
    state = user(JIEBEI, budget=Budget(income=D("1000")))
    assert plan_line(state, JIEBEI, date(2026, 11, 27), ctx).key == "reminders.plan.none"


def test_the_planned_amount_renders_in_both_languages(ctx):
    state = user(JIEBEI, MEITUAN, budget=BUDGET)
    message = reminder_message_for(state, JIEBEI, ctx)
    assert "5,000" in render(LOCALES.get("zh-CN"), message).parts[0]
    assert "5,000" in render(LOCALES.get("en"), message).parts[0]


def test_an_overdue_due_date_from_last_month_counts_in_this_month(ctx):
    state = user(JIEBEI, MEITUAN, budget=BUDGET)
    assert plan_line(state, JIEBEI, date(2026, 10, 27), ctx).values["amount"] == "5,000"


def test_the_plan_follows_every_edit_of_the_budget(ctx):
    state = user(JIEBEI, MEITUAN, budget=BUDGET)
    first = planned.current_plan(state, ctx)
    edited = state.model_copy(update={"budget": Budget(income=D("12000"))})
    second = planned.current_plan(edited, ctx)
    assert first is not None and second is not None
    assert second.monthly == D("10500")  # 12,000 - 1,500 floor
    assert planned.current_plan(state, ctx) == first


# ---- plan <-> debts and budget --------------------------------------------------------------


def test_a_paid_off_debt_or_one_with_nothing_left_is_not_planned(ctx):
    paid_off = JIEBEI.model_copy(update={"paid_off": True})
    cleared = MEITUAN.model_copy(update={"remaining_principal": D("0")})
    state = user(paid_off, cleared, SMALL, budget=BUDGET)
    view = situation(state, ctx)
    assert [d.id for d in view.debts] == [SMALL.id]
    assert view.missing == ()
    assert planned.monthly_offer(state, JIEBEI.id, ctx) is None
    assert plan_line(state, MEITUAN, date(2026, 11, 27), ctx).key == "reminders.plan.none"


def test_a_due_date_marked_paid_does_not_change_the_plan(ctx):
    # 已还 says a payment was made, not how much: the balances in /debts stay the plan's input.
    state = user(JIEBEI, MEITUAN, budget=BUDGET)
    marked = mark_paid(state, MEITUAN.id, date(2026, 11, 27), ctx.now.date())
    before, after = planned.current_plan(state, ctx), planned.current_plan(marked, ctx)
    assert before is not None and after is not None
    assert before.months == after.months


# ---- negotiation -> plan --------------------------------------------------------------------


def negotiating(ctx: Context, *debts: Debt, **fields: object) -> Driver:
    """At the monthly question of an installments script for the first debt."""
    chat = Driver(ctx)
    chat.command("start")
    chat.state = chat.state.model_copy(
        update={"debts": debts, "next_debt_id": len(debts) + 1, **fields}
    )
    chat.send(ButtonPress("m:negotiate"))
    chat.press("negotiate.write_script")
    chat.send(
        ButtonPress(next(b.data for b in chat.buttons if b.data.endswith(f"d:{debts[0].id}")))
    )
    chat.press("negotiate.kind.installments")
    assert chat.outcome.replies[-1].text.key == "negotiate.ask_monthly"
    return chat


def script_text(chat: Driver, locale: str = "zh-CN") -> str:
    assert chat.where == ("negotiate", "script")
    return LOCALES.get(locale).render(chat.outcome.replies[0].text)


def test_the_monthly_question_offers_the_plans_amount_for_that_debt(ctx):
    chat = negotiating(ctx, JIEBEI, MEITUAN, budget=BUDGET)
    offer = chat.button("negotiate.monthly_from_plan")
    assert offer.label.values["amount"] == "5,000"
    assert "5,000" in LOCALES.get("zh-CN").render(offer.label)
    chat.press("negotiate.monthly_from_plan")
    assert "5,000" in script_text(chat)


def test_an_installment_debt_is_offered_its_planned_minimum(ctx):
    chat = negotiating(ctx, MEITUAN, JIEBEI, budget=BUDGET)
    assert chat.button("negotiate.monthly_from_plan").label.values["amount"] == "500"


def test_a_debt_whose_turn_comes_later_is_offered_the_amount_with_its_start_month(ctx):
    chat = negotiating(ctx, JIEBEI, MEITUAN, budget=BUDGET, plan_order="avalanche")
    offer = chat.button("negotiate.monthly_from_plan_later")
    assert dict(offer.label.values) == {"amount": "5,500", "month": "2026-12"}
    for locale in ("zh-CN", "en"):
        shown = LOCALES.get(locale).render(offer.label)
        assert "5,500" in shown and "2026-12" in shown and "{" not in shown
    chat.press("negotiate.monthly_from_plan_later")
    assert "5,500" in script_text(chat, "en")


def test_typing_an_amount_still_works_next_to_the_plan_button(ctx):
    chat = negotiating(ctx, JIEBEI, MEITUAN, budget=BUDGET)
    chat.say("800")
    text = script_text(chat)
    assert "800" in text and "5,000" not in text


def test_without_a_plan_the_monthly_question_is_asked_as_before(ctx):
    chat = negotiating(ctx, JIEBEI, MEITUAN)
    assert [b.label.key for b in chat.buttons] == ["nav.back", "nav.skip", "nav.menu"]
    chat.say("800")
    assert "800" in script_text(chat)


def test_a_refused_plan_offers_no_amount(ctx):
    chat = negotiating(ctx, JIEBEI, budget=Budget(income=D("1600")))
    assert "negotiate.monthly_from_plan" not in [b.label.key for b in chat.buttons]


def test_a_forged_amount_button_changes_nothing(ctx):
    chat = negotiating(ctx, JIEBEI, MEITUAN, budget=BUDGET)
    real = chat.button("negotiate.monthly_from_plan").data
    before = chat.state
    chat.send(ButtonPress(real.replace("5000.00", "99999")))
    assert chat.state.position == before.position
    assert "monthly" not in chat.state.position.draft
    chat.send(ButtonPress(real))
    assert chat.where == ("negotiate", "script")


def test_another_kind_keeps_offering_the_plans_amount(ctx):
    chat = negotiating(ctx, JIEBEI, MEITUAN, budget=BUDGET)
    chat.press("negotiate.monthly_from_plan")
    chat.press("negotiate.other_kind")
    chat.press("negotiate.kind.waive")
    assert chat.button("negotiate.monthly_from_plan").label.values["amount"] == "5,000"


# ---- /plan after editing through /debts and /budget -----------------------------------------


def press_data(chat: Driver, suffix: str) -> None:
    chat.send(ButtonPress(next(b.data for b in chat.buttons if b.data.endswith(suffix))))


def edit_remaining(chat: Driver, debt_id: int, amount: str) -> None:
    chat.command("debts")
    press_data(chat, f"open:{debt_id}")
    chat.press("debts.edit")
    press_data(chat, "f:remaining_principal")
    chat.say(amount)


def overview_balances(chat: Driver) -> dict[str, str]:
    chat.command("plan")
    overview = next(r for r in chat.outcome.replies if r.text.key.startswith("plan.overview"))
    return {
        line.values["platform"]: line.values["balance"] for line in overview.text.values["detail"]
    }


def test_plan_shows_a_debt_edited_in_the_debt_list_and_drops_one_with_nothing_left(ctx):
    chat = Driver(ctx)
    chat.command("start")
    chat.state = chat.state.model_copy(
        update={"debts": (JIEBEI, MEITUAN), "next_debt_id": 3, "budget": BUDGET}
    )
    assert overview_balances(chat) == {
        "\u501f\u5457": "20,000",
        "\u7f8e\u56e2\u6708\u4ed8": "3,000",
    }
    edit_remaining(chat, JIEBEI.id, "15000")
    assert overview_balances(chat)["\u501f\u5457"] == "15,000"
    edit_remaining(chat, MEITUAN.id, "0")
    assert overview_balances(chat) == {"\u501f\u5457": "15,000"}
    cleared = next(d for d in chat.state.debts if d.id == MEITUAN.id)
    assert cleared.cleared
    assert plan_line(chat.state, cleared, date(2026, 11, 27), ctx).key == "reminders.plan.none"


def test_plan_shows_a_budget_filled_in_again(ctx):
    chat = Driver(ctx)
    chat.command("start")
    chat.state = chat.state.model_copy(
        update={"debts": (JIEBEI,), "next_debt_id": 2, "budget": BUDGET}
    )
    chat.command("plan")
    assert (
        next(r for r in chat.outcome.replies if r.text.key.startswith("plan.overview")).text.values[
            "monthly"
        ]
        == "5,500"
    )
    chat.command("budget")
    chat.press("budget.redo")
    chat.press("budget.income_kind.fixed")
    for amount in ("7000", "2000", "0", "1500", "0", "0", "0"):
        chat.say(amount)
    chat.press("nav.skip")  # nothing to sell
    assert chat.state.budget is not None and chat.state.budget.income == D("7000")
    chat.command("plan")
    overview = next(r for r in chat.outcome.replies if r.text.key.startswith("plan.overview"))
    assert overview.text.values["monthly"] == "3,500"
    offer = planned.monthly_offer(chat.state, JIEBEI.id, ctx)
    assert offer is not None and offer.amount == D("3500")


def test_a_debt_with_nothing_left_gets_no_more_reminders():
    now = datetime(2026, 11, 20, 9, tzinfo=SHANGHAI)
    cleared = MEITUAN.model_copy(update={"remaining_principal": D("0")})
    still_owing = cleared.model_copy(update={"owed_now": D("120")})
    assert {row.debt_id for row in schedule(user(JIEBEI, cleared), now)} == {JIEBEI.id}
    assert {row.debt_id for row in schedule(user(still_owing), now)} == {MEITUAN.id}
