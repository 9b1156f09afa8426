"""Storage: migrations, atomic saves, nothing lost — on SQLite and PostgreSQL alike (the
`storage` and `backend` fixtures of tests/conftest.py); SQLite's own file, WAL and busy retries."""

from __future__ import annotations

import asyncio
import sqlite3
import stat
from pathlib import Path

import pytest

from bot.storage.interface import Store
from bot.storage.postgres import MIGRATIONS as PG_MIGRATIONS
from bot.storage.sqlite import MIGRATIONS, Storage, StorageError, TurnCommit, WriteTurns
from flows.conversation.state import Position, Profile, UserState
from tests.conftest import Backend


@pytest.fixture
async def sqlite_storage(database: Path):
    opened = await Storage.open(database)
    yield opened
    await opened.close()


def a_state(reason: str = "job_loss") -> UserState:
    return UserState(
        started=True,
        position=Position(
            step="contact", node="form", draft={"platform": "借呗", "_field": "reason"}
        ),
        profile=Profile(delay_reason=reason),
    )


async def test_the_database_file_is_readable_by_its_owner_only(
    sqlite_storage: Storage, database: Path
):
    await sqlite_storage.save(1, 1, a_state())
    assert stat.S_IMODE(database.stat().st_mode) == 0o600
    wal = database.with_name(database.name + "-wal")
    assert stat.S_IMODE(wal.stat().st_mode) == 0o600


async def test_an_existing_file_with_loose_permissions_is_tightened(database: Path):
    database.touch(mode=0o644)
    database.chmod(0o644)
    opened = await Storage.open(database)
    await opened.close()
    assert stat.S_IMODE(database.stat().st_mode) == 0o600


async def test_the_journal_is_write_ahead(sqlite_storage: Storage):
    async with sqlite_storage._db.execute("PRAGMA journal_mode") as cursor:
        assert (await cursor.fetchone())[0] == "wal"


async def test_the_schema_is_migrated_to_the_latest_version_once(backend: Backend):
    first = await backend.open()
    assert await first.schema_version() == len(MIGRATIONS) == len(PG_MIGRATIONS)
    await first.save(7, 7, a_state())
    await first.close()
    again = await backend.open()
    assert await again.schema_version() == len(MIGRATIONS)
    assert (await again.load(7)).state == a_state()
    await again.close()


async def test_a_saved_state_loads_back_identical(storage: Store):
    await storage.save(42, 4242, a_state())
    loaded = await storage.load(42)
    assert loaded.state == a_state()
    assert loaded.chat_id == 4242
    assert loaded.active


async def test_an_unknown_user_has_no_state(storage: Store):
    assert await storage.load(999) is None


async def test_users_do_not_see_each_others_state(storage: Store):
    await storage.save(1, 1, a_state("job_loss"))
    await storage.save(2, 2, a_state("illness"))
    assert (await storage.load(1)).state.profile.delay_reason == "job_loss"
    assert (await storage.load(2)).state.profile.delay_reason == "illness"


async def test_a_state_that_no_longer_validates_is_quarantined_not_lost(
    storage: Store, backend: Backend
):
    await backend.execute(
        "INSERT INTO users (user_id, chat_id, state, created_at, updated_at)"
        " VALUES (5, 5, '{\"position\": 17}', 0, 0)"
    )
    loaded = await storage.load(5)
    assert loaded.state == UserState()
    ((_id, user_id, state, reason, _at),) = await backend.rows("quarantine")
    assert (user_id, state, reason) == (5, '{"position": 17}', "validation")


async def test_a_briefly_locked_database_is_retried_until_the_save_succeeds(
    sqlite_storage: Storage, database: Path
):
    storage = sqlite_storage
    await storage.save(1, 1, a_state("job_loss"))
    await storage._db.execute("PRAGMA busy_timeout=0")
    blocker = sqlite3.connect(database, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    release = asyncio.get_running_loop().call_later(0.2, blocker.execute, "COMMIT")
    await storage.save(1, 1, a_state("illness"))
    release.cancel()
    blocker.close()
    assert (await storage.load(1)).state.profile.delay_reason == "illness"


async def test_a_database_locked_for_good_reports_failure_and_keeps_earlier_data(
    sqlite_storage: Storage, database: Path
):
    storage = sqlite_storage
    await storage.save(1, 1, a_state("job_loss"))
    await storage._db.execute("PRAGMA busy_timeout=0")
    blocker = sqlite3.connect(database, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    with pytest.raises(StorageError):
        await storage.save(1, 1, a_state("illness"))
    blocker.execute("ROLLBACK")
    blocker.close()
    assert (await storage.load(1)).state.profile.delay_reason == "job_loss"


async def test_a_user_who_blocked_the_bot_is_marked_inactive(storage: Store):
    await storage.save(3, 3, a_state())
    await storage.mark_inactive(3)
    assert not (await storage.load(3)).active
    await storage.save(3, 3, a_state())
    assert (await storage.load(3)).active


async def test_a_write_asking_to_go_first_overtakes_waiting_writes_one_at_a_time():
    turns = WriteTurns()
    order: list[str] = []
    inside = 0

    async def write(name: str, first: bool = False) -> None:
        nonlocal inside
        async with turns.turn(first):
            inside += 1
            assert inside == 1
            order.append(name)
            await asyncio.sleep(0.001)
            inside -= 1

    async with turns:
        tasks = [asyncio.create_task(write(f"turn{i}")) for i in range(3)]
        await asyncio.sleep(0)
        tasks.append(asyncio.create_task(write("inbox", first=True)))
        await asyncio.sleep(0)
    await asyncio.gather(*tasks)
    assert order == ["inbox", "turn0", "turn1", "turn2"]


async def test_a_turn_commit_returns_its_outbox_ids_in_the_order_they_are_delivered(
    storage: Store,
):
    await storage.inbox_put(41, 9, "{}")
    commit = TurnCommit(9, 9, a_state(), 41, ("first", "second", "third"))
    ids = await storage.commit_turn(commit)
    stored = await storage.outbox_of(9)
    assert [m.id for m in stored] == ids
    assert [m.message for m in stored] == ["first", "second", "third"]
    assert await storage.commit_turn(TurnCommit(9, 9, a_state("illness"))) == []
