"""Without a token the same conversation runs in the terminal, on the same database."""

from __future__ import annotations

import io
from pathlib import Path

from bot.settings import Settings
from bot.storage.sqlite import Storage
from bot.terminal import read_event, run_terminal
from flows.conversation.core import ButtonPress, Command, TextInput


def scripted(lines: list[str]):
    queue = list(lines)

    def read_line() -> str:
        if not queue:
            raise EOFError
        return queue.pop(0)

    return read_line


async def test_a_newcomer_can_walk_step_one_in_the_terminal(database: Path):
    out = io.StringIO()
    settings = Settings(_env_file=None, database_path=database)
    await run_terminal(settings, scripted(["#1", "#1", "借呗", "#1", "#1"]), out)
    shown = out.getvalue()
    assert "不是法律意见" in shown
    assert "[#1] 开始第一步：先别失联" in shown
    assert "您好，我是在借呗借款的用户" in shown
    assert "<b>" not in shown and "&lt;" not in shown


async def test_the_terminal_continues_where_it_stopped(database: Path):
    settings = Settings(_env_file=None, database_path=database)
    await run_terminal(settings, scripted(["#1", "#1", "借呗"]), io.StringIO())
    out = io.StringIO()
    await run_terminal(settings, scripted([]), out)
    assert "欢迎回来" in out.getvalue()
    assert "逾期的主要原因" in out.getvalue()
    storage = await Storage.open(database)
    stored = await storage.load(settings.terminal_user_id)
    await storage.close()
    assert stored.state.position.draft["platform"] == "借呗"


async def test_a_button_number_that_is_not_on_screen_is_explained(database: Path):
    out = io.StringIO()
    settings = Settings(_env_file=None, database_path=database)
    await run_terminal(settings, scripted(["#42"]), out)
    assert "没有这个按钮编号" in out.getvalue()


async def test_after_delete_the_goodbye_does_not_claim_anything_is_saved(database: Path):
    out = io.StringIO()
    settings = Settings(_env_file=None, database_path=database)
    await run_terminal(settings, scripted(["/delete", "确认删除全部数据"]), out)
    shown = out.getvalue()
    assert "全部数据已经从机器人的数据库里删除" in shown
    assert "都已保存" not in shown
    assert "全部删除" in shown and "备份" in shown  # honest about the operator's backups


def test_typed_lines_become_events():
    buttons = ["0|begin", "n:menu"]
    assert read_event("#2", buttons) == ButtonPress("n:menu")
    assert read_event("＃1", buttons) == ButtonPress("0|begin")
    assert read_event("#3", buttons) is None
    assert read_event("/menu", buttons) == Command("menu")
    assert read_event("3千", buttons) == TextInput("3千")
    assert read_event("2", buttons) == TextInput("2")
