"""End to end through the stand-in Bot API: reminder -> Paid -> progress shows it -> the plan's
payoff moves."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path

import pytest

from bot.telegram_app import remind_once
from flows.conversation.state import UserState
from flows.domain.budget import Budget
from flows.domain.ledger import Debt, DueSpec, InstallmentTerms, LenderKind
from tests.conftest import RunningBot, start_bot
from tests.e2e.test_reminders import BEFORE, NINE, conversation, freeze, reminders_of
from tests.standin_api import SimUser, StandInBotApi

PAYOFF = re.compile(r"(\d{4}-\d{2}) 还清")


@pytest.fixture
async def quiet_bot(api: StandInBotApi, database: Path) -> AsyncIterator[RunningBot]:
    running = await start_bot(api, database, reminder_scan_seconds=0)
    freeze(running, NINE)
    yield running
    await running.stop()


def borrower() -> UserState:
    loan = Debt(
        id=1,
        platform="借呗",
        lender=LenderKind.MICROLENDER,
        borrowed=Decimal(12000),
        remaining_principal=Decimal(12000),
        installments=InstallmentTerms(payment=Decimal(1100), periods=12),
        due=DueSpec.monthly(27),
        days_overdue=0,
    )
    # 4,100 a month, 3,000 to live on: 1,100 for the debt, its installment.
    budget = Budget(income=Decimal(4100), rent=Decimal(1500), food=Decimal(1500))
    return UserState(started=True, debts=(loan,), next_debt_id=2, budget=budget)


async def payoff(running: RunningBot, user: SimUser) -> str:
    await running.say(user, "/plan")
    found = [m for m in user.messages if "借呗（" in m.text][-1]
    match = PAYOFF.search(found.text)
    assert match is not None, found.text
    return match[1]


async def test_paid_on_a_reminder_is_recorded_shown_in_progress_and_moves_the_payoff(
    quiet_bot: RunningBot, api: StandInBotApi
):
    await conversation(quiet_bot).storage.save(7201, 7201, borrower(), now=BEFORE)
    lin = api.user(7201)
    await remind_once(quiet_bot.application, NINE)
    (reminder,) = reminders_of(lin)
    before = await payoff(quiet_bot, lin)

    seen = len(lin.messages)
    await quiet_bot.press(lin, "已还", reminder)
    assert "这一期已还" in lin.messages[seen].text
    confirm = lin.last
    assert "记一笔还款：借呗" in confirm.text and "1,100 元（分期每期的金额）" in confirm.text
    # This month the user managed more than the installment: the amount is typed over.
    confirm = await quiet_bot.say(lin, "3000")
    recorded = await quiet_bot.press(lin, "确认记下 3,000 元", confirm)
    assert "已记下：借呗 3,000 元" in recorded.text
    assert "按分期计划的利率估算" in recorded.text

    progress = await quiet_bot.say(lin, "/progress")
    assert "已经还了：3,000 元" in progress.text
    assert "• 借呗：已还 3,000 元" in progress.text
    assert "提前了" in progress.text

    after = await payoff(quiet_bot, lin)
    assert after < before  # 1,900 more than the installment: the payoff comes earlier

    state = (await conversation(quiet_bot).storage.load(7201)).state
    (payment,) = state.payments
    assert payment.amount == Decimal(3000) and payment.at.tzinfo is not None
    assert state.debts[0].remaining_principal == Decimal(12000) - payment.to_principal


async def test_a_payment_typed_in_passing_is_confirmed_and_recorded(
    quiet_bot: RunningBot, api: StandInBotApi
):
    await conversation(quiet_bot).storage.save(7202, 7202, borrower(), now=BEFORE)
    mei = api.user(7202)
    await quiet_bot.say(mei, "/menu")
    confirm = await quiet_bot.say(mei, "今天还了借呗 800")
    assert "金额：800 元" in confirm.text
    state = (await conversation(quiet_bot).storage.load(7202)).state
    assert state.payments == ()
    await quiet_bot.press(mei, "确认记下 800 元", confirm)
    state = (await conversation(quiet_bot).storage.load(7202)).state
    assert [p.amount for p in state.payments] == [Decimal(800)]
