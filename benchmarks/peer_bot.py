"""The peer: what a typical bot costs. The bot most people would write for this job, on
python-telegram-bot's defaults: a `ConversationHandler` with 8 states, `PicklePersistence`
(saved every 60 s, its default), the default HTTP client (httpx) and updates handled one at a
time (the `Application` default). Every `python -m benchmarks` run measures it beside our bot,
against the same stand-in Bot API and the same kind of load, and reports ours / peer ratios.

It does per update what ours does: a typed answer gets the next question (sendMessage); a
press is answered (answerCallbackQuery), the pressed message is marked with the choice
(editMessageText) and the next question is sent: 5 of its 8 states are pressed, 3 typed, so
~2.25 API calls per update (ours ~2). Its questions are our own (locales/zh-CN.toml), so the
messages are of the same size; it checks what is typed (an amount, a day of the month) and
keeps the answers in `user_data`, which the persistence pickles.
"""

from __future__ import annotations

import os
import tomllib
import warnings
from decimal import Decimal, InvalidOperation
from html import escape
from pathlib import Path
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ParseMode
from telegram.ext import (
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    ConversationHandler,
    MessageHandler,
    PicklePersistence,
    filters,
)
from telegram.warnings import PTBUserWarning

STRINGS = tomllib.loads(
    (Path(__file__).resolve().parent.parent / "locales" / "zh-CN.toml").read_text("utf-8")
)
MENU, PLATFORM, LENDER, BORROWED, REASON, DUE, PROPOSAL, SUMMARY = range(8)
# Typed states: the simulated people read this tag on the skip button to know what to type.
TYPED = {PLATFORM: "platform", BORROWED: "amount", DUE: "day"}
STEPS = ("contact", "debts", "budget", "plan", "negotiate", "collection", "afterwards")


def _choices(section: dict[str, str]) -> list[tuple[str, str]]:
    return list(section.items())


CHOICES: dict[int, list[tuple[str, str]]] = {
    MENU: [(step, STRINGS["step"][step]["title"]) for step in STEPS],
    LENDER: _choices(STRINGS["debts"]["lender"]),
    REASON: _choices(STRINGS["contact"]["reason"]),
    PROPOSAL: _choices(STRINGS["contact"]["proposal"]),
    SUMMARY: [("again", STRINGS["contact"]["another_platform"]), ("menu", STRINGS["nav"]["menu"])],
}
QUESTIONS = {
    MENU: STRINGS["menu"]["main"],
    PLATFORM: STRINGS["debts"]["ask"]["platform"],
    LENDER: STRINGS["debts"]["ask"]["lender"],
    BORROWED: STRINGS["debts"]["ask"]["borrowed"],
    REASON: STRINGS["contact"]["ask_reason"],
    DUE: STRINGS["debts"]["ask"]["due"],
    PROPOSAL: STRINGS["contact"]["ask_proposal"],
}
NAV = [
    InlineKeyboardButton(STRINGS["nav"]["back"], callback_data="nav:back"),
    InlineKeyboardButton(STRINGS["nav"]["menu"], callback_data="nav:menu"),
]


def keyboard(state: int) -> InlineKeyboardMarkup:
    if state in TYPED:
        skip = InlineKeyboardButton(STRINGS["nav"]["skip"], callback_data=f"skip:{TYPED[state]}")
        return InlineKeyboardMarkup([[skip], NAV])
    rows = [
        [InlineKeyboardButton(label, callback_data=f"pick:{key}")] for key, label in CHOICES[state]
    ]
    return InlineKeyboardMarkup([*rows, NAV] if state != MENU else rows)


async def ask(update: Update, state: int, context: ContextTypes.DEFAULT_TYPE) -> int:
    chat = update.effective_chat
    assert chat is not None
    question = summary(context.user_data or {}) if state == SUMMARY else QUESTIONS[state]
    await context.bot.send_message(
        chat.id, question, parse_mode=ParseMode.HTML, reply_markup=keyboard(state)
    )
    return state


def summary(answers: dict[str, Any]) -> str:
    """The script for customer service, from what was typed and chosen."""
    contact = STRINGS["contact"]
    return contact["script"].format(
        platform=escape(answers.get("platform") or contact["platform_unnamed"]),
        reason=contact["reason_phrase"].get(answers.get("reason", ""), ""),
        proposal=contact["proposal_phrase"].get(answers.get("proposal", ""), ""),
    )


async def mark(update: Update) -> str:
    """Stop the spinner and mark the pressed message with the choice, as our bot does."""
    query = update.callback_query
    assert query is not None
    await query.answer()
    data = query.data or ""
    message = query.message
    if isinstance(message, Message) and message.text is not None and message.reply_markup:
        label = next(
            (
                b.text
                for row in message.reply_markup.inline_keyboard
                for b in row
                if b.callback_data == data
            ),
            data,
        )
        await query.edit_message_text(
            f"{message.text_html}\n\n» {escape(label)}", parse_mode=ParseMode.HTML
        )
    return data.partition(":")[2]


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    return await ask(update, MENU, context)


def picked(state: int, key: str, following: int) -> Any:
    async def handler(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
        choice = await mark(update)
        assert context.user_data is not None
        context.user_data[key] = choice
        return await ask(update, following, context)

    return handler


def typed(key: str, parse: Any, following: int, again: int) -> Any:
    async def handler(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
        assert update.message is not None and context.user_data is not None
        value = parse(update.message.text or "")
        if value is None:
            await update.message.reply_text(STRINGS["parsing"]["amount"]["not_number"])
            return again
        context.user_data[key] = value
        return await ask(update, following, context)

    return handler


def skipped(following: int) -> Any:
    async def handler(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
        await mark(update)
        return await ask(update, following, context)

    return handler


async def navigate(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    await mark(update)
    return await ask(update, MENU, context)


def amount(typed_text: str) -> str | None:
    try:
        value = Decimal(typed_text.strip().replace(",", ""))
    except InvalidOperation:
        return None
    return str(value) if 0 < value < 10**9 else None


def day(typed_text: str) -> int | None:
    digits = "".join(ch for ch in typed_text if ch.isdigit())
    return int(digits) if digits and 1 <= int(digits) <= 31 else None


def conversation() -> ConversationHandler:
    def choice(state: int, key: str, following: int) -> list[Any]:
        return [CallbackQueryHandler(picked(state, key, following), pattern="^pick:")]

    def text_state(state: int, key: str, parse: Any, following: int) -> list[Any]:
        return [
            MessageHandler(filters.TEXT & ~filters.COMMAND, typed(key, parse, following, state)),
            CallbackQueryHandler(skipped(following), pattern="^skip:"),
        ]

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBUserWarning)  # per_message=False with button states
        return ConversationHandler(
            entry_points=[CommandHandler(["start", "menu"], start)],
            states={
                MENU: choice(MENU, "step", PLATFORM),
                PLATFORM: text_state(
                    PLATFORM, "platform", lambda t: t.strip()[:64] or None, LENDER
                ),
                LENDER: choice(LENDER, "lender", BORROWED),
                BORROWED: text_state(BORROWED, "amount", amount, REASON),
                REASON: choice(REASON, "reason", DUE),
                DUE: text_state(DUE, "due", day, PROPOSAL),
                PROPOSAL: choice(PROPOSAL, "proposal", SUMMARY),
                SUMMARY: choice(SUMMARY, "done", MENU),
            },
            fallbacks=[
                CommandHandler(["start", "menu"], start),
                CallbackQueryHandler(navigate, pattern="^nav:"),
            ],
            name="peer",
            persistent=True,
        )


def main() -> None:
    persistence = PicklePersistence(os.environ.get("PEER_PICKLE", "peer.pickle"))
    builder = (
        ApplicationBuilder()
        .token(os.environ["TELEGRAM_BOT_TOKEN"])
        .base_url(os.environ["TELEGRAM_API_BASE_URL"])
        .persistence(persistence)
    )
    # For context only (HTTP_CLIENT=aiohttp): the peer over our HTTP client, bot/http.py.
    if os.environ.get("HTTP_CLIENT", "httpx") == "aiohttp":
        from bot.http import AiohttpRequest

        builder = builder.request(AiohttpRequest(8)).get_updates_request(AiohttpRequest(1))
    application = builder.build()
    application.add_handler(conversation())
    application.run_polling(allowed_updates=["message", "callback_query"])


if __name__ == "__main__":
    main()
