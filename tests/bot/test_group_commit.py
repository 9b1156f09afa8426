"""Group commit (SQLite): turns that wait for the write lock commit together in one transaction,
each in its own savepoint, so a failing turn is rolled back alone; a user's turns keep their
order; delivered messages' deletions ride along and are committed before the group's next turn."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Awaitable
from pathlib import Path
from typing import Any

import pytest

from bot import outbox
from bot.storage import sqlite as storage_module
from bot.storage.sqlite import AlreadyApplied, Storage, StorageError, TurnCommit
from flows.conversation.state import UserState

MESSAGE = outbox.dumps(outbox.OutgoingMessage("hi", ()))


@pytest.fixture
async def storage(database: Path):
    opened = await Storage.open(database)
    yield opened
    await opened.close()


@pytest.fixture
def groups(monkeypatch: pytest.MonkeyPatch) -> list[list[int]]:
    """The user ids of each group transaction, as they reach the database thread."""
    seen: list[list[int]] = []
    original = storage_module._group_in

    def recorded(db: sqlite3.Connection, turns: Any, deletions: Any) -> Any:
        seen.append([prepared.turn.user_id for prepared in turns])
        return original(db, turns, deletions)

    monkeypatch.setattr(storage_module, "_group_in", recorded)
    return seen


def fail_turns(monkeypatch: pytest.MonkeyPatch, failures: dict[int, list[Exception]]) -> None:
    """The turns of these users raise these errors, one per attempt, then succeed."""
    original = storage_module._turn_in

    def failing(db: sqlite3.Connection, prepared: Any) -> list[int]:
        waiting = failures.get(prepared.turn.user_id)
        ids = original(db, prepared)  # written, then undone by the savepoint's rollback
        if waiting:
            raise waiting.pop(0)
        return ids

    monkeypatch.setattr(storage_module, "_turn_in", failing)


async def while_locked(storage: Storage, *work: Awaitable[Any]) -> list[Any]:
    """Start every piece of work while a write holds the lock, so they all queue, then let
    them through; their results (or errors) in order."""
    async with storage._writing:
        tasks = [asyncio.ensure_future(piece) for piece in work]
        await asyncio.sleep(0.01)
    return await asyncio.gather(*tasks, return_exceptions=True)


def turn(user: int, update_id: int | None = None, debts: int = 0) -> TurnCommit:
    state = UserState(started=True, prompt_seq=debts)
    return TurnCommit(user, user, state, update_id, (MESSAGE,))


async def stored(storage: Storage, user: int) -> tuple[int, int] | None:
    found = await storage.load(user)
    if found is None:
        return None
    return found.last_update_id, found.state.prompt_seq


async def test_turns_of_different_users_waiting_for_the_lock_commit_in_one_transaction(
    storage: Storage, groups: list[list[int]]
):
    results = await while_locked(storage, *(storage.commit_turn(turn(u, u)) for u in (1, 2, 3)))
    assert groups == [[1, 2, 3]]
    assert all(isinstance(ids, list) and len(ids) == 1 for ids in results)
    assert sorted(ids[0] for ids in results) == [ids[0] for ids in results], "in arrival order"
    for user in (1, 2, 3):
        assert await stored(storage, user) == (user, 0)
        assert [m.id for m in await storage.outbox_of(user)] == results[user - 1]


async def test_a_turn_that_fails_is_rolled_back_alone_and_the_others_commit(
    storage: Storage, groups: list[list[int]], monkeypatch: pytest.MonkeyPatch
):
    await storage.commit_turn(turn(2, 5, debts=1))
    fail_turns(monkeypatch, {2: [sqlite3.OperationalError("no such table: broken")] * 2})
    results = await while_locked(
        storage, *(storage.commit_turn(turn(u, 10 + u, debts=7)) for u in (1, 2, 3))
    )
    assert len(groups[-1]) == 3
    assert isinstance(results[1], StorageError)
    assert isinstance(results[0], list) and isinstance(results[2], list)
    assert await stored(storage, 1) == (11, 7)
    assert await stored(storage, 3) == (13, 7)
    assert await stored(storage, 2) == (5, 1), "the failed turn left the user as they were"
    assert len(await storage.outbox_of(2)) == 1, "only the earlier turn's message"


async def test_a_turn_that_finds_the_database_busy_is_committed_alone_after_its_group(
    storage: Storage, groups: list[list[int]], monkeypatch: pytest.MonkeyPatch
):
    fail_turns(monkeypatch, {2: [sqlite3.OperationalError("database is locked")]})
    results = await while_locked(storage, *(storage.commit_turn(turn(u, u)) for u in (1, 2, 3)))
    assert all(isinstance(ids, list) for ids in results)
    assert [await stored(storage, u) for u in (1, 2, 3)] == [(1, 0), (2, 0), (3, 0)]


async def test_a_duplicate_update_in_a_group_commits_nothing_and_takes_no_other_turn_down(
    storage: Storage, groups: list[list[int]]
):
    await storage.inbox_put(7, 1, "{}")
    await storage.commit_turn(turn(1, 7))
    results = await while_locked(
        storage, storage.commit_turn(turn(1, 7, debts=3)), storage.commit_turn(turn(2, 8))
    )
    assert isinstance(results[0], AlreadyApplied)
    assert isinstance(results[1], list)
    assert await stored(storage, 1) == (7, 0)
    assert await stored(storage, 2) == (8, 0)


async def test_a_users_turns_in_one_group_stay_in_order_when_the_first_must_be_retried(
    storage: Storage, groups: list[list[int]], monkeypatch: pytest.MonkeyPatch
):
    fail_turns(monkeypatch, {1: [sqlite3.OperationalError("database is locked")]})
    results = await while_locked(
        storage,
        storage.commit_turn(turn(1, 10, debts=1)),
        storage.commit_turn(turn(2, 11)),
        storage.commit_turn(turn(1, 12, debts=2)),
    )
    assert all(isinstance(ids, list) for ids in results)
    assert await stored(storage, 1) == (12, 2), "the later turn is the one that stays"
    first, _, later = results
    assert first[0] < later[0], "its messages keep the order of the turns"


async def test_deletions_asked_for_while_turns_wait_ride_with_their_group(
    storage: Storage, groups: list[list[int]]
):
    for user in (1, 2):
        await storage.commit_turn(TurnCommit(user, user, None, None, (MESSAGE,)))
    sent = [m.id for user in (1, 2) for m in await storage.outbox_of(user)]
    writes = 0
    execute = storage._db._execute

    async def counted(function: Any, *args: Any, **kwargs: Any) -> Any:
        nonlocal writes
        writes += 1
        return await execute(function, *args, **kwargs)

    storage._db._execute = counted  # type: ignore[method-assign]
    groups.clear()
    await while_locked(
        storage, storage.commit_turn(turn(3, 3)), storage.outbox_sent(sent), storage.load(3)
    )
    assert groups == [[3]]
    assert writes == 2, "one write for the group and its deletions, one for the load"
    assert await storage.outbox_users() == [3]


async def test_a_deletion_handed_over_while_a_group_runs_is_committed_before_its_next_turn(
    database: Path, monkeypatch: pytest.MonkeyPatch
):
    storage = await Storage.open(database)
    try:
        ids = await storage.commit_turn(TurnCommit(9, 9, None, None, (MESSAGE,)))
    finally:
        await storage.close()
    db = sqlite3.connect(database, isolation_level=None)
    deletions = storage_module._Deletable()
    seen_by_others: list[list[int]] = []
    original = storage_module._turn_in

    def turn_in(connection: sqlite3.Connection, prepared: Any) -> list[int]:
        if prepared.turn.user_id == 1:
            assert deletions.add(ids)  # delivered while the first turn is written
        else:
            with sqlite3.connect(database) as reader:
                seen_by_others.append([row[0] for row in reader.execute("SELECT id FROM outbox")])
        return original(connection, prepared)

    monkeypatch.setattr(storage_module, "_turn_in", turn_in)
    turns = [storage_module._prepare(turn(u, u)) for u in (1, 2)]
    outcomes, undeleted = storage_module._group_in(db, turns, deletions)
    db.close()
    assert all(isinstance(outcome, list) for outcome in outcomes) and undeleted == []
    assert ids[0] not in seen_by_others[0], "committed before the second turn was written"
    assert not deletions.add([1]), "closed once the group committed"


async def test_writes_that_do_not_go_first_still_get_the_lock_while_first_ones_keep_coming():
    turns = storage_module.WriteTurns()
    order: list[str] = []

    async def write(name: str, first: bool) -> None:
        async with turns.turn(first):
            order.append(name)
            await asyncio.sleep(0)

    async with turns:
        tasks = [asyncio.ensure_future(write("other", False))]
        tasks += [asyncio.ensure_future(write(f"first{i}", True)) for i in range(8)]
        await asyncio.sleep(0)
    await asyncio.gather(*tasks)
    assert order.index("other") == storage_module.FIRSTS_IN_A_ROW
    assert order[: storage_module.FIRSTS_IN_A_ROW] == [f"first{i}" for i in range(4)]
