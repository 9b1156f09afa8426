"""End to end: a restart continues the conversation; bad input changes nothing."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from tests.conftest import RunningBot, start_bot
from tests.standin_api import SimUser, StandInBotApi


def stored_state(database: Path, user_id: int) -> dict:
    with sqlite3.connect(database) as connection:
        row = connection.execute("SELECT state FROM users WHERE user_id = ?", (user_id,)).fetchone()
    return json.loads(row[0])


async def walk_to_reason_question(bot: RunningBot, user: SimUser) -> None:
    await bot.say(user, "/start")
    await bot.press(user, "开始第一步")
    await bot.press(user, "帮我写联系客服的话术")
    await bot.say(user, "微粒贷")


async def test_after_a_restart_the_conversation_continues_at_the_same_step(
    api: StandInBotApi, database: Path
):
    first = await start_bot(api, database)
    dora = api.user(4004)
    await walk_to_reason_question(first, dora)
    assert "逾期的主要原因" in dora.last.text
    await first.stop()

    second = await start_bot(api, database)
    try:
        await second.press(dora, "失业了")
        assert "你想先向平台提出什么" in dora.last.text
        await second.press(dora, "申请延期还款")
        script = dora.messages[-2].text
        assert "微粒贷" in script and "失业" in script
    finally:
        await second.stop()


@pytest.fixture
async def at_reason(bot: RunningBot, api: StandInBotApi) -> SimUser:
    eve = api.user(5005)
    await walk_to_reason_question(bot, eve)
    return eve


async def assert_unchanged_and_kind(bot: RunningBot, user: SimUser, database: Path, act) -> str:
    before = stored_state(database, user.id)
    count = len(user.messages)
    act()
    await bot.settle()
    new_messages = user.messages[count:]
    assert new_messages, "the bot stayed silent"
    assert stored_state(database, user.id) == before
    assert "逾期的主要原因" in new_messages[-1].text  # the question is asked again
    return new_messages[0].text


async def test_ten_thousand_characters_get_a_friendly_reply(bot, at_reason, database):
    reply = await assert_unchanged_and_kind(
        bot, at_reason, database, lambda: at_reason.says("啊" * 10_000)
    )
    assert "太长" in reply


async def test_emoji_only_gets_a_friendly_reply(bot, at_reason, database):
    reply = await assert_unchanged_and_kind(
        bot, at_reason, database, lambda: at_reason.says("🙏🙏")
    )
    assert "文字" in reply


async def test_a_sticker_gets_a_friendly_reply(bot, at_reason, database):
    reply = await assert_unchanged_and_kind(bot, at_reason, database, at_reason.sends_sticker)
    assert "只能看懂文字" in reply


async def test_a_photo_gets_a_friendly_reply(bot, at_reason, database):
    reply = await assert_unchanged_and_kind(bot, at_reason, database, at_reason.sends_photo)
    assert "图片" in reply


async def test_a_stale_button_gets_a_friendly_reply(bot, at_reason, database, api):
    platform_question = next(m for m in at_reason.messages if "给哪个平台" in m.text)
    reply = await assert_unchanged_and_kind(
        bot, at_reason, database, lambda: at_reason.presses(platform_question, "跳过")
    )
    assert "过期" in reply


async def test_a_forged_button_gets_a_friendly_reply_and_a_toast(bot, at_reason, database, api):
    target = at_reason.last_with_buttons()
    reply = await assert_unchanged_and_kind(
        bot, at_reason, database, lambda: at_reason.presses_data(target, "1|'; DROP TABLE users;--")
    )
    assert "没有执行" in reply
    answer = api.calls_to("answerCallbackQuery")[-1]
    assert answer.params.get("text")


async def test_a_group_chat_is_asked_to_talk_privately(bot: RunningBot, api: StandInBotApi):
    api.push(
        {
            "message": {
                "message_id": 1,
                "date": 0,
                "text": "/start",
                "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
                "chat": {"id": -100, "type": "group", "title": "家人群"},
                "from": {"id": 6006, "is_bot": False, "first_name": "F"},
            }
        }
    )
    await bot.settle()
    sent = api.calls_to("sendMessage", -100)
    assert len(sent) == 1 and "私聊" in sent[0].params["text"]


async def test_a_bot_api_error_on_setting_the_command_menu_does_not_stop_the_bot(
    api: StandInBotApi, database: Path, caplog: pytest.LogCaptureFixture
):
    api.fail("setMyCommands", times=1, code=500, description="Internal Server Error")
    bot = await start_bot(api, database)
    try:
        omar = api.user(4010)
        await bot.say(omar, "/start")
        assert "逾期不慌" in omar.messages[0].text
        assert "setting the command menu failed" in caplog.text
    finally:
        await bot.stop()
