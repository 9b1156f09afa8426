"""What each CPU lever buys: our bot against itself with that one lever undone, in the same
run (alternating, the order swapped every repetition), so that the next person knows what
each change was worth and can tell a regression from noise.

`python -m benchmarks.levers <lever>…` runs the bot with those levers undone (the benchmark
starts it so); each undo puts back the code the lever replaced, here and not in bot/.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Callable
from typing import Any

from benchmarks.conversation import _cpu_ms, _median, _spread, run
from benchmarks.figures import Figure


def _typed_sends() -> None:
    """Before: replies, answers to presses and marks sent through python-telegram-bot's typed
    methods (an InlineKeyboardMarkup built per reply, a Message built from every response)."""
    from telegram import InlineKeyboardButton, InlineKeyboardMarkup
    from telegram.constants import ParseMode

    from bot import api

    async def send_text(
        bot: Any, chat_id: int, text: str, keyboard: Any = (), rate_limit_args: Any = None
    ) -> None:
        markup = (
            InlineKeyboardMarkup(
                [
                    [InlineKeyboardButton(label, callback_data=data) for label, data in row]
                    for row in keyboard
                ]
            )
            if keyboard
            else None
        )
        limit = {} if rate_limit_args is None else {"rate_limit_args": rate_limit_args}
        await bot.send_message(
            chat_id, text, parse_mode=ParseMode.HTML, reply_markup=markup, **limit
        )

    typed = {
        "answerCallbackQuery": "answer_callback_query",
        "editMessageText": "edit_message_text",
        "editMessageReplyMarkup": "edit_message_reply_markup",
    }

    async def call(
        bot: Any, method: str, parameters: dict[str, Any], rate_limit_args: Any = None
    ) -> Any:
        return await getattr(bot, typed[method])(**parameters)

    api.send_text = send_text  # type: ignore[assignment]
    api.call = call  # type: ignore[assignment]


def _turn_read_back() -> None:
    """Before: a turn's commit awaited each statement on aiosqlite's thread (BEGIN, the inbox
    mark, the upsert, the schedule, the outbox insert, COMMIT), and delivery read the turn's
    messages back from the outbox before sending them."""
    import time
    from datetime import UTC, datetime

    from bot.delivery import Delivery
    from bot.storage.sqlite import Storage, TurnCommit
    from flows.conversation.reminders import schedule

    async def commit_turn(self: Storage, turn: TurnCommit) -> list[int]:
        moment = turn.now or datetime.now(UTC)
        stamp = int(time.time())
        payload = turn.state.model_dump_json() if turn.state is not None else None
        rows = schedule(turn.state, moment) if turn.state is not None else ()

        async def write() -> None:
            async with self._transaction():
                if turn.update_id is not None:
                    await self._inbox_mark(turn.update_id, "done", stamp)
                if turn.erase:
                    await self._erase(turn.user_id, turn.update_id)
                elif payload is not None:
                    await self._upsert_user(
                        turn.user_id, turn.chat_id, payload, stamp, turn.update_id
                    )
                    await self._replace_schedule(turn.user_id, rows, moment)
                if turn.messages:
                    await self._db.executemany(
                        "INSERT INTO outbox (user_id, chat_id, update_id, message, created_at)"
                        " VALUES (?, ?, ?, ?, ?)",
                        [
                            (turn.user_id, turn.chat_id, turn.update_id, message, stamp)
                            for message in turn.messages
                        ],
                    )

        await self._retrying(write)
        if turn.erase:
            await self.checkpoint()
        return [0] * len(turn.messages)  # not used: delivery reads the outbox back

    Storage.commit_turn = commit_turn  # type: ignore[method-assign]
    Delivery._trusted = lambda self, user_id: False  # type: ignore[method-assign]


def _ptb_updates() -> None:
    """Before: python-telegram-bot's get_updates built an Update object (Update.de_json) from
    every update, and the inbox parsed the getUpdates response a second time to store each
    update as it came. Undone here by doing both again beside the JSON path: the response is
    parsed again and an Update built from each item (then dropped; the bot reads the JSON)."""
    import json

    from telegram import Update

    from bot.inbox import InboxFlushingRequest

    fetch = InboxFlushingRequest.do_request

    async def do_request(self: InboxFlushingRequest, *args: Any, **kwargs: Any) -> Any:
        status, payload = await fetch(self, *args, **kwargs)
        if status == 200:
            for item in json.loads(payload).get("result") or []:
                Update.de_json(item, None)
        return status, payload

    InboxFlushingRequest.do_request = do_request  # type: ignore[method-assign]


def _one_commit_per_turn() -> None:
    """Before: each turn's commit its own transaction and its own hand-off to aiosqlite's
    thread, however many turns waited for the write lock (deletions then never ride along)."""
    from bot.storage.sqlite import Storage, TurnCommit, _prepare

    async def commit_turn(self: Storage, turn: TurnCommit) -> list[int]:
        ids = await self._commit_alone(_prepare(turn))
        if turn.erase:
            await self.checkpoint()
        return ids

    Storage.commit_turn = commit_turn  # type: ignore[method-assign]


def _deletions_alone() -> None:
    """Before: a delivered message's outbox deletion was a write of its own (batched only with
    the deletions waiting beside it), even while a group of turn commits waited for the lock."""
    from bot.storage.sqlite import Storage

    Storage._fold_deletions = lambda self, message_ids: None  # type: ignore[method-assign]


def _asyncio_loop() -> None:
    """Before: asyncio's own event loop (bot/loop.py installs uvloop's when it imports)."""
    from bot import loop

    loop.install = lambda: "asyncio"  # type: ignore[assignment]


def _gc_unfrozen() -> None:
    """Before: the garbage collector walked every object alive since start-up (modules, the
    Application, locales, facts) again at every full collection."""
    from bot import telegram_app

    telegram_app.settle_memory = lambda: None  # type: ignore[assignment]


# name → (what the lever does, how to undo it)
LEVERS: dict[str, tuple[str, Callable[[], None]]] = {
    "plain_sends": (
        "replies, press answers and marks as plain JSON through Bot.do_api_request (bot/api.py)"
        " instead of PTB's typed methods: no keyboard objects built, no Message parsed back",
        _typed_sends,
    ),
    "turn_from_memory": (
        "a turn's commit is one function on aiosqlite's thread, and its messages are sent"
        " from memory with the ids the commit returned instead of read back from the outbox"
        " (bot/storage/sqlite.py, bot/delivery.py)",
        _turn_read_back,
    ),
    "raw_updates": (
        "updates read as the JSON Telegram sent (bot/updates.py RawUpdate), never built into"
        " PTB's Update objects; without it: the getUpdates response parsed a second time and an"
        " Update built from each update (Update.de_json), as PTB's get_updates and the inbox's"
        " copy of the raw updates did before",
        _ptb_updates,
    ),
    "group_commit": (
        "turns waiting for the write lock commit together: one transaction and one hand-off"
        " to aiosqlite's thread per group of up to MAX_GROUP, each turn in a savepoint"
        " (bot/storage/sqlite.py)",
        _one_commit_per_turn,
    ),
    "deletions_folded": (
        "a delivered message's outbox deletion rides with the group commit waiting or running"
        " (committed before its next turn) instead of a write of its own (bot/storage/sqlite.py)",
        _deletions_alone,
    ),
    "uvloop": (
        "uvloop's event loop instead of asyncio's (bot/loop.py; asyncio's where uvloop is not"
        " installed, e.g. on Windows)",
        _asyncio_loop,
    ),
    "gc_freeze": (
        "gc.freeze() once started (bot/loop.py): the objects alive since start-up are no longer"
        " walked by every full garbage collection",
        _gc_unfrozen,
    ),
}


def _sync_sqlite() -> None:
    """A turn's load and save with the synchronous sqlite3 module on the event loop's thread
    (a second connection), no hand-off to another thread at all. Not adopted: the loop would
    block while another connection holds the write lock (a reminder pass, the cron command),
    and bot/storage/sqlite.py is being reshaped (issues 17 and 18); measured to know what it is
    worth.
    """
    import sqlite3
    from pathlib import Path

    from pydantic import ValidationError

    from bot.storage import sqlite as module
    from bot.storage.sqlite import Storage, StoredUser
    from flows.conversation.state import UserState

    opened = Storage.open.__func__  # type: ignore[attr-defined]
    connections: dict[int, sqlite3.Connection] = {}

    async def open_(cls: type[Storage], path: Path) -> Storage:
        found = await opened(cls, path)
        db = sqlite3.connect(path, isolation_level=None)
        db.execute("PRAGMA synchronous=NORMAL")
        db.execute("PRAGMA busy_timeout=5000")
        connections[id(found)] = db
        return found

    original_load, original_save = Storage.load, Storage.save

    async def load(self: Storage, user_id: int) -> StoredUser | None:
        db = connections[id(self)]
        row = db.execute(
            "SELECT state, chat_id, active, last_update_id FROM users WHERE user_id = ?",
            (user_id,),
        ).fetchone()
        if row is None:
            return None
        try:
            state = UserState.model_validate_json(row[0])
        except ValidationError:
            return await original_load(self, user_id)
        return StoredUser(state, int(row[1]), bool(row[2]), int(row[3]))

    async def save(
        self: Storage,
        user_id: int,
        chat_id: int,
        state: Any,
        update_id: Any = None,
        now: Any = None,
    ) -> None:
        import time
        from datetime import UTC, datetime

        moment = now or datetime.now(UTC)
        stamp = int(time.time())
        user = (user_id, chat_id, state.model_dump_json(), stamp, stamp, update_id or 0)
        rows = module.schedule(state, moment)
        async with self._writing:
            module._save_in(connections[id(self)], user, rows, moment)

    Storage.open = classmethod(open_)  # type: ignore[method-assign,assignment]
    Storage.load = load  # type: ignore[method-assign]
    Storage.save = save  # type: ignore[method-assign]
    del original_save


# name → (what it would do, how to try it): changes measured but not (yet) made in bot/.
EXPERIMENTS: dict[str, tuple[str, Callable[[], None]]] = {
    "sync_sqlite": (
        "load and save with the synchronous sqlite3 module on the loop's thread (no thread"
        " hand-off)",
        _sync_sqlite,
    ),
}


def figures(full: bool = False, users: int = 200) -> list[Figure]:
    seconds, warmup, repetitions = (20, 20, 3) if full else (8, 8, 2)
    rows = []
    for name, (what, _) in LEVERS.items():
        if name == "uvloop" and importlib.util.find_spec("uvloop") is None:
            rows.append(Figure("levers", f"lever {name}", None, note="uvloop not installed"))
            continue
        rows.append(
            _compare(f"lever {name}", f"undo:{name}", what, users, seconds, warmup, repetitions)
        )
    for name, (what, _) in EXPERIMENTS.items():
        rows.append(
            _compare(
                f"experiment {name}", f"try:{name}", what, users, seconds, warmup, repetitions, True
            )
        )
    return rows


def _compare(
    label: str,
    variant: str,
    what: str,
    users: int,
    seconds: float,
    warmup: float,
    repetitions: int,
    experiment: bool = False,
) -> Figure:
    """Our bot as it is against `variant` (a lever undone, or an experiment tried), alternating;
    the figure is the CPU per update with the change / without it."""
    current, other = [], []
    for repetition in range(repetitions):
        order = ("current", "other") if repetition % 2 == 0 else ("other", "current")
        for side in order:
            command = ("-m", "benchmarks.levers", variant) if side == "other" else None
            result = run("guide", users, seconds, warmup, command=command)
            (current if side == "current" else other).append(_cpu_ms(result))
    with_change, without = (other, current) if experiment else (current, other)
    after, before = _median(with_change), _median(without)
    return Figure(
        "levers",
        f"{label}: CPU per update, with / without",
        round(after / before, 2) if before else None,
        "",
        limits=(
            f"without {before:.2f} ms ({_spread(without)}), with {after:.2f} ms"
            f" ({_spread(with_change)}): {before - after:+.2f} ms per update",
        ),
        note=what + ("; an experiment, not in bot/" if experiment else ""),
    )


def main(names: list[str]) -> None:
    """`undo:<lever>` runs the bot without a lever, `try:<experiment>` with an experiment."""
    for name in names:
        kind, _, which = name.partition(":")
        (LEVERS if kind == "undo" else EXPERIMENTS)[which][1]()
    from bot.__main__ import main as bot_main

    sys.exit(bot_main([]))


if __name__ == "__main__":
    main(sys.argv[1:])
