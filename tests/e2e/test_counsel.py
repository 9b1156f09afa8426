"""End to end (issue 13): the warnings a counsellor would give, in passing and where the
user's numbers show it, through the stand-in Bot API."""

from __future__ import annotations

from tests.conftest import RunningBot
from tests.standin_api import StandInBotApi


async def test_warnings_in_passing_and_a_budget_short_of_living_costs(
    bot: RunningBot, api: StandInBotApi
):
    lee = api.user(1401, "Lee")
    await bot.say(lee, "/start")
    await bot.say(lee, "/budget")
    await bot.press(lee, "开始填写")
    question = await bot.press(lee, "基本固定")
    before = len(lee.messages)

    back = await bot.say(lee, "催收让我去另一个App借钱还他们")
    said = "\n".join(m.text for m in lee.messages[before:])
    assert "先别借新还旧" in said and back.text == question.text

    before = len(lee.messages)
    back = await bot.say(lee, "他们打到我单位了")  # no 催收, still abusive collection
    said = "\n".join(m.text for m in lee.messages[before:])
    assert "12321" in said and back.text == question.text

    await bot.say(lee, "1000")  # income, then rent, utilities, food, transport, family, other
    for amount in ("1200", "200", "600", "100", "0", "0"):
        await bot.say(lee, amount)
    before = len(lee.messages)
    await bot.press(lee, "跳过")  # nothing to sell
    said = "\n".join(m.text for m in lee.messages[before:])
    assert "每月还差 1,100 元" in said and "12348" in said
    assert "最低生活保障" in said and "临时救助" in said
    assert "第五步" in lee.last.text  # the kind no-plan path: on to negotiating
