"""After a crisis reply, reminders wait a few days (3, data/crisis.toml) unless the user asks
for them: a snooze they pressed still comes, and "keep sending my reminders" ends the wait."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from bot.facts import load_facts
from bot.locale import Locales
from bot.reminders import run_pass
from bot.settings import PROJECT_ROOT
from bot.storage.sqlite import Storage
from flows.conversation.reminders import add_snooze
from tests.bot.test_reminders_pass import BEFORE, NINE, Chat, debtor

LOCALES = Locales.load(PROJECT_ROOT / "locales")
FACTS = load_facts(PROJECT_ROOT / "data")


@pytest.fixture
async def storage(database: Path):
    opened = await Storage.open(database)
    yield opened
    await opened.close()


async def a_pass(storage: Storage, chat: Chat, now=NINE):
    return await run_pass(now, storage, LOCALES, chat.send, facts=FACTS)


async def test_no_reminder_in_the_days_after_a_crisis_reply(storage: Storage):
    chat = Chat()
    shown = BEFORE - timedelta(days=1)
    await storage.save(7, 70, debtor().model_copy(update={"crisis_shown_at": shown}), now=BEFORE)
    report = await a_pass(storage, chat)
    assert report.due == 1 and report.skipped == 1 and chat.sent == []


async def test_reminders_come_again_once_the_quiet_days_are_over(storage: Storage):
    chat = Chat()
    shown = NINE - timedelta(days=3)
    await storage.save(7, 70, debtor().model_copy(update={"crisis_shown_at": shown}), now=BEFORE)
    report = await a_pass(storage, chat)
    assert report.sent == 1 and len(chat.sent) == 1


async def test_a_reminder_the_user_snoozed_after_the_crisis_reply_still_comes(storage: Storage):
    chat = Chat()
    state = debtor().model_copy(update={"crisis_shown_at": BEFORE})
    snoozed = add_snooze(state, 1, NINE.date() + timedelta(days=3), BEFORE + timedelta(hours=1))
    await storage.save(7, 70, snoozed, now=BEFORE)
    report = await a_pass(storage, chat, BEFORE + timedelta(hours=1))
    assert report.sent == 1
