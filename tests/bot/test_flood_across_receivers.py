"""A flood is capped on arrival on PostgreSQL, counted across receiver processes: several
receivers (webhook behind one proxy, or a polling receiver beside them) store one user's flood
into one inbox; the user's pending updates never exceed the cap, the rest are dropped, and the
user gets exactly one slow-down notice for the flood, whichever receivers saw it.

The storage and queue level against the tests' real PostgreSQL: each receiver is a
DurableQueue with its own connection pool, as in its own process (bot/workers.py FloodCap)."""

from __future__ import annotations

import asyncio
import json

import asyncpg
from telegram import Bot

from bot.inbox import DurableQueue
from bot.storage.postgres import PgStorage, inbox_bucket, inbox_channel
from bot.updates import RawUpdate
from bot.workers import FloodCap
from tests.conftest import Backend
from tests.standin_api import TOKEN

CAP = 5
NOTICE = json.dumps({"text": "slow down"})
FLOODER, NEIGHBOUR = 7007, 8008


def update(bot: Bot, update_id: int, user_id: int, words: str = "hi") -> RawUpdate:
    person = {"id": user_id, "is_bot": False, "first_name": "u"}
    message = {
        "message_id": update_id,
        "date": 0,
        "chat": {"id": user_id, "type": "private"},
        "from": person,
        "text": words,
    }
    parsed = RawUpdate.of({"update_id": update_id, "message": message})
    assert parsed is not None
    return parsed


class Receiver:
    """One receiver process: its own pool, its own queue, the shared cap."""

    def __init__(self, storage: PgStorage, batching: bool) -> None:
        self.heard: list[int] = []
        self.cap = FloodCap(storage, CAP, NOTICE, 30, self._dropped)
        self.queue = DurableQueue()
        self.queue.storage = storage
        self.queue.local = False
        self.queue.batching = batching
        self.queue.store_capped = self.cap

    async def _dropped(self, update: RawUpdate) -> None:
        self.heard.append(update.update_id)


async def pending_of(storage: PgStorage, user_id: int) -> list[int]:
    rows = await storage.pool.fetch(
        "SELECT update_id FROM inbox WHERE user_id = $1 AND status = 'pending' ORDER BY 1",
        user_id,
    )
    return [row[0] for row in rows]


async def notices_of(storage: PgStorage, user_id: int) -> list[str]:
    rows = await storage.pool.fetch("SELECT message FROM outbox WHERE user_id = $1", user_id)
    return [row[0] for row in rows]


async def test_a_flood_split_across_three_receivers_is_capped_with_one_notice(pg: Backend):
    stores = [await PgStorage.open(pg.url or "") for _ in range(3)]
    bot = Bot(TOKEN)
    # Two webhook receivers (each update stored before its 200) and one storing batches.
    receivers = [Receiver(stores[0], False), Receiver(stores[1], False), Receiver(stores[2], True)]
    try:
        flood = [update(bot, n, FLOODER) for n in range(1, 61)]
        calm = [update(bot, 100 + n, NEIGHBOUR) for n in range(3)]

        async def receive(receiver: Receiver, updates: list[RawUpdate]) -> None:
            for item in updates:
                await receiver.queue.put(item)
                if receiver.queue.batching and item.update_id % 4 == 0:
                    await receiver.queue.flush()
            await receiver.queue.flush()

        await asyncio.gather(
            *(receive(r, flood[i::3] + calm[i : i + 1]) for i, r in enumerate(receivers))
        )
        pending = await pending_of(stores[0], FLOODER)
        assert len(pending) == CAP
        assert await pending_of(stores[0], NEIGHBOUR) == [100, 101, 102]  # not held up
        dropped = sum(r.cap.dropped for r in receivers)
        assert dropped == 60 - CAP
        heard = [update_id for r in receivers for update_id in r.heard]
        assert sorted(heard) == sorted(
            u.update_id for u in flood if u.update_id not in pending
        )  # every dropped message is still read for words of crisis
        assert await notices_of(stores[0], FLOODER) == [NOTICE]
        assert await notices_of(stores[0], NEIGHBOUR) == []
        assert sum(r.cap.noticed for r in receivers) == 1

        # Telegram delivers a dropped update again (its webhook retried): still dropped,
        # no second notice, nothing stored twice.
        again = next(u for u in flood if u.update_id not in pending)
        await receivers[1].queue.put(again)
        assert receivers[1].queue.redelivered == 1
        assert await notices_of(stores[0], FLOODER) == [NOTICE]

        # A worker handles two of them: two places free up, the flood goes on, still one notice.
        await stores[0].inbox_finish(pending[0])
        await stores[0].inbox_finish(pending[1])
        for n in range(61, 66):
            await receivers[n % 3].queue.put(update(bot, n, FLOODER))
        assert len(await pending_of(stores[0], FLOODER)) == CAP
        assert await notices_of(stores[0], FLOODER) == [NOTICE]
    finally:
        for storage in stores:
            await storage.close()


async def test_a_new_flood_after_the_quiet_time_gets_its_own_notice(pg: Backend):
    storage = await PgStorage.open(pg.url or "")
    bot = Bot(TOKEN)
    receiver = Receiver(storage, False)
    receiver.cap.quiet_seconds = 0  # every drop is "a while" after the one before
    try:
        for n in range(1, CAP + 2):
            await receiver.queue.put(update(bot, n, FLOODER))
        assert await notices_of(storage, FLOODER) == [NOTICE]
        # The first flood's drop is older than the quiet time (here: any time at all).
        await storage.pool.execute("UPDATE inbox SET done_at = done_at - 1")
        await receiver.queue.put(update(bot, CAP + 2, FLOODER))
        assert await notices_of(storage, FLOODER) == [NOTICE, NOTICE]
    finally:
        await storage.close()


async def test_a_stored_update_wakes_the_workers_and_a_dropped_one_does_not(pg: Backend):
    storage = await PgStorage.open(pg.url or "")
    listener = await asyncpg.connect(pg.url or "")
    woken: list[str] = []
    channel = inbox_channel(inbox_bucket(FLOODER))  # the workers of the flooder's bucket
    await listener.add_listener(channel, lambda *args: woken.append(args[2]))
    bot = Bot(TOKEN)
    receiver = Receiver(storage, False)
    try:
        for n in range(1, CAP + 1):
            await receiver.queue.put(update(bot, n, FLOODER))
        await listener.fetchval("SELECT 1")  # notifications arrive before this answer
        assert len(woken) == CAP
        await receiver.queue.put(update(bot, CAP + 1, FLOODER))  # dropped
        await listener.fetchval("SELECT 1")
        assert len(woken) == CAP
    finally:
        await listener.close()
        await storage.close()
