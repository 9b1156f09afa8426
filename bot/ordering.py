"""Handle updates from one user strictly in order, different users at the same time."""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

log = logging.getLogger(__name__)
Overflow = Callable[[Update], Awaitable[None]]


def sender_of(update: object) -> int | None:
    if isinstance(update, Update) and update.effective_user is not None:
        return update.effective_user.id
    return None


class PerUserOrder(BaseUpdateProcessor):
    """A lock per user keeps their updates in order; a bounded queue per user keeps a flood
    from one person from holding up everybody else. Updates beyond the bound are dropped and
    `on_overflow` is told, so the bot can ask that user, once, to slow down."""

    def __init__(
        self, max_concurrent_updates: int, max_queued_per_user: int, on_overflow: Overflow
    ) -> None:
        super().__init__(max_concurrent_updates)
        self._max_queued = max_queued_per_user
        self._on_overflow = on_overflow
        self._locks: dict[int, asyncio.Lock] = {}
        self._queued: Counter[int] = Counter()
        self.finished = 0  # updates fully handled or dropped; tests and benchmarks wait on it

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        try:
            await self._in_order(update, coroutine)
        finally:
            self.finished += 1

    async def _in_order(self, update: object, coroutine: Awaitable[Any]) -> None:
        user = sender_of(update)
        if user is None:
            await coroutine
            return
        if self._queued[user] >= self._max_queued:
            _discard(coroutine)
            assert isinstance(update, Update)
            log.warning("user %d: flood, update dropped", user)
            await self._on_overflow(update)
            return
        self._queued[user] += 1
        lock = self._locks.setdefault(user, asyncio.Lock())
        try:
            async with lock:
                await coroutine
        finally:
            self._queued[user] -= 1
            if self._queued[user] == 0:
                del self._queued[user]
                self._locks.pop(user, None)

    async def initialize(self) -> None:
        """Nothing to set up: locks are made on demand."""

    async def shutdown(self) -> None:
        """Nothing to tear down."""


def _discard(coroutine: Awaitable[Any]) -> None:
    close = getattr(coroutine, "close", None)
    if close is not None:
        close()
