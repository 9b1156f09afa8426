"""End to end: reminders through the real Application and the stand-in Bot API.

The conversation's clock is frozen so the pass, the buttons and the saved schedule all agree
on what "now" is.
"""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
import sys
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.__main__ import main
from bot.conversation import Conversation
from bot.settings import PROJECT_ROOT
from bot.storage.sqlite import Storage
from bot.telegram_app import CONVERSATION, remind_once
from flows.conversation.state import UserState
from flows.domain.budget import Budget
from flows.domain.ledger import Debt, DueSpec, InstallmentTerms
from tests.conftest import Backend, RunningBot, start_bot
from tests.e2e.test_debts import add_jiebei
from tests.e2e.test_privacy import rows_of
from tests.standin_api import TOKEN, SimUser, StandInBotApi

SHANGHAI = ZoneInfo("Asia/Shanghai")
BEFORE = datetime(2026, 11, 24, 8, 0, tzinfo=SHANGHAI)
NINE = datetime(2026, 11, 24, 9, 0, tzinfo=SHANGHAI)


def debtor(*days: int) -> UserState:
    debts = tuple(
        Debt(
            id=number,
            platform=f"平台{number}",
            due=DueSpec.monthly(day),
            installments=InstallmentTerms(payment=Decimal(800), periods=12),
        )
        for number, day in enumerate(days, start=1)
    )
    return UserState(started=True, debts=debts, next_debt_id=len(debts) + 1)


@pytest.fixture
async def quiet_bot(api: StandInBotApi, database: Path) -> AsyncIterator[RunningBot]:
    """The bot with its periodic scan off: each test runs the passes itself, at chosen times."""
    running = await start_bot(api, database, reminder_scan_seconds=0)
    freeze(running, NINE)
    yield running
    await running.stop()


def conversation(running: RunningBot) -> Conversation:
    return running.application.bot_data[CONVERSATION]


def freeze(running: RunningBot, moment: datetime) -> None:
    conversation(running).clock = lambda: moment


async def with_debts(running: RunningBot, api: StandInBotApi, user_id: int, *days: int) -> SimUser:
    await conversation(running).storage.save(user_id, user_id, debtor(*days), now=BEFORE)
    return api.user(user_id)


def reminders_of(user: SimUser) -> list:
    return [m for m in user.messages if "还款提醒" in m.text]


async def test_a_debt_due_in_three_days_gets_its_reminder(quiet_bot: RunningBot, api):
    lin = await with_debts(quiet_bot, api, 7101, 27)
    report = await remind_once(quiet_bot.application, NINE)
    assert report.sent == 1
    (reminder,) = reminders_of(lin)
    assert "平台1" in reminder.text and "还有 3 天" in reminder.text and "800" in reminder.text
    assert [label for label, _ in reminder.buttons] == [
        "✅ 已还",
        "⏰ 推迟提醒",
        "查看计划",
        "提醒设置",
    ]
    (call,) = api.calls_to("sendMessage", 7101)
    assert call.params["parse_mode"] == "HTML"


async def test_429_for_a_while_then_the_reminder_arrives_once(quiet_bot: RunningBot, api):
    mei = await with_debts(quiet_bot, api, 7102, 27)
    api.fail("sendMessage", 2, 429, "Too Many Requests: retry after 1", retry_after=1, chat_id=7102)
    report = await remind_once(quiet_bot.application, NINE)
    refused = [c for c in api.calls_to("sendMessage", 7102) if c.status == 429]
    assert len(refused) == 2
    assert report.sent == 1 and len(reminders_of(mei)) == 1
    await remind_once(quiet_bot.application, NINE + timedelta(minutes=30))
    assert len(reminders_of(mei)) == 1


async def test_a_user_who_blocked_the_bot_is_marked_inactive_and_left_alone(
    quiet_bot: RunningBot, api
):
    await with_debts(quiet_bot, api, 7103, 27)
    api.blocked.add(7103)
    report = await remind_once(quiet_bot.application, NINE)
    assert report.blocked == 1
    assert not (await conversation(quiet_bot).storage.load(7103)).active
    for days in (1, 2, 3):
        await remind_once(quiet_bot.application, NINE + timedelta(days=days))
    assert len(api.calls_to("sendMessage", 7103)) == 1


async def test_paid_on_a_reminder_stops_reminders_for_that_due_date(
    quiet_bot: RunningBot, api, database: Path
):
    nan = await with_debts(quiet_bot, api, 7104, 27)
    await remind_once(quiet_bot.application, NINE)
    seen = len(nan.messages)
    await quiet_bot.press(nan, "已还", reminders_of(nan)[-1])
    assert "平台1 2026年11月27日 这一期已还" in nan.messages[seen].text
    assert "» ✅ 已还" in reminders_of(nan)[-1].text  # the pressed reminder is marked
    state = (await conversation(quiet_bot).storage.load(7104)).state
    assert [(p.debt_id, p.due_date.isoformat()) for p in state.paid_dues] == [(1, "2026-11-27")]
    for day in (26, 27):
        await remind_once(quiet_bot.application, datetime(2026, 11, day, 9, tzinfo=SHANGHAI))
    assert len(reminders_of(nan)) == 1
    with sqlite3.connect(database) as connection:
        dates = {r[0] for r in connection.execute("SELECT due_date FROM reminders")}
    assert dates == {"2026-12-27"}  # next month is still reminded


async def test_snooze_reminds_again_later_the_same_day(quiet_bot: RunningBot, api):
    ou = await with_debts(quiet_bot, api, 7105, 27)
    await remind_once(quiet_bot.application, NINE)
    await quiet_bot.press(ou, "推迟提醒", reminders_of(ou)[-1])
    assert any("12:00 再提醒你" in m.text for m in ou.messages)
    await remind_once(quiet_bot.application, NINE + timedelta(hours=2, minutes=59))
    assert len(reminders_of(ou)) == 1
    await remind_once(quiet_bot.application, NINE + timedelta(hours=3))
    assert len(reminders_of(ou)) == 2


async def test_reminder_settings_from_the_reminder_switch_it_off(quiet_bot: RunningBot, api):
    tao = await with_debts(quiet_bot, api, 7106, 27)
    await remind_once(quiet_bot.application, NINE)
    screen = await quiet_bot.press(tao, "提醒设置", reminders_of(tao)[-1])
    assert "平台1 的提醒" in screen.text and "提前3天、1天和当天提醒" in screen.text
    off = await quiet_bot.press(tao, "关闭提醒")
    assert "提醒已关闭" in off.text
    for day in (26, 27):
        await remind_once(quiet_bot.application, datetime(2026, 11, day, 9, tzinfo=SHANGHAI))
    assert len(reminders_of(tao)) == 1


async def test_a_forged_reminder_button_changes_nothing(quiet_bot: RunningBot, api):
    wu = await with_debts(quiet_bot, api, 7107, 27)
    await remind_once(quiet_bot.application, NINE)
    reminder = reminders_of(wu)[-1]
    for forged in ("g:rpaid:99:2026-11-27", "g:rpaid:1:2026-11-26", "g:rsnz:1:garbage"):
        seen = len(wu.messages)
        wu.presses_data(reminder, forged)
        await quiet_bot.settle()
        assert "没找到这笔债务" in wu.messages[seen].text
    state = (await conversation(quiet_bot).storage.load(7107)).state
    assert state.paid_dues == () and state.snoozes == ()


async def test_the_job_queue_runs_the_pass_by_itself(api: StandInBotApi, database: Path):
    running = await start_bot(api, database, reminder_scan_seconds=1)
    freeze(running, NINE)
    try:
        xu = await with_debts(running, api, 7108, 27)
        await api.wait_until(lambda: bool(reminders_of(xu)), timeout=10)
        await asyncio.sleep(1.5)  # another pass or two: still one reminder
        assert len(reminders_of(xu)) == 1
    finally:
        await running.stop()


async def save_debtor(database: Path, user_id: int) -> None:
    storage = await Storage.open(database)
    try:
        await storage.save(user_id, user_id, debtor(27), now=BEFORE)
    finally:
        await storage.close()


def test_remind_dry_run_prints_what_would_be_sent_and_sends_nothing(
    database: Path, monkeypatch, capsys
):
    asyncio.run(save_debtor(database, 7109))
    monkeypatch.setenv("DATABASE_PATH", str(database))
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    assert main(["remind", "--now", "2026-11-24T09:00:00", "--dry-run"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert lines[0]["user_id"] == 7109 and "平台1" in lines[0]["text"]
    assert lines[-1]["dry_run"] and lines[-1]["sent"] == 1
    assert main(["remind", "--now", "2026-11-24T09:00:00", "--dry-run"]) == 0  # nothing logged
    assert json.loads(capsys.readouterr().out.splitlines()[-1])["sent"] == 1


def test_remind_without_a_token_refuses_to_send(database: Path, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_PATH", str(database))
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    assert main(["remind", "--now", "2026-11-24T09:00:00+08:00"]) == 2
    assert "--dry-run" in capsys.readouterr().err


async def test_remind_from_cron_sends_through_the_bot_api(api: StandInBotApi, database: Path):
    await save_debtor(database, 7110)
    environment = {
        **os.environ,
        "PYTHONPATH": str(PROJECT_ROOT),
        "DATABASE_PATH": str(database),
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": api.base_url,
    }
    command = [sys.executable, "-m", "bot", "remind", "--now", "2026-11-24T09:00+08:00"]
    for _ in range(2):
        process = await asyncio.create_subprocess_exec(
            *command, env=environment, cwd=database.parent, stdout=asyncio.subprocess.PIPE
        )
        output, _ = await process.communicate()
        assert process.returncode == 0
    assert json.loads(output.decode().splitlines()[-1])["due"] == 0  # the second run: done
    assert len(reminders_of(api.user(7110))) == 1


async def test_export_has_every_reminder_row_and_delete_leaves_none(
    quiet_bot: RunningBot, api, database: Path
):
    yu = await with_debts(quiet_bot, api, 7111, 27)
    await remind_once(quiet_bot.application, NINE)
    stored = await rows_of(Backend("sqlite", database), 7111)
    assert stored["reminders"] > 0 and stored["reminders_sent"] == 1
    await quiet_bot.say(yu, "/export")
    exported = json.loads(next(m for m in yu.messages if m.kind == "document").file)
    assert len(exported["reminders"]) == stored["reminders"]
    assert exported["reminders_sent"][0]["outcome"] == "sent"
    await quiet_bot.say(yu, "/delete")
    await quiet_bot.press(yu, "确认删除")
    assert set((await rows_of(Backend("sqlite", database), 7111)).values()) == {0}


async def test_a_debt_entered_in_the_debts_step_is_reminded_and_its_settings_open(
    quiet_bot: RunningBot, api: StandInBotApi, database: Path
):
    freeze(quiet_bot, datetime(2026, 12, 11, 20, 0, tzinfo=SHANGHAI))
    qin = api.user(7112)
    await quiet_bot.say(qin, "/start")
    await quiet_bot.say(qin, "/debts")
    await add_jiebei(quiet_bot, qin)  # due on the 15th, 1,000 a month
    screen = await quiet_bot.press(qin, "提醒设置")
    assert "借呗 的提醒" in screen.text and "每月 15 号" in screen.text
    with sqlite3.connect(database) as connection:
        scheduled = connection.execute(
            "SELECT due_date, lead FROM reminders WHERE user_id = 7112 ORDER BY fire_at"
        ).fetchall()
    assert scheduled[:3] == [("2026-12-15", 3), ("2026-12-15", 1), ("2026-12-15", 0)]
    await remind_once(quiet_bot.application, datetime(2026, 12, 12, 9, 0, tzinfo=SHANGHAI))
    (reminder,) = reminders_of(qin)
    assert "借呗" in reminder.text and "本期应还：1,000 元" in reminder.text


async def test_a_reminder_names_the_planned_payment_and_opens_the_plan(quiet_bot: RunningBot, api):
    debt = Debt(
        id=1,
        platform="平台1",
        remaining_principal=Decimal(5000),
        due=DueSpec.monthly(27),
        installments=InstallmentTerms(payment=Decimal(800), periods=12),
    )
    state = UserState(
        started=True, debts=(debt,), next_debt_id=2, budget=Budget(income=Decimal(5000))
    )
    await conversation(quiet_bot).storage.save(7120, 7120, state, now=BEFORE)
    kai = api.user(7120)
    await remind_once(quiet_bot.application, NINE)
    (reminder,) = reminders_of(kai)
    # 5,000 income - 1,500 living floor: the whole 3,500 goes to the only debt this month.
    assert (
        "本期应还：800 元" in reminder.text and "按你的计划，这次准备还：3,500 元" in reminder.text
    )
    await quiet_bot.press(kai, "查看计划", reminder)
    assert kai.last.kind == "photo"
    assert "平台1" in kai.messages[-2].text and "3,500" in kai.messages[-2].text


async def test_two_reminders_of_one_user_arrive_as_one_message(quiet_bot: RunningBot, api):
    lu = await with_debts(quiet_bot, api, 7121, 27, 27)
    report = await remind_once(quiet_bot.application, NINE)
    assert (report.sent, report.messages) == (2, 1)
    (call,) = api.calls_to("sendMessage", 7121)
    assert call.params["parse_mode"] == "HTML"
    (reminder,) = reminders_of(lu)
    assert "平台1" in reminder.text and "平台2" in reminder.text
    assert "加起来应还 1,600 元" in reminder.text
    assert [label for label, _ in reminder.buttons] == [
        "✅ 平台1 已还",
        "稍后提醒",
        "✅ 平台2 已还",
        "稍后提醒",
        "查看计划",
        "提醒设置",
    ]
    seen = len(lu.messages)
    await quiet_bot.press(lu, "平台2 已还", reminder)
    assert "平台2 2026年11月27日 这一期已还" in lu.messages[seen].text
    state = (await conversation(quiet_bot).storage.load(7121)).state
    assert [(p.debt_id, p.due_date.isoformat()) for p in state.paid_dues] == [(2, "2026-11-27")]
    await remind_once(quiet_bot.application, datetime(2026, 11, 26, 9, tzinfo=SHANGHAI))
    tomorrow = reminders_of(lu)[-1]
    assert "还款提醒：平台1" in tomorrow.text and "平台2" not in tomorrow.text
    assert len(reminders_of(lu)) == 2
