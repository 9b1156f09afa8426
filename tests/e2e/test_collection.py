"""End to end: a question about abusive collection asked mid-way through a form is answered,
and the user is back on the same question with earlier answers intact.

The issue asks for this mid-way through step 3 (budget): the first test. The same holds in
step 1's form (its reason question is not free text) and step 2's add-a-debt form.
"""

from __future__ import annotations

from tests.conftest import RunningBot
from tests.standin_api import StandInBotApi


async def test_contact_list_blasting_mid_budget_gets_guidance_and_the_same_budget_question(
    bot: RunningBot, api: StandInBotApi
):
    hana = api.user(8008, "Hana")
    await bot.say(hana, "/start")
    intro = await bot.say(hana, "/budget")
    assert "第三步" in intro.text
    await bot.press(hana, "开始填写")
    await bot.press(hana, "基本固定")
    await bot.say(hana, "8000")  # income
    question = await bot.say(hana, "2500")  # rent; next: utilities, an amount (not free text)
    assert "2/6 水电燃气" in question.text
    before = len(hana.messages)

    back = await bot.say(hana, "催收爆我通讯录了")

    guidance = "\n".join(m.text for m in hana.messages[before:])
    assert "爆通讯录" in guidance and "一般属于违规催收" in guidance  # the verdict
    assert "个人信息保护法" in guidance and "未核实" in guidance
    assert "截图" in guidance  # evidence to keep
    assert "12321" in guidance and "110" in guidance  # channels that fit
    assert "回到刚才的问题" in guidance
    assert back.text == question.text  # the same budget question again
    assert hana.messages[-1] is back

    for amount in ("300", "1200", "200", "0", "0"):  # utilities, food, transport, family, other
        await bot.say(hana, amount)
    summary = await bot.press(hana, "跳过")  # nothing to sell
    assert "收入：8,000 元（固定）" in summary.text  # answered before the question
    assert "必要开支合计：4,200 元" in summary.text  # 2,500 rent kept + 300 + 1,200 + 200
    assert "每月真正可以用来还款：3,800 元" in summary.text


async def test_a_complaint_question_at_a_buttons_only_budget_question_comes_back_to_it(
    bot: RunningBot, api: StandInBotApi
):
    ivan = api.user(9009, "Ivan")
    await bot.say(ivan, "/start")
    await bot.say(ivan, "/budget")
    question = await bot.press(ivan, "开始填写")
    assert "收入" in question.text and any("基本固定" in label for label, _ in question.buttons)

    back = await bot.say(ivan, "催收爆我通讯录了")

    assert any("12321" in m.text for m in ivan.messages[-4:-1])  # channels, then the question
    assert back.text == question.text
    await bot.press(ivan, "基本固定", back)
    assert "每月收入大概多少元" in ivan.last.text


async def test_contact_list_blasting_mid_form_gets_guidance_and_returns(
    bot: RunningBot, api: StandInBotApi
):
    dana = api.user(4004, "Dana")
    await bot.say(dana, "/start")
    await bot.press(dana, "开始第一步")
    await bot.press(dana, "帮我写联系客服的话术")
    question = await bot.say(dana, "借呗")
    assert "逾期的主要原因" in question.text
    before = len(dana.messages)

    back = await bot.say(dana, "催收爆我通讯录了")

    answer = [m.text for m in dana.messages[before:]]
    guidance = "\n".join(answer)
    assert "爆通讯录" in guidance and "一般属于违规催收" in guidance
    assert "个人信息保护法" in guidance and "未核实" in guidance
    assert "截图" in guidance  # evidence to keep
    assert "12321" in guidance and "110" in guidance  # channels that fit
    assert "整理于 2026-12-06" in guidance
    assert "回到刚才的问题" in guidance
    assert "逾期的主要原因" in back.text  # the same question again
    assert any("收入减少" in label for label, _ in back.buttons)

    await bot.press(dana, "收入减少", back)
    await bot.press(dana, "申请重新分期")
    script = dana.messages[-2].text
    assert "借呗" in script and "收入明显减少" in script  # earlier answers intact


async def test_complaint_command_works_in_the_middle_of_a_form(bot: RunningBot, api: StandInBotApi):
    erin = api.user(5005, "Erin")
    await bot.say(erin, "/start")
    await bot.press(erin, "开始第一步")
    await bot.press(erin, "帮我写联系客服的话术")
    await bot.say(erin, "借呗")
    back = await bot.say(erin, "/complaint")
    assert "逾期的主要原因" in back.text
    assert any("12378" in m.text for m in erin.messages[-3:])


async def test_a_credit_repair_offer_gets_the_warning_from_the_menu(
    bot: RunningBot, api: StandInBotApi
):
    finn = api.user(6006, "Finn")
    await bot.say(finn, "/start")
    await bot.say(finn, "/menu")
    menu = await bot.say(finn, "有人说花钱能帮我征信修复")
    warning = finn.messages[-3].text
    assert "第十六条" in warning and "5 年" in warning and "第二十五条" in warning
    assert "免费" in warning and "2 次" in warning
    assert "主菜单" in menu.text


async def test_family_calls_question_mid_debt_form_keeps_every_earlier_answer(
    bot: RunningBot, api: StandInBotApi
):
    gina = api.user(7007, "Gina")
    await bot.say(gina, "/start")
    await bot.say(gina, "/debts")
    await bot.press(gina, "添加一笔债务")
    await bot.say(gina, "花呗")
    await bot.press(gina, "小额贷款公司")
    await bot.press(gina, "跳过")
    question = await bot.say(gina, "五千")
    before = len(gina.messages)

    back = await bot.say(gina, "催收打我家人电话怎么办")

    guidance = "\n".join(m.text for m in gina.messages[before:])
    assert "联系我的家人、朋友或单位" in guidance and "一般属于违规催收" in guidance
    assert "地方金融管理局" in guidance or "12321" in guidance
    assert back.text == question.text  # the same question, asked again

    await bot.say(gina, "5000")
    await bot.say(gina, "3000")
    await bot.say(gina, "日息万五")
    await bot.press(gina, "先保存")
    listing = await bot.say(gina, "/debts")
    assert "共 1 笔" in listing.text and "3,000" in listing.text
    assert any("花呗" in label for label, _ in listing.buttons)
