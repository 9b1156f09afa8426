"""End to end: a user records the installments agreed with a lender and sees the plan keep them
current first, month by month."""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path

import pytest

from bot.storage.sqlite import Storage
from flows.conversation.state import Position, UserState
from flows.domain.budget import Budget
from flows.domain.ledger import Debt, LenderKind, RateQuote
from flows.domain.money import Period
from tests.conftest import RunningBot, start_bot
from tests.standin_api import StandInBotApi

USER_ID = 4014
DEBTS = (
    Debt(
        id=1,
        platform="借呗",
        lender=LenderKind.MICROLENDER,
        remaining_principal=Decimal("10000"),
        days_overdue=40,
    ),
    Debt(
        id=2,
        platform="工行贷款",
        lender=LenderKind.BANK,
        remaining_principal=Decimal("9000"),
        rate=RateQuote(per_period=Decimal("0.01"), period=Period.MONTH),
        days_overdue=9,
    ),
)


@pytest.fixture
async def bot_with_debts(api: StandInBotApi, database: Path) -> AsyncIterator[RunningBot]:
    state = UserState(
        started=True,
        position=Position(step="menu", node="main"),
        debts=DEBTS,
        next_debt_id=3,
        budget=Budget(income=Decimal("6000"), rent=Decimal("3900")),
    )
    storage = await Storage.open(database)
    try:
        await storage.save(USER_ID, USER_ID, state)
    finally:
        await storage.close()
    running = await start_bot(api, database)
    yield running
    await running.stop()


async def test_an_agreement_recorded_is_kept_current_first_in_the_plan(
    bot_with_debts: RunningBot, api: StandInBotApi
):
    bot = bot_with_debts
    user = api.user(USER_ID)
    await bot.say(user, "/debts")
    await bot.press(user, "借呗")
    screen = await bot.press(user, "谈好的分期")
    assert "和 借呗 谈好的分期" in screen.text
    await bot.press(user, "记下谈好的分期")
    await bot.say(user, "800元")
    await bot.press(user, "这个月")
    saved = await bot.say(user, "12期")
    assert "每月 800 元" in saved.text and "共 12 个月（合计 9,600 元）" in saved.text
    assert any("已记下和 借呗 谈好的分期" in m.text for m in user.messages[-3:])

    await bot.press(user, "看还款计划")
    overview = user.messages[-2].text
    assert "这笔已经和平台谈好分期，每月先按约定还 800 元" in overview
    table = await bot.press(user, "逐月明细")
    # Every month of the arrangement: the agreed 800 to 借呗 first, the rest to the bank loan.
    assert table.text.count("• 借呗：还 800 元") >= 2
    assert "• 工行贷款：还 " in table.text
