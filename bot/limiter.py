"""Sending within Telegram's limits: proactive messages share the ~30/s bulk budget; replies to
a person's own message don't queue behind it. Every call retries after a 429."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from datetime import timedelta
from typing import Any

from telegram.error import RetryAfter
from telegram.ext import AIORateLimiter, BaseRateLimiter

log = logging.getLogger(__name__)

# Pass as `rate_limit_args=BROADCAST` on a message nobody is waiting for (a reminder).
BROADCAST = {"broadcast": True}
# Telegram's guidance for bulk notifications to many users: this many per period. The
# limiter's bucket holds one period's worth and starts full.
BULK_MESSAGES_PER_SECOND = 30
BULK_PERIOD_SECONDS = 1.0
MAX_RETRIES = 3

JSONResult = bool | dict[str, Any] | list[dict[str, Any]]


class ReplyAwareLimiter(BaseRateLimiter[dict[str, bool]]):
    """Telegram's 30 messages/s is a limit for bulk notifications; a bot answering people who
    just wrote to it is held only by Telegram's own 429s, which are waited out and retried."""

    def __init__(
        self, bulk_per_second: float = BULK_MESSAGES_PER_SECOND, max_retries: int = MAX_RETRIES
    ) -> None:
        self._bulk = AIORateLimiter(
            overall_max_rate=bulk_per_second,
            overall_time_period=BULK_PERIOD_SECONDS,
            max_retries=max_retries,
        )
        self._max_retries = max_retries

    async def initialize(self) -> None:
        await self._bulk.initialize()

    async def shutdown(self) -> None:
        await self._bulk.shutdown()

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, JSONResult]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: dict[str, bool] | None,
    ) -> JSONResult:
        if rate_limit_args and rate_limit_args.get("broadcast"):
            return await self._bulk.process_request(callback, args, kwargs, endpoint, data, None)
        for attempt in range(self._max_retries + 1):
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as error:
                if attempt == self._max_retries:
                    raise
                wait = _seconds(error) + 0.1
                log.info("%s hit Telegram's rate limit; retrying in %.1fs", endpoint, wait)
                await asyncio.sleep(wait)
        raise AssertionError("unreachable")


def _seconds(error: RetryAfter) -> float:
    retry_after: int | timedelta = error._retry_after  # the public attribute warns in PTB 22
    return retry_after.total_seconds() if isinstance(retry_after, timedelta) else float(retry_after)
