"""The durable inbox: an update is in the database before Telegram is told it arrived.

python-telegram-bot acknowledges updates by moving the next `getUpdates` offset past them, and
it does so only after `update_queue.put` returned for each; its webhook answers 200 only after
`put` returned. So `put` is where an update is stored: a crash at any later moment leaves it
pending in the inbox, and the next start resumes it (`resume`) in each user's order. An update
Telegram delivers again is recognised by its update_id and not handled twice.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from bot.http import AiohttpRequest
from bot.ordering import PerUserOrder, sender_of
from bot.storage.interface import StorageError, Store
from bot.updates import RawUpdate

log = logging.getLogger(__name__)

StoreCapped = Callable[
    [list[tuple[RawUpdate, int]], list[tuple[int, int, str]]], Awaitable[tuple[set[int], set[int]]]
]
# A pending update that was being handled when the bot died this many times is given up (an
# update that crashes the bot must not crash every start); its user is told.
MAX_STARTS = 3


class DurableQueue(asyncio.Queue[object]):
    """The Application's update queue, storing each arriving update in the inbox first and
    applying the per-user cap (PerUserOrder.admit) before the update joins any shared queue.

    With `batching` (polling), admitted updates wait in a buffer and are stored together,
    in one transaction, by `flush` — which InboxFlushingRequest runs before every getUpdates
    call, the call that acknowledges them. Without it (webhook), each `put` stores its update
    before returning, i.e. before the 200."""

    def __init__(self) -> None:
        super().__init__()
        self.storage: Store | None = None  # set once the database is open (post_init)
        self.processor: PerUserOrder | None = None
        self.batching = False
        self._buffer: list[tuple[RawUpdate, int]] = []
        self._flushing = asyncio.Lock()
        self.stored = 0
        self.redelivered = 0
        # False on PostgreSQL: an update is only stored; workers take it from the inbox
        # (bot/workers.py), and a failed store raises, so Telegram delivers it again.
        self.local = True
        # PostgreSQL receivers: stores a batch with the per-user cap counted in the database,
        # across every receiver (bot/workers.py FloodCap); returns the ids stored and dropped.
        self.store_capped: StoreCapped | None = None

    async def put(self, item: object) -> None:
        if not isinstance(item, RawUpdate):
            await super().put(item)  # python-telegram-bot's own stop signal
            return
        if self.processor is not None and not await self.processor.admit(item):
            return
        user = sender_of(item)
        if self.storage is None or user is None:
            await super().put(item)
            return
        self._buffer.append((item, user))
        if not self.batching:
            await self.flush()

    async def flush(self) -> None:
        """Store the buffered updates in one transaction, then hand the new ones on; an
        update stored before (delivered again) is dropped here."""
        async with self._flushing:
            batch, self._buffer = self._buffer, []
            if not batch or self.storage is None:
                return
            rows = [(update.update_id, user, update.to_json()) for update, user in batch]
            dropped: set[int] = set()
            try:
                if self.store_capped is not None:
                    fresh, dropped = await self.store_capped(batch, rows)
                else:
                    fresh = await self.storage.inbox_put_many(rows)
            except StorageError:
                if not self.local:
                    # Workers only see what is stored: keep the batch and fail the getUpdates
                    # (or the webhook's 200) that would acknowledge it; it is stored next time.
                    self._buffer[:0] = batch
                    raise
                # The database refuses writes (a full disk): handle them anyway, as before
                # the inbox; their turns will fail to save and say so honestly.
                log.warning("%d updates could not be stored in the inbox", len(batch))
                fresh = {update.update_id for update, _ in batch}
            for update, _user in batch:
                if update.update_id in fresh:
                    self.stored += 1
                    if self.local:
                        self.put_nowait(update)
                    continue
                if update.update_id in dropped:
                    continue  # the cap's, counted in the database (bot/workers.py FloodCap)
                log.info("update %d delivered again; not handled twice", update.update_id)
                self.redelivered += 1
                if self.processor is not None:
                    self.processor.release(update)

    async def resume(self, storage: Store) -> list[int]:
        """At start-up, before polling: queue every pending update, oldest first. Returns the
        users whose update was given up after MAX_STARTS starts (to be told)."""
        pending, given_up = await storage.inbox_resume(MAX_STARTS)
        for row in pending:
            update = RawUpdate.of(json.loads(row.payload))
            if update is None:
                continue
            if self.processor is not None:
                await self.processor.admit(update, capped=False)
            self.put_nowait(update)
        if pending or given_up:
            log.warning(
                "resumed %d pending updates; gave up %d after %d starts",
                len(pending),
                len(given_up),
                MAX_STARTS,
            )
        return sorted(set(given_up))


class InboxFlushingRequest(AiohttpRequest):
    """The request object for getUpdates: before each call, which acknowledges everything
    fetched so far, the updates fetched so far are stored (DurableQueue.flush)."""

    def __init__(self, queue: DurableQueue) -> None:
        super().__init__()
        self._queue = queue

    async def do_request(self, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        await self._queue.flush()
        return await super().do_request(*args, **kwargs)
