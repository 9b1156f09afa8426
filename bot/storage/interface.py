"""The storage interface every backend implements, and the choice of backend from the settings.

Two implementations: bot/storage/sqlite.py (SQLite, the embedded default: one process) and
bot/storage/postgres.py (PostgreSQL, chosen by DATABASE_URL=postgresql://…: several processes on one
or several machines). The methods are coarse on purpose — a whole load, a whole save with the
reminder schedule derived from it, one claim — so a turn makes few hand-offs to the database
and each is one transaction, whatever the backend.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from bot.storage.sqlite import (
    AlreadyApplied,
    DueReminder,
    OutboxMessage,
    PendingUpdate,
    StorageError,
    StoredUser,
    TurnCommit,
)
from flows.conversation.state import UserState

if TYPE_CHECKING:
    from bot.settings import Settings

__all__ = [
    "AlreadyApplied",
    "DueReminder",
    "OutboxMessage",
    "PendingUpdate",
    "StorageError",
    "Store",
    "StoredUser",
    "TurnCommit",
    "open_store",
]

POSTGRES_SCHEMES = ("postgresql://", "postgres://")


class Store(Protocol):
    """A user's state with its reminder schedule, the reminder sent-log, export and erasure."""

    async def close(self) -> None: ...

    async def schema_version(self) -> int:
        """The schema version reached by the migrations (the same numbers on every backend)."""
        ...

    async def load(self, user_id: int) -> StoredUser | None:
        """The user's state (a state that no longer validates is quarantined, a fresh one
        returned), chat, active flag and the last update applied."""
        ...

    async def save(
        self,
        user_id: int,
        chat_id: int,
        state: UserState,
        update_id: int | None = None,
        now: datetime | None = None,
    ) -> None:
        """The whole state, the update that produced it and its reminder schedule, in one
        transaction. Raises StorageError when it keeps failing (earlier data untouched)."""
        ...

    async def delete_user(self, user_id: int) -> None:
        """Erase every row of the user in every table, leaving no readable copy behind."""
        ...

    async def export_user(self, user_id: int) -> dict[str, list[dict[str, Any]]]:
        """Every row of the user in every table (USER_TABLES), as plain dictionaries."""
        ...

    async def count_rows(self, user_id: int) -> dict[str, int]: ...

    # ---- one Telegram turn, the inbox and the outbox (bot/inbox.py, bot/delivery.py) ------

    async def commit_turn(self, turn: TurnCommit) -> list[int]:
        """In ONE transaction: the user erased or their state saved (with its schedule), the
        update's inbox row marked done, the turn's messages put in the outbox. Returns the
        messages' outbox ids in order. Raises AlreadyApplied (nothing committed) when that
        update was already handled."""
        ...

    async def inbox_put(self, update_id: int, user_id: int, payload: str) -> bool:
        """Store an arriving update before it is acknowledged; False when already stored."""
        ...

    async def inbox_put_many(self, updates: list[tuple[int, int, str]]) -> set[int]:
        """A batch (update_id, user_id, payload) in one transaction; the ids newly stored."""
        ...

    async def inbox_finish(self, update_id: int, status: str = "done") -> None: ...

    async def inbox_resume(self, max_attempts: int) -> tuple[list[PendingUpdate], list[int]]:
        """Every pending update, oldest first; those started too often marked failed."""
        ...

    async def inbox_prune(self, handled_before: int) -> int: ...

    async def inbox_counts(self) -> dict[str, int]: ...

    async def outbox_put(self, user_id: int, chat_id: int, message: str) -> None: ...

    async def outbox_of(self, user_id: int) -> list[OutboxMessage]: ...

    async def outbox_users(self) -> list[int]: ...

    async def outbox_sent(self, message_ids: Sequence[int]) -> None: ...

    async def mark_inactive(self, user_id: int) -> None:
        """The user blocked the bot: no reminders until their next save."""
        ...

    async def reschedule(self, user_id: int, now: datetime) -> None:
        """Rebuild the user's schedule from their stored state as of `now`."""
        ...

    async def due_reminders(
        self, now: datetime, stale_before: datetime, limit: int
    ) -> list[DueReminder]:
        """Due reminders of active users, neither done nor claimed within the lease."""
        ...

    async def claim_reminder(
        self, due: DueReminder, now: datetime, stale_before: datetime
    ) -> int | None:
        """Take a reminder for sending, exactly once across passes and processes: the attempt
        number, or None when another pass holds it."""
        ...

    async def finish_reminder(self, due: DueReminder, outcome: str, now: datetime) -> None: ...

    async def release_reminder(self, due: DueReminder, stale_at: datetime) -> None: ...


def is_postgres(url: str | None) -> bool:
    return bool(url) and url.startswith(POSTGRES_SCHEMES)  # type: ignore[union-attr]


async def open_store(settings: Settings) -> Store:
    """PostgreSQL when DATABASE_URL is a postgresql:// URL, otherwise the SQLite file at
    DATABASE_PATH (the default, unchanged)."""
    url = settings.database_url.get_secret_value() if settings.database_url else None
    if url is not None:
        if not is_postgres(url):
            raise ValueError("DATABASE_URL must start with postgresql:// (or be unset for SQLite)")
        from bot.storage.postgres import PgStorage

        return await PgStorage.open(url)
    from bot.storage.sqlite import Storage

    return await Storage.open(settings.database_path)
