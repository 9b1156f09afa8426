"""Webhook mode: only Telegram, which knows the secret token, can deliver updates."""

from __future__ import annotations

import socket
from pathlib import Path

import httpx
import pytest

from bot.telegram_app import build_application, webhook_options
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
    await application.initialize()
    await application.post_init(application)
    await application.updater.start_webhook(**webhook_options(settings))
    await application.start()
    yield f"http://127.0.0.1:{port}/hook"
    await application.updater.stop()
    await application.stop()
    await application.shutdown()
    await application.post_shutdown(application)


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
