"""End to end through the stand-in Bot API: a question asked back (「按 2025-03-01 算」) is bound
to the question it was asked for, so a later answer or press can never store it elsewhere."""

from __future__ import annotations

from decimal import Decimal

from bot.storage.sqlite import Storage
from tests.conftest import RunningBot
from tests.standin_api import SimUser, StandInBotApi


async def stored(bot: RunningBot, user: SimUser):
    storage: Storage = bot.application.bot_data["conversation"].storage
    loaded = await storage.load(user.id)
    assert loaded is not None
    return loaded.state


async def test_a_date_clarification_never_comes_back_at_the_amount_and_the_debt_is_saved(
    bot: RunningBot, api: StandInBotApi
):
    user = api.user(1501)
    await bot.say(user, "/start")
    await bot.say(user, "/debts")
    await bot.press(user, "添加一笔债务")
    await bot.say(user, "借呗")
    await bot.press(user, "个人或无牌机构")
    asked = await bot.say(user, "2025年3月")
    assert any("2025-03-01" in label for label, _ in asked.buttons)
    amount_question = await bot.say(user, "2025-03-05")
    assert "借了多少" in amount_question.text
    again = await bot.say(user, "abc")
    labels = [label for label, _ in again.buttons]
    assert not any("2025-03-01" in label for label in labels)
    # The old clarification's button, pressed on its old message, changes nothing.
    await bot.press(user, "2025-03-01", message=asked)
    state = await stored(bot, user)
    assert "borrowed" not in state.position.draft
    assert state.position.draft["contract_date"] == "2025-03-05"
    await bot.say(user, "2万")
    await bot.press(user, "先保存")
    assert "抱歉" not in user.last.text
    state = await stored(bot, user)
    (debt,) = state.debts
    assert debt.platform == "借呗"
    assert str(debt.contract_date) == "2025-03-05"
    assert debt.borrowed == Decimal(20000)


async def test_an_income_clarification_never_sets_the_rent_and_the_budget_is_kept(
    bot: RunningBot, api: StandInBotApi
):
    user = api.user(1502)
    await bot.say(user, "/start")
    await bot.say(user, "/budget")
    await bot.press(user, "开始")
    await bot.press(user, "不固定")
    asked = await bot.say(user, "2000-3000")
    assert any("2,000" in label for label, _ in asked.buttons)
    await bot.say(user, "0")
    rent = await bot.say(user, "一千五到两千")
    assert "开支" in rent.text  # rent's own question back, not the income's
    assert "收入" not in rent.text
    await bot.press(user, "2,000", message=asked)  # the income question's old button
    state = await stored(bot, user)
    assert Decimal(state.position.draft["income"]) == 0
    assert "rent" not in state.position.draft
    for amount in ("1500", "200", "800", "100", "0", "0"):
        await bot.say(user, amount)
    await bot.press(user, "跳过")  # nothing to sell
    assert "抱歉" not in user.last.text
    state = await stored(bot, user)
    assert state.budget is not None
    assert state.budget.income == 0
    assert state.budget.rent == Decimal(1500)
    assert state.budget.utilities == Decimal(200)


async def test_sentences_and_partial_labels_are_understood_end_to_end(
    bot: RunningBot, api: StandInBotApi
):
    user = api.user(1503)
    await bot.say(user, "/start")
    await bot.say(user, "/budget")
    await bot.press(user, "开始")
    await bot.say(user, "不固定")  # part of the button's label
    asked = await bot.say(user, "每天200")
    assert "6,000" in asked.text and any("6,000" in label for label, _ in asked.buttons)
    await bot.press(user, "6,000")
    await bot.say(user, "1500")  # rent
    misfiled = await bot.say(user, "吃饭一个月1000左右")  # at the utilities question
    assert "记为伙食 1,000 元，对吗" in misfiled.text
    await bot.press(user, "记为伙食")
    assert "水电" in user.last.text  # the utilities question is still open
    for amount in ("200", "100", "0", "0"):  # utilities, transport, family, other
        await bot.say(user, amount)
    await bot.press(user, "跳过")
    state = await stored(bot, user)
    assert state.budget is not None
    assert state.budget.income_irregular
    assert state.budget.income == Decimal(6000)
    assert state.budget.food == Decimal(1000)
    assert state.budget.utilities == Decimal(200)
    assert state.budget.transport == Decimal(100)


async def test_an_ambiguous_partial_label_gets_the_buttons_again_with_a_hint(
    bot: RunningBot, api: StandInBotApi
):
    user = api.user(1504)
    await bot.say(user, "/start")
    await bot.say(user, "/debts")
    await bot.press(user, "添加一笔债务")
    await bot.say(user, "借呗")
    await bot.say(user, "公司")  # part of two lender buttons' labels
    assert "好几个按钮" in user.messages[-2].text
    assert len(user.last.buttons) >= 4
    state = await stored(bot, user)
    assert "lender" not in state.position.draft
    await bot.say(user, "网络小贷")  # part of one label only
    state = await stored(bot, user)
    assert state.position.draft["lender"] == "microlender"
