"""End to end: /export hands over every row, /delete erases every row after a confirmation. On
SQLite and PostgreSQL alike (the `backend` fixture of tests/conftest.py)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import pytest

from bot.storage import USER_TABLES
from tests.conftest import Backend, RunningBot, start_bot
from tests.standin_api import SimUser, StandInBotApi


@pytest.fixture
async def bot(api: StandInBotApi, backend: Backend) -> AsyncIterator[RunningBot]:
    running = await start_bot(api, backend.path, **backend.overrides)
    yield running
    await running.stop()


async def rows_of(backend: Backend, user_id: int) -> dict[str, int]:
    """Counted apart from the bot's own connections."""
    counts = {}
    for table in USER_TABLES:
        column = 1 if table == "quarantine" else 0  # quarantine's first column is its own id
        counts[table] = sum(row[column] == user_id for row in await backend.rows(table))
    return counts


async def user_with_a_script(bot: RunningBot, api: StandInBotApi, user_id: int) -> SimUser:
    user = api.user(user_id)
    await bot.say(user, "/start")
    await bot.press(user, "开始第一步")
    await bot.press(user, "帮我写联系客服的话术")
    await bot.say(user, "安逸花")
    return user


async def test_export_sends_json_and_csv_with_everything_saved(bot: RunningBot, api: StandInBotApi):
    frank = await user_with_a_script(bot, api, 9009)
    await bot.say(frank, "/export")
    documents = [m for m in frank.messages if m.kind == "document"]
    assert [d.filename for d in documents] == ["yuqi-export.json", "yuqi-export.csv"]
    exported = json.loads(documents[0].file)
    assert exported["users"][0]["state"]["position"]["draft"]["platform"] == "安逸花"
    csv_text = documents[1].file.decode("utf-8")
    assert csv_text.startswith("\ufeff") and "安逸花" in csv_text
    assert "【债务清单】" in csv_text  # readable sections, in the user's language
    assert "逾期的主要原因" in frank.last.text  # and the conversation goes on where it was


async def test_delete_asks_first_and_cancelling_keeps_everything(
    bot: RunningBot, api: StandInBotApi, backend: Backend
):
    grace = await user_with_a_script(bot, api, 9010)
    await bot.say(grace, "/delete")
    assert "确定要删除" in grace.last.text
    await bot.press(grace, "不删了")
    assert "什么都没有删除" in grace.messages[-2].text
    assert "逾期的主要原因" in grace.last.text
    assert (await rows_of(backend, 9010))["users"] == 1


async def test_delete_confirmed_leaves_no_row_in_any_table(
    bot: RunningBot, api: StandInBotApi, backend: Backend
):
    henry = await user_with_a_script(bot, api, 9011)
    other = await user_with_a_script(bot, api, 9012)
    await bot.say(henry, "/delete")
    await bot.press(henry, "确认删除")
    assert "已经删除" in henry.last.text
    assert await rows_of(backend, 9011) == dict.fromkeys(USER_TABLES, 0)
    assert (await rows_of(backend, other.id))["users"] == 1


async def test_a_newcomer_can_delete_without_going_through_the_welcome(
    bot: RunningBot, api: StandInBotApi, backend: Backend
):
    ivy = api.user(9013)
    await bot.say(ivy, "/delete")
    assert "确定要删除" in ivy.last.text
    await bot.press(ivy, "确认删除")
    assert await rows_of(backend, 9013) == dict.fromkeys(USER_TABLES, 0)
