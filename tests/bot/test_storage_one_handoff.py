"""A save is one transaction run as one function on the database thread: stored completely or
not at all, the connection usable afterwards, and other coroutines' statements never inside it."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import pytest

from benchmarks.storage import realistic_state
from bot.storage import sqlite as storage_module
from bot.storage.sqlite import Storage, StorageError
from flows.conversation.state import UserState

NOW = datetime(2026, 12, 6, 1, 0, tzinfo=UTC)


@pytest.fixture
async def storage(database: Path):
    opened = await Storage.open(database)
    yield opened
    await opened.close()


async def schedule_rows(storage: Storage, user_id: int) -> list[tuple[object, ...]]:
    return list(
        await storage._db.execute_fetchall(
            "SELECT debt_id, due_date, lead, fire_at FROM reminders WHERE user_id = ?"
            " ORDER BY 1, 2, 3",
            (user_id,),
        )
    )


async def test_a_save_that_fails_midway_leaves_the_previous_state_and_schedule(
    storage: Storage, monkeypatch: pytest.MonkeyPatch
):
    before = realistic_state(1)
    await storage.save(7, 7, before, update_id=10, now=NOW)
    rows_before = await schedule_rows(storage, 7)
    assert rows_before, "three debts with due days have reminders"

    # The schedule rows are written after the users row: break that statement.
    monkeypatch.setattr(storage_module, "INSERT_REMINDER", "INSERT INTO no_such_table VALUES (?)")
    with pytest.raises(StorageError):
        await storage.save(7, 7, UserState(started=True), update_id=11, now=NOW)

    stored = await storage.load(7)
    assert stored is not None
    assert stored.state == before and stored.last_update_id == 10
    assert await schedule_rows(storage, 7) == rows_before

    # The connection is not left inside the failed transaction: the next save goes through.
    monkeypatch.undo()
    await storage.save(7, 7, UserState(started=True), update_id=12, now=NOW)
    stored = await storage.load(7)
    assert stored is not None and stored.last_update_id == 12
    assert await schedule_rows(storage, 7) == []


async def test_saves_and_loads_of_many_users_at_once_each_keep_their_own_state(storage: Storage):
    states = {user: realistic_state(user) for user in range(1, 41)}
    await asyncio.gather(
        *(
            storage.save(user, user, state, update_id=user, now=NOW)
            for user, state in states.items()
        ),
        *(storage.load(user) for user in states),
    )
    for user, state in states.items():
        stored = await storage.load(user)
        assert stored is not None and stored.state == state and stored.last_update_id == user
