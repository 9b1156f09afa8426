"""The durable inbox: an update is in the database before Telegram is told it arrived.

python-telegram-bot acknowledges updates by moving the next `getUpdates` offset past them, and
it does so only after `update_queue.put` returned for each; its webhook answers 200 only after
`put` returned. So `put` is where an update is stored: a crash at any later moment leaves it
pending in the inbox, and the next start resumes it (`resume`) in each user's order. An update
Telegram delivers again is recognised by its update_id and not handled twice.
"""

from __future__ import annotations

import asyncio
import logging

from telegram import Bot, Update

from bot.ordering import PerUserOrder, sender_of
from bot.store import StorageError, Store

log = logging.getLogger(__name__)

# A pending update that was being handled when the bot died this many times is given up (an
# update that crashes the bot must not crash every start); its user is told.
MAX_STARTS = 3


class DurableQueue(asyncio.Queue[object]):
    """The Application's update queue, storing each arriving update in the inbox first and
    applying the per-user cap (PerUserOrder.admit) before the update joins any shared queue."""

    def __init__(self) -> None:
        super().__init__()
        self.storage: Store | None = None  # set once the database is open (post_init)
        self.processor: PerUserOrder | None = None
        self.stored = 0
        self.redelivered = 0
        # False on PostgreSQL: an update is only stored; workers take it from the inbox
        # (bot/workers.py), and a failed store raises, so Telegram delivers it again.
        self.local = True

    async def put(self, item: object) -> None:
        if isinstance(item, Update) and await self._admitted(item) and self.local:
            await super().put(item)
        elif not isinstance(item, Update):
            await super().put(item)  # python-telegram-bot's own stop signal

    async def _admitted(self, update: Update) -> bool:
        if self.processor is not None and not await self.processor.admit(update):
            return False
        user = sender_of(update)
        if self.storage is None or user is None:
            return True
        try:
            fresh = await self.storage.inbox_put(update.update_id, user, update.to_json())
        except StorageError:
            if not self.local:
                raise
            # The database refuses writes (a full disk): handle it anyway, as before the
            # inbox; its turn will fail to save and say so honestly.
            log.warning("update %d could not be stored in the inbox", update.update_id)
            return True
        if not fresh:
            log.info(
                "update %d delivered again; already stored, not handled twice", update.update_id
            )
            self.redelivered += 1
            if self.processor is not None:
                self.processor.release(update)
            return False
        self.stored += 1
        return True

    async def resume(self, storage: Store, bot: Bot) -> list[int]:
        """At start-up, before polling: queue every pending update, oldest first. Returns the
        users whose update was given up after MAX_STARTS starts (to be told)."""
        pending, given_up = await storage.inbox_resume(MAX_STARTS)
        for row in pending:
            update = Update.de_json(_loads(row.payload), bot)
            if update is None:
                continue
            if self.processor is not None:
                await self.processor.admit(update, capped=False)
            await super().put(update)
        if pending or given_up:
            log.warning(
                "resumed %d pending updates; gave up %d after %d starts",
                len(pending),
                len(given_up),
                MAX_STARTS,
            )
        return given_up


def _loads(payload: str) -> dict[str, object]:
    import json

    loaded = json.loads(payload)
    assert isinstance(loaded, dict)
    return loaded
