"""Telegram's 429 answers are waited out and retried: the reply arrives once, not never."""

from __future__ import annotations

from tests.conftest import RunningBot
from tests.standin_api import StandInBotApi


async def test_a_reply_refused_with_429_is_sent_after_retry_after(
    bot: RunningBot, api: StandInBotApi
):
    kim = api.user(6161)
    api.fail("sendMessage", 1, 429, "Too Many Requests: retry after 1", retry_after=1, chat_id=6161)
    await bot.say(kim, "/start")
    refused = [c for c in api.calls_to("sendMessage", 6161) if c.status == 429]
    welcomes = [m for m in kim.messages if "逾期不慌" in m.text]
    assert len(refused) == 1
    assert len(welcomes) == 1
