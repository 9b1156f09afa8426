"""Our own getUpdates loop (bot/polling.py): every update is in the inbox before the call that
acknowledges it, a failed store keeps the offset, a stop acknowledges only what is stored, and
a restart answers what was stored but not handled."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

from bot.inbox import DurableQueue
from bot.polling import Poller, poller_for, serve
from bot.storage.interface import StorageError
from bot.storage.sqlite import Storage
from bot.telegram_app import ALLOWED_UPDATES, build_application
from tests.conftest import bot_settings
from tests.standin_api import StandInBotApi


def stored_ids(database: Path) -> set[int]:
    with sqlite3.connect(database) as connection:
        return {row[0] for row in connection.execute("SELECT update_id FROM inbox")}


def offsets(api: StandInBotApi) -> list[int]:
    return [int(c.params.get("offset") or 0) for c in api.calls_to("getUpdates")]


class Recording:
    """Before each getUpdates, what the inbox holds: the call acknowledges every id below its
    offset, so those must all be stored by then."""

    def __init__(self, api: StandInBotApi, database: Path) -> None:
        self.unstored_at_acknowledgement: list[int] = []
        original = api._api_getUpdates

        async def get_updates(params: dict) -> list:
            offset = int(params.get("offset") or 0)
            if offset and database.exists():
                stored = stored_ids(database)
                self.unstored_at_acknowledgement += [
                    i for i in range(1, offset) if i in api.history and i not in stored
                ]
            return await original(params)

        api._api_getUpdates = get_updates  # type: ignore[method-assign]


async def start_polling(api: StandInBotApi, database: Path):
    application = build_application(bot_settings(api, database))
    poller = poller_for(application, ALLOWED_UPDATES)
    task = asyncio.create_task(serve(application, poller))
    await api.wait_until(lambda: bool(api.calls_to("getUpdates")), timeout=10)
    return application, poller, task


async def settled(application, api: StandInBotApi, count: int) -> None:
    async def _wait() -> None:
        while application.update_processor.finished < count:
            await asyncio.sleep(0.005)

    await asyncio.wait_for(_wait(), 10)


async def test_people_are_answered_and_every_update_is_stored_before_it_is_acknowledged(
    api: StandInBotApi, database: Path
):
    recording = Recording(api, database)
    application, poller, task = await start_polling(api, database)
    people = [api.user(100 + n) for n in range(5)]
    for round_ in range(3):
        for person in people:
            person.says("/start" if round_ == 0 else "/help")
        await settled(application, api, 5 * (round_ + 1))
    poller.stop()
    await asyncio.wait_for(task, 10)
    assert all(len(api.chat(person.id)) >= 3 for person in people)
    assert recording.unstored_at_acknowledgement == []
    assert stored_ids(database) == set(api.history)
    # The stop acknowledged the last batch: nothing is fetched twice at the next start.
    assert offsets(api)[-1] == max(api.history) + 1


async def test_a_failed_store_keeps_the_offset_so_telegram_sends_the_batch_again(
    api: StandInBotApi, database: Path
):
    storage = await Storage.open(database)
    failures = iter([True])
    original = storage.inbox_put_many

    async def flaky(rows):
        if next(failures, False):
            raise StorageError("the database is away")
        return await original(rows)

    storage.inbox_put_many = flaky  # type: ignore[method-assign]
    queue = DurableQueue()
    queue.storage, queue.batching, queue.local = storage, True, False  # a PostgreSQL receiver
    application = build_application(bot_settings(api, database))
    await application.bot.initialize()
    poller = Poller(application.bot, queue, ALLOWED_UPDATES, timeout=1)
    task = asyncio.create_task(poller.run())
    try:
        first = api.user(1).says("hello")
        second = api.user(2).says("hello again")
        await api.wait_until(lambda: {first, second} <= stored_ids(database), timeout=10)
        # No getUpdates moved past an update before it was stored.
        for offset in offsets(api):
            assert all(i in stored_ids(database) for i in range(1, offset))
    finally:
        poller.stop()
        await asyncio.wait_for(task, 10)
        await application.bot.shutdown()
        await storage.close()
    assert offsets(api)[-1] == second + 1


async def test_updates_stored_but_not_handled_are_answered_after_a_restart(
    api: StandInBotApi, database: Path
):
    # A receiver that stores and acknowledges but never handles: a crash after the store.
    storage = await Storage.open(database)
    queue = DurableQueue()
    queue.storage, queue.batching = storage, True
    application = build_application(bot_settings(api, database))
    await application.bot.initialize()
    poller = Poller(application.bot, queue, ALLOWED_UPDATES, timeout=1)
    task = asyncio.create_task(poller.run())
    people = [api.user(200 + n) for n in range(3)]
    for person in people:
        person.says("/start")
    await api.wait_until(lambda: len(stored_ids(database)) == 3, timeout=10)
    poller.stop()
    await asyncio.wait_for(task, 10)
    await application.bot.shutdown()
    await storage.close()
    assert all(api.chat(person.id) == [] for person in people)

    # Telegram will not send them again (acknowledged); the inbox has them.
    _, poller, task = await start_polling(api, database)
    try:
        await api.wait_until(lambda: all(api.chat(p.id) for p in people), timeout=10)
    finally:
        poller.stop()
        await asyncio.wait_for(task, 10)
    assert max(offsets(api)) == max(api.history) + 1
