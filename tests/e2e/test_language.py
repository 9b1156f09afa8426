"""End to end: a new user's replies follow their Telegram language; /language switches them."""

from __future__ import annotations

import pytest

from flows.steps.language import locale_for
from tests.conftest import RunningBot
from tests.standin_api import StandInBotApi


@pytest.mark.parametrize(
    ("code", "locale"),
    [
        ("en", "en"),
        ("en-US", "en"),
        ("en-gb", "en"),
        ("EN", "en"),
        ("zh-hans", "zh-CN"),
        ("zh-hant", "zh-CN"),
        ("zh-CN", "zh-CN"),
        ("ru", "zh-CN"),
        ("", "zh-CN"),
        (None, "zh-CN"),
        ("eng", "zh-CN"),
    ],
)
def test_a_telegram_language_code_chooses_the_first_locale(code, locale):
    assert locale_for(code) == locale


async def test_an_english_user_gets_every_reply_in_english_until_they_switch(
    bot: RunningBot, api: StandInBotApi
):
    user = api.user(1510, "Ann", language_code="en-US")
    welcome = await bot.say(user, "/start")
    assert "Hello" in user.messages[0].text
    await bot.say(user, "/budget")
    await bot.press(user, "Start")
    refused = await bot.say(user, "qwerty")  # a buttons-only question
    assert "buttons" in user.messages[-2].text
    assert not any("\u4e00" <= ch <= "\u9fff" for ch in user.messages[-2].text)
    assert welcome.text
    await bot.say(user, "/language")
    assert "Choose the language" in user.last.text
    await bot.press(user, "中文")
    assert "中文" in user.messages[-2].text
    assert "收入" in user.last.text  # back on the question they were on, now in Chinese
    assert refused.buttons


async def test_a_chinese_or_unknown_language_starts_in_chinese(bot: RunningBot, api: StandInBotApi):
    for user_id, code in ((1511, "zh-hans"), (1512, "fr"), (1513, None)):
        user = api.user(user_id, language_code=code)
        await bot.say(user, "/start")
        assert "逾期不慌" in user.messages[0].text
        assert "Hello" not in user.messages[0].text


async def test_the_language_is_kept_after_first_contact_whatever_the_client_says(
    bot: RunningBot, api: StandInBotApi
):
    user = api.user(1514, language_code="zh-hans")
    await bot.say(user, "/start")
    user.language_code = "en"
    await bot.say(user, "/menu")
    assert "主菜单" in user.last.text or "第" in user.last.text
    assert "Main menu" not in user.last.text
