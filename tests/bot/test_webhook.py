"""Webhook mode: only Telegram, which knows the secret token, can deliver updates; the secret is
checked before the body is read, big bodies are refused unread, bad ones get 400 and nothing of
a body reaches a log."""

from __future__ import annotations

import asyncio
import logging
import socket
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from bot import startup
from bot.settings import Settings
from bot.telegram_app import build_application, start_webhook, stop_webhook, webhook_options
from tests.conftest import bot_settings
from tests.standin_api import StandInBotApi

SECRET = "s3cret-Token_for-tests"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
async def webhook(api: StandInBotApi, database: Path):
    port = free_port()
    settings = bot_settings(
        api,
        database,
        webhook_url="https://bot.example.com/hook",
        webhook_listen="127.0.0.1",
        webhook_port=port,
        webhook_secret_token=SECRET,
    )
    application = build_application(settings)
    server = await start_webhook(application, settings)
    yield f"http://127.0.0.1:{port}/hook"
    await stop_webhook(application, server)


def start_update(user_id: int) -> dict:
    return {
        "update_id": 1,
        "message": {
            "message_id": 1,
            "date": 0,
            "text": "/start",
            "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
            "chat": {"id": user_id, "type": "private"},
            "from": {"id": user_id, "is_bot": False, "first_name": "W"},
        },
    }


async def test_the_webhook_is_registered_with_its_secret(webhook: str, api: StandInBotApi):
    registered = api.calls_to("setWebhook")[-1].params
    assert registered["url"] == "https://bot.example.com/hook"
    assert registered["secret_token"] == SECRET


@pytest.mark.parametrize(
    "headers", [{}, {"X-Telegram-Bot-Api-Secret-Token": "wrong"}], ids=["no-secret", "wrong-secret"]
)
async def test_a_post_without_the_right_secret_is_refused(
    webhook: str, api: StandInBotApi, headers
):
    async with httpx.AsyncClient() as client:
        response = await client.post(webhook, json=start_update(31), headers=headers)
    assert response.status_code == 403
    assert api.calls_to("sendMessage", 31) == []


async def test_a_post_with_the_right_secret_is_handled(webhook: str, api: StandInBotApi):
    async with httpx.AsyncClient() as client:
        response = await client.post(
            webhook, json=start_update(32), headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}
        )
    assert response.status_code == 200
    await api.wait_until(lambda: len(api.calls_to("sendMessage", 32)) >= 2)
    assert "逾期不慌" in api.calls_to("sendMessage", 32)[0].params["text"]


def test_without_a_configured_secret_each_start_gets_a_fresh_random_one(api, database):
    settings = bot_settings(api, database, webhook_url="https://bot.example.com/hook")
    first, second = webhook_options(settings), webhook_options(settings)
    assert first["secret_token"] != second["secret_token"]
    assert len(first["secret_token"]) >= 32


async def raw_post(url: str, headers: dict[str, str], body: bytes = b"") -> int:
    """Send the request line and headers (and `body`, maybe far less than Content-Length
    announces) and return the status the server answers without waiting for the rest."""
    split = urlsplit(url)
    reader, writer = await asyncio.open_connection(split.hostname, split.port)
    lines = [f"POST {split.path} HTTP/1.1", f"Host: {split.hostname}"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
    await writer.drain()
    status_line = await asyncio.wait_for(reader.readline(), 10)
    writer.close()
    return int(status_line.split()[1])


@pytest.mark.parametrize(
    ("secret", "status"), [("wrong", 403), (SECRET, 413)], ids=["wrong-secret", "right-secret"]
)
async def test_a_huge_body_is_refused_before_it_is_sent(webhook: str, secret: str, status: int):
    """99 MB announced, none of it sent: the answer comes from the headers alone."""
    headers = {
        "X-Telegram-Bot-Api-Secret-Token": secret,
        "Content-Type": "application/json",
        "Content-Length": str(99 * 1024 * 1024),
    }
    assert await raw_post(webhook, headers) == status


async def test_a_chunked_body_growing_past_the_limit_gets_413(webhook: str):
    chunk = b"x" * 65536
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET, "Transfer-Encoding": "chunked"}
    body = b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for _ in range(20))
    assert await raw_post(webhook, headers, body) == 413


@pytest.mark.parametrize(
    "body",
    [b"{not json", b"[1, 2]", b'{"no_update_id": true}', b'{"update_id": 5, "message": 7}'],
    ids=["not-json", "a-list", "no-update-id", "bad-message"],
)
async def test_a_malformed_body_gets_400_and_its_text_reaches_no_log(
    webhook: str, caplog: pytest.LogCaptureFixture, body: bytes
):
    caplog.set_level(logging.DEBUG)
    marker = "秘密的债务名称"
    payload = body.replace(b"}", f', "note": "{marker}"}}'.encode(), 1) if b"}" in body else body
    async with httpx.AsyncClient() as client:
        response = await client.post(
            webhook,
            content=payload,
            headers={"X-Telegram-Bot-Api-Secret-Token": SECRET, "Content-Type": "application/json"},
        )
    assert response.status_code == 400
    assert marker not in caplog.text


def test_the_webhook_listens_on_loopback_by_default():
    assert Settings(_env_file=None).webhook_listen == "127.0.0.1"


async def test_a_failing_set_webhook_at_start_up_is_retried_not_fatal(
    api: StandInBotApi, database: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(startup, "BACKOFF_SECONDS", (0.01,))
    api.fail("setWebhook", 2, 500, "Internal Server Error")
    api.fail("setWebhook", 1, 502, "Bad Gateway")
    settings = bot_settings(
        api,
        database,
        webhook_url="https://bot.example.com/hook",
        webhook_listen="127.0.0.1",
        webhook_port=free_port(),
        webhook_secret_token=SECRET,
    )
    application = build_application(settings)
    server = await start_webhook(application, settings)
    try:
        assert api.webhook_url == "https://bot.example.com/hook"
        assert len(api.calls_to("setWebhook")) == 4
    finally:
        await stop_webhook(application, server)
