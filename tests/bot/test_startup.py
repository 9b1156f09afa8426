"""Start-up waits out a Bot API that fails getMe (5xx, 429, timeouts); only a bad token ends it."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest

from bot import startup
from bot.telegram_app import build_application
from tests.bot_process import spawn_bot_process, start_bot_process
from tests.conftest import bot_settings
from tests.standin_api import TOKEN, StandInBotApi


def fail_get_me(api: StandInBotApi) -> None:
    """Two 500s, a 502, then a 429 asking for a second: four failures before it answers."""
    api.fail("getMe", 2, 500, "Internal Server Error")
    api.fail("getMe", 1, 502, "Bad Gateway")
    api.fail("getMe", 1, 429, "Too Many Requests: retry after 1", retry_after=1)


async def test_the_bot_process_starts_after_get_me_fails_and_answers(
    api: StandInBotApi, tmp_path: Path
):
    fail_get_me(api)
    env = {"DATABASE_PATH": str(tmp_path / "bot.sqlite3"), "LOG_LEVEL": "WARNING"}
    process = await start_bot_process(api, tmp_path, env)
    try:
        person = api.user(4242)
        person.says("/start")
        await api.wait_until(lambda: len(api.chat(person.id)) > 0, timeout=30)
        assert process.returncode is None
        assert len(api.calls_to("getMe")) >= 5  # four failures, then the answer
    finally:
        process.kill()
        await process.wait()


async def test_initialize_waits_out_get_me_failures_with_a_warning_each(
    api: StandInBotApi,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
):
    """Every role goes through Application.initialize (the webhook and the workers call it
    directly, without python-telegram-bot's polling retries)."""
    monkeypatch.setattr(startup, "BACKOFF_SECONDS", (0.01,))
    fail_get_me(api)
    application = build_application(bot_settings(api, tmp_path / "bot.sqlite3"))
    with caplog.at_level(logging.WARNING, logger="bot.startup"):
        await application.initialize()
    try:
        assert application.bot.username == "yuqi_standin_bot"
        assert len(api.calls_to("getMe")) == 5
        # The 429 is waited out by the rate limiter (bot/limiter.py); the others warn.
        failures = [r for r in caplog.records if "getMe failed" in r.getMessage()]
        assert len(failures) == 3
    finally:
        await application.shutdown()


async def test_a_rejected_token_ends_the_process_with_a_clear_message(
    api: StandInBotApi, tmp_path: Path
):
    api.fail("getMe", 1, 401, "Unauthorized")
    env = {"DATABASE_PATH": str(tmp_path / "bot.sqlite3"), "LOG_LEVEL": "WARNING"}
    process = await spawn_bot_process(api, tmp_path, env, stderr=asyncio.subprocess.PIPE)
    _, stderr = await asyncio.wait_for(process.communicate(), 60)
    logged = stderr.decode()
    assert process.returncode == 1
    assert "rejected the bot token" in logged
    assert TOKEN not in logged
    assert not api.calls_to("getUpdates")
