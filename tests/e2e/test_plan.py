"""End to end: a user with debts enters a budget, sees the plan as text and chart, gets a CSV."""

from __future__ import annotations

import csv
import io
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
from tests.e2e.test_debts import add_credit_card, add_huabei
from tests.standin_api import StandInBotApi

USER_ID = 4004
DEBTS = (
    Debt(
        id=1,
        platform="借呗",
        lender=LenderKind.MICROLENDER,
        remaining_principal=Decimal("12000"),
        rate=RateQuote(per_period=Decimal("0.0004"), period=Period.DAY),
        days_overdue=20,
    ),
    Debt(
        id=2,
        platform="花呗",
        lender=LenderKind.MICROLENDER,
        remaining_principal=Decimal("2500"),
    ),
)


async def seed(database: Path, state: UserState) -> None:
    """The debts step is another area: write a user who has listed debts straight to storage."""
    storage = await Storage.open(database)
    try:
        await storage.save(USER_ID, USER_ID, state)
    finally:
        await storage.close()


@pytest.fixture
async def bot_with_debts(api: StandInBotApi, database: Path) -> AsyncIterator[RunningBot]:
    menu = Position(step="menu", node="main")
    await seed(database, UserState(started=True, position=menu, debts=DEBTS))
    running = await start_bot(api, database)
    yield running
    await running.stop()


async def test_budget_then_plan_as_text_chart_and_csv(
    bot_with_debts: RunningBot, api: StandInBotApi
):
    bot = bot_with_debts
    user = api.user(USER_ID)
    intro = await bot.say(user, "/budget")
    assert "1,500" in intro.text and "生活费" in intro.text
    await bot.press(user, "开始填写")
    await bot.press(user, "基本固定")
    for amount in ("9000", "2000", "300", "1500", "200", "0", "0"):
        await bot.say(user, amount)
    summary = await bot.press(user, "跳过")
    assert "每月真正可以用来还款：5,000 元" in summary.text

    await bot.press(user, "看还款计划")
    photos = [m for m in user.messages if m.kind == "photo"]
    assert len(photos) == 1 and photos[0].file[:8] == b"\x89PNG\r\n\x1a\n"
    assert "A：借呗" in photos[0].text and "B：花呗" in photos[0].text
    assert "#" not in photos[0].text  # "#1" would be a Telegram hashtag
    overview = user.messages[-2].text
    assert "三种还款顺序对比" in overview and "借呗" in overview
    assert api.calls_to("sendPhoto", USER_ID)
    # Drawing takes a moment: the chat shows "sending a photo" meanwhile.
    methods = [c.method for c in api.calls if c.params.get("chat_id") in (USER_ID, str(USER_ID))]
    assert methods[methods.index("sendPhoto") - 1] == "sendChatAction"
    assert api.calls_to("sendChatAction", USER_ID)[0].params["action"] == "upload_photo"

    await bot.press(user, "导出表格", photos[0])
    documents = [m for m in user.messages if m.kind == "document"]
    assert [d.filename for d in documents] == ["yuqi-plan.csv"]
    assert documents[0].file.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(documents[0].file.decode("utf-8-sig"))))
    assert rows[0] == ["债务清单"] and rows[1][0] == "平台"
    assert {rows[2][0], rows[3][0]} == {"借呗", "花呗"}

    table = await bot.press(user, "逐月明细")
    assert "逐月明细" in table.text and "第 1/1 页" in table.text


async def test_plan_without_a_budget_offers_the_budget_step(
    bot_with_debts: RunningBot, api: StandInBotApi
):
    user = api.user(USER_ID)
    reply = await bot_with_debts.say(user, "/plan")
    assert "预算" in reply.text
    await bot_with_debts.press(user, "去算预算")
    assert "生活费" in user.last.text
    assert not api.calls_to("sendPhoto", USER_ID)


async def test_the_plan_follows_debts_added_through_the_debt_list(
    api: StandInBotApi, database: Path
):
    menu = Position(step="menu", node="main")
    budget = Budget(income=Decimal("9000"), rent=Decimal("2000"))
    await seed(database, UserState(started=True, position=menu, budget=budget))
    bot = await start_bot(api, database)
    try:
        user = api.user(USER_ID)
        reply = await bot.say(user, "/plan")
        assert "还没有债务清单" in reply.text
        await bot.say(user, "/debts")
        await add_huabei(bot, user)
        await bot.say(user, "/plan")
        assert "花呗" in user.messages[-2].text and user.last.kind == "photo"
        await bot.say(user, "/debts")
        await add_credit_card(bot, user)
        await bot.say(user, "/plan")
        overview = user.messages[-2].text
        assert "花呗" in overview and "招商信用卡" in overview
        assert len([m for m in user.messages if m.kind == "photo"]) == 2
    finally:
        await bot.stop()
