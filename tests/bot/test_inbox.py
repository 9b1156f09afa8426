"""The durable inbox: stored before acknowledged, handled once, resumed after a crash, pruned."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import time
from pathlib import Path

import pytest

from bot import outbox
from bot.delivery import Delivery
from bot.storage.sqlite import AlreadyApplied, OutboxMessage, Storage, TurnCommit
from flows.conversation.state import UserState
from tests.conftest import RunningBot, start_bot
from tests.standin_api import StandInBotApi


@pytest.fixture
async def storage(database: Path):
    opened = await Storage.open(database)
    yield opened
    await opened.close()


def inbox_rows(database: Path) -> list[tuple[int, int, str | None, str]]:
    with sqlite3.connect(database) as connection:
        return connection.execute(
            "SELECT update_id, user_id, payload, status FROM inbox ORDER BY update_id"
        ).fetchall()


async def test_an_update_is_stored_once_and_a_second_delivery_is_recognised(storage: Storage):
    assert await storage.inbox_put(7, 1, '{"update_id": 7}')
    assert not await storage.inbox_put(7, 1, '{"update_id": 7}')


async def test_a_turn_marks_its_update_done_with_the_state_and_drops_the_text(
    storage: Storage, database: Path
):
    await storage.inbox_put(7, 1, '{"text": "secret words"}')
    message = outbox.dumps(outbox.OutgoingMessage("hi", ()))
    await storage.commit_turn(TurnCommit(1, 1, UserState(started=True), 7, (message,)))
    assert inbox_rows(database) == [(7, 1, None, "done")]
    assert [m.message for m in await storage.outbox_of(1)] == [message]
    loaded = await storage.load(1)
    assert loaded is not None and loaded.state.started


async def test_a_turn_for_an_update_already_handled_commits_nothing(storage: Storage):
    await storage.inbox_put(7, 1, "{}")
    await storage.commit_turn(TurnCommit(1, 1, UserState(), 7))
    with pytest.raises(AlreadyApplied):
        await storage.commit_turn(TurnCommit(1, 1, UserState(started=True), 7, ("x",)))
    loaded = await storage.load(1)
    assert loaded is not None and not loaded.state.started
    assert await storage.outbox_of(1) == []


async def test_delivered_messages_leave_the_outbox_before_queued_turns_commit(storage: Storage):
    """A delivered message still in the outbox is sent again after a crash: its deletion
    goes ahead of turn commits already waiting, and deletions asked for meanwhile join it."""
    message = outbox.dumps(outbox.OutgoingMessage("hi", ()))
    for user in range(1, 21):
        await storage.commit_turn(TurnCommit(user, user, None, None, (message,)))
    ids = [m.id for user in range(1, 21) for m in await storage.outbox_of(user)]
    order: list[str] = []

    async def commit(user: int) -> None:
        await storage.commit_turn(TurnCommit(user, user, UserState(started=True)))
        order.append("commit")

    async def sent(message_id: int) -> None:
        await storage.outbox_sent([message_id])
        order.append("sent")

    async with storage._writing:  # a transaction in progress: everything below queues
        waiting = [asyncio.create_task(commit(user)) for user in range(21, 31)]
        await asyncio.sleep(0)
        waiting += [asyncio.create_task(sent(i)) for i in ids]
        await asyncio.sleep(0.05)
    await asyncio.gather(*waiting)
    assert order == ["sent"] * len(ids) + ["commit"] * 10
    assert await storage.outbox_users() == []


async def test_a_restart_resumes_pending_updates_oldest_first_and_gives_up_a_poison_one(
    storage: Storage,
):
    for update_id, user in ((3, 1), (1, 2), (2, 1)):
        await storage.inbox_put(update_id, user, json.dumps({"update_id": update_id}))
    pending, given_up = await storage.inbox_resume(max_attempts=2)
    assert [(p.update_id, p.user_id) for p in pending] == [(1, 2), (2, 1), (3, 1)]
    assert given_up == []
    await storage.inbox_resume(max_attempts=2)
    pending, given_up = await storage.inbox_resume(max_attempts=2)
    assert pending == [] and sorted(given_up) == [1, 1, 2]


async def test_handled_rows_are_pruned_and_pending_ones_never(storage: Storage, database: Path):
    for update_id in range(1, 101):
        await storage.inbox_put(update_id, 1, "{}")
    for update_id in range(1, 91):
        await storage.inbox_finish(update_id)
    assert await storage.inbox_prune(int(time.time()) + 1) == 90
    counts = await storage.inbox_counts()
    assert counts == {"pending": 10, "done": 0, "failed": 0, "outbox": 0}


async def test_an_update_delivered_twice_is_answered_once(api: StandInBotApi, database: Path):
    bot = await start_bot(api, database)
    try:
        lily = api.user(6006)
        await bot.say(lily, "/start")
        update_id = lily.says("/debts")
        await bot.settle()
        answered = len(lily.messages)
        api.redeliver(update_id)
        await bot.settle()
        assert len(lily.messages) == answered
        assert bot.application.update_queue.redelivered == 1  # type: ignore[attr-defined]
    finally:
        await bot.stop()


async def test_after_a_crash_stored_updates_are_handled_and_saved_replies_delivered(
    api: StandInBotApi, database: Path
):
    """As if the bot died after storing two updates of Mia's, and after committing a turn of
    Ned's but before sending its reply: the next start handles the one and delivers the other."""
    mia, ned = api.user(6101), api.user(6102)
    start_id = mia.says("/start")
    debts_id = mia.says("/debts")
    api._pending.clear()  # acknowledged: Telegram will not hand these out again
    storage = await Storage.open(database)
    for update_id in (start_id, debts_id):
        await storage.inbox_put(update_id, mia.id, json.dumps(api.history[update_id]))
    reply = outbox.dumps(outbox.OutgoingMessage("<b>已保存</b>", (), None))
    await storage.commit_turn(TurnCommit(ned.id, ned.id, UserState(), None, (reply,)))
    await storage.close()

    bot = await start_bot(api, database)
    try:
        bot.baseline -= 2  # the two resumed updates, pushed before this start
        await bot.settle()
        await api.wait_until(lambda: bool(ned.messages))
        assert "逾期不慌" in mia.messages[0].text  # /start first, then /debts: in order
        assert [m.text for m in ned.messages] == ["已保存"]
        assert [row[3] for row in inbox_rows(database)] == ["done", "done"]
    finally:
        await bot.stop()


async def test_a_committed_turn_is_delivered_from_memory_without_reading_the_outbox(
    bot: RunningBot, api: StandInBotApi, monkeypatch: pytest.MonkeyPatch
):
    lily = api.user(6201)
    await bot.say(lily, "/start")
    storage = bot.application.bot_data["conversation"].storage
    reads: list[int] = []
    original = storage.outbox_of

    async def outbox_of(user_id: int) -> list[OutboxMessage]:
        reads.append(user_id)
        return await original(user_id)

    monkeypatch.setattr(storage, "outbox_of", outbox_of)
    before = len(lily.messages)
    await bot.say(lily, "/debts")
    assert len(lily.messages) > before
    assert reads == []
    assert await storage.outbox_users() == []


async def test_a_turn_a_sweep_delivered_first_is_not_sent_again_from_memory(
    bot: RunningBot, api: StandInBotApi
):
    """The sweep (or a notice's flush) reads the outbox and may send a turn's messages
    between its commit and its own flush: that flush must not send them a second time."""
    ned = api.user(6202)
    delivery: Delivery = bot.application.bot_data["delivery"]
    storage = bot.application.bot_data["conversation"].storage
    messages = [outbox.OutgoingMessage(f"part {n}", ()) for n in range(3)]
    commit = TurnCommit(ned.id, ned.id, UserState(), None, tuple(map(outbox.dumps, messages)))
    ids = await storage.commit_turn(commit)
    assert ids == sorted(ids) and len(ids) == 3
    assert await delivery.flush(ned.id)  # the sweep came first
    assert await delivery.flush(ned.id, ned.id, list(zip(ids, messages, strict=True)))
    assert [m.text for m in api.chat(ned.id)] == ["part 0", "part 1", "part 2"]
