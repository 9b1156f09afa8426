"""The framework's floor: a bare python-telegram-bot echo bot, no storage, no logic.

It gets the same mix of updates as our bot (typed messages and button presses) and does the
least a bot can for each: a press is answered (the spinner stops) and echoed; a message is
echoed. Every echo carries one button, like our prompts.
"""

from __future__ import annotations

import os

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    ApplicationBuilder,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

AGAIN = InlineKeyboardMarkup([[InlineKeyboardButton("again", callback_data="again")]])


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.message is not None and update.message.text is not None
    await update.message.reply_text(update.message.text, reply_markup=AGAIN)


async def echo_press(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None and update.effective_chat is not None
    await query.answer()
    await context.bot.send_message(update.effective_chat.id, query.data or "", reply_markup=AGAIN)


def main() -> None:
    pool_size = int(os.environ.get("CONNECTION_POOL_SIZE", "8"))
    builder = (
        ApplicationBuilder()
        .token(os.environ["TELEGRAM_BOT_TOKEN"])
        .base_url(os.environ["TELEGRAM_API_BASE_URL"])
        .concurrent_updates(512)
    )
    # The same HTTP client as our bot by default; HTTP_CLIENT=httpx is the framework's default.
    if os.environ.get("HTTP_CLIENT", "aiohttp") == "aiohttp":
        from bot.http import AiohttpRequest

        builder = builder.request(AiohttpRequest(pool_size)).get_updates_request(AiohttpRequest(1))
    else:
        builder = builder.connection_pool_size(pool_size)
    application = builder.build()
    application.add_handler(MessageHandler(filters.TEXT, echo))
    application.add_handler(CallbackQueryHandler(echo_press))
    application.run_polling(allowed_updates=["message", "callback_query"])


if __name__ == "__main__":
    main()
