"""Logs carry user ids only: never what people typed, their amounts, or the bot token."""

from __future__ import annotations

import logging

from bot.logs import RedactTokens, configure_logging
from tests.conftest import RunningBot
from tests.standin_api import TOKEN, StandInBotApi

SECRET_WORDS = ("借呗秘密平台", "老板欠我三个月工资", "12,345.67")


async def test_a_whole_conversation_at_debug_level_logs_no_user_text(
    bot: RunningBot, api: StandInBotApi, caplog
):
    configure_logging("DEBUG")
    caplog.set_level(logging.DEBUG)
    jack = api.user(5151)
    await bot.say(jack, "/start")
    await bot.press(jack, "开始第一步")
    await bot.press(jack, "帮我写联系客服的话术")
    await bot.say(jack, SECRET_WORDS[0])
    await bot.say(jack, SECRET_WORDS[1])
    await bot.say(jack, SECRET_WORDS[2])
    jack.sends_sticker()
    await bot.settle()
    logged = "\n".join(record.getMessage() for record in caplog.records)
    for secret in (*SECRET_WORDS, TOKEN):
        assert secret not in logged


def test_anything_shaped_like_a_token_is_masked():
    record = logging.LogRecord(
        "x", logging.INFO, "", 0, "calling %s", (f"/bot{TOKEN}/getMe",), None
    )
    RedactTokens().filter(record)
    assert TOKEN not in record.getMessage()
    assert "<token>" in record.getMessage()


def test_an_exception_logged_keeps_its_type_and_frames_but_not_its_message(caplog):
    configure_logging("DEBUG")
    caplog.set_level(logging.DEBUG)
    try:
        raise ValueError(f"could not parse {SECRET_WORDS[1]!r}")
    except ValueError:
        logging.getLogger("telegram.ext.Updater").critical("data was not processed", exc_info=True)
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "ValueError" in logged and "test_logging.py" in logged
    assert SECRET_WORDS[1] not in logged
    assert all(record.exc_info is None for record in caplog.records)
