"""End to end through the stand-in Bot API: a user lists three debts, edits, deletes, totals."""

from __future__ import annotations

from tests.conftest import RunningBot
from tests.standin_api import SimUser, StandInBotApi


async def add_jiebei(bot: RunningBot, user: SimUser) -> None:
    await bot.press(user, "添加一笔债务")
    await bot.say(user, "借呗")
    await bot.press(user, "个人或无牌机构")
    await bot.say(user, "2023-09-01")
    await bot.say(user, "1万")
    await bot.press(user, "和合同金额一样")
    await bot.say(user, "8000")
    await bot.press(user, "跳过")  # the rate: an installment loan
    await bot.say(user, "1000")
    await bot.say(user, "12期")
    await bot.say(user, "罚息日万五")
    await bot.say(user, "15号")
    await bot.say(user, "30天")
    await bot.say(user, "9000")


async def add_huabei(bot: RunningBot, user: SimUser) -> None:
    await bot.press(user, "添加一笔债务")
    await bot.say(user, "花呗")
    await bot.press(user, "小额贷款公司")
    await bot.press(user, "跳过")
    await bot.say(user, "五千")
    await bot.say(user, "5000")
    await bot.say(user, "3000")
    await bot.say(user, "日息万五")
    await bot.press(user, "先保存")


async def add_credit_card(bot: RunningBot, user: SimUser) -> None:
    await bot.press(user, "添加一笔债务")
    await bot.say(user, "招商信用卡")
    await bot.press(user, "信用卡")
    await bot.press(user, "跳过")
    await bot.say(user, "2w")
    await bot.press(user, "和合同金额一样")
    await bot.say(user, "20000")
    question = await bot.say(user, "24%")
    assert "按天、按月还是按年" in question.text
    await bot.press(user, "年利率 24%")
    await bot.press(user, "先保存")


async def test_a_user_lists_three_debts_edits_one_deletes_one_and_sees_the_totals(
    bot: RunningBot, api: StandInBotApi
):
    user = api.user(4004)
    await bot.say(user, "/start")
    await bot.say(user, "/debts")
    assert "把债务列清楚" in user.last.text

    await add_jiebei(bot, user)
    check = user.last.text
    assert "借呗" in user.messages[-2].text
    assert "2023-08-21" in check and "13.8%" in check  # the LPR date the check used
    assert "35.07%" in check  # the real APR of 12 x 1000 on 10,000 received
    assert "超过" in check and "元" in check

    await bot.press(user, "返回清单")
    await add_huabei(bot, user)
    await bot.press(user, "返回清单")
    await add_credit_card(bot, user)
    assert "持牌机构" in user.last.text and "24%" in user.last.text

    await bot.press(user, "修改")
    await bot.press(user, "剩余本金")
    await bot.say(user, "18000")
    assert any("已更新" in m.text for m in user.messages[-3:])

    await bot.press(user, "返回清单")
    await bot.press(user, "花呗")
    await bot.press(user, "删除这笔")
    assert "确定删除「花呗」" in user.last.text
    await bot.press(user, "确认删除")

    listing = await bot.say(user, "/debts")
    assert "共 2 笔" in listing.text
    assert "剩余本金合计：26,000 元" in listing.text  # 8,000 + 18,000
    assert "现在要还合计：9,000 元（另有 1 笔没填）" in listing.text
    assert "借呗：逾期 30 天" in listing.text
    assert "借呗：综合年化" in listing.text
    labels = [label for label, _ in listing.buttons]
    assert not any("花呗" in label for label in labels)
    assert any("借呗" in label for label in labels)
    assert any("招商信用卡" in label for label in labels)
