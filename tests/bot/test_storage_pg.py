"""PostgreSQL's own guarantees: jsonb state, migrations once when workers start together, and an
erasure that leaves no byte of the user's text in the table files."""

from __future__ import annotations

import asyncio
import secrets
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import asyncpg
import pytest

from bot.storage.postgres import MIGRATIONS, PgStorage
from bot.storage.sqlite import AlreadyApplied, TurnCommit
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
