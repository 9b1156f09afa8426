"""Long polling without python-telegram-bot's Updater: getUpdates read as JSON, each update
stored in the inbox before the offset that acknowledges it moves (the durable inbox's rule,
bot/inbox.py), then handed to the Application like the Updater would.

Why our own: the Updater's retry loop, its typed `get_updates` and InboxFlushingRequest's
second parse of every response cost ~10% of the bot's CPU per update (benchmarks/levers.py,
lever `own_polling`). The guarantees are the Updater's, made explicit here:
- an update is stored (DurableQueue.flush) before the getUpdates call whose offset
  acknowledges it; a failed store (PostgreSQL receiver) keeps the offset where it was, so
  Telegram delivers the batch again;
- on stop, what was fetched is stored, then one last getUpdates acknowledges it;
- a webhook left set is removed first (retried until it works), as bootstrap_retries=-1 did.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from telegram import Bot, Update
from telegram.error import Conflict, InvalidToken, RetryAfter, TelegramError
from telegram.ext import Application
from telegram.request import RequestData
from telegram.request._requestparameter import RequestParameter

from bot.http import AiohttpRequest
from bot.inbox import DurableQueue
from bot.storage.interface import StorageError

log = logging.getLogger(__name__)

# Seconds Telegram holds a getUpdates open when nothing is pending (python-telegram-bot's
# run_polling default); the read timeout allows this much more.
POLL_TIMEOUT = 10
READ_MARGIN = 5.0
# Waits after a failure, doubling up to the last (python-telegram-bot's retry loop does alike).
BACKOFF_SECONDS = (0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 30.0)
BATCH_LIMIT = 100


class Poller:
    """Fetches updates with getUpdates until `stop`; each batch goes through the durable
    queue (stored, capped per user, deduplicated) before the next call acknowledges it."""

    def __init__(
        self,
        bot: Bot,
        queue: DurableQueue,
        allowed_updates: Sequence[str],
        timeout: int = POLL_TIMEOUT,
        request: AiohttpRequest | None = None,
    ) -> None:
        self._bot = bot
        self._queue = queue
        self._allowed = list(allowed_updates)
        self._timeout = timeout
        self._request = request or AiohttpRequest(read_timeout=timeout + READ_MARGIN)
        self._offset: int | None = None
        self._stopping = asyncio.Event()
        self.fetched = 0

    async def run(self) -> None:
        """Remove a webhook, then poll until `stop`; at the end acknowledge what was stored."""
        await self._request.initialize()
        try:
            await self._retrying(self._delete_webhook, "removing the webhook")
            failures = 0
            while not self._stopping.is_set():
                try:
                    await self._poll_once()
                    failures = 0
                except (InvalidToken, asyncio.CancelledError):
                    raise
                except RetryAfter as error:
                    await self._pause(_seconds(error))
                except (TelegramError, StorageError) as error:
                    if isinstance(error, Conflict):
                        log.error("another getUpdates consumer or a webhook is active: %s", error)
                    else:
                        log.warning("polling failed (%s); retrying", type(error).__name__)
                    await self._pause(BACKOFF_SECONDS[min(failures, len(BACKOFF_SECONDS) - 1)])
                    failures += 1
            await self._acknowledge()
        finally:
            await self._request.shutdown()

    def stop(self) -> None:
        self._stopping.set()

    async def _poll_once(self) -> None:
        # Everything fetched so far is stored before this call's offset acknowledges it; a
        # failed store raises here and the offset stays (Telegram sends the batch again).
        await self._store()
        wait = asyncio.ensure_future(self._get_updates(self._timeout))
        stopping = asyncio.ensure_future(self._stopping.wait())
        try:
            await asyncio.wait((wait, stopping), return_when=asyncio.FIRST_COMPLETED)
        finally:
            stopping.cancel()
        if not wait.done():
            # Stopping during a long poll: what it would return is not acknowledged.
            wait.cancel()
            await asyncio.gather(wait, return_exceptions=True)
            return
        updates = wait.result()
        for item in updates:
            update = Update.de_json(item, self._bot)
            self._queue.raw[update.update_id] = item
            await self._queue.put(update)
            self._offset = update.update_id + 1
            self.fetched += 1

    async def _store(self) -> None:
        await self._queue.flush()
        self._queue.raw.clear()  # what the per-user cap dropped (stored ones were taken)

    async def _get_updates(self, timeout: int) -> list[dict[str, Any]]:
        parameters = {"timeout": timeout, "limit": BATCH_LIMIT, "allowed_updates": self._allowed}
        if self._offset is not None:
            parameters["offset"] = self._offset
        result = await self._request.post(
            f"{self._bot.base_url}/getUpdates",
            RequestData([RequestParameter.from_input(k, v) for k, v in parameters.items()]),
            read_timeout=timeout + READ_MARGIN,
        )
        return result if isinstance(result, list) else []

    async def _acknowledge(self) -> None:
        """At stop: store what was fetched, then move the offset past it without waiting."""
        try:
            await self._store()
            if self._offset is not None:
                await self._get_updates(0)
        except (TelegramError, StorageError) as error:
            # Not acknowledged: Telegram sends them again and the inbox recognises them.
            log.warning("could not acknowledge the last updates at stop (%s)", error)

    async def _delete_webhook(self) -> None:
        await self._request.post(f"{self._bot.base_url}/deleteWebhook", RequestData([]))

    async def _retrying(self, action: Any, what: str) -> None:
        failures = 0
        while not self._stopping.is_set():
            try:
                await action()
                return
            except InvalidToken:
                raise
            except TelegramError as error:
                log.warning("%s failed (%s); retrying", what, type(error).__name__)
                await self._pause(BACKOFF_SECONDS[min(failures, len(BACKOFF_SECONDS) - 1)])
                failures += 1

    async def _pause(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), seconds)


def _seconds(error: RetryAfter) -> float:
    retry_after: int | timedelta = error._retry_after  # the public attribute warns in PTB 22
    return retry_after.total_seconds() if isinstance(retry_after, timedelta) else float(retry_after)


def poller_for(application: Application, allowed_updates: Sequence[str]) -> Poller:
    queue = application.update_queue
    if not isinstance(queue, DurableQueue):
        raise TypeError("polling needs the DurableQueue (bot/inbox.py)")
    return Poller(application.bot, queue, allowed_updates)


async def run(application: Application, allowed_updates: Sequence[str]) -> None:
    """The application with our Poller until SIGINT/SIGTERM."""
    poller = poller_for(application, allowed_updates)
    loop = asyncio.get_running_loop()
    for signal_number in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signal_number, poller.stop)
    await serve(application, poller)


async def serve(application: Application, poller: Poller) -> None:
    """Start, poll until `poller.stop()`, stop: python-telegram-bot's run_polling order."""
    await application.initialize()
    try:
        if application.post_init is not None:
            await application.post_init(application)
        await application.start()
        try:
            await poller.run()
        finally:
            await application.stop()
    finally:
        await application.shutdown()
        if application.post_shutdown is not None:
            await application.post_shutdown(application)
