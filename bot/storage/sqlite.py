"""SQLite storage: one state row per user, versioned schema, atomic writes, retries on busy.
Long (every Store method and the migrations; split by table it would hide transactions).

It also holds each user's reminder schedule, rebuilt from their state in the same transaction as
every save, and the reminder sent-log that makes sending exactly-once (see bot/reminders.py).

The inbox and the outbox make a Telegram turn durable (bot/inbox.py, bot/delivery.py): an
update is stored (`inbox_put`) before Telegram is told it arrived; a turn's new state, its
inbox row marked done and its rendered replies are committed together (`commit_turn`); the
replies are deleted from the outbox once delivered (`outbox_sent`).
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import logging
import os
import sqlite3
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, TypeVar

import aiosqlite
from pydantic import ValidationError

from flows.conversation.reminders import Scheduled, schedule
from flows.conversation.state import UserState

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
    # Reminders: the schedule derived from each user's debts (flows/conversation/reminders.py),
    # rebuilt on every save; the scan reads only due rows through the fire_at index (a WITHOUT ROWID
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
    # The durable inbox: every update is stored before it is acknowledged to Telegram and
    # marked done (its text dropped) in the same transaction as the state it produced. The
    # outbox holds a committed turn's rendered messages until each is delivered.
    """
    CREATE TABLE inbox (
        update_id   INTEGER PRIMARY KEY,
        user_id     INTEGER NOT NULL,
        payload     TEXT,                             -- the update's JSON; NULL once handled
        status      TEXT    NOT NULL DEFAULT 'pending',  -- pending, done, failed
        attempts    INTEGER NOT NULL DEFAULT 0,       -- starts of the bot while it was pending
        received_at INTEGER NOT NULL,
        done_at     INTEGER
    );
    CREATE INDEX inbox_pending ON inbox(user_id, update_id) WHERE status = 'pending';
    CREATE INDEX inbox_done_at ON inbox(done_at) WHERE status != 'pending';
    CREATE TABLE outbox (
        id         INTEGER PRIMARY KEY AUTOINCREMENT,
        user_id    INTEGER NOT NULL,
        chat_id    INTEGER NOT NULL,
        update_id  INTEGER,           -- the turn that produced it; NULL for a notice
        message    TEXT    NOT NULL,  -- one Bot API message as JSON (bot/delivery.py)
        created_at INTEGER NOT NULL
    );
    CREATE INDEX outbox_user ON outbox(user_id, id);
    """,
)

# What /export shows. The inbox and outbox hold a user's messages only in transit and are
# erased by /delete with the rest (ERASED_TABLES).
USER_TABLES = ("users", "quarantine", "reminders", "reminders_sent")
ERASED_TABLES = (*USER_TABLES, "outbox")
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
# Turns in one group commit at most: one hand-off to the database thread stays short.
MAX_GROUP = 4
RETRY_DELAYS = (0.05, 0.1, 0.2, 0.4, 0.8)
_TRANSIENT = ("locked", "busy", "disk is full", "disk I/O error")


# Turns of the lock given to `first` waiters in a row while others wait, at most: a group
# commit carrying deletions goes first, and under a constant load one always waits.
FIRSTS_IN_A_ROW = 4


class WriteTurns:
    """A lock whose `turn(first=True)` waiters go before the others (still one at a time, and
    an other no later than after FIRSTS_IN_A_ROW firsts); a waiter may be moved up among the
    first (`promote`)."""

    def __init__(self) -> None:
        self._held = False
        self._firsts = 0  # turns given to first waiters in a row while others waited
        self._first: collections.deque[asyncio.Future[None]] = collections.deque()
        self._others: collections.deque[asyncio.Future[None]] = collections.deque()

    async def __aenter__(self) -> None:
        await self._acquire(False)

    async def __aexit__(self, *exc: object) -> None:
        self._release()

    @contextlib.asynccontextmanager
    async def turn(
        self, first: bool = False, waiting: Callable[[asyncio.Future[None]], None] | None = None
    ) -> AsyncIterator[None]:
        """`waiting` is given the waiter when the lock is held (to `promote` it later)."""
        await self._acquire(first, waiting)
        try:
            yield
        finally:
            self._release()

    def promote(self, waiter: asyncio.Future[None]) -> None:
        """A waiter among the others goes last among the first."""
        if waiter in self._others:
            self._others.remove(waiter)
            self._first.append(waiter)

    async def _acquire(
        self, first: bool, waiting: Callable[[asyncio.Future[None]], None] | None = None
    ) -> None:
        if not self._held and not self._first and not self._others:
            self._held = True
            return
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        (self._first if first else self._others).append(waiter)
        if waiting is not None:
            waiting(waiter)
        try:
            await waiter
        except BaseException:
            if waiter.done() and not waiter.cancelled():
                self._release()  # handed the lock while being cancelled: pass it on
            else:
                for queue in (self._first, self._others):
                    with contextlib.suppress(ValueError):
                        queue.remove(waiter)
            raise

    def _release(self) -> None:
        queues = (self._first, self._others)
        if self._firsts >= FIRSTS_IN_A_ROW:
            queues = (self._others, self._first)
        for queue in queues:
            while queue:
                waiter = queue.popleft()
                if not waiter.done():
                    self._firsts = self._firsts + 1 if queue is self._first and self._others else 0
                    waiter.set_result(None)  # the lock passes to it, still held
                    return
        self._held = False


class _Deletions:
    """Outbox rows to delete in one write, and the moment it committed (or failed)."""

    def __init__(self, ids: list[int]) -> None:
        self.ids = ids
        self.done: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def fail(self, error: BaseException) -> None:
        if isinstance(error, Exception):
            self.done.set_exception(error)
            self.done.exception()  # retrieved: no warning when nobody else was waiting
        else:
            self.done.cancel()


class _Group:
    """Turn commits that arrived while the write lock was held, committed together in one
    transaction (one hand-off, one commit) once it is free; outbox deletions ride along."""

    def __init__(self) -> None:
        self.turns: list[tuple[_Prepared, asyncio.Future[list[int]]]] = []
        self.deletions = _Deletable()
        self.deleted: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        # Deletions joined: the group goes ahead of the others (as their own write would).
        self.first = False
        self.waiter: asyncio.Future[None] | None = None  # its place in WriteTurns' queue


class _Deletable:
    """Outbox ids a group deletes, handed from the event loop to the database thread while the
    group runs: each is committed before the group's next turn (never behind the whole group),
    until the group closes it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._ids: list[int] = []
        self._closed = False

    def add(self, ids: Iterable[int]) -> bool:
        with self._lock:
            if self._closed:
                return False
            self._ids.extend(ids)
            return True

    def take(self, close: bool = False) -> list[int]:
        with self._lock:
            self._closed = self._closed or close
            ids, self._ids = self._ids, []
            return ids


class StorageError(RuntimeError):
    """A write kept failing after retries; the previous data is untouched."""


class AlreadyApplied(RuntimeError):
    """The turn's update was already handled (a duplicate delivery): nothing was committed."""


@dataclass(frozen=True, slots=True)
class PendingUpdate:
    """An update stored in the inbox and not yet handled, as a restart resumes it."""

    update_id: int
    user_id: int
    payload: str
    attempts: int


@dataclass(frozen=True, slots=True)
class OutboxMessage:
    """One message of a committed turn, waiting to be delivered."""

    id: int
    user_id: int
    chat_id: int
    message: str


@dataclass(frozen=True, slots=True)
class TurnCommit:
    """Everything one turn writes, committed together by `Storage.commit_turn`.

    `state` None: unchanged. `erase`: delete every row of the user first (/delete).
    `update_id`: the inbox row marked done. `messages`: JSON messages put in the outbox.
    """

    user_id: int
    chat_id: int
    state: UserState | None = None
    update_id: int | None = None
    messages: tuple[str, ...] = ()
    erase: bool = False
    now: datetime | None = None


@dataclass(frozen=True, slots=True)
class StoredUser:
    state: UserState
    chat_id: int
    active: bool
    last_update_id: int = 0

    @classmethod
    async def of_row(
        cls, row: Sequence[Any], quarantine: Callable[[str, ValidationError], Awaitable[None]]
    ) -> StoredUser:
        """A users row (state, chat_id, active, last_update_id), as both backends load it: a
        state that no longer validates goes to `quarantine` and the user starts afresh."""
        raw, chat_id, active, last_update_id = row
        try:
            state = UserState.model_validate_json(raw)
        except ValidationError as error:
            await quarantine(raw, error)
            state = UserState()
        return cls(state, int(chat_id), bool(active), int(last_update_id))


@dataclass(frozen=True, slots=True)
class DueReminder:
    """A scheduled reminder of one user, as the scan reads it."""

    user_id: int
    row: Scheduled

    @property
    def key(self) -> tuple[int, int, str, int]:
        return (self.user_id, self.row.debt_id, self.row.due_date.isoformat(), self.row.lead)

    @classmethod
    def of_row(cls, row: Sequence[Any]) -> DueReminder:
        """From a DUE_REMINDERS row (user, debt, due date, lead, fire_at), on either backend."""
        user_id, debt_id, due, lead, fire_at = row
        fires = datetime.fromtimestamp(fire_at, UTC)
        return cls(int(user_id), Scheduled(int(debt_id), date.fromisoformat(due), int(lead), fires))


class Storage:
    def __init__(self, connection: aiosqlite.Connection, path: Path) -> None:
        self._db = connection
        self.path = path
        # One connection is shared by every coroutine: a transaction must not interleave with
        # another's statements, so writes take turns.
        self._writing = WriteTurns()
        self._deleting: _Deletions | None = None  # outbox deletions waiting for one write
        # Groups of turn commits waiting for the lock, oldest first (each one write).
        self._groups: collections.deque[_Group] = collections.deque()
        self._running: _Group | None = None  # the group on the database thread
        self._group_tasks: set[asyncio.Task[None]] = set()

    @classmethod
    async def open(cls, path: Path) -> Storage:
        _create_private_file(path)
        connection = await aiosqlite.connect(path, isolation_level=None)
        await connection.execute("PRAGMA journal_mode=WAL")
        # NORMAL in WAL mode survives a killed process; only a power cut may lose the last commits.
        await connection.execute("PRAGMA synchronous=NORMAL")
        await connection.execute("PRAGMA busy_timeout=5000")
        await connection.execute("PRAGMA foreign_keys=ON")
        # Deleted content is overwritten with zeros (Debian builds do this by default, others
        # don't): what /delete removes must not linger in free pages.
        await connection.execute("PRAGMA secure_delete=ON")
        storage = cls(connection, path)
        await storage._migrate()
        return storage

    async def close(self) -> None:
        # Turns already waiting in a group commit are written (or fail) before it closes.
        while self._group_tasks:
            await asyncio.gather(*self._group_tasks, return_exceptions=True)
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
        return await StoredUser.of_row(
            next(iter(rows)), lambda raw, error: self._quarantine(user_id, raw, error)
        )

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

    async def _upsert_user(
        self, user_id: int, chat_id: int, payload: str, stamp: int, update_id: int | None
    ) -> None:
        await self._db.execute(
            UPSERT_USER, (user_id, chat_id, payload, stamp, stamp, update_id or 0)
        )

    async def delete_user(self, user_id: int) -> None:
        """Erase every row of this user in every table, in one transaction, then checkpoint
        the write-ahead log so no old copy of their rows is left in it."""

        async def write() -> None:
            async with self._transaction():
                await self._erase(user_id, None)

        await self._retrying(write)
        await self.checkpoint()

    async def _erase(self, user_id: int, up_to_update_id: int | None) -> None:
        """Inside a transaction: every row of the user, and their inbox rows up to (with) the
        update asking for it; later updates of theirs are still handled."""
        await self._db._execute(lambda: _erase_in(self._db._conn, user_id, up_to_update_id))

    async def checkpoint(self) -> None:
        """Copy the write-ahead log into the database and truncate it to zero bytes: after an
        erasure, deleted rows survive in neither file (secure_delete zeroes them in the db)."""
        async with self._writing:
            rows = await self._db.execute_fetchall("PRAGMA wal_checkpoint(TRUNCATE)")
        busy = next(iter(rows))[0] if rows else 0
        if busy:
            log.warning("WAL checkpoint could not complete; retried at the next erasure")

    # ---- one Telegram turn: inbox, state and outbox together ------------------------------

    async def commit_turn(self, turn: TurnCommit) -> list[int]:
        """In ONE transaction: the user's rows erased (`erase`) or their new state saved (with
        its reminder schedule), the inbox row of `update_id` marked done (its text dropped),
        and the turn's messages put in the outbox. Returns the outbox ids of the messages, in
        order (delivery sends them from memory, bot/delivery.py). Raises AlreadyApplied,
        committing nothing, when that update was already handled; StorageError when the
        write keeps failing.

        Group commit: turns arriving while the write lock is held join one group, committed
        in one transaction once the lock is free, each turn in its own savepoint (a turn that
        fails is rolled back alone and retried on its own; the others commit)."""
        prepared = _prepare(turn)
        group = self._groups[-1] if self._groups else None
        if group is None or len(group.turns) >= MAX_GROUP:
            group = _Group()
            self._groups.append(group)
            # The group's write is its own task: a caller cancelled while it waits must not
            # leave the turns that joined it waiting for ever.
            task = asyncio.ensure_future(self._write_group(group))
            self._group_tasks.add(task)
            task.add_done_callback(self._group_tasks.discard)
        done: asyncio.Future[list[int]] = asyncio.get_running_loop().create_future()
        group.turns.append((prepared, done))
        ids = await asyncio.shield(done)
        if turn.erase:
            await self.checkpoint()
        return ids

    async def _commit_alone(self, prepared: _Prepared) -> list[int]:
        """One turn in its own transaction, retried while the database is busy."""

        async def write() -> list[int]:
            # One function on aiosqlite's thread for the whole transaction, as for save().
            async with self._writing:
                return await self._db._execute(lambda: _commit_in(self._db._conn, prepared))

        return await self._retrying(write)

    async def _write_group(self, group: _Group) -> None:
        """Commit a group once the lock is free; whatever failed in it, one by one after."""
        outcomes: list[list[int] | BaseException | None] = [None] * len(group.turns)
        undeleted: list[int] = []
        try:
            async with self._writing.turn(group.first, lambda w: setattr(group, "waiter", w)):
                with contextlib.suppress(ValueError):
                    self._groups.remove(group)  # later turns start the next group
                self._running = group
                turns = [prepared for prepared, _ in group.turns]
                try:
                    outcomes, undeleted = await self._db._execute(
                        lambda: _group_in(self._db._conn, turns, group.deletions)
                    )
                finally:
                    self._running = None
                    undeleted += group.deletions.take(close=True)
        except BaseException:  # cancelled (the loop is closing): nothing is waited for
            with contextlib.suppress(ValueError):
                self._groups.remove(group)
            for _, done in group.turns:
                done.cancel()
            group.deleted.cancel()
            raise
        # The deletions first: they were asked for before the turns' callers resume.
        try:
            await self._delete_sent(undeleted)
        except Exception as error:
            group.deleted.set_exception(error)
            group.deleted.exception()  # retrieved: no warning when nobody was waiting
        else:
            group.deleted.set_result(None)
        for (prepared, done), outcome in zip(group.turns, outcomes, strict=True):
            if isinstance(outcome, list):
                done.set_result(outcome)
            elif outcome is not None and not isinstance(outcome, sqlite3.OperationalError):
                done.set_exception(outcome)  # AlreadyApplied, or a bug: as without a group
            else:  # failed while the database was busy or full, skipped, or not committed
                try:
                    done.set_result(await self._commit_alone(prepared))
                except Exception as error:
                    done.set_exception(error)

    def _fold_deletions(self, message_ids: Sequence[int]) -> _Group | None:
        """Delivered messages' deletions join the group of turns waiting for the lock (the
        next write anyway) instead of a write of their own; None when no group waits."""
        running = self._running
        if running is not None and running.deletions.add(message_ids):
            return running
        group = self._groups[0] if self._groups else None
        if group is not None and group.deletions.add(message_ids):
            group.first = True
            if group.waiter is not None:
                self._writing.promote(group.waiter)
            return group
        return None

    async def _inbox_mark(self, update_id: int, status: str, stamp: int) -> None:
        """Inside a transaction: a pending inbox row becomes done/failed and loses its text.
        An update never stored (terminal, tests) passes; one already handled raises."""
        cursor = await self._db.execute(
            "UPDATE inbox SET status = ?, payload = NULL, done_at = ?"
            " WHERE update_id = ? AND status = 'pending'",
            (status, stamp, update_id),
        )
        if cursor.rowcount:
            return
        found = await self._db.execute_fetchall(
            "SELECT 1 FROM inbox WHERE update_id = ?", (update_id,)
        )
        if found:
            raise AlreadyApplied(update_id)

    # ---- the inbox ------------------------------------------------------------------------

    async def inbox_put(self, update_id: int, user_id: int, payload: str) -> bool:
        """Store an arriving update before it is acknowledged to Telegram. False when this
        update_id is already stored (Telegram delivered it again): it must not be handled."""

        async def write() -> int:
            return await self._write(
                "INSERT INTO inbox (update_id, user_id, payload, received_at)"
                " VALUES (?, ?, ?, ?) ON CONFLICT (update_id) DO NOTHING",
                (update_id, user_id, payload, int(time.time())),
            )

        return bool(await self._retrying(write))

    async def inbox_put_many(self, updates: list[tuple[int, int, str]]) -> set[int]:
        """`inbox_put` for a batch (update_id, user_id, payload) in one transaction; returns
        the update_ids newly stored (the others were delivered before)."""

        async def write() -> set[int]:
            stamp = int(time.time())
            fresh: set[int] = set()
            # Ahead of the turns waiting to write: polling waits for this before fetching
            # more, and everybody's next update (a bystander's in a flood) waits on polling.
            async with self._transaction(first=True):
                for update_id, user_id, payload in updates:
                    cursor = await self._db.execute(
                        "INSERT INTO inbox (update_id, user_id, payload, received_at)"
                        " VALUES (?, ?, ?, ?) ON CONFLICT (update_id) DO NOTHING",
                        (update_id, user_id, payload, stamp),
                    )
                    if cursor.rowcount:
                        fresh.add(update_id)
            return fresh

        return await self._retrying(write)

    async def inbox_finish(self, update_id: int, status: str = "done") -> None:
        """Mark an update handled without a turn (ignored, refused) or `failed` (its turn did
        not commit and the user was told so): it is not resumed after a restart."""

        async def write() -> None:
            async with self._transaction():
                with contextlib.suppress(AlreadyApplied):
                    await self._inbox_mark(update_id, status, int(time.time()))

        await self._retrying(write)

    async def inbox_resume(self, max_attempts: int) -> tuple[list[PendingUpdate], list[int]]:
        """At start-up: every pending update, oldest first (each user's in their order), with
        its start count raised; those started `max_attempts` times already (an update that
        crashes the bot) are marked failed instead and their user ids returned."""

        async def write() -> tuple[list[PendingUpdate], list[int]]:
            async with self._transaction():
                await self._db.execute(
                    "UPDATE inbox SET attempts = attempts + 1 WHERE status = 'pending'"
                )
                given_up = await self._db.execute_fetchall(
                    "UPDATE inbox SET status = 'failed', payload = NULL, done_at = ?"
                    " WHERE status = 'pending' AND attempts > ? RETURNING user_id",
                    (int(time.time()), max_attempts),
                )
                pending = await self._db.execute_fetchall(
                    "SELECT update_id, user_id, payload, attempts FROM inbox"
                    " WHERE status = 'pending' ORDER BY update_id"
                )
            return (
                [PendingUpdate(int(u), int(w), str(p), int(a)) for u, w, p, a in pending],
                [int(row[0]) for row in given_up],
            )

        return await self._retrying(write)

    async def inbox_prune(self, handled_before: int) -> int:
        """Delete handled rows done before `handled_before` (Unix seconds); returns how many.
        Pending rows are never pruned."""
        return await self._retrying(
            lambda: self._write(
                "DELETE FROM inbox WHERE status != 'pending' AND done_at < ?", (handled_before,)
            )
        )

    async def inbox_counts(self) -> dict[str, int]:
        """Rows by status (pending, done, failed) and the outbox's size: what is measured."""
        rows = await self._db.execute_fetchall("SELECT status, COUNT(*) FROM inbox GROUP BY status")
        counts = {"pending": 0, "done": 0, "failed": 0}
        counts.update({str(status): int(n) for status, n in rows})
        outbox = await self._db.execute_fetchall("SELECT COUNT(*) FROM outbox")
        counts["outbox"] = int(next(iter(outbox))[0])
        return counts

    # ---- the outbox -----------------------------------------------------------------------

    async def outbox_put(self, user_id: int, chat_id: int, message: str) -> None:
        """A message outside any turn (the flood notice), delivered in order after the user's
        replies already waiting."""
        await self._retrying(
            lambda: self._write(
                "INSERT INTO outbox (user_id, chat_id, update_id, message, created_at)"
                " VALUES (?, ?, NULL, ?, ?)",
                (user_id, chat_id, message, int(time.time())),
            )
        )

    async def outbox_of(self, user_id: int) -> list[OutboxMessage]:
        """The user's undelivered messages, in the order they must arrive."""
        rows = await self._db.execute_fetchall(
            "SELECT id, user_id, chat_id, message FROM outbox WHERE user_id = ? ORDER BY id",
            (user_id,),
        )
        return [OutboxMessage(int(i), int(u), int(c), str(m)) for i, u, c, m in rows]

    async def outbox_users(self) -> list[int]:
        """Users with undelivered messages (after a restart, or delivery given up for now)."""
        rows = await self._db.execute_fetchall("SELECT DISTINCT user_id FROM outbox")
        return [int(row[0]) for row in rows]

    async def outbox_sent(self, message_ids: Sequence[int]) -> None:
        """The messages were delivered (or can never be): they leave the outbox. Until this
        commits, a crash sends them again, so it goes before queued turn commits (first in
        WriteTurns), and the deletions asked for while one waits join it in one write. While
        a group of turn commits waits for the lock, they join that group instead: it is the
        next write (no later than a write of their own behind the one running) and saves one."""
        if not message_ids:
            return
        group = self._fold_deletions(message_ids)
        if group is not None:
            await asyncio.shield(group.deleted)
            return
        batch = self._deleting
        if batch is not None:
            batch.ids.extend(message_ids)
            await asyncio.shield(batch.done)
            return
        batch = self._deleting = _Deletions(list(message_ids))

        async def write() -> None:
            async with self._writing.turn(first=True):
                if self._deleting is batch:
                    self._deleting = None  # later deletions start the next write
                await self._db._execute(lambda: _delete_outbox(self._db._conn, batch.ids))

        try:
            await self._retrying(write)
        except BaseException as error:
            if self._deleting is batch:
                self._deleting = None
            batch.fail(error)
            raise
        batch.done.set_result(None)

    async def _delete_sent(self, message_ids: Sequence[int]) -> None:
        """Deletions of a group that could not commit them, in a write of their own."""
        if not message_ids:
            return

        async def write() -> None:
            async with self._writing.turn(first=True):
                await self._db._execute(lambda: _delete_outbox(self._db._conn, message_ids))

        await self._retrying(write)

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
    async def _transaction(self, first: bool = False) -> AsyncIterator[None]:
        async with self._writing.turn(first):
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
        keep = kept_schedule(stored, rows, now)
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
        return [DueReminder.of_row(row) for row in rows]

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
    db.execute("BEGIN IMMEDIATE")
    try:
        _state_in(db, user, rows, now)
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


def _state_in(
    db: sqlite3.Connection, user: tuple[Any, ...], rows: Iterable[Scheduled], now: datetime
) -> None:
    """Inside a transaction on the connection's thread: the users row and its schedule."""
    user_id = user[0]
    db.execute(UPSERT_USER, user)
    keep = kept_schedule(db.execute(SCHEDULE_OF_USER, (user_id,)).fetchall(), rows, now)
    if keep is not None:
        db.execute("DELETE FROM reminders WHERE user_id = ?", (user_id,))
        db.executemany(INSERT_REMINDER, [(user_id, *key, f) for key, f in keep.items()])


def _erase_in(db: sqlite3.Connection, user_id: int, up_to_update_id: int | None) -> None:
    """Storage._erase on the connection's own thread."""
    for table in ERASED_TABLES:
        db.execute(f"DELETE FROM {table} WHERE user_id = ?", (user_id,))
    db.execute(
        "DELETE FROM inbox WHERE user_id = ? AND update_id <= ?",
        (user_id, up_to_update_id if up_to_update_id is not None else 2**62),
    )


@dataclass(frozen=True, slots=True)
class _Prepared:
    """A TurnCommit with what its write needs, computed on the event loop: the UPSERT_USER
    parameters, the schedule rows, the moment and the stamp."""

    turn: TurnCommit
    user: tuple[Any, ...]
    rows: tuple[Scheduled, ...]
    now: datetime
    stamp: int


def _prepare(turn: TurnCommit) -> _Prepared:
    moment = turn.now or datetime.now(UTC)
    stamp = int(time.time())
    payload = turn.state.model_dump_json() if turn.state is not None else None
    rows = tuple(schedule(turn.state, moment)) if turn.state is not None else ()
    user = (turn.user_id, turn.chat_id, payload, stamp, stamp, turn.update_id or 0)
    return _Prepared(turn, user, rows, moment, stamp)


def _commit_in(db: sqlite3.Connection, prepared: _Prepared) -> list[int]:
    """One turn's transaction, run on the connection's own thread; the new outbox ids in
    order."""
    db.execute("BEGIN IMMEDIATE")
    try:
        ids = _turn_in(db, prepared)
        db.execute("COMMIT")
    except BaseException:
        if db.in_transaction:
            db.execute("ROLLBACK")
        raise
    return ids


def _group_in(
    db: sqlite3.Connection, turns: Sequence[_Prepared], deletions: _Deletable
) -> tuple[list[list[int] | BaseException | None], list[int]]:
    """A group's transaction on the connection's thread. Each turn in a savepoint: one that
    fails is rolled back alone (its error returned; a later turn of the same user is skipped,
    None, to keep their order). Outbox deletions handed over meanwhile are committed before
    the next turn, with the turns so far. Returns each turn's outbox ids, error, or None when
    it was not committed, and the deletions taken but not committed. Never raises."""
    outcomes: list[list[int] | BaseException | None] = [None] * len(turns)
    done: dict[int, list[int] | BaseException] = {}  # not committed yet
    failed: set[int] = set()
    taken: list[int] = []
    try:
        db.execute("BEGIN IMMEDIATE")
        for index, prepared in enumerate(turns):
            taken = deletions.take()
            if taken:
                _delete_outbox(db, taken)
                db.execute("COMMIT")
                for committed, outcome in done.items():
                    outcomes[committed] = outcome
                done, taken = {}, []
                db.execute("BEGIN IMMEDIATE")
            if prepared.turn.user_id in failed:
                continue
            try:
                done[index] = _in_savepoint(db, lambda p=prepared: _turn_in(db, p))
            except _Lost:
                raise
            except Exception as error:
                done[index] = error
                if not isinstance(error, AlreadyApplied):
                    failed.add(prepared.turn.user_id)
        taken = deletions.take(close=True)
        if taken:
            _delete_outbox(db, taken)
        db.execute("COMMIT")
        for committed, outcome in done.items():
            outcomes[committed] = outcome
        taken = []
    except Exception:
        log.exception("a group commit failed; its turns are committed one by one")
        if db.in_transaction:
            db.execute("ROLLBACK")
    return outcomes, taken


def _delete_outbox(db: sqlite3.Connection, ids: Sequence[int]) -> None:
    db.execute(f"DELETE FROM outbox WHERE id IN ({', '.join('?' * len(ids))})", tuple(ids))


class _Lost(sqlite3.OperationalError):
    """SQLite rolled the whole transaction back (a full disk, an I/O error): nothing of the
    group is left to commit."""


def _in_savepoint(db: sqlite3.Connection, work: Callable[[], T]) -> T:
    db.execute("SAVEPOINT turn")
    try:
        result = work()
    except BaseException as error:
        if not db.in_transaction:
            raise _Lost(str(error)) from error
        db.execute("ROLLBACK TO turn")
        db.execute("RELEASE turn")
        raise
    db.execute("RELEASE turn")
    return result


def _turn_in(db: sqlite3.Connection, prepared: _Prepared) -> list[int]:
    """Inside a transaction on the connection's thread: the inbox row marked done, the user
    erased or their state saved, the turn's messages put in the outbox; their ids in order."""
    turn, stamp = prepared.turn, prepared.stamp
    if turn.update_id is not None:
        marked = db.execute(
            "UPDATE inbox SET status = 'done', payload = NULL, done_at = ?"
            " WHERE update_id = ? AND status = 'pending'",
            (stamp, turn.update_id),
        ).rowcount
        if (
            not marked
            and db.execute("SELECT 1 FROM inbox WHERE update_id = ?", (turn.update_id,)).fetchone()
        ):
            raise AlreadyApplied(turn.update_id)
    if turn.erase:
        _erase_in(db, turn.user_id, turn.update_id)
    elif turn.state is not None:
        _state_in(db, prepared.user, prepared.rows, prepared.now)
    return [
        int(
            db.execute(
                "INSERT INTO outbox (user_id, chat_id, update_id, message, created_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (turn.user_id, turn.chat_id, turn.update_id, message, stamp),
            ).lastrowid
            or 0
        )
        for message in turn.messages
    ]


def schedule_keys(rows: Iterable[Scheduled]) -> dict[tuple[int, str, int], int]:
    """Reminders as both backends store them: (debt, due date ISO, lead) -> fire_at seconds."""
    return {(r.debt_id, r.due_date.isoformat(), r.lead): int(r.fire_at.timestamp()) for r in rows}


def kept_schedule(
    stored: Iterable[Any], rows: Iterable[Scheduled], now: datetime
) -> dict[tuple[int, str, int], int] | None:
    """The user's schedule rows to store (see _replace_schedule), or None when they are the
    stored ones already. The same rule on PostgreSQL: yuqi_turn_v1 (pg_functions.py)."""
    now_s = int(now.timestamp())
    existing = {(int(d), str(due), int(lead)): int(fire) for d, due, lead, fire in stored}
    wanted = schedule_keys(rows)
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
