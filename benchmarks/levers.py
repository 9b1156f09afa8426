"""What each CPU lever buys: our bot against itself with that one lever undone, in the same
run (alternating, the order swapped every repetition), so that the next person knows what
each change was worth and can tell a regression from noise.

`python -m benchmarks.levers <lever>…` runs the bot with those levers undone (the benchmark
starts it so); each undo puts back the code the lever replaced, here and not in bot/.
"""

from __future__ import annotations

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


def _handoff_per_statement() -> None:
    """Before: a save awaited each statement on aiosqlite's thread (BEGIN, the upsert, the
    schedule read, maybe DELETE and INSERT, COMMIT): ~5 hand-offs between threads per save."""
    import time
    from datetime import UTC, datetime

    from bot.storage import UPSERT_USER, Storage
    from flows.reminders import schedule

    async def save(
        self: Storage,
        user_id: int,
        chat_id: int,
        state: Any,
        update_id: int | None = None,
        now: datetime | None = None,
    ) -> None:
        moment = now or datetime.now(UTC)
        stamp = int(time.time())
        payload = state.model_dump_json()
        rows = schedule(state, moment)

        async def write() -> None:
            async with self._transaction():
                await self._db.execute(
                    UPSERT_USER, (user_id, chat_id, payload, stamp, stamp, update_id or 0)
                )
                await self._replace_schedule(user_id, rows, moment)

        await self._retrying(write)

    Storage.save = save  # type: ignore[method-assign]


# name → (what the lever does, how to undo it)
LEVERS: dict[str, tuple[str, Callable[[], None]]] = {
    "plain_sends": (
        "replies, press answers and marks as plain JSON through Bot.do_api_request (bot/api.py)"
        " instead of PTB's typed methods: no keyboard objects built, no Message parsed back",
        _typed_sends,
    ),
    "one_db_handoff": (
        "a save is one function on aiosqlite's thread (the whole transaction) instead of one"
        " hand-off per statement (bot/storage.py)",
        _handoff_per_statement,
    ),
}


def figures(full: bool = False, users: int = 200) -> list[Figure]:
    seconds, warmup, repetitions = (20, 20, 3) if full else (8, 8, 2)
    rows = []
    for name, (what, _) in LEVERS.items():
        with_lever, without = [], []
        for repetition in range(repetitions):
            order = ("with", "without") if repetition % 2 == 0 else ("without", "with")
            for side in order:
                command = ("-m", "benchmarks.levers", name) if side == "without" else None
                result = run("guide", users, seconds, warmup, command=command)
                (with_lever if side == "with" else without).append(_cpu_ms(result))
        after, before = _median(with_lever), _median(without)
        rows.append(
            Figure(
                "levers",
                f"{name}: CPU per update, with / without",
                round(after / before, 2) if before else None,
                "",
                limits=(
                    f"without {before:.2f} ms ({_spread(without)}), with {after:.2f} ms"
                    f" ({_spread(with_lever)}): {before - after:+.2f} ms per update saved",
                ),
                note=what,
            )
        )
    return rows


def main(names: list[str]) -> None:
    for name in names:
        LEVERS[name][1]()
    from bot.__main__ import main as bot_main

    sys.exit(bot_main([]))


if __name__ == "__main__":
    main(sys.argv[1:])
