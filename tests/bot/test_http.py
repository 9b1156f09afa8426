"""The aiohttp transport to the Bot API: what python-telegram-bot sends arrives intact, and
failures become the errors python-telegram-bot knows how to handle."""

from __future__ import annotations

import asyncio
import socket

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import NetworkError, TimedOut

from bot.http import AiohttpRequest
from tests.standin_api import TOKEN, StandInBotApi


def bot_on(base_url: str, request: AiohttpRequest | None = None) -> Bot:
    return Bot(TOKEN, base_url=base_url, request=request or AiohttpRequest(2))


async def test_chinese_text_html_and_buttons_arrive_as_sent(api: StandInBotApi):
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("开始第一步", callback_data="s1:go")]])
    async with bot_on(api.base_url) as bot:
        sent = await bot.send_message(
            1001, "<b>逾期不慌</b> &amp; 别怕", "HTML", reply_markup=markup
        )
    stored = api.messages[(1001, sent.message_id)]
    assert stored.text == "逾期不慌 & 别怕"
    assert stored.buttons == [("开始第一步", "s1:go")]
    assert sent.text == "逾期不慌 & 别怕"


async def test_a_file_is_uploaded_with_its_name(api: StandInBotApi):
    async with bot_on(api.base_url) as bot:
        await bot.send_document(1001, b'{"debts": []}', filename="我的数据.json", caption="导出")
    upload = api.calls_to("sendDocument")[-1]
    stored = next(m for m in api.chat(1001) if m.kind == "document")
    assert stored.file == b'{"debts": []}'
    assert upload.params["_filename"] == "我的数据.json"
    assert stored.text == "导出"


async def test_an_api_refusal_is_a_telegram_error(api: StandInBotApi):
    async with bot_on(api.base_url) as bot:
        with pytest.raises(Exception, match="text is empty"):
            await bot.send_message(1001, "")


async def test_a_server_that_does_not_answer_in_time_is_a_timeout():
    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await asyncio.sleep(5)
        writer.close()

    server = await asyncio.start_server(silent, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    request = AiohttpRequest(1, read_timeout=0.2)
    try:
        async with bot_on(f"http://127.0.0.1:{port}/bot", request) as bot:
            with pytest.raises(TimedOut):
                await bot.send_message(1001, "hi")
    except TimedOut:
        pass  # Bot.initialize calls getMe first; timing out there is the same verdict
    finally:
        server.close()


async def test_a_server_that_is_gone_is_a_network_error():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # nothing listens here once the socket is closed
    request = AiohttpRequest(1)
    await request.initialize()
    try:
        with pytest.raises(NetworkError):
            await request.post(f"http://127.0.0.1:{port}/bot{TOKEN}/getMe")
    finally:
        await request.shutdown()


async def test_a_request_before_initialize_is_refused():
    with pytest.raises(RuntimeError, match="not initialized"):
        await AiohttpRequest().do_request("http://127.0.0.1:1/bot", "POST")
