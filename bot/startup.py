"""Start-up outlives a Bot API that is briefly down: `getMe` is retried, a bad token is not.

python-telegram-bot asks `getMe` in Application.initialize (Bot.initialize). Polling wraps
that in its own retry loop, logging at DEBUG only; the webhook and the workers call it once,
so a single 5xx, timeout or 429 at the wrong moment stopped the process (as one on the
webhook's setWebhook did). Here every role waits for Telegram with a warning per failure, and
only a rejected token (401/404) ends it.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from telegram import Bot
from telegram.error import InvalidToken, NetworkError, RetryAfter
from telegram.ext import Application

log = logging.getLogger(__name__)

# Waits between getMe attempts (then the last one, repeated), each with ±20% jitter.
BACKOFF_SECONDS = (1.0, 2.0, 4.0, 8.0, 15.0, 30.0, 60.0)


class BadToken(Exception):
    """Telegram rejected the bot token: retrying cannot help."""


async def wait_for_bot(bot: Bot, sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
    """Bot.initialize (getMe) until it works: 5xx, timeouts, connection errors and 429 are
    waited out with backoff and a warning; a rejected token raises BadToken."""
    await patiently(bot.initialize, "getMe", sleep)


async def patiently(
    call: Callable[[], Awaitable[Any]],
    what: str,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> Any:
    """A Bot API call the bot cannot run without (getMe, setWebhook), until it works: faults
    that pass are waited out with backoff and a warning each; a rejected token raises
    BadToken; any other refusal (a 400) is raised as it is."""
    failures = 0
    while True:
        try:
            result = await call()
            if failures:
                log.warning("Telegram answered %s after %d failed attempts", what, failures)
            return result
        except InvalidToken as error:
            # Never the error's text: it quotes the token.
            raise BadToken from error
        except RetryAfter as error:
            wait: int | timedelta = error._retry_after  # the public attribute warns in PTB 22
            delay = wait.total_seconds() if isinstance(wait, timedelta) else float(wait)
            delay += random.uniform(0.1, 0.5)
            kind = "RetryAfter"
        except NetworkError as error:  # 5xx, timeouts, connection refused or reset
            step = BACKOFF_SECONDS[min(failures, len(BACKOFF_SECONDS) - 1)]
            delay = step * random.uniform(0.8, 1.2)
            kind = type(error).__name__
        failures += 1
        log.warning(
            "Telegram %s failed at start-up (%s, attempt %d); retrying in %.1fs",
            what,
            kind,
            failures,
            delay,
        )
        await sleep(delay)


class PatientApplication(Application):  # type: ignore[type-arg]
    """The Application, whose initialize waits for Telegram (wait_for_bot) in every role."""

    async def initialize(self) -> None:
        await wait_for_bot(self.bot)
        await super().initialize()
