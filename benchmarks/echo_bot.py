"""The framework's floor: a bare python-telegram-bot echo bot, no storage, no logic.

It gets the same mix of updates as our bot (typed messages and button presses) and does the
least a bot can for each: a press is answered (the spinner stops) and echoed; a message is
echoed. Every echo carries one button, like our prompts.

With ECHO_SHAPE=guide it sends what our bot sends instead, still without any logic: replies of
our prompts' average size (~90 characters of Chinese, five buttons), and a press also marks
the pressed message like ours does. The gap between the two floors is what our traffic costs
the framework; the gap between this one and our bot is what our own logic costs.
"""

from __future__ import annotations

import os

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ParseMode
from telegram.ext import (
    ApplicationBuilder,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

AGAIN = InlineKeyboardMarkup([[InlineKeyboardButton("again", callback_data="again")]])
SHAPED = os.environ.get("ECHO_SHAPE") == "guide"
PROMPT = (
    "<b>你想先向平台提出什么？</b>\n选一个最接近的，我会帮你把话术写好。"
    "不知道怎么选也没关系，可以先说明情况，之后随时回来修改。"
)
CHOICES = InlineKeyboardMarkup(
    [
        [InlineKeyboardButton("申请延期还款", callback_data="4|extension")],
        [InlineKeyboardButton("申请重新分期", callback_data="4|installments")],
        [InlineKeyboardButton("先还一部分，剩下的再商量", callback_data="4|partial")],
        [
            InlineKeyboardButton("↩ 返回", callback_data="4|back"),
            InlineKeyboardButton("主菜单", callback_data="n:menu"),
        ],
    ]
)


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.message is not None and update.message.text is not None
    if SHAPED:
        await update.message.reply_text(PROMPT, parse_mode=ParseMode.HTML, reply_markup=CHOICES)
    else:
        await update.message.reply_text(update.message.text, reply_markup=AGAIN)


async def echo_press(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None and update.effective_chat is not None
    await query.answer()
    chat = update.effective_chat.id
    message = query.message
    if not SHAPED or not isinstance(message, Message) or message.text is None:
        await context.bot.send_message(chat, query.data or "", reply_markup=AGAIN)
        return
    await query.edit_message_text(
        f"{message.text_html}\n\n» {query.data}", parse_mode=ParseMode.HTML
    )
    await context.bot.send_message(chat, PROMPT, parse_mode=ParseMode.HTML, reply_markup=CHOICES)


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
