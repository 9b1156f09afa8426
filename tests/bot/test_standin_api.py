"""The stand-in refuses what Telegram refuses, so the end-to-end tests mean something."""

from __future__ import annotations

from datetime import timedelta

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden, RetryAfter

from tests.standin_api import TOKEN, StandInBotApi, parse_html


@pytest.fixture
async def client(api: StandInBotApi):
    bot = Bot(TOKEN, base_url=api.base_url)
    async with bot:
        yield bot


async def test_text_over_4096_characters_is_refused(client: Bot):
    with pytest.raises(BadRequest, match="too long"):
        await client.send_message(1, "字" * 4097)


async def test_text_of_exactly_4096_characters_is_accepted(client: Bot):
    await client.send_message(1, "字" * 4096)


async def test_empty_text_is_refused(client: Bot):
    with pytest.raises(BadRequest, match="empty"):
        await client.send_message(1, "<b> </b>", parse_mode="HTML")


async def test_callback_data_over_64_bytes_is_refused(client: Bot):
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("按钮", callback_data="数" * 22)]])
    with pytest.raises(BadRequest, match=r"(?i)button_data_invalid"):
        await client.send_message(1, "选一个", reply_markup=markup)


async def test_html_telegram_cannot_parse_is_refused(client: Bot):
    with pytest.raises(BadRequest, match=r"(?i)can.t parse entities"):
        await client.send_message(1, "<b>没有结束", parse_mode="HTML")
    with pytest.raises(BadRequest, match=r"(?i)can.t parse entities"):
        await client.send_message(1, "1 < 2", parse_mode="HTML")


async def test_editing_to_the_same_content_is_refused(client: Bot):
    sent = await client.send_message(1, "一样")
    with pytest.raises(BadRequest, match="not modified"):
        await client.edit_message_text("一样", chat_id=1, message_id=sent.message_id)


async def test_answering_a_callback_query_twice_is_refused(client: Bot, api: StandInBotApi):
    api.callback_queries["q1"] = False
    await client.answer_callback_query("q1")
    with pytest.raises(BadRequest, match=r"(?i)query id is invalid"):
        await client.answer_callback_query("q1")


async def test_injected_429_carries_retry_after(client: Bot, api: StandInBotApi):
    api.fail("sendMessage", 1, 429, "Too Many Requests: retry after 3", retry_after=3)
    with pytest.raises(RetryAfter) as raised:
        await client.send_message(1, "稍等")
    assert raised.value.retry_after in (3, timedelta(seconds=3))


async def test_a_user_who_blocked_the_bot_gets_403(client: Bot, api: StandInBotApi):
    api.blocked.add(77)
    with pytest.raises(Forbidden):
        await client.send_message(77, "在吗")


def test_html_entities_are_measured_after_parsing():
    plain, entities = parse_html("<b>粗</b>&amp;<code>码</code>")
    assert plain == "粗&码"
    assert entities == [
        {"type": "bold", "offset": 0, "length": 1},
        {"type": "code", "offset": 2, "length": 1},
    ]
