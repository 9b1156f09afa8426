"""What a due-date reminder says and how its hour is set."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from bot.locale import Locales
from bot.render import render
from bot.settings import PROJECT_ROOT
from flows.conversation.reminders import Scheduled, amount_text, combined_message
from flows.conversation.state import UserState
from flows.domain.context import Context
from flows.domain.ledger import Debt, DueSpec, LenderKind
from flows.domain.texts import Text
from tests.driver import Driver
from tests.samples import one_loan_and_a_budget

LOCALES = Locales.load(PROJECT_ROOT / "locales")


def _at_the_hour_question(ctx: Context) -> Driver:
    debt = Debt(id=1, platform="借呗", due=DueSpec.monthly(15))
    bot = Driver(ctx, UserState(started=True, debts=(debt,), next_debt_id=2))
    bot.command("reminders")
    bot.press("reminders.settings.hour_button")
    return bot


def test_a_one_off_due_date_already_past_is_not_shown_as_reminded(ctx: Context):
    from flows.steps.reminders import status_text

    loan = Debt(id=1, platform="714", due=DueSpec.once(date(2026, 11, 17)))
    assert status_text(loan, date(2026, 11, 25)).key == "reminders.settings.status_past"
    assert status_text(loan, date(2026, 11, 10)).key == "reminders.settings.status_on"


def test_a_reminder_names_what_the_plan_pays_that_month(ctx: Context):
    from flows.conversation.reminders import plan_text

    bot = one_loan_and_a_budget(ctx, "日息万五", "6000", ("1500", "200", "1200", "300", "0", "0"))
    debt = bot.state.debts[0]
    # 6,000 - 3,200 = 2,800 a month, all of it to the only debt.
    shown = plan_text(bot.state, debt, date(2026, 12, 15), ctx)
    assert shown == Text("reminders.plan.amount", {"amount": "2,800"})


def test_a_friends_loan_reminder_does_not_point_to_a_platform_bill():
    # Before: "剩余本金：5,000 元（这一期具体还多少，以平台账单为准）" for a loan from 老王.
    friend = Debt(id=1, platform="老王", lender=LenderKind.PRIVATE)
    remaining = friend.model_copy(update={"remaining_principal": Decimal("5000")})
    owed = friend.model_copy(update={"owed_now": Decimal("5200")})
    assert amount_text(remaining).key == "reminders.amount.remaining_private"
    assert amount_text(owed).key == "reminders.amount.owed_now_private"
    platform = remaining.model_copy(update={"lender": LenderKind.CONSUMER_FINANCE})
    assert amount_text(platform).key == "reminders.amount.remaining"


def test_two_reminders_without_a_plan_say_no_plan_once(ctx: Context):
    # Before: "还没有为这笔做还款计划，可以点「查看计划」" under each debt of the message.
    due = date(2026, 12, 15)
    debts = tuple(
        Debt(id=n, platform=name, due=DueSpec.monthly(15), remaining_principal=Decimal("5000"))
        for n, name in ((1, "借呗"), (2, "老王"))
    )
    state = UserState(started=True, debts=debts, next_debt_id=3)
    fire = datetime(2026, 12, 12, 1, tzinfo=UTC)
    items = [(d, Scheduled(d.id, due, 3, fire)) for d in debts]
    reply = combined_message(state, items, fire, ctx)
    said = "\n".join(render(LOCALES.get("zh-CN"), reply).parts)
    assert said.count("查看计划") == 1
    assert "这几笔都还没有做还款计划" in said


@pytest.mark.parametrize(
    ("typed", "hour"), [("晚上8点", 20), ("20", 20), ("20:00", 20), ("下午3点", 15), ("八点", 8)]
)
def test_a_typed_reminder_hour_is_understood(ctx: Context, typed: str, hour: int):
    # Before: "晚上8点" at the hour question got "这一步请点下面的按钮选择".
    bot = _at_the_hour_question(ctx)
    bot.say(typed)
    assert bot.state.reminder_hour == hour
    assert bot.keys[0] == "reminders.settings.hour_set"


@pytest.mark.parametrize("typed", ["晚上11点", "凌晨3点", "9点半", "随便"])
def test_a_typed_hour_outside_the_day_is_refused_kindly(ctx: Context, typed: str):
    bot = _at_the_hour_question(ctx)
    bot.say(typed)
    assert bot.state.reminder_hour == 9
    assert bot.keys[0] == "reminders.settings.hour_out_of_range"
