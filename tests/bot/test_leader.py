"""The reminder leader on PostgreSQL (bot/workers.py `Leader`): a process that takes the leader
lock sends no bulk message until one bulk period after taking it, so its limiter, which starts
full, never adds a period's burst to the last period of the leader it succeeds; a leader that
keeps the lock does not wait again. Times are the event loop's clock (time.monotonic), checked
as lower bounds only."""

from __future__ import annotations

import asyncio
import io
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import asyncpg

from bot.limiter import BULK_PERIOD_SECONDS
from bot.locale import Locales
from bot.reminder_command import remind_command
from bot.reminders import run_pass
from bot.render import RenderedReply
from bot.storage.postgres import PgStorage
from bot.workers import LEADER_LOCK, Leader, while_leading
from tests.bot.test_multiprocess import seed_reminders
from tests.conftest import Backend
from tests.standin_api import TOKEN, StandInBotApi

SHANGHAI = ZoneInfo("Asia/Shanghai")


async def seed_due(url: str, users: range) -> datetime:
    """Users with a debt due today, entered ten days ago (one reminder each owed now); the
    time to run passes at."""
    await seed_reminders(url, users.start, len(users))
    return datetime.now(SHANGHAI)


async def lock_holder(url: str) -> int:
    """The server pid of the session holding the leader lock."""
    connection = await asyncpg.connect(url)
    try:
        return await connection.fetchval(
            "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted"
            " AND classid = $1 AND objid = $2",
            *LEADER_LOCK,
        )
    finally:
        await connection.close()


async def test_a_new_leader_sends_its_first_reminder_one_bulk_period_after_taking_the_lock(
    pg: Backend,
):
    url = pg.url or ""
    today = await seed_due(url, range(1, 4))
    settings = pg.settings()
    locales = Locales.load(settings.locales_dir, settings.default_locale)
    loop = asyncio.get_running_loop()
    sent_at: list[float] = []

    async def send(chat_id: int, reply: RenderedReply) -> None:
        sent_at.append(loop.time())

    storage = await PgStorage.open(url)
    old, new = Leader(url), Leader(url)
    try:
        assert await old.holds()
        assert not await new.holds()
        assert new.taken_at is None and new.waits == 0  # a standby has nothing to wait out
        died = loop.time()
        await old.close()  # the leader dies right after its burst: the lock goes with it
        assert await new.holds()  # the next reminder job of another process, as _reminder_job
        taken = new.taken_at
        assert taken is not None and taken >= died
        await run_pass(today, storage, locales, send)
    finally:
        await old.close()
        await new.close()
        await storage.close()
    assert len(sent_at) == 3
    assert min(sent_at) >= taken + BULK_PERIOD_SECONDS


async def test_a_leader_that_keeps_the_lock_does_not_wait_again(pg: Backend):
    leader = Leader(pg.url or "")
    loop = asyncio.get_running_loop()
    try:
        assert await leader.holds()
        taken = leader.taken_at
        assert taken is not None and loop.time() >= taken + BULK_PERIOD_SECONDS
        assert leader.waits == 1
        for _ in range(3):  # the following reminder passes
            assert await leader.holds()
        assert leader.waits == 1 and leader.taken_at == taken
    finally:
        await leader.close()


async def test_a_leader_whose_lock_connection_broke_waits_again_when_it_takes_the_lock_back(
    pg: Backend,
):
    """Meanwhile another process may have led and sent a burst: the lock taken back is a
    takeover like any other."""
    url = pg.url or ""
    leader = Leader(url)
    loop = asyncio.get_running_loop()
    admin = await asyncpg.connect(url)
    try:
        assert await leader.holds()
        first = leader.taken_at
        assert first is not None
        # The server ends the session (a restart, a network cut): the lock is released.
        holder = await lock_holder(url)
        assert await admin.fetchval("SELECT pg_terminate_backend($1, 10000)", holder)
        # The pass that finds the connection broken does not lead; a later one takes it back.
        assert await leader.holds() or await leader.holds()
        again = leader.taken_at
        assert again is not None and again > first and leader.waits == 2
        assert loop.time() >= again + BULK_PERIOD_SECONDS
    finally:
        await admin.close()
        await leader.close()


async def test_a_cron_pass_takes_the_lock_like_a_new_leader_and_waits_a_bulk_period(
    pg: Backend, api: StandInBotApi
):
    today = await seed_due(pg.url or "", range(7, 9))
    settings = pg.settings(telegram_bot_token=TOKEN, telegram_api_base_url=api.base_url)
    started = time.monotonic()  # the lock is taken after this
    out = io.StringIO()
    assert await remind_command(settings, today, dry_run=False, out=out) == 0
    calls = api.calls_to("sendMessage")
    assert len(calls) == 2 and '"sent": 2' in out.getvalue()
    assert min(call.at for call in calls) >= started + BULK_PERIOD_SECONDS


async def test_a_leader_that_loses_the_lock_during_its_pass_sends_no_more(pg: Backend):
    """Its successor may send a period after taking the lock: what the lost leader had not sent
    yet is released and goes out once, with a later pass of whoever leads then. (Sends already
    past the check, at most the pass's CONCURRENT_SENDS, still go out: about one bulk period
    at the limiter's rate, which the successor's own wait covers.)"""
    url = pg.url or ""
    today = await seed_due(url, range(1, 5))
    settings = pg.settings()
    locales = Locales.load(settings.locales_dir, settings.default_locale)
    sent: list[int] = []

    async def send(chat_id: int, reply: RenderedReply) -> None:
        sent.append(chat_id)

    admin = await asyncpg.connect(url)
    storage = await PgStorage.open(url)
    leader, successor = Leader(url), Leader(url)
    try:
        assert await leader.holds()
        guarded = while_leading(leader, send)  # as the reminder job builds it, leading
        await admin.fetchval("SELECT pg_terminate_backend($1, 10000)", await lock_holder(url))
        while leader.still_holds():  # noticed as its connection closes, without a query
            await asyncio.sleep(0.01)
        lost = await run_pass(today, storage, locales, guarded)
        assert sent == [] and lost.retry_later == 4
        assert await successor.holds()
        later = await run_pass(today + timedelta(minutes=2), storage, locales, send)
    finally:
        await leader.close()
        await successor.close()
        await storage.close()
        await admin.close()
    assert later.sent == 4 and sorted(sent) == [1, 2, 3, 4]
