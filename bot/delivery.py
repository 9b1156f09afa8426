"""Deliver committed turns' replies from the outbox: at least once, in each user's order.

A message leaves the outbox only once Telegram accepted it (or can never accept it), so a
crash or a fault after a turn committed delays its replies but never loses them. Faults that
pass (429, 5xx, timeouts, a dropped connection) are retried with backoff through the limiter;
a retried send repeats that one message, never the turn. A timeout after Telegram had in fact
accepted a message can show it twice: at least once, never a second effect.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import random
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable, Sequence
from datetime import timedelta
from typing import Any

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import ChatAction, ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter

from bot import api, attachments, outbox
from bot.locale import Catalog
from bot.outbox import OutgoingMessage
from bot.render import Keyboard, RenderedReply
from bot.storage.interface import StorageError, Store

log = logging.getLogger(__name__)

# Waits between attempts after a fault that passes (5xx, timeout); then the message stays in
# the outbox and the sweep (every SWEEP_SECONDS) tries again.
BACKOFF_SECONDS = (0.25, 0.5, 1.0, 2.0, 4.0, 8.0)
# A 429 says how long to wait; it is waited out this many times before the sweep takes over.
MAX_RATE_LIMITED = 20
SWEEP_SECONDS = 30

Fallback = Callable[[int], Awaitable[None]]

# The user whose outbox the current task saw empty while holding their lock (a PostgreSQL
# worker's take, bot/workers.py): that task's turn is sent from memory, not read back.
_SEEN_EMPTY: contextvars.ContextVar[int | None] = contextvars.ContextVar(
    "yuqi_outbox_seen_empty", default=None
)


def outbox_seen_empty(user_id: int) -> None:
    """The current task holds the user's lock and nothing waits in their outbox."""
    _SEEN_EMPTY.set(user_id)


# Outbox ids whose deletion the current task's release of the user's lock carries (a
# PostgreSQL worker, bot/workers.py): the last reply of a turn leaves the outbox in the same
# round trip as the lock (a take right after waits for that deletion) — one round trip less
# per turn.
_RELEASE_DELETES: contextvars.ContextVar[list[int] | None] = contextvars.ContextVar(
    "yuqi_release_deletes", default=None
)


def release_deletes() -> list[int]:
    """From now on in the current task, a turn's last delivered reply is not deleted at once
    but added to the returned list, which the caller deletes when it releases the user."""
    carried: list[int] = []
    _RELEASE_DELETES.set(carried)
    return carried


class Blocked(Exception):
    """The user blocked the bot: nothing can be delivered to them."""


class Lost(Exception):
    """Telegram refuses this message for good (a 400): retrying would not help."""


class Delivery:
    """Sends what is in the outbox, one user at a time per user, in the order it was stored."""

    def __init__(
        self,
        bot: Bot,
        storage: Store,
        catalog: Catalog,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.bot = bot
        self.storage = storage
        self.catalog = catalog  # for the notice that a reply could not be shown
        self._sleep = sleep
        self._locks: dict[int, asyncio.Lock] = {}
        self._users: Counter[int] = Counter()  # flushes running or waiting, per user
        self.owed: set[int] = set()  # users who may have messages waiting from before
        # A turn just committed is sent from memory with the ids its commit returned (no
        # read back) when nothing older waits for that user. Only where this process alone
        # puts messages in the outbox (SQLite); False: always read it (PostgreSQL workers).
        self.from_memory = True
        # Per user, the last outbox id a flush that read the outbox delivered: a sweep or a
        # notice's flush may have read and sent a turn's messages before the turn's own flush
        # came; ids up to it are not sent again from memory (ids grow with every insert).
        self._read_through: dict[int, int] = {}
        self.delivered = 0
        self.lost = 0
        self.retries = 0

    async def flush(
        self,
        user_id: int,
        chat_id: int | None = None,
        fresh: Sequence[tuple[int, OutgoingMessage]] | None = None,
    ) -> bool:
        """Deliver everything in the user's outbox, in order. True when it is empty after.
        `fresh`: the messages (with their outbox ids) of the turn that just committed for
        `chat_id`, sent without reading the outbox when nothing older is owed."""
        lock = self._locks.setdefault(user_id, asyncio.Lock())
        self._users[user_id] += 1
        try:
            async with lock:
                emptied = await self._flush(user_id, chat_id, fresh)
        except StorageError:
            log.warning("user %d: outbox could not be read or updated; the sweep retries", user_id)
            emptied = False
        finally:
            self._users[user_id] -= 1
            if not self._users[user_id]:
                del self._users[user_id]
                self._locks.pop(user_id, None)
        if emptied:
            self.owed.discard(user_id)
        else:
            self.owed.add(user_id)
        return emptied

    async def flush_owed(self, user_id: int) -> None:
        """Before a user's turn: deliver what earlier turns still owe them (after a restart,
        or a delivery given up for now). Nothing to read for everyone else."""
        if user_id in self.owed:
            await self.flush(user_id)

    async def _flush(
        self,
        user_id: int,
        chat_id: int | None,
        fresh: Sequence[tuple[int, OutgoingMessage]] | None,
    ) -> bool:
        pending: list[tuple[int, int, OutgoingMessage | str]]
        read = not (fresh is not None and chat_id is not None and self._trusted(user_id))
        if read:
            pending = [(m.id, m.chat_id, m.message) for m in await self.storage.outbox_of(user_id)]
        else:
            assert fresh is not None and chat_id is not None
            sent_through = self._read_through.pop(user_id, 0)
            pending = [(i, chat_id, message) for i, message in fresh if i > sent_through]
        # Each message leaves the outbox as soon as it is delivered: a crash re-sends at most
        # the one in flight (deleting a turn's messages together re-sent whole turns). A
        # turn's last one may ride on the release of the user's lock, the worker's next round
        # trip (release_deletes): a crash before it re-sends that one, as before.
        carried = _RELEASE_DELETES.get() if fresh is not None else None
        for index, (message_id, to_chat, message) in enumerate(pending):
            try:
                loaded = outbox.loads(message) if isinstance(message, str) else message
                await self._send_retrying(to_chat, loaded)
            except Blocked:
                log.info("user %d blocked the bot; marked inactive", user_id)
                await self.storage.outbox_sent(
                    [m.id for m in await self.storage.outbox_of(user_id)]
                )
                await self.storage.mark_inactive(user_id)
                return True
            except Lost:
                self.lost += 1
                await self.storage.outbox_sent([message_id])
                if read and self.from_memory:
                    self._read_through[user_id] = message_id
                await self._tell_reply_lost(to_chat)
                continue
            except _GiveUpForNow:
                log.warning("user %d: delivery still failing; the sweep retries", user_id)
                return False
            if carried is not None and index == len(pending) - 1:
                carried.append(message_id)
            else:
                await self.storage.outbox_sent([message_id])
            if read and self.from_memory:
                self._read_through[user_id] = message_id
            self.delivered += 1
        return True

    def _trusted(self, user_id: int) -> bool:
        """Memory holds all the user is owed: nothing older is left in the outbox."""
        return (self.from_memory and user_id not in self.owed) or _SEEN_EMPTY.get() == user_id

    async def load_owed(self) -> None:
        """At start-up: whoever has messages waiting from before."""
        self.owed.update(await self.storage.outbox_users())

    async def flush_all(self) -> None:
        """Every user with messages waiting (after a restart; the periodic sweep)."""
        users = set(await self.storage.outbox_users()) | self.owed
        await asyncio.gather(*(self.flush(user) for user in users))

    async def send_now(self, chat_id: int, replies: Iterable[RenderedReply]) -> None:
        """Replies of a turn that did NOT commit (an apology): sent with the same retries but
        never stored; a failure is only logged."""
        try:
            for message in outbox.messages_of(replies):
                await self._send_retrying(chat_id, message)
        except (Blocked, Lost, _GiveUpForNow):
            log.warning("could not deliver a message that was not stored")

    async def _tell_reply_lost(self, chat_id: int) -> None:
        """A saved turn's reply Telegram refused: say so, and that the step is saved — never
        that it failed."""
        from bot.conversation import apology

        await self.send_now(chat_id, [apology(self.catalog, "common.reply_failed")])

    async def _send_retrying(self, chat_id: int, message: OutgoingMessage) -> None:
        failures = 0
        limited = 0
        while True:
            try:
                await send_message(self.bot, chat_id, message)
                return
            except Forbidden as error:
                raise Blocked from error
            except BadRequest as error:
                # Never the text: the description may quote it.
                log.error("a reply was refused by Telegram (%s)", type(error).__name__)
                raise Lost from error
            except RetryAfter as error:
                limited += 1
                if limited > MAX_RATE_LIMITED:
                    raise _GiveUpForNow from error
                await self._sleep(_retry_after(error) + random.uniform(0.05, 0.3))
            except NetworkError as error:  # 5xx, timeouts, connection errors
                if failures >= len(BACKOFF_SECONDS):
                    raise _GiveUpForNow from error
                delay = BACKOFF_SECONDS[failures] * random.uniform(0.8, 1.2)
                failures += 1
                log.info("send failed (%s); retrying in %.2fs", type(error).__name__, delay)
                await self._sleep(delay)
            except Exception as error:  # another Telegram error, a file that failed to render
                log.error("a reply could not be sent (%s)", type(error).__name__)
                raise Lost from error
            self.retries += 1


class _GiveUpForNow(Exception):
    """Faults kept coming; the message stays in the outbox for the sweep."""


def _retry_after(error: RetryAfter) -> float:
    wait: int | timedelta = error._retry_after  # the public attribute warns in PTB 22
    return wait.total_seconds() if isinstance(wait, timedelta) else float(wait)


async def send_message(
    bot: Bot,
    chat_id: int,
    message: OutgoingMessage,
    rate_limit_args: dict[str, bool] | None = None,
) -> None:
    """One API call for one outgoing message (a file is announced by a chat action first)."""
    limit: dict[str, Any] = {} if rate_limit_args is None else {"rate_limit_args": rate_limit_args}
    attachment = message.attachment
    if attachment is None:
        # Plain JSON: no python-telegram-bot objects built for a reply the bot never reads.
        await api.send_text(bot, chat_id, message.text or "", message.keyboard, rate_limit_args)
        return
    markup = markup_of(message.keyboard)
    photo = attachment.kind == "plan_chart"
    await bot.send_chat_action(
        chat_id, ChatAction.UPLOAD_PHOTO if photo else ChatAction.UPLOAD_DOCUMENT, **limit
    )
    content = await attachments.produce_off_loop(attachment)
    if photo:
        await bot.send_photo(
            chat_id,
            content,
            caption=message.text,
            parse_mode=ParseMode.HTML,
            reply_markup=markup,
            **limit,
        )
    else:
        await bot.send_document(
            chat_id,
            content,
            filename=attachment.filename,
            caption=message.text,
            parse_mode=ParseMode.HTML,
            reply_markup=markup,
            **limit,
        )


def markup_of(keyboard: Keyboard) -> InlineKeyboardMarkup | None:
    if not keyboard:
        return None
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(label, callback_data=data) for label, data in row]
            for row in keyboard
        ]
    )
