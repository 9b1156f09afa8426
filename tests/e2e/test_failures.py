"""End to end: when the disk is full or something unexpected breaks, the user is told kindly,
never left in silence, and nothing they saved before is lost. A turn that was saved is never
reported as failed: its replies are retried until Telegram takes them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bot.telegram_app import CONVERSATION
from flows.dispatcher import machine
from tests.conftest import RunningBot
from tests.e2e.test_resilience import stored_state, walk_to_reason_question
from tests.standin_api import StandInBotApi

SAVE_FAILED = "保存时出了问题"
SOMETHING_BROKE = "我这边出了点问题"
NOT_PROCESSED = "没有处理成功"
REPLY_LOST = "回复没能发出来"
NO_PAGE_LIMIT = 1_073_741_823  # SQLite's default max_page_count


async def limit_database_pages(bot: RunningBot, pages: int) -> None:
    """SQLite answers "database or disk is full" once the file would grow past `pages`,
    exactly as on a full disk (a limit below the current size means: no growth at all)."""
    storage = bot.application.bot_data[CONVERSATION].storage
    await storage._db.execute(f"PRAGMA max_page_count = {pages}")


async def test_a_full_disk_is_reported_kindly_and_earlier_answers_are_kept(
    bot: RunningBot, api: StandInBotApi, database: Path
):
    eve = api.user(5005)
    await walk_to_reason_question(bot, eve)
    saved_before = stored_state(database, eve.id)
    await limit_database_pages(bot, 1)

    refused = None
    for user_id in range(9000, 9100):  # each newcomer's first row needs room the disk lacks
        newcomer = api.user(user_id)
        await bot.say(newcomer, "/start")
        if SAVE_FAILED in newcomer.last.text:
            refused = newcomer
            break
    assert refused is not None, "the full disk was never noticed"
    assert "之前保存的内容都还在" in refused.last.text
    assert stored_state(database, eve.id) == saved_before

    await limit_database_pages(bot, NO_PAGE_LIMIT)  # space freed
    await bot.say(refused, "/start")
    assert SAVE_FAILED not in refused.last.text
    await bot.press(eve, "失业了")
    assert "你想先向平台提出什么" in eve.last.text


async def test_an_unexpected_failure_is_answered_kindly_not_with_silence(
    bot: RunningBot, api: StandInBotApi, database: Path, monkeypatch: pytest.MonkeyPatch
):
    gina = api.user(7007)
    await bot.say(gina, "/start")
    saved_before = stored_state(database, gina.id)

    def broken(*args: object) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(machine, "handle", broken)
    await bot.press(gina, "开始第一步")
    assert SOMETHING_BROKE in gina.last.text and NOT_PROCESSED in gina.last.text
    assert any("主菜单" in label for label, _ in gina.last.buttons)
    assert stored_state(database, gina.id) == saved_before


@pytest.mark.parametrize(
    "fault",
    [
        {"code": 502, "description": "Bad Gateway"},
        {"code": 500, "description": "Internal Server Error", "accepted": True},
        {"code": 429, "description": "Too Many Requests: retry after 1", "retry_after": 1},
    ],
    ids=["502", "timeout-after-accepted", "429"],
)
async def test_a_saved_turn_whose_reply_fails_at_first_is_delivered_not_called_failed(
    bot: RunningBot, api: StandInBotApi, database: Path, fault: dict[str, Any]
):
    gina = api.user(7007)
    await bot.say(gina, "/start")
    times = 5 if fault["code"] == 429 else 1
    api.fail("sendMessage", times=times, chat_id=7007, **fault)
    await bot.press(gina, "开始第一步")
    await api.wait_until(lambda: bool(gina.last.buttons) and "第一步" in gina.last.text)
    texts = [m.text for m in gina.messages]
    assert not any(NOT_PROCESSED in t or SOMETHING_BROKE in t for t in texts)
    assert stored_state(database, gina.id)["position"]["step"] == "contact"
    # The same message again at worst (a send that Telegram took before failing), never a turn.
    assert len(texts) - len(set(texts)) <= (1 if fault.get("accepted") else 0), texts


async def test_a_reply_telegram_refuses_for_good_says_the_step_is_saved(
    bot: RunningBot, api: StandInBotApi, database: Path
):
    gina = api.user(7007)
    await bot.say(gina, "/start")
    api.fail("sendMessage", times=1, code=400, description="Bad Request: unexpected", chat_id=7007)
    await bot.press(gina, "开始第一步")
    assert REPLY_LOST in gina.last.text and "已经保存" in gina.last.text
    assert NOT_PROCESSED not in gina.last.text
    assert any("主菜单" in label for label, _ in gina.last.buttons)
    assert stored_state(database, gina.id)["position"]["step"] == "contact"


async def test_a_file_being_prepared_shows_an_upload_action_first(
    bot: RunningBot, api: StandInBotApi
):
    hana = api.user(8008)
    await bot.say(hana, "/start")
    await bot.say(hana, "/export")
    methods = [c.method for c in api.calls if c.params.get("chat_id") in (8008, "8008")]
    first_document = methods.index("sendDocument")
    assert "sendChatAction" in methods[:first_document]
    action = api.calls_to("sendChatAction", 8008)[0].params["action"]
    assert action == "upload_document"
