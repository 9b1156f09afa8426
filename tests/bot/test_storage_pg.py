"""PostgreSQL's own guarantees: jsonb state, migrations once when workers start together, an
erasure that leaves no byte of the user's text in the table files, and the server-side
functions of the hot path doing what the Python they replaced did."""

from __future__ import annotations

import asyncio
import itertools
import secrets
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import asyncpg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.storage.postgres import MIGRATIONS, PgStorage, Taken
from bot.storage.sqlite import AlreadyApplied, TurnCommit, kept_schedule
from flows.conversation.reminders import Scheduled
from flows.conversation.state import Profile, UserState
from flows.domain.ledger import Debt, DueSpec
from tests.conftest import Backend, LazyCluster

BEFORE = datetime(2026, 11, 24, 8, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def with_marker(marker: str) -> UserState:
    """A user who typed `marker` as a lender's name and wrote a long, incompressible reason
    (long enough to be stored out of line, in the TOAST table)."""
    debt = Debt(id=1, platform=marker, due=DueSpec.monthly(27))
    reason = f"{marker} {secrets.token_urlsafe(3000)} {marker}"
    return UserState(
        started=True,
        debts=(debt,),
        next_debt_id=2,
        profile=Profile(delay_reason="other", delay_reason_text=reason),
    )


def files_holding(directory: Path, needle: bytes) -> list[Path]:
    return [p for p in directory.rglob("*") if p.is_file() and needle in p.read_bytes()]


async def checkpoint(url: str) -> None:
    """Write every changed page to the table files, as the server does on its own later."""
    connection = await asyncpg.connect(url)
    try:
        await connection.execute("CHECKPOINT")
    finally:
        await connection.close()


async def test_the_state_is_stored_as_jsonb_and_queryable(pg: Backend):
    storage = await pg.open()
    try:
        await storage.save(1, 10, UserState(started=True, profile=Profile(delay_reason="illness")))
        assert isinstance(storage, PgStorage)
        async with storage.pool.acquire() as connection:
            kind = await connection.fetchval(
                "SELECT data_type FROM information_schema.columns"
                " WHERE table_name = 'users' AND column_name = 'state'"
            )
            reason = await connection.fetchval(
                "SELECT state->'profile'->>'delay_reason' FROM users WHERE user_id = 1"
            )
        assert (kind, reason) == ("jsonb", "illness")
    finally:
        await storage.close()


async def test_workers_starting_together_migrate_once(pg: Backend):
    opened = await asyncio.gather(*(pg.open() for _ in range(4)))
    try:
        assert {await s.schema_version() for s in opened} == {len(MIGRATIONS)}
        first = opened[0]
        assert isinstance(first, PgStorage)
        rows = await first.pool.fetch("SELECT version FROM schema_version")
        assert [tuple(row) for row in rows] == [(len(MIGRATIONS),)]
    finally:
        for storage in opened:
            await storage.close()


async def test_a_nul_character_in_typed_text_does_not_fail_the_save(pg: Backend):
    storage = await pg.open()
    try:
        await storage.save(1, 1, UserState(started=True, profile=Profile(delay_reason_text="a\0b")))
        assert (await storage.load(1)).state.profile.delay_reason_text == "ab"
    finally:
        await storage.close()


async def test_after_delete_no_table_file_holds_a_byte_of_what_the_user_typed(
    pg: Backend, postgres: LazyCluster
):
    data = postgres.get().data / "base"
    marker = f"MARK{secrets.token_hex(6)}"
    storage = await pg.open()
    try:
        for other in range(1, 30):
            await storage.save(other, other, with_marker(f"other{other}"), now=BEFORE)
        for _ in range(3):  # several row versions of the user's state, as real turns make
            await storage.save(4242, 4242, with_marker(marker), now=BEFORE)
        await checkpoint(pg.url or "")
        assert files_holding(data, marker.encode()), "the check must see the text before"

        await storage.delete_user(4242)
        await checkpoint(pg.url or "")

        assert files_holding(data, marker.encode()) == []
        assert await storage.count_rows(4242) == dict.fromkeys(await storage.count_rows(1), 0)
        assert (await storage.load(1)).state.debts[0].platform == "other1"
    finally:
        await storage.close()


def test_both_backends_implement_every_method_of_the_store_interface():
    import inspect

    from bot.storage.interface import Store
    from bot.storage.sqlite import Storage

    wanted = {
        name: inspect.signature(member)
        for name, member in vars(Store).items()
        if callable(member) and not name.startswith("_")
    }
    assert "commit_turn" in wanted and "claim_reminder" in wanted
    for backend in (Storage, PgStorage):
        for name, signature in wanted.items():
            assert hasattr(backend, name), (backend.__name__, name)
            got = inspect.signature(getattr(backend, name))
            assert list(got.parameters) == list(signature.parameters), (backend.__name__, name)


async def test_a_turn_committed_twice_is_applied_once_and_writes_nothing_the_second_time(
    pg: Backend,
):
    storage = await PgStorage.open(pg.url or "")
    try:
        await storage.inbox_put(5, 1, "{}")
        first = UserState(started=True, debts=(Debt(id=1, platform="借呗"),), next_debt_id=2)
        await storage.commit_turn(TurnCommit(1, 1, first, 5, messages=("a", "b", "c")))
        assert [m.message for m in await storage.outbox_of(1)] == ["a", "b", "c"]
        second = UserState(started=True)
        with pytest.raises(AlreadyApplied):
            await storage.commit_turn(TurnCommit(1, 1, second, 5, messages=("again",)))
        with pytest.raises(AlreadyApplied):
            await storage.commit_turn(TurnCommit(1, 1, None, 5, messages=("again",)))
        assert [m.message for m in await storage.outbox_of(1)] == ["a", "b", "c"]
        assert (await storage.load(1)).state == first
        # An update never stored (the terminal) is committed as it comes.
        await storage.commit_turn(TurnCommit(1, 1, second, 77, messages=("d",)))
        assert (await storage.load(1)).state == second
        assert (await storage.inbox_counts())["pending"] == 0
    finally:
        await storage.close()


# ---- the server-side functions (bot/storage/pg_functions.py) -----------------------------

KEYS = st.tuples(
    st.integers(1, 3), st.sampled_from(["2026-12-01", "2026-12-27"]), st.integers(0, 2)
)
NOW = 1_800_000_000
FIRES = st.integers(NOW - 3, NOW + 3)  # around now: due, due this very second, or later


@pytest.fixture
async def pg_storage(pg: Backend) -> AsyncIterator[PgStorage]:
    storage = await PgStorage.open(pg.url or "")
    yield storage
    await storage.close()


_schedule_users = itertools.count(1000)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    stored=st.dictionaries(KEYS, FIRES, max_size=5),
    wanted=st.dictionaries(KEYS, FIRES, max_size=5),
    sent=st.dictionaries(KEYS, st.sampled_from(["sent", "claimed", "failed"]), max_size=3),
)
async def test_a_turn_replaces_the_schedule_by_the_same_rule_as_sqlite(
    pg_storage: PgStorage, stored, wanted, sent
):
    """yuqi_turn_v1's schedule (in SQL) against kept_schedule (SQLite's, in Python): owed
    reminders kept, those in the sent-log (not merely claimed) never put back."""
    user = next(_schedule_users)
    pool = pg_storage.pool
    for (debt, due, lead), fire in stored.items():
        await pool.execute(
            "INSERT INTO reminders VALUES ($1, $2, $3, $4, $5)", user, debt, due, lead, fire
        )
    for (debt, due, lead), outcome in sent.items():
        await pool.execute(
            "INSERT INTO reminders_sent (user_id, debt_id, due_date, lead, fire_at, outcome,"
            " claimed_at) VALUES ($1, $2, $3, $4, 0, $5, 0)",
            user,
            debt,
            due,
            lead,
            outcome,
        )
    rows = [
        Scheduled(debt, date.fromisoformat(due), lead, datetime.fromtimestamp(fire, UTC))
        for (debt, due, lead), fire in wanted.items()
    ]
    now = datetime.fromtimestamp(NOW, UTC)
    await pg_storage._turn_call(None, user, user, "{}", 0, (), now, rows)

    keep = kept_schedule([(*key, fire) for key, fire in stored.items()], rows, now)
    if keep is None:
        expected = stored
    else:
        done = {key for key, outcome in sent.items() if outcome != "claimed"}
        expected = {key: fire for key, fire in keep.items() if key not in done}
    found = await pool.fetch(
        "SELECT debt_id, due_date, lead, fire_at FROM reminders WHERE user_id = $1", user
    )
    assert {(d, due, lead): fire for d, due, lead, fire in found} == expected


async def test_a_take_reads_under_the_lock_what_the_turn_needs_and_its_release_frees_both(
    pg_storage: PgStorage, pg: Backend
):
    storage = pg_storage
    state = UserState(started=True, debts=(Debt(id=1, platform="借呗"),), next_debt_id=2)
    await storage.save(7, 70, state)
    await storage.inbox_put(12, 7, '{"update_id": 12}')
    await storage.inbox_put(11, 7, '{"update_id": 11}')  # older, stored late: still first
    await storage.outbox_put(7, 70, '{"text": "owed"}')
    mine, other = await asyncpg.connect(pg.url or ""), await asyncpg.connect(pg.url or "")
    try:
        taken = await storage.take(mine, 5, 7, 7)
        assert taken is not None
        assert (taken.update_id, taken.payload) == (11, '{"update_id": 11}')
        assert taken.stored is not None and taken.stored.state == state
        assert taken.stored.chat_id == 70 and taken.owed
        assert await storage.take(other, 5, 7, 7) is None  # one session at a time

        owed = [m.id for m in await storage.outbox_of(7)]
        await storage.commit_turn(TurnCommit(7, 70, None, 11))
        status, more = await storage.release(mine, 5, 7, 7, 11, owed)
        assert (status, more) == ("done", True)  # update 12 is still pending
        again = await storage.take(other, 5, 7, 7)  # the lock is free, the outbox empty
        assert again is not None and again.update_id == 12 and not again.owed

        assert await storage.take(mine, 5, 8, 8) == Taken(None, None, None, False)  # nobody
    finally:
        await mine.close()
        await other.close()


async def test_a_take_preloads_the_users_row_for_the_turn_in_its_task_only(
    pg_storage: PgStorage, pg: Backend
):
    storage = pg_storage
    await storage.save(7, 70, UserState(started=True))
    connection = await asyncpg.connect(pg.url or "")
    try:
        taken = await storage.take(connection, 5, 7, 7)
        assert taken is not None and taken.stored is not None

        async def turn() -> tuple[object, object]:
            taken.preload(7)
            await storage.save(7, 70, UserState(started=True, locale="en"))  # not read back
            first = await storage.load(7)
            second = await storage.load(7)
            return first, second

        first, second = await asyncio.create_task(turn())
        assert first == taken.stored  # the row read under the lock, once
        assert second is not None and second.state.locale == "en"  # then the database
        assert (await storage.load(7)).state.locale == "en"  # another task: never preloaded
    finally:
        await connection.close()


async def test_a_take_right_after_a_release_waits_for_its_deletions_and_owes_nothing(
    pg_storage: PgStorage, pg: Backend
):
    """The release unlocks the user before its deletion of the delivered replies commits:
    whoever takes the user in between must not see those replies as owed (sent twice)."""
    storage = pg_storage
    await storage.outbox_put(7, 70, '{"text": "delivered"}')
    delivered = [m.id for m in await storage.outbox_of(7)]
    first, second = await asyncpg.connect(pg.url or ""), await asyncpg.connect(pg.url or "")
    try:
        assert await storage.take(first, 5, 7, 7) is not None
        async with first.transaction():  # the release's statement, not yet committed
            await storage.release(first, 5, 7, 7, None, delivered)
            next_take = asyncio.create_task(storage.take(second, 5, 7, 7))
            await asyncio.sleep(0.3)
            assert not next_take.done()  # the lock is free, the deletion not yet committed
        taken = await asyncio.wait_for(next_take, 10)
        assert taken is not None and not taken.owed
    finally:
        await first.close()
        await second.close()
