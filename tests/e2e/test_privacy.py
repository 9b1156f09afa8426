"""End to end: /export hands over every row, /delete erases every row after a confirmation. On
SQLite and PostgreSQL alike (the `backend` fixture of tests/conftest.py)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.storage.sqlite import USER_TABLES
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
    assert "已经从机器人的数据库里删除" in henry.last.text
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


MARKERS = ("ZqMarker7731", "鸿雁贷款九号")


def traces(path: Path) -> list[str]:
    """Each marker found in a file, in any form the bot could have written it: UTF-8 text,
    JSON's \\u escapes (an update as stored in the inbox), UTF-16."""
    if not path.exists():
        return []
    content = path.read_bytes()
    found = []
    for marker in MARKERS:
        forms = {
            marker.encode(),
            json.dumps(marker).strip('"').encode(),
            marker.encode("utf-16-le"),
        }
        found += [f"{marker} in {path.name}" for form in forms if form in content]
    return found


async def test_after_delete_no_byte_of_what_the_user_typed_is_left_in_any_file(
    bot: RunningBot, api: StandInBotApi, database: Path, backend: Backend
):
    if backend.url is not None:
        pytest.skip("SQLite's files; PostgreSQL's table files: tests/bot/test_storage_pg.py")
    jack = api.user(9014)
    await bot.say(jack, "/start")
    await bot.press(jack, "开始第一步")
    await bot.press(jack, "帮我写联系客服的话术")
    await bot.say(jack, MARKERS[0] + MARKERS[1])
    await bot.say(jack, "/debts")
    await bot.say(jack, "/export")
    others = [await user_with_a_script(bot, api, 9100 + i) for i in range(3)]
    assert traces(database) + traces(database.with_name(database.name + "-wal"))

    await bot.say(jack, "/delete")
    await bot.press(jack, "确认删除")
    for other in others:  # life goes on for everybody else
        await bot.say(other, "/debts")
    files = [database, *(database.with_name(database.name + s) for s in ("-wal", "-shm"))]
    assert [t for f in files for t in traces(f)] == []


async def test_export_after_delete_creates_no_user(
    bot: RunningBot, api: StandInBotApi, backend: Backend
):
    kate = await user_with_a_script(bot, api, 9015)
    await bot.say(kate, "/delete")
    await bot.press(kate, "确认删除")
    await bot.say(kate, "/export")
    assert await rows_of(backend, 9015) == dict.fromkeys(USER_TABLES, 0)
    assert "这里不再保存任何" not in kate.messages[-1].text
