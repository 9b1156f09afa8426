"""The inbox workers and the reminder leader on PostgreSQL (bot/workers.py), in one process:
several workers over one inbox handle each update once, each user's in order, one worker per
user at a time; one leader at a time, and another when it goes."""

from __future__ import annotations

import asyncio
import json
import random
from collections import defaultdict
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import asyncpg

from bot import workers as workers_module
from bot.conversation import Conversation
from bot.storage.postgres import INBOX_BUCKETS, PgStorage
from bot.storage.sqlite import TurnCommit
from bot.telegram_app import open_conversation
from bot.updates import RawUpdate
from bot.workers import (
    CANDIDATES_QUERY,
    GRACE_SECONDS,
    USER_LOCKS,
    WORKER_APPLICATION,
    InboxWorker,
    Leader,
    preferred_index,
    user_key,
)
from flows.conversation.core import Command
from flows.conversation.state import UserState
from flows.domain.ledger import Debt, DueSpec
from tests.conftest import Backend
from tests.standin_api import TOKEN

USERS = 40
PER_USER = 8


def update_json(update_id: int, user_id: int) -> str:
    person = {"id": user_id, "is_bot": False, "first_name": "u"}
    message = {
        "message_id": update_id,
        "date": 0,
        "chat": {"id": user_id, "type": "private"},
        "from": person,
        "text": "hi",
    }
    return json.dumps({"update_id": update_id, "message": message})


async def test_workers_handle_each_update_once_in_each_users_order(pg: Backend):
    stores = [await PgStorage.open(pg.url or "") for _ in range(3)]
    handled: dict[int, list[int]] = defaultdict(list)
    busy: set[int] = set()
    overlaps: list[int] = []
    chance = random.Random(7)

    def handler(storage: PgStorage):
        async def handle(update: RawUpdate) -> None:
            user = update.sender_id
            if user in busy:
                overlaps.append(user)
            busy.add(user)
            await asyncio.sleep(chance.uniform(0, 0.003))
            handled[user].append(update.update_id)
            busy.discard(user)
            await storage.commit_turn(TurnCommit(user, user, None, update.update_id))

        return handle

    async def flush(user_id: int) -> bool:
        return True

    workers = [InboxWorker(s, handler(s), flush, slots=8) for s in stores]
    tasks = [asyncio.create_task(w.run()) for w in workers]
    try:
        # Updates arrive interleaved across users, as Telegram delivers them.
        update_id = 0
        for _ in range(PER_USER):
            for user in range(1, USERS + 1):
                update_id += 1
                assert await stores[0].inbox_put(update_id, user, update_json(update_id, user))

        async def drained() -> None:
            while (await stores[0].inbox_counts())["pending"]:
                await asyncio.sleep(0.05)

        await asyncio.wait_for(drained(), 120)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        for storage in stores:
            await storage.close()
    assert overlaps == []
    assert sorted(handled) == list(range(1, USERS + 1))
    for ids in handled.values():
        assert len(ids) == PER_USER and ids == sorted(ids)
    assert sum(w.handled for w in workers) == USERS * PER_USER
    assert sum(1 for w in workers if w.handled) >= 2, "the work should be shared"


async def test_an_older_update_stored_late_is_handled_not_dropped(pg: Backend):
    conversation: Conversation = await open_conversation(pg.settings())
    try:
        conversation.inbox_decides = True  # as the workers set it
        storage = conversation.storage
        await conversation.handle(1, 1, Command("start"), update_id=20, outbox=True)
        # Update 13 reached another receiver later than 20 reached this one.
        await storage.inbox_put(13, 1, update_json(13, 1))
        turn = await conversation.handle(1, 1, Command("menu"), update_id=13, outbox=True)
        assert turn.replies and "主菜单" in turn.replies[0].parts[0]
        assert (await storage.load(1)).state.position.step == "menu"
        assert (await storage.inbox_counts())["pending"] == 0
        # Delivered again, it is recognised by its inbox row: no second turn.
        again = await conversation.handle(1, 1, Command("menu"), update_id=13, outbox=True)
        assert again.replies == ()
    finally:
        await conversation.storage.close()


async def test_one_leader_at_a_time_and_another_when_it_goes(pg: Backend):
    first, second = Leader(pg.url or ""), Leader(pg.url or "")
    try:
        assert await first.holds()
        assert not await second.holds()
        assert await first.holds()  # still ours, not taken twice
        await first.close()  # the leader's process ends (or dies: its connection closes)
        assert await second.holds()
        assert not await first.holds()
    finally:
        await first.close()
        await second.close()


async def test_a_cron_pass_sends_nothing_while_a_bot_process_leads(pg: Backend, api):
    import io

    from bot.reminder_command import remind_command

    storage = await PgStorage.open(pg.url or "")
    today = datetime.now(ZoneInfo("Asia/Shanghai"))
    debt = Debt(id=1, platform="借呗", due=DueSpec.monthly(today.day))
    await storage.save(
        7, 7, UserState(started=True, debts=(debt,), next_debt_id=2), now=today - timedelta(days=10)
    )
    await storage.close()
    settings = pg.settings(telegram_bot_token=TOKEN, telegram_api_base_url=api.base_url)
    leading = Leader(pg.url or "")
    try:
        assert await leading.holds()
        assert await remind_command(settings, today, dry_run=False, out=io.StringIO()) == 0
        assert api.calls_to("sendMessage") == []
    finally:
        await leading.close()
    out = io.StringIO()
    assert await remind_command(settings, today, dry_run=False, out=out) == 0
    assert len(api.calls_to("sendMessage", chat_id=7)) == 1 and '"sent": 1' in out.getvalue()


async def test_replies_owed_after_a_restart_go_out_at_the_next_free_slot(pg: Backend, monkeypatch):
    """A restart finds more users pending than slots, and others whose replies were committed
    before the crash: those replies go out as soon as a slot frees, not one sweep later."""
    monkeypatch.setattr(workers_module, "OUTBOX_SWEEP_SECONDS", 3600.0)  # one sweep: at start
    storage = await PgStorage.open(pg.url or "")
    for user in range(1, 11):
        await storage.inbox_put(user, user, update_json(user, user))
    for user in range(101, 111):
        await storage.outbox_put(user, user, '{"text": "owed"}')

    async def handle(update: RawUpdate) -> None:
        user = update.sender_id
        await storage.commit_turn(TurnCommit(user, user, None, update.update_id))

    async def flush(user_id: int) -> bool:
        await storage.outbox_sent([m.id for m in await storage.outbox_of(user_id)])
        return True

    worker = InboxWorker(storage, handle, flush, slots=2)
    task = asyncio.create_task(worker.run())
    try:

        async def delivered() -> None:
            while await storage.outbox_users() or (await storage.inbox_counts())["pending"]:
                await asyncio.sleep(0.05)

        await asyncio.wait_for(delivered(), 60)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await storage.close()


async def test_workers_look_only_at_users_no_process_holds(pg: Backend):
    storage = await PgStorage.open(pg.url or "")
    holder = await asyncpg.connect(pg.url or "")
    try:
        for user in (5, 6, 7):
            await storage.inbox_put(user, user, update_json(user, user))
        await holder.fetchval("SELECT pg_advisory_lock($1, $2)", USER_LOCKS, user_key(6))
        rows = await storage.pool.fetch(CANDIDATES_QUERY, 10, USER_LOCKS, 0, 0, 0, 0)
        assert [row[0] for row in rows] == [5, 7]
        rows = await storage.pool.fetch(CANDIDATES_QUERY, 1, USER_LOCKS, 0, 0, 0, 0)
        assert [row[0] for row in rows] == [5]
    finally:
        await holder.close()
        await storage.close()


async def test_a_worker_claims_the_users_it_is_preferred_for_and_any_long_pending(pg: Backend):
    """The claim's preference is the same arithmetic as the NOTIFY filter's (in Python)."""
    storage = await PgStorage.open(pg.url or "")
    users = [1, 2, 3, 17, 123_456_789, 5_000_000_000, 7_777_777_777]
    try:
        for update_id, user in enumerate(users, 1):
            await storage.inbox_put(update_id, user, update_json(update_id, user))
        late = 2**40  # every pending update is older than this
        for index in range(3):
            rows = await storage.pool.fetch(CANDIDATES_QUERY, 100, USER_LOCKS, 3, index, 0, 0)
            assert [r[0] for r in rows] == [u for u in users if preferred_index(u, 3) == index]
            # Pending a while: the next worker's too (the one before in the list's users).
            rows = await storage.pool.fetch(CANDIDATES_QUERY, 100, USER_LOCKS, 3, index, late, 0)
            assert [r[0] for r in rows] == [
                u for u in users if preferred_index(u, 3) in (index, (index - 1) % 3)
            ]
        rows = await storage.pool.fetch(CANDIDATES_QUERY, 100, USER_LOCKS, 3, 0, late, late)
        assert [r[0] for r in rows] == users
    finally:
        await storage.close()


async def test_a_hung_workers_users_are_answered_by_the_others(pg: Backend):
    """A listed worker that never handles anything (hung, or killed and not yet gone from the
    list): the updates of users preferred for it are taken by a live worker after a grace,
    each once and in order; once it is gone from the list, its users are the live ones'."""
    storage = await PgStorage.open(pg.url or "")
    hung = await asyncpg.connect(
        pg.url or "", server_settings={"application_name": WORKER_APPLICATION}
    )
    handled: dict[int, list[int]] = defaultdict(list)

    async def handle(update: RawUpdate) -> None:
        user = update.sender_id
        assert user is not None
        handled[user].append(update.update_id)
        await storage.commit_turn(TurnCommit(user, user, None, update.update_id))

    async def flush(user_id: int) -> bool:
        return True

    worker = InboxWorker(storage, handle, flush, slots=4)
    task = asyncio.create_task(worker.run())
    try:

        async def listed() -> None:
            while worker._members != 2 or worker._index is None:
                await asyncio.sleep(0.05)

        await asyncio.wait_for(listed(), 30)
        users = range(1, 21)
        update_id = 0
        for _ in range(3):
            for user in users:
                update_id += 1
                await storage.inbox_put(update_id, user, update_json(update_id, user))
        mine = {u for u in users if preferred_index(u, 2) == worker._index}
        assert mine and set(users) - mine, "some users are the hung worker's"

        async def drained() -> None:
            while (await storage.inbox_counts())["pending"]:
                await asyncio.sleep(0.05)

        await asyncio.wait_for(drained(), 60 + 3 * GRACE_SECONDS)
        # Woken only for its own users: it listens to their buckets' channels alone.
        assert worker._listening == {b for b in range(INBOX_BUCKETS) if b % 2 == worker._index}
        # The hung worker goes: its users are the live worker's at once (no grace).
        await hung.close()
        await storage.inbox_put(1000, 1, update_json(1000, 1))
        await storage.inbox_put(1001, 2, update_json(1001, 2))
        await asyncio.wait_for(drained(), 60)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        if not hung.is_closed():
            await hung.close()
        await storage.close()
    assert sorted(handled) == list(range(1, 21))
    for user, ids in handled.items():
        assert ids == sorted(ids) and len(ids) == len(set(ids)) == 3 + (user in (1, 2))
