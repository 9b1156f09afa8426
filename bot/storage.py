"""SQLite storage: one state row per user, versioned schema, atomic writes, retries on busy."""

from __future__ import annotations

import asyncio
import logging
import os
import sqlite3
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import aiosqlite
from pydantic import ValidationError

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
)

USER_TABLES = ("users", "quarantine")
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


class Storage:
    def __init__(self, connection: aiosqlite.Connection, path: Path) -> None:
        self._db = connection
        self.path = path

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
        async with self._db.execute(
            "SELECT state, chat_id, active, last_update_id FROM users WHERE user_id = ?", (user_id,)
        ) as cursor:
            row = await cursor.fetchone()
        if row is None:
            return None
        raw, chat_id, active, last_update_id = row
        try:
            state = UserState.model_validate_json(raw)
        except ValidationError as error:
            await self._quarantine(user_id, raw, error)
            state = UserState()
        return StoredUser(state, int(chat_id), bool(active), int(last_update_id))

    async def save(
        self, user_id: int, chat_id: int, state: UserState, update_id: int | None = None
    ) -> None:
        """Write the whole state, and the update that produced it, in one statement: it is
        stored completely or not at all."""
        now = int(time.time())
        payload = state.model_dump_json()
        await self._retrying(
            lambda: self._db.execute(
                "INSERT INTO users (user_id, chat_id, state, active, created_at, updated_at,"
                " last_update_id) VALUES (?, ?, ?, 1, ?, ?, ?)"
                " ON CONFLICT(user_id) DO UPDATE SET chat_id = excluded.chat_id,"
                " state = excluded.state, active = 1, updated_at = excluded.updated_at,"
                " last_update_id = max(last_update_id, excluded.last_update_id)",
                (user_id, chat_id, payload, now, now, update_id or 0),
            )
        )

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
        await self._db.execute("BEGIN IMMEDIATE")
        try:
            for statement in statements:
                await self._db.execute(statement, parameters)
        except BaseException:
            await self._db.execute("ROLLBACK")
            raise
        await self._db.execute("COMMIT")

    async def mark_inactive(self, user_id: int) -> None:
        """The user blocked the bot: stop sending until they write again."""
        await self._retrying(
            lambda: self._db.execute("UPDATE users SET active = 0 WHERE user_id = ?", (user_id,))
        )

    async def _quarantine(self, user_id: int, raw: str, error: ValidationError) -> None:
        log.error(
            "user %d: stored state invalid, quarantined (%d errors)", user_id, error.error_count()
        )
        await self._retrying(
            lambda: self._db.execute(
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


def _create_private_file(path: Path) -> None:
    """Create the database owner-only before SQLite opens it (SQLite copies the mode to -wal)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_CREAT | os.O_RDWR, 0o600)
    try:
        os.fchmod(descriptor, 0o600)
    finally:
        os.close(descriptor)
