"""End to end: the real Application over HTTP against the stand-in Bot API, two users."""

from __future__ import annotations

from tests.conftest import RunningBot
from tests.standin_api import StandInBotApi


async def test_commands_menu_is_set_at_start_up(bot: RunningBot, api: StandInBotApi):
    names = [c["command"] for c in api.commands[None]]
    assert names == [
        "start",
        "menu",
        "debts",
        "budget",
        "plan",
        "progress",
        "log",
        "complaint",
        "reminders",
        "language",
        "help",
    ]
    assert [c["command"] for c in api.commands["en"]] == names


async def test_two_users_walk_step_one_each_in_their_own_chat(bot: RunningBot, api: StandInBotApi):
    alice, bob = api.user(1001, "Alice"), api.user(2002, "Bob")
    alice.says("/start")
    bob.says("/start")
    await bot.settle()
    for person in (alice, bob):
        texts = [m.text for m in person.messages]
        assert any("逾期不慌" in t for t in texts)
        assert any("不是法律意见" in t for t in texts)
        assert any("/delete" in t for t in texts)

    await bot.press(alice, "开始第一步")
    await bot.press(alice, "帮我写联系客服的话术")
    await bot.say(alice, "借呗")
    await bot.press(bob, "开始第一步")
    await bot.press(alice, "收入减少")
    script_and_tips = await bot.press(alice, "申请重新分期")

    script = alice.messages[-2].text
    assert "借呗" in script and "收入明显减少" in script and "重新分期" in script
    assert "书面确认" in script_and_tips.text
    assert any("第一步：先别失联" in m.text for m in bob.messages)
    assert not any("借呗" in m.text for m in bob.messages)
    sent_to = {int(c.params["chat_id"]) for c in api.calls_to("sendMessage")}
    assert sent_to == {1001, 2002}


async def test_every_button_press_is_answered_and_marked(bot: RunningBot, api: StandInBotApi):
    carol = api.user(3003)
    await bot.say(carol, "/start")
    welcome = carol.last_with_buttons()
    await bot.press(carol, "开始第一步", welcome)
    assert len(api.calls_to("answerCallbackQuery")) == 1
    assert all(api.callback_queries.values())
    edited = api.calls_to("editMessageText")[-1]
    assert "» 开始第一步" in edited.params["text"]
    assert api.messages[(3003, welcome.message_id)].reply_markup is None
