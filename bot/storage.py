"""SQLite storage: one state row per user, versioned schema, atomic writes, retries on busy.

It also holds each user's reminder schedule, rebuilt from their state in the same transaction as
every save, and the reminder sent-log that makes sending exactly-once (see bot/reminders.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import sqlite3
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, TypeVar

import aiosqlite
from pydantic import ValidationError

from flows.reminders import Scheduled, schedule
from flows.state import UserState

log = logging.getLogger(__name__)
T = TypeVar("T")

# Each entry moves the schema one version up; never edit a shipped entry, append a new one.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE users (
        user_id    INTEGER PRIMARY KEY,
        chat_id    INTEGER NOT NULL,
        state      TEXT    NOT NULL,
        active     INTEGER NOT NULL DEFAULT 1,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
    );
    -- A stored state that no longer validates is kept here instead of being thrown away.
    CREATE TABLE quarantine (
        id       INTEGER PRIMARY KEY AUTOINCREMENT,
        user_id  INTEGER NOT NULL,
        state    TEXT    NOT NULL,
        reason   TEXT    NOT NULL,
        saved_at INTEGER NOT NULL
    );
    CREATE INDEX quarantine_user ON quarantine(user_id);
    """,
    # Telegram may deliver an update again after a crash; the last one applied is kept with
    # the state it produced, in the same row, so it is never applied twice.
    """
    ALTER TABLE users ADD COLUMN last_update_id INTEGER NOT NULL DEFAULT 0;
    """,
    # Reminders: the schedule derived from each user's debts (flows/reminders.py), rebuilt on
    # every save; the scan reads only due rows through the fire_at index (a WITHOUT ROWID
    # table, so the index carries the whole key and covers the scan). The sent-log's unique
    # key makes claiming a reminder exactly-once across concurrent passes.
    """
    CREATE TABLE reminders (
        user_id  INTEGER NOT NULL,
        debt_id  INTEGER NOT NULL,
        due_date TEXT    NOT NULL,  -- ISO date in the user's time zone
        lead     INTEGER NOT NULL,  -- days before the due date; negative: the n-th snooze
        fire_at  INTEGER NOT NULL,  -- Unix seconds, UTC
        PRIMARY KEY (user_id, debt_id, due_date, lead)
    ) WITHOUT ROWID;
    CREATE INDEX reminders_fire_at ON reminders(fire_at);
    CREATE TABLE reminders_sent (
        user_id    INTEGER NOT NULL,
        debt_id    INTEGER NOT NULL,
        due_date   TEXT    NOT NULL,
        lead       INTEGER NOT NULL,
        fire_at    INTEGER NOT NULL,
        outcome    TEXT    NOT NULL,  -- claimed, sent, skipped, blocked, failed
        claimed_at INTEGER NOT NULL,  -- a claim older than the lease is retried
        attempts   INTEGER NOT NULL DEFAULT 1,
        done_at    INTEGER,
        UNIQUE (user_id, debt_id, due_date, lead)
    );
    """,
)

USER_TABLES = ("users", "quarantine", "reminders", "reminders_sent")
# Due (?1 = now), not done and not claimed within the lease (?2 = lease start), of active users.
DUE_REMINDERS = (
    "SELECT r.user_id, r.debt_id, r.due_date, r.lead, r.fire_at FROM reminders r"
    " WHERE r.fire_at <= ?1"
    " AND NOT EXISTS (SELECT 1 FROM reminders_sent s WHERE s.user_id = r.user_id"
    " AND s.debt_id = r.debt_id AND s.due_date = r.due_date AND s.lead = r.lead"
    " AND (s.outcome != 'claimed' OR s.claimed_at > ?2))"
    " AND EXISTS (SELECT 1 FROM users u WHERE u.user_id = r.user_id AND u.active = 1)"
    " ORDER BY r.fire_at LIMIT ?3"
)
UPSERT_USER = (
    "INSERT INTO users (user_id, chat_id, state, active, created_at, updated_at,"
    " last_update_id) VALUES (?, ?, ?, 1, ?, ?, ?)"
    " ON CONFLICT(user_id) DO UPDATE SET chat_id = excluded.chat_id,"
    " state = excluded.state, active = 1, updated_at = excluded.updated_at,"
    " last_update_id = max(last_update_id, excluded.last_update_id)"
)
SCHEDULE_OF_USER = "SELECT debt_id, due_date, lead, fire_at FROM reminders WHERE user_id = ?"
INSERT_REMINDER = (
    "INSERT INTO reminders (user_id, debt_id, due_date, lead, fire_at)"
    " SELECT ?1, ?2, ?3, ?4, ?5 WHERE NOT EXISTS (SELECT 1 FROM reminders_sent"
    " WHERE user_id = ?1 AND debt_id = ?2 AND due_date = ?3 AND lead = ?4"
    " AND outcome != 'claimed')"
)
RETRY_DELAYS = (0.05, 0.1, 0.2, 0.4, 0.8)
_TRANSIENT = ("locked", "busy", "disk is full", "disk I/O error")


class StorageError(RuntimeError):
    """A write kept failing after retries; the previous data is untouched."""


@dataclass(frozen=True, slots=True)
class StoredUser:
    state: UserState
    chat_id: int
    active: bool
    last_update_id: int = 0


@dataclass(frozen=True, slots=True)
class DueReminder:
    """A scheduled reminder of one user, as the scan reads it."""

    user_id: int
    row: Scheduled

    @property
    def key(self) -> tuple[int, int, str, int]:
        return (self.user_id, self.row.debt_id, self.row.due_date.isoformat(), self.row.lead)


class Storage:
    def __init__(self, connection: aiosqlite.Connection, path: Path) -> None:
        self._db = connection
        self.path = path
        # One connection is shared by every coroutine: a transaction must not interleave with
        # another's statements, so writes take turns.
        self._writing = asyncio.Lock()

    @classmethod
    async def open(cls, path: Path) -> Storage:
        _create_private_file(path)
        connection = await aiosqlite.connect(path, isolation_level=None)
        await connection.execute("PRAGMA journal_mode=WAL")
        # NORMAL in WAL mode survives a killed process; only a power cut may lose the last commits.
        await connection.execute("PRAGMA synchronous=NORMAL")
        await connection.execute("PRAGMA busy_timeout=5000")
        await connection.execute("PRAGMA foreign_keys=ON")
        storage = cls(connection, path)
        await storage._migrate()
        return storage

    async def close(self) -> None:
        await self._db.close()

    async def schema_version(self) -> int:
        async with self._db.execute("PRAGMA user_version") as cursor:
            row = await cursor.fetchone()
        return int(row[0]) if row else 0

    async def _migrate(self) -> None:
        current = await self.schema_version()
        for version in range(current + 1, len(MIGRATIONS) + 1):
            script = MIGRATIONS[version - 1]
            await self._db.executescript(
                f"BEGIN IMMEDIATE;\n{script}\nPRAGMA user_version = {version};\nCOMMIT;"
            )
            log.info("database migrated to schema version %d", version)

    # ---- user state ---------------------------------------------------------------------

    async def load(self, user_id: int) -> StoredUser | None:
        # execute_fetchall is one trip to aiosqlite's thread; a cursor costs one per call.
        rows = await self._db.execute_fetchall(
            "SELECT state, chat_id, active, last_update_id FROM users WHERE user_id = ?", (user_id,)
        )
        if not rows:
            return None
        raw, chat_id, active, last_update_id = next(iter(rows))
        try:
            state = UserState.model_validate_json(raw)
        except ValidationError as error:
            await self._quarantine(user_id, raw, error)
            state = UserState()
        return StoredUser(state, int(chat_id), bool(active), int(last_update_id))

    async def save(
        self,
        user_id: int,
        chat_id: int,
        state: UserState,
        update_id: int | None = None,
        now: datetime | None = None,
    ) -> None:
        """Write the whole state, the update that produced it and the reminder schedule derived
        from it in one transaction: stored completely or not at all."""
        moment = now or datetime.now(UTC)
        stamp = int(time.time())
        payload = state.model_dump_json()
        rows = schedule(state, moment)

        user = (user_id, chat_id, payload, stamp, stamp, update_id or 0)

        async def write() -> None:
            # The whole transaction is one function on aiosqlite's thread: one hand-off per
            # save instead of one per statement (~5), the largest cost of a turn under load.
            async with self._writing:
                await self._db._execute(lambda: _save_in(self._db._conn, user, rows, moment))

        await self._retrying(write)

    async def delete_user(self, user_id: int) -> None:
        """Erase every row of this user in every table, in one transaction."""
        statements = [f"DELETE FROM {table} WHERE user_id = ?" for table in USER_TABLES]
        await self._retrying(lambda: self._in_transaction(statements, (user_id,)))

    async def export_user(self, user_id: int) -> dict[str, list[dict[str, Any]]]:
        """Every row of this user in every table, as plain dictionaries."""
        exported: dict[str, list[dict[str, Any]]] = {}
        for table in USER_TABLES:
            async with self._db.execute(
                f"SELECT * FROM {table} WHERE user_id = ?", (user_id,)
            ) as cursor:
                columns = [c[0] for c in cursor.description]
                exported[table] = [dict(zip(columns, row, strict=True)) async for row in cursor]
        return exported

    async def count_rows(self, user_id: int) -> dict[str, int]:
        counts = {}
        for table in USER_TABLES:
            async with self._db.execute(
                f"SELECT COUNT(*) FROM {table} WHERE user_id = ?", (user_id,)
            ) as cursor:
                row = await cursor.fetchone()
            counts[table] = int(row[0]) if row else 0
        return counts

    async def _in_transaction(self, statements: list[str], parameters: tuple[Any, ...]) -> None:
        async with self._transaction():
            for statement in statements:
                await self._db.execute(statement, parameters)

    @contextlib.asynccontextmanager
    async def _transaction(self) -> AsyncIterator[None]:
        async with self._writing:
            await self._db.execute("BEGIN IMMEDIATE")
            try:
                yield
            except BaseException:
                await self._db.execute("ROLLBACK")
                raise
            await self._db.execute("COMMIT")

    async def _write(self, statement: str, parameters: tuple[Any, ...]) -> int:
        """One statement on its own, never inside another coroutine's transaction."""
        async with self._writing:
            cursor = await self._db.execute(statement, parameters)
            return cursor.rowcount

    async def mark_inactive(self, user_id: int) -> None:
        """The user blocked the bot: stop sending until they write again (their next save
        brings the schedule back)."""
        statements = [
            "UPDATE users SET active = 0 WHERE user_id = ?",
            "DELETE FROM reminders WHERE user_id = ?",
        ]
        await self._retrying(lambda: self._in_transaction(statements, (user_id,)))

    # ---- reminders ----------------------------------------------------------------------

    async def _replace_schedule(
        self, user_id: int, rows: Iterable[Scheduled], now: datetime
    ) -> None:
        """Inside a transaction: the user's schedule becomes `rows`. A reminder whose time has
        passed is kept only if it was already scheduled before its time (the bot was down, it
        is still owed); one whose time passed before it existed is not owed. Reminders done
        (in the sent-log, not merely claimed) are never scheduled again."""
        # One trip to aiosqlite's thread; iterating a cursor would take one per row.
        stored = await self._db.execute_fetchall(SCHEDULE_OF_USER, (user_id,))
        keep = _kept_schedule(stored, rows, now)
        if keep is None:
            return  # most saves don't touch the debts: nothing to rewrite
        await self._db.execute("DELETE FROM reminders WHERE user_id = ?", (user_id,))
        if keep:
            await self._db.executemany(
                INSERT_REMINDER, [(user_id, *key, fire) for key, fire in keep.items()]
            )

    async def reschedule(self, user_id: int, now: datetime) -> None:
        """Rebuild one user's schedule from their stored state as of `now` (rolls monthly due
        dates forward for a user who has not written in a while). The state is read inside
        the transaction, so a save happening meanwhile is never overwritten with an old one."""

        async def write() -> None:
            async with self._transaction():
                async with self._db.execute(
                    "SELECT state, active FROM users WHERE user_id = ?", (user_id,)
                ) as cursor:
                    found = await cursor.fetchone()
                if found is None or not found[1]:
                    return
                try:
                    state = UserState.model_validate_json(found[0])
                except ValidationError:
                    return
                await self._replace_schedule(user_id, schedule(state, now), now)

        await self._retrying(write)

    async def due_reminders(
        self, now: datetime, stale_before: datetime, limit: int
    ) -> list[DueReminder]:
        """Reminders whose time has come, of active users, not done and not claimed by a pass
        still within its lease; earliest first, through the fire_at index."""
        # One trip to aiosqlite's thread for the whole batch, as in load().
        rows = await self._db.execute_fetchall(
            DUE_REMINDERS, (int(now.timestamp()), int(stale_before.timestamp()), limit)
        )
        return [
            DueReminder(
                int(user_id),
                Scheduled(
                    int(debt_id),
                    date.fromisoformat(due),
                    int(lead),
                    datetime.fromtimestamp(fire_at, UTC),
                ),
            )
            for user_id, debt_id, due, lead, fire_at in rows
        ]

    async def claim_reminder(
        self, due: DueReminder, now: datetime, stale_before: datetime
    ) -> int | None:
        """Take a reminder for sending: the sent-log row is inserted (or a claim whose lease
        ran out is taken over). Returns the attempt number, or None if another pass has it."""
        key = due.key

        async def write() -> int | None:
            async with (
                self._writing,
                self._db.execute(
                    "INSERT INTO reminders_sent (user_id, debt_id, due_date, lead, fire_at,"
                    " outcome, claimed_at) VALUES (?, ?, ?, ?, ?, 'claimed', ?)"
                    " ON CONFLICT (user_id, debt_id, due_date, lead) DO UPDATE SET"
                    " claimed_at = excluded.claimed_at, attempts = attempts + 1"
                    " WHERE outcome = 'claimed' AND claimed_at <= ? RETURNING attempts",
                    (
                        *key,
                        int(due.row.fire_at.timestamp()),
                        int(now.timestamp()),
                        int(stale_before.timestamp()),
                    ),
                ) as cursor,
            ):
                row = await cursor.fetchone()
            return None if row is None else int(row[0])

        return await self._retrying(write)

    async def finish_reminder(self, due: DueReminder, outcome: str, now: datetime) -> None:
        """Log the claimed reminder as done (sent, skipped, blocked, failed) and take it off
        the schedule, together."""
        key = due.key
        statements = [
            (
                "UPDATE reminders_sent SET outcome = ?, done_at = ? WHERE user_id = ?"
                " AND debt_id = ? AND due_date = ? AND lead = ?",
                (outcome, int(now.timestamp()), *key),
            ),
            (
                "DELETE FROM reminders WHERE user_id = ? AND debt_id = ? AND due_date = ?"
                " AND lead = ?",
                key,
            ),
        ]

        async def write() -> None:
            async with self._transaction():
                for statement, parameters in statements:
                    await self._db.execute(statement, parameters)

        await self._retrying(write)

    async def release_reminder(self, due: DueReminder, stale_at: datetime) -> None:
        """Give a claim back after a transient failure: a pass at `stale_at` or later takes it
        over (the attempt count stays, so a reminder that always fails is given up)."""
        await self._retrying(
            lambda: self._write(
                "UPDATE reminders_sent SET claimed_at = ? WHERE user_id = ? AND debt_id = ?"
                " AND due_date = ? AND lead = ? AND outcome = 'claimed'",
                (int(stale_at.timestamp()), *due.key),
            )
        )

    async def _quarantine(self, user_id: int, raw: str, error: ValidationError) -> None:
        log.error(
            "user %d: stored state invalid, quarantined (%d errors)", user_id, error.error_count()
        )
        await self._retrying(
            lambda: self._write(
                "INSERT INTO quarantine (user_id, state, reason, saved_at) VALUES (?, ?, ?, ?)",
                (user_id, raw, "validation", int(time.time())),
            )
        )

    async def _retrying(self, operation: Callable[[], Awaitable[T]]) -> T:
        for delay in (*RETRY_DELAYS, None):
            try:
                return await operation()
            except sqlite3.OperationalError as error:
                if delay is None or not any(word in str(error) for word in _TRANSIENT):
                    raise StorageError(str(error)) from error
                log.warning("database busy (%s), retrying in %.2fs", error, delay)
                await asyncio.sleep(delay)
        raise AssertionError("unreachable")


def _save_in(
    db: sqlite3.Connection, user: tuple[Any, ...], rows: Iterable[Scheduled], now: datetime
) -> None:
    """Storage.save's transaction, run on the connection's own thread: the users row (the
    UPSERT_USER parameters) and the schedule rows derived from the state."""
    user_id = user[0]
    db.execute("BEGIN IMMEDIATE")
    try:
        db.execute(UPSERT_USER, user)
        keep = _kept_schedule(db.execute(SCHEDULE_OF_USER, (user_id,)).fetchall(), rows, now)
        if keep is not None:
            db.execute("DELETE FROM reminders WHERE user_id = ?", (user_id,))
            db.executemany(INSERT_REMINDER, [(user_id, *key, f) for key, f in keep.items()])
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


def _kept_schedule(
    stored: Iterable[Any], rows: Iterable[Scheduled], now: datetime
) -> dict[tuple[int, str, int], int] | None:
    """The user's schedule rows to store (see _replace_schedule), or None when they are the
    stored ones already."""
    now_s = int(now.timestamp())
    existing = {(int(d), str(due), int(lead)): int(fire) for d, due, lead, fire in stored}
    wanted = {(r.debt_id, r.due_date.isoformat(), r.lead): int(r.fire_at.timestamp()) for r in rows}
    keep = {
        key: fire
        for key, fire in wanted.items()
        if fire > now_s or existing.get(key, now_s + 1) <= now_s
    }
    return None if keep == existing else keep


def _create_private_file(path: Path) -> None:
    """Create the database owner-only before SQLite opens it (SQLite copies the mode to -wal)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_CREAT | os.O_RDWR, 0o600)
    try:
        os.fchmod(descriptor, 0o600)
    finally:
        os.close(descriptor)
