"""PostgreSQL storage (asyncpg): the same tables, schema versions and behaviour as sqlite.py,
shared by any number of worker processes.

Chosen by DATABASE_URL=postgresql://… (bot/storage/interface.py). The state is `jsonb`; every
write is one transaction; concurrency between processes is PostgreSQL's: a save takes the
user's row lock before it rebuilds the schedule, a reminder claim is one INSERT … ON CONFLICT
on the sent-log's unique key, so exactly one process wins it.

Erasure: DELETE of every row of the user in one transaction, then the tables that hold what
people type (users, quarantine: state JSON, also out of line in their TOAST tables) are
rewritten with VACUUM FULL, and the others (reminders, reminders_sent: ids, dates, times) get a
plain VACUUM. A plain VACUUM is not enough for typed text: PostgreSQL has no secure_delete, and
a page whose row versions are all dead keeps their bytes until it is reused (measured: a TOAST
page kept the user's text; tests/bot/test_storage_pg.py). VACUUM FULL holds an exclusive lock on
the table while it copies the live rows (turns wait, they do not fail): milliseconds for
thousands of users, seconds for hundreds of thousands — erasures are rare. What PostgreSQL
cannot be made to forget from inside the database is in README.md ("Running on PostgreSQL"):
WAL segments until recycled, and base backups / pg_dump files until the operator rotates them.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import logging
import re
import time
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

import asyncpg
from pydantic import ValidationError

from bot.storage.pg_functions import FUNCTIONS
from bot.storage.sqlite import (
    ERASED_TABLES,
    RETRY_DELAYS,
    USER_TABLES,
    AlreadyApplied,
    DueReminder,
    OutboxMessage,
    PendingUpdate,
    StorageError,
    StoredUser,
    TurnCommit,
    kept_schedule,
    schedule_keys,
)
from flows.conversation.reminders import Scheduled, schedule
from flows.conversation.state import UserState

log = logging.getLogger(__name__)
T = TypeVar("T")

# The same versions as bot/storage/sqlite.py's MIGRATIONS, in PostgreSQL's types; never edit a
# shipped entry, append a new one (to both lists).
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE users (
        user_id    BIGINT  PRIMARY KEY,
        chat_id    BIGINT  NOT NULL,
        state      JSONB   NOT NULL,
        active     BOOLEAN NOT NULL DEFAULT TRUE,
        created_at BIGINT  NOT NULL,
        updated_at BIGINT  NOT NULL
    );
    CREATE TABLE quarantine (
        id       BIGSERIAL PRIMARY KEY,
        user_id  BIGINT NOT NULL,
        state    TEXT   NOT NULL,  -- as stored, even if it is no longer a valid state
        reason   TEXT   NOT NULL,
        saved_at BIGINT NOT NULL
    );
    CREATE INDEX quarantine_user ON quarantine(user_id);
    """,
    """
    ALTER TABLE users ADD COLUMN last_update_id BIGINT NOT NULL DEFAULT 0;
    """,
    """
    CREATE TABLE reminders (
        user_id  BIGINT  NOT NULL,
        debt_id  INTEGER NOT NULL,
        due_date TEXT    NOT NULL,
        lead     INTEGER NOT NULL,
        fire_at  BIGINT  NOT NULL,
        PRIMARY KEY (user_id, debt_id, due_date, lead)
    );
    CREATE INDEX reminders_fire_at ON reminders(fire_at);
    CREATE TABLE reminders_sent (
        user_id    BIGINT  NOT NULL,
        debt_id    INTEGER NOT NULL,
        due_date   TEXT    NOT NULL,
        lead       INTEGER NOT NULL,
        fire_at    BIGINT  NOT NULL,
        outcome    TEXT    NOT NULL,
        claimed_at BIGINT  NOT NULL,
        attempts   INTEGER NOT NULL DEFAULT 1,
        done_at    BIGINT,
        UNIQUE (user_id, debt_id, due_date, lead)
    );
    """,
    # The durable inbox and the outbox (bot/inbox.py, bot/delivery.py).
    """
    CREATE TABLE inbox (
        update_id   BIGINT  PRIMARY KEY,
        user_id     BIGINT  NOT NULL,
        payload     TEXT,
        status      TEXT    NOT NULL DEFAULT 'pending',
        attempts    INTEGER NOT NULL DEFAULT 0,
        received_at BIGINT  NOT NULL,
        done_at     BIGINT
    );
    CREATE INDEX inbox_pending ON inbox(user_id, update_id) WHERE status = 'pending';
    CREATE INDEX inbox_done_at ON inbox(done_at) WHERE status <> 'pending';
    CREATE TABLE outbox (
        id         BIGSERIAL PRIMARY KEY,
        user_id    BIGINT NOT NULL,
        chat_id    BIGINT NOT NULL,
        update_id  BIGINT,
        message    TEXT   NOT NULL,
        created_at BIGINT NOT NULL
    );
    CREATE INDEX outbox_user ON outbox(user_id, id);
    """,
)

# Taken (per transaction) while migrating: workers starting together migrate once.
MIGRATION_LOCK = 0x79755F6D  # "yu_m"
DUE_REMINDERS = (
    "SELECT r.user_id, r.debt_id, r.due_date, r.lead, r.fire_at FROM reminders r"
    " WHERE r.fire_at <= $1"
    " AND NOT EXISTS (SELECT 1 FROM reminders_sent s WHERE s.user_id = r.user_id"
    " AND s.debt_id = r.debt_id AND s.due_date = r.due_date AND s.lead = r.lead"
    " AND (s.outcome <> 'claimed' OR s.claimed_at > $2))"
    " AND EXISTS (SELECT 1 FROM users u WHERE u.user_id = r.user_id AND u.active)"
    " ORDER BY r.fire_at LIMIT $3"
)
KEY = "user_id = $1 AND debt_id = $2 AND due_date = $3 AND lead = $4"
# Worth retrying: another transaction won a race, or the connection to the server was lost.
_TRANSIENT = (
    asyncpg.SerializationError,
    asyncpg.DeadlockDetectedError,
    asyncpg.LockNotAvailableError,
    asyncpg.CannotConnectNowError,
    asyncpg.TooManyConnectionsError,
    asyncpg.PostgresConnectionError,
    asyncpg.InterfaceError,
    ConnectionError,
    OSError,
)
POOL_SIZE = 10
CLIENT_CHECK_MS = 2000
# A stored update NOTIFYs its user's bucket's channel, INBOX_CHANNEL_<bucket>; each worker
# LISTENs to the buckets of the users it is preferred for (bot/workers.py), so one NOTIFY wakes
# one worker, not all of them.
INBOX_CHANNEL = "yuqi_inbox"
INBOX_BUCKETS = 64
_SPREAD = (2_147_483_647, 48_271)  # a user id scrambled (mod a prime) before the modulo
# inbox_bucket in SQL, of a column `user_id` (PostgreSQL's % keeps the dividend's sign).
INBOX_BUCKET_SQL = (
    f"((user_id % {_SPREAD[0]} + {_SPREAD[0]}) % {_SPREAD[0]} * {_SPREAD[1]} % {_SPREAD[0]}"
    f" % {INBOX_BUCKETS})"
)
# pg_advisory_xact_lock(FLOOD_LOCKS, user): receivers count a user's pending updates in turn.
FLOOD_LOCKS = 0x7977


def user_lock_key(user_id: int) -> int:
    """A user's advisory lock key (int4). Two users sharing one only take turns."""
    return user_id % 2_147_483_647


def inbox_bucket(user_id: int) -> int:
    """The user's inbox bucket: which channel their stored updates NOTIFY (INBOX_BUCKET_SQL)."""
    prime, factor = _SPREAD
    return user_id % prime * factor % prime % INBOX_BUCKETS


def inbox_channel(bucket: int) -> str:
    return f"{INBOX_CHANNEL}_{bucket}"


@dataclass
class FloodNotice:
    """The slow-down notice a flood's first drop puts in the user's outbox (outbox JSON), at
    most once per `quiet_seconds` per user; `chats` maps the batch's users to their chats."""

    message: str
    quiet_seconds: int
    chats: dict[int, int]


@dataclass
class CappedBatch:
    """What inbox_put_capped did: update_ids stored for the workers, dropped by the cap, and
    the users given the notice."""

    fresh: set[int]
    dropped: set[int]
    noticed: set[int]


@dataclass(frozen=True)
class Taken:
    """What PgStorage.take read under a user's lock: their oldest pending update (None: none),
    their stored row (None: a new user) and whether replies wait in their outbox."""

    update_id: int | None
    payload: str | None
    stored: StoredUser | None
    owed: bool

    def preload(self, user_id: int) -> None:
        """The turn this task handles next loads the user from here, not again from the
        database (PgStorage.load): read under the lock this task holds, it is current."""
        _PRELOADED.set((user_id, self.stored))


def hold_connection(connection: asyncpg.Connection) -> None:
    """The current task's statements run on `connection` (it holds a user's lock on it and
    uses it for nothing else meanwhile)."""
    _HELD.set(connection)


_HELD: contextvars.ContextVar[asyncpg.Connection | None] = contextvars.ContextVar(
    "yuqi_held_connection", default=None
)
# (user, row) taken with the user's lock by the current task (Taken.preload).
_PRELOADED: contextvars.ContextVar[tuple[int, StoredUser | None] | None] = contextvars.ContextVar(
    "yuqi_preloaded_user", default=None
)


# Tables holding what a person typed: rewritten after an erasure (see the module's doc).
TEXT_TABLES = ("users", "quarantine", "inbox", "outbox")


class PgStorage:
    """The Store protocol (bot/storage/interface.py) on PostgreSQL."""

    def __init__(self, pool: asyncpg.Pool, url: str) -> None:
        self._pool = pool
        self.url = url

    @classmethod
    async def open(cls, url: str, pool_size: int = POOL_SIZE) -> PgStorage:
        pool = await asyncpg.create_pool(
            url, min_size=1, max_size=pool_size, reset=keep_session, init=watch_client
        )
        storage = cls(pool, url)
        try:
            await storage._migrate()
        except BaseException:
            await pool.close()
            raise
        return storage

    @property
    def pool(self) -> asyncpg.Pool:
        return self._pool

    def _runner(self) -> asyncpg.Pool | asyncpg.Connection:
        """The connection the current task holds (a worker's, with the user's lock: no pool
        acquire and release per statement, ~half of a round trip's CPU), else the pool."""
        held = _HELD.get()
        return held if held is not None and not held.is_closed() else self._pool

    async def close(self) -> None:
        await self._pool.close()

    async def schema_version(self) -> int:
        async with self._pool.acquire() as connection:
            return await _version(connection)

    async def _migrate(self) -> None:
        async with self._pool.acquire() as connection, connection.transaction():
            await connection.execute("SELECT pg_advisory_xact_lock($1)", MIGRATION_LOCK)
            await connection.execute(
                "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)"
            )
            current = await _version(connection)
            if current == 0:
                await connection.execute("INSERT INTO schema_version (version) VALUES (0)")
            # PostgreSQL's DDL is transactional: all versions or none.
            for version in range(current + 1, len(MIGRATIONS) + 1):
                await connection.execute(MIGRATIONS[version - 1])
                await connection.execute("UPDATE schema_version SET version = $1", version)
                log.info("database migrated to schema version %d", version)
            for function in FUNCTIONS:
                await connection.execute(function)

    # ---- user state ---------------------------------------------------------------------

    async def load(self, user_id: int) -> StoredUser | None:
        preloaded = _PRELOADED.get()
        if preloaded is not None and preloaded[0] == user_id:
            _PRELOADED.set(None)  # once: a later load in this task reads again
            return preloaded[1]
        row = await self._retrying(
            lambda: self._runner().fetchrow(
                "SELECT state::text, chat_id, active, last_update_id FROM users WHERE user_id = $1",
                user_id,
            )
        )
        if row is None:
            return None
        return await StoredUser.of_row(
            row, lambda raw, error: self._quarantine(user_id, raw, error)
        )

    async def save(
        self,
        user_id: int,
        chat_id: int,
        state: UserState,
        update_id: int | None = None,
        now: datetime | None = None,
    ) -> None:
        moment = now or datetime.now(UTC)
        payload = _jsonb_safe(state.model_dump_json())
        rows = schedule(state, moment)
        await self._retrying(
            lambda: self._turn_call(
                None, user_id, chat_id, payload, update_id or 0, (), moment, rows
            )
        )

    async def delete_user(self, user_id: int) -> None:
        """Every row of the user in one transaction, then the tables rewritten or vacuumed so
        no dead row version keeps their bytes (see the module's doc)."""

        async def write() -> None:
            async with self._pool.acquire() as connection, connection.transaction():
                await _erase(connection, user_id, None)

        await self._retrying(write)
        await self.scrub()

    async def scrub(self) -> None:
        """After an erasure: rewrite the tables holding typed text, vacuum the others."""
        await self._vacuum(f"VACUUM (FULL) {', '.join(TEXT_TABLES)}")
        others = [table for table in ERASED_TABLES if table not in TEXT_TABLES]
        await self._vacuum(f"VACUUM {', '.join(others)}")

    # ---- one Telegram turn: inbox, state and outbox together ------------------------------

    async def commit_turn(self, turn: TurnCommit) -> list[int]:
        """As bot.storage.Storage.commit_turn, in one PostgreSQL transaction: one call of
        yuqi_turn_v1 (bot/storage/pg_functions.py) for the inbox row, the state, the replies
        and the schedule; an erasure as before. The inbox row is marked first: two processes
        handling the same update (they must not, but a takeover after a lost lock could)
        serialise on its row lock and the second gets AlreadyApplied. Returns the replies'
        outbox ids, in order."""
        moment = turn.now or datetime.now(UTC)
        stamp = int(time.time())
        payload = _jsonb_safe(turn.state.model_dump_json()) if turn.state is not None else None
        rows = schedule(turn.state, moment) if turn.state is not None else ()

        async def write() -> list[int]:
            if turn.erase:
                return await erase()
            return await self._turn_call(
                turn.update_id,
                turn.user_id,
                turn.chat_id,
                payload,
                turn.update_id or 0,
                turn.messages,
                moment,
                rows,
            )

        async def erase() -> list[int]:
            async with self._pool.acquire() as connection, connection.transaction():
                if turn.update_id is not None:
                    await _inbox_mark(connection, turn.update_id, "done", stamp)
                await _erase(connection, turn.user_id, turn.update_id)
                if not turn.messages:
                    return []
                # One statement; ids are drawn in the order the rows are inserted.
                inserted = await connection.fetch(
                    "INSERT INTO outbox (user_id, chat_id, update_id, message, created_at)"
                    " SELECT $1, $2, $3, m.message, $5"
                    " FROM unnest($4::text[]) WITH ORDINALITY AS m(message, n) ORDER BY m.n"
                    " RETURNING id",
                    turn.user_id,
                    turn.chat_id,
                    turn.update_id,
                    list(turn.messages),
                    stamp,
                )
                return sorted(int(row["id"]) for row in inserted)

        ids = await self._retrying(write)
        if turn.erase:
            await self.scrub()
        return ids

    async def _turn_call(
        self,
        update_id: int | None,
        user_id: int,
        chat_id: int,
        payload: str | None,
        last_update_id: int,
        messages: Sequence[str],
        moment: datetime,
        rows: Iterable[Scheduled],
    ) -> list[int]:
        """yuqi_turn_v1: the outbox ids of `messages`, in order; AlreadyApplied when the
        update was handled before (nothing written). The schedule is replaced when `payload`
        (the new state) is given."""
        wanted = schedule_keys(rows)
        ids = await self._runner().fetchval(
            "SELECT yuqi_turn_v1($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
            update_id,
            int(time.time()),
            user_id,
            chat_id,
            payload,
            last_update_id,
            list(messages),
            int(moment.timestamp()),
            [debt for debt, _, _ in wanted],
            [due for _, due, _ in wanted],
            [lead for _, _, lead in wanted],
            list(wanted.values()),
        )
        if ids is None:
            raise AlreadyApplied(update_id or 0)
        return [int(found) for found in ids]

    # ---- a worker's take of a user (bot/workers.py) -----------------------------------------

    async def take(
        self, connection: asyncpg.Connection, space: int, key: int, user_id: int
    ) -> Taken | None:
        """The user's session advisory lock (space, key) on `connection`, and in the same round
        trip what is read under it: their oldest pending update, their stored row and whether
        their outbox holds replies. None: another session holds the lock. An error may leave
        the lock held: close the connection then."""
        row = await connection.fetchrow(
            "SELECT * FROM yuqi_take_v1($1, $2, $3)", space, key, user_id
        )
        if row is None or not row["taken"]:
            return None
        stored = None
        if row["state"] is not None:
            stored = await StoredUser.of_row(
                (row["state"], row["chat_id"], row["active"], row["last_update_id"]),
                lambda raw, error: self._quarantine(user_id, raw, error),
            )
        return Taken(row["update_id"], row["payload"], stored, bool(row["owed"]))

    async def release(
        self,
        connection: asyncpg.Connection,
        space: int,
        key: int,
        user_id: int,
        update_id: int | None,
        delivered: Sequence[int],
    ) -> tuple[str | None, bool]:
        """The end of a take, in one round trip: `delivered` outbox rows deleted, the user's
        lock released, then the update's status and whether the user has other pending
        updates (yuqi_release_v1: a take meanwhile waits for the deletion)."""
        row = await connection.fetchrow(
            "SELECT * FROM yuqi_release_v1($1, $2, $3, $4, $5)",
            list(delivered),
            space,
            key,
            user_id,
            update_id,
        )
        return row["status"], bool(row["more"])

    # ---- the inbox ------------------------------------------------------------------------

    async def inbox_put(self, update_id: int, user_id: int, payload: str) -> bool:
        """Stored (False: already there) and the workers woken, in one statement; the NOTIFY
        is delivered when the insert commits (bot/workers.py)."""
        rows = await self._retrying(
            lambda: self._pool.fetch(
                "WITH stored AS (INSERT INTO inbox (update_id, user_id, payload, received_at)"
                " VALUES ($1, $2, $3, $4) ON CONFLICT (update_id) DO NOTHING RETURNING 1)"
                " SELECT pg_notify($5, '') FROM stored",
                update_id,
                user_id,
                payload,
                int(time.time()),
                inbox_channel(inbox_bucket(user_id)),
            )
        )
        return bool(rows)

    async def inbox_put_many(self, updates: list[tuple[int, int, str]]) -> set[int]:
        """A batch (update_id, user_id, payload) in one statement; the update_ids newly stored.
        The workers are woken once, when it commits."""

        async def write() -> set[int]:
            async with self._pool.acquire() as connection, connection.transaction():
                rows = await connection.fetch(
                    "INSERT INTO inbox (update_id, user_id, payload, received_at)"
                    " SELECT u, w, p, $4 FROM unnest($1::bigint[], $2::bigint[], $3::text[])"
                    " AS batch(u, w, p) ON CONFLICT (update_id) DO NOTHING RETURNING update_id",
                    [u for u, _, _ in updates],
                    [w for _, w, _ in updates],
                    [p for _, _, p in updates],
                    int(time.time()),
                )
                if rows:
                    fresh = {int(row[0]) for row in rows}
                    woken = {inbox_bucket(w) for u, w, _ in updates if u in fresh}
                    await connection.execute(
                        "SELECT pg_notify(c, '') FROM unnest($1::text[]) AS c",
                        [inbox_channel(bucket) for bucket in sorted(woken)],
                    )
            return {int(row[0]) for row in rows}

        return await self._retrying(write)

    async def inbox_put_capped(
        self, updates: list[tuple[int, int, str]], cap: int, notice: FloodNotice
    ) -> CappedBatch:
        """inbox_put_many with the per-user cap counted in the database, so every receiver
        process counts the same pending updates: a user's update beyond `cap` pending ones is
        recorded as 'dropped' (no text kept; a redelivery is recognised) instead of stored, and
        the first drop of a flood puts `notice` in their outbox in the same transaction — one
        notice per `notice.quiet_seconds`, however many receivers saw the flood. Receivers
        take turns per user (a transaction advisory lock), so two batches cannot both count
        the same free places. One call of yuqi_put_capped_v1 (bot/storage/pg_functions.py)."""
        chats = sorted(notice.chats.items())

        async def write() -> CappedBatch:
            rows = await self._pool.fetch(
                "SELECT * FROM yuqi_put_capped_v1($1, $2, $3, $4, $5, $6, $7, $8, $9, $10,"
                " $11, $12)",
                [u for u, _, _ in updates],
                [w for _, w, _ in updates],
                [p for _, _, p in updates],
                [inbox_channel(inbox_bucket(w)) for _, w, _ in updates],
                sorted({user_lock_key(w) for _, w, _ in updates}),
                FLOOD_LOCKS,
                cap,
                int(time.time()),
                notice.quiet_seconds,
                notice.message,
                [w for w, _ in chats],
                [c for _, c in chats],
            )
            batch = CappedBatch(set(), set(), set())
            outcomes = {"pending": batch.fresh, "dropped": batch.dropped, "noticed": batch.noticed}
            for found, outcome in rows:
                outcomes[outcome].add(int(found))
            return batch

        return await self._retrying(write)

    async def inbox_finish(self, update_id: int, status: str = "done") -> None:
        async def write() -> None:
            async with self._pool.acquire() as connection, connection.transaction():
                with contextlib.suppress(AlreadyApplied):
                    await _inbox_mark(connection, update_id, status, int(time.time()))

        await self._retrying(write)

    async def inbox_resume(self, max_attempts: int) -> tuple[list[PendingUpdate], list[int]]:
        async def write() -> tuple[list[PendingUpdate], list[int]]:
            async with self._pool.acquire() as connection, connection.transaction():
                await connection.execute(
                    "UPDATE inbox SET attempts = attempts + 1 WHERE status = 'pending'"
                )
                given_up = await connection.fetch(
                    "UPDATE inbox SET status = 'failed', payload = NULL, done_at = $1"
                    " WHERE status = 'pending' AND attempts > $2 RETURNING user_id",
                    int(time.time()),
                    max_attempts,
                )
                pending = await connection.fetch(
                    "SELECT update_id, user_id, payload, attempts FROM inbox"
                    " WHERE status = 'pending' ORDER BY update_id"
                )
            return (
                [PendingUpdate(int(u), int(w), str(p), int(a)) for u, w, p, a in pending],
                [int(row[0]) for row in given_up],
            )

        return await self._retrying(write)

    async def inbox_prune(self, handled_before: int) -> int:
        status = await self._retrying(
            lambda: self._pool.execute(
                "DELETE FROM inbox WHERE status <> 'pending' AND done_at < $1", handled_before
            )
        )
        return int(status.split()[-1])

    async def inbox_counts(self) -> dict[str, int]:
        rows = await self._pool.fetch("SELECT status, COUNT(*) FROM inbox GROUP BY status")
        counts = {"pending": 0, "done": 0, "failed": 0}
        counts.update({str(status): int(n) for status, n in rows})
        counts["outbox"] = int(await self._pool.fetchval("SELECT COUNT(*) FROM outbox"))
        return counts

    # ---- the outbox -----------------------------------------------------------------------

    async def outbox_put(self, user_id: int, chat_id: int, message: str) -> None:
        await self._retrying(
            lambda: self._pool.execute(
                "INSERT INTO outbox (user_id, chat_id, update_id, message, created_at)"
                " VALUES ($1, $2, NULL, $3, $4)",
                user_id,
                chat_id,
                message,
                int(time.time()),
            )
        )

    async def outbox_of(self, user_id: int) -> list[OutboxMessage]:
        rows = await self._retrying(
            lambda: self._runner().fetch(
                "SELECT id, user_id, chat_id, message FROM outbox WHERE user_id = $1 ORDER BY id",
                user_id,
            )
        )
        return [OutboxMessage(int(i), int(u), int(c), str(m)) for i, u, c, m in rows]

    async def outbox_users(self) -> list[int]:
        rows = await self._retrying(lambda: self._pool.fetch("SELECT DISTINCT user_id FROM outbox"))
        return [int(row[0]) for row in rows]

    async def outbox_sent(self, message_ids: Sequence[int]) -> None:
        """The messages were delivered (or can never be): they leave the outbox, in one write."""
        if not message_ids:
            return
        await self._retrying(
            lambda: self._runner().execute(
                "DELETE FROM outbox WHERE id = ANY($1::bigint[])", list(message_ids)
            )
        )

    async def _vacuum(self, statement: str) -> None:
        # VACUUM runs outside a transaction; a failure leaves the rows deleted (no query can
        # return them) and only their bytes waiting for autovacuum, so it is logged, not raised.
        try:
            async with self._pool.acquire() as connection:
                await connection.execute(statement)
        except (asyncpg.PostgresError, *_TRANSIENT) as error:
            log.warning("vacuum after an erasure failed: %s", type(error).__name__)

    async def export_user(self, user_id: int) -> dict[str, list[dict[str, Any]]]:
        """Every row of the user, shaped as SQLite gives them (state as JSON text, flags as
        0/1), so export files are the same on both backends."""
        exported: dict[str, list[dict[str, Any]]] = {}
        async with self._pool.acquire() as connection:
            for table in USER_TABLES:
                rows = await connection.fetch(
                    f"SELECT * FROM {table} WHERE user_id = $1 ORDER BY 1", user_id
                )
                exported[table] = [
                    {k: int(v) if isinstance(v, bool) else v for k, v in row.items()}
                    for row in rows
                ]
        return exported

    async def count_rows(self, user_id: int) -> dict[str, int]:
        counts = {}
        async with self._pool.acquire() as connection:
            for table in USER_TABLES:
                counts[table] = int(
                    await connection.fetchval(
                        f"SELECT COUNT(*) FROM {table} WHERE user_id = $1", user_id
                    )
                )
        return counts

    async def mark_inactive(self, user_id: int) -> None:
        async def write() -> None:
            async with self._pool.acquire() as connection, connection.transaction():
                await connection.execute(
                    "UPDATE users SET active = FALSE WHERE user_id = $1", user_id
                )
                await connection.execute("DELETE FROM reminders WHERE user_id = $1", user_id)

        await self._retrying(write)

    # ---- reminders ----------------------------------------------------------------------

    async def reschedule(self, user_id: int, now: datetime) -> None:
        async def write() -> None:
            async with self._pool.acquire() as connection, connection.transaction():
                found = await connection.fetchrow(
                    "SELECT state::text, active FROM users WHERE user_id = $1 FOR UPDATE",
                    user_id,
                )
                if found is None or not found["active"]:
                    return
                try:
                    state = UserState.model_validate_json(found[0])
                except ValidationError:
                    return
                await _replace_schedule(connection, user_id, schedule(state, now), now)

        await self._retrying(write)

    async def due_reminders(
        self, now: datetime, stale_before: datetime, limit: int
    ) -> list[DueReminder]:
        rows = await self._retrying(
            lambda: self._pool.fetch(
                DUE_REMINDERS, int(now.timestamp()), int(stale_before.timestamp()), limit
            )
        )
        return [DueReminder.of_row(row) for row in rows]

    async def claim_reminder(
        self, due: DueReminder, now: datetime, stale_before: datetime
    ) -> int | None:
        # One statement: PostgreSQL serialises the conflicting inserts of several processes on
        # the unique key, and exactly one of them gets a row back.
        attempts = await self._retrying(
            lambda: self._pool.fetchval(
                "INSERT INTO reminders_sent (user_id, debt_id, due_date, lead, fire_at,"
                " outcome, claimed_at) VALUES ($1, $2, $3, $4, $5, 'claimed', $6)"
                " ON CONFLICT (user_id, debt_id, due_date, lead) DO UPDATE SET"
                " claimed_at = excluded.claimed_at, attempts = reminders_sent.attempts + 1"
                " WHERE reminders_sent.outcome = 'claimed' AND reminders_sent.claimed_at <= $7"
                " RETURNING attempts",
                *due.key,
                int(due.row.fire_at.timestamp()),
                int(now.timestamp()),
                int(stale_before.timestamp()),
            )
        )
        return None if attempts is None else int(attempts)

    async def finish_reminder(self, due: DueReminder, outcome: str, now: datetime) -> None:
        async def write() -> None:
            async with self._pool.acquire() as connection, connection.transaction():
                await connection.execute(
                    f"UPDATE reminders_sent SET outcome = $5, done_at = $6 WHERE {KEY}",
                    *due.key,
                    outcome,
                    int(now.timestamp()),
                )
                await connection.execute(f"DELETE FROM reminders WHERE {KEY}", *due.key)

        await self._retrying(write)

    async def release_reminder(self, due: DueReminder, stale_at: datetime) -> None:
        await self._retrying(
            lambda: self._pool.execute(
                f"UPDATE reminders_sent SET claimed_at = $5 WHERE {KEY} AND outcome = 'claimed'",
                *due.key,
                int(stale_at.timestamp()),
            )
        )

    async def _quarantine(self, user_id: int, raw: str, error: ValidationError) -> None:
        log.error(
            "user %d: stored state invalid, quarantined (%d errors)", user_id, error.error_count()
        )
        await self._retrying(
            lambda: self._pool.execute(
                "INSERT INTO quarantine (user_id, state, reason, saved_at)"
                " VALUES ($1, $2, 'validation', $3)",
                user_id,
                raw,
                int(time.time()),
            )
        )

    async def _retrying(self, operation: Callable[[], Awaitable[T]]) -> T:
        for delay in (*RETRY_DELAYS, None):
            try:
                return await operation()
            except _TRANSIENT as error:
                if delay is None:
                    raise StorageError(type(error).__name__) from error
                log.warning("database unavailable (%s), retrying in %.2fs", type(error), delay)
                await asyncio.sleep(delay)
            except asyncpg.PostgresError as error:
                raise StorageError(type(error).__name__) from error
        raise AssertionError("unreachable")


async def keep_session(connection: asyncpg.Connection) -> None:
    """A pooled connection goes back as it is: this code never leaves session state behind
    (no SET, LISTEN or advisory lock on pooled connections), and asyncpg's default reset
    costs a round trip on every release — several per turn."""


async def watch_client(connection: asyncpg.Connection) -> None:
    """Once per new connection: the server checks every CLIENT_CHECK_MS that this process is
    still there, even while a statement waits for a lock. A killed process's statement waiting
    for a lock would otherwise wait on, then hold what it got, until it next wrote to the
    dead socket; now it is cancelled and its locks released within seconds (PostgreSQL 14+)."""
    if connection.get_server_version().major >= 14:
        await connection.execute(f"SET client_connection_check_interval = {CLIENT_CHECK_MS}")


async def _erase(connection: asyncpg.Connection, user_id: int, up_to: int | None) -> None:
    """Inside a transaction: every row of the user, and their inbox rows up to (with) the
    update asking for it; later updates of theirs are still handled."""
    for table in ERASED_TABLES:
        await connection.execute(f"DELETE FROM {table} WHERE user_id = $1", user_id)
    await connection.execute(
        "DELETE FROM inbox WHERE user_id = $1 AND update_id <= $2",
        user_id,
        up_to if up_to is not None else 2**62,
    )


async def _inbox_mark(
    connection: asyncpg.Connection, update_id: int, status: str, stamp: int
) -> None:
    """Inside a transaction: a pending inbox row becomes done/failed and loses its text. An
    update never stored (terminal, tests) passes; one already handled raises AlreadyApplied."""
    marked = await connection.execute(
        "UPDATE inbox SET status = $1, payload = NULL, done_at = $2"
        " WHERE update_id = $3 AND status = 'pending'",
        status,
        stamp,
        update_id,
    )
    if marked.endswith(" 0") and await connection.fetchval(
        "SELECT 1 FROM inbox WHERE update_id = $1", update_id
    ):
        raise AlreadyApplied(update_id)


async def _version(connection: asyncpg.Connection) -> int:
    exists = await connection.fetchval("SELECT to_regclass('schema_version') IS NOT NULL")
    if not exists:
        return 0
    version = await connection.fetchval("SELECT version FROM schema_version")
    return int(version or 0)


async def _replace_schedule(
    connection: asyncpg.Connection, user_id: int, rows: Iterable[Scheduled], now: datetime
) -> None:
    """Inside a transaction holding the user's row lock: the same rule as
    bot.storage.Storage._replace_schedule (owed reminders kept, done ones never again)."""
    stored = await connection.fetch(
        "SELECT debt_id, due_date, lead, fire_at FROM reminders WHERE user_id = $1", user_id
    )
    keep = kept_schedule(stored, rows, now)
    if keep is None:
        return
    await connection.execute("DELETE FROM reminders WHERE user_id = $1", user_id)
    if keep:
        await connection.executemany(
            "INSERT INTO reminders (user_id, debt_id, due_date, lead, fire_at)"
            " SELECT $1::bigint, $2::integer, $3::text, $4::integer, $5::bigint"
            " WHERE NOT EXISTS (SELECT 1 FROM reminders_sent WHERE user_id = $1"
            " AND debt_id = $2 AND due_date = $3 AND lead = $4 AND outcome <> 'claimed')",
            [(user_id, *key, fire) for key, fire in keep.items()],
        )


def _jsonb_safe(payload: str) -> str:
    r"""jsonb refuses the escaped NUL character (\u0000) that a JSON text may hold; it carries
    nothing a person typed on purpose, so it is dropped rather than failing the save. (An odd
    run of backslashes before u0000 is the escape; an even one is a typed backslash.)"""
    return _NUL.sub(r"\1", payload) if "u0000" in payload else payload


_NUL = re.compile(r"(?<!\\)((?:\\\\)*)\\u0000")
