"""Handle updates from one user strictly in order, different users at the same time, and cap
what one user can have queued — counted when an update arrives, before any shared queue."""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import Any

from telegram.ext import BaseUpdateProcessor

from bot.updates import RawUpdate

log = logging.getLogger(__name__)
Overflow = Callable[[RawUpdate], Awaitable[None]]


def sender_of(update: object) -> int | None:
    return update.sender_id if isinstance(update, RawUpdate) else None


class PerUserOrder(BaseUpdateProcessor):
    """A lock per user keeps their updates in order. An update waits for its user's turn
    BEFORE it takes one of the shared slots, so a flooding user holds one slot, not hundreds,
    and nobody else waits behind them. `admit` is asked when an update arrives: beyond
    `max_queued_per_user` waiting updates of one user it says no and `on_overflow` is told,
    so the bot can tell that user, once, that the extra messages were skipped."""

    def __init__(
        self, max_concurrent_updates: int, max_queued_per_user: int, on_overflow: Overflow
    ) -> None:
        super().__init__(max_concurrent_updates)
        self._max_queued = max_queued_per_user
        self._on_overflow = on_overflow
        self._locks: dict[int, asyncio.Lock] = {}
        self._queued: Counter[int] = Counter()  # admitted, not yet finished (the cap)
        self._active: Counter[int] = Counter()  # holding or awaiting the user's lock
        self.finished = 0  # updates fully handled or dropped; tests and benchmarks wait on it
        self.dropped = 0  # skipped by the cap (each user told)

    async def admit(self, update: object, *, capped: bool = True) -> bool:
        """Count an arriving update against its user's cap; False: drop it (the user is told).
        Resumed updates (after a restart) are admitted uncapped: they were accepted before."""
        user = sender_of(update)
        if user is None:
            return True
        if capped and self._queued[user] >= self._max_queued:
            assert isinstance(update, RawUpdate)
            log.warning("user %d: flood, update dropped", user)
            self.dropped += 1
            self.skip()
            await self._on_overflow(update)
            return False
        self._queued[user] += 1
        return True

    def release(self, update: object) -> None:
        """An admitted update that will not be processed after all (a redelivery)."""
        user = sender_of(update)
        if user is not None:
            self._unqueue(user)
        self.skip()

    def skip(self) -> None:
        self.finished += 1

    async def process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        user = sender_of(update)
        try:
            if user is None:
                await super().process_update(update, coroutine)
                return
            lock = self._locks.setdefault(user, asyncio.Lock())
            self._active[user] += 1
            try:
                async with lock:
                    await super().process_update(update, coroutine)
            finally:
                self._active[user] -= 1
                if not self._active[user]:
                    del self._active[user]
                    del self._locks[user]
                self._unqueue(user)
        finally:
            self.finished += 1

    def _unqueue(self, user: int) -> None:
        if self._queued[user] > 1:
            self._queued[user] -= 1
        else:
            self._queued.pop(user, None)

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        await coroutine

    async def initialize(self) -> None:
        """Nothing to set up: locks are made on demand."""

    async def shutdown(self) -> None:
        """Nothing to tear down."""
