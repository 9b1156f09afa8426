"""The Telegram adapter: updates in, conversation turns out, replies sent. Nothing decided here."""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from urllib.parse import urlsplit

from telegram import (
    BotCommand,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    Update,
)
from telegram.constants import ChatAction, ParseMode
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import Application, ApplicationBuilder, ContextTypes, TypeHandler

from bot import attachments, events
from bot.conversation import Conversation, Turn
from bot.facts import load_facts
from bot.limiter import ReplyAwareLimiter
from bot.locale import Catalog, Locales
from bot.ordering import PerUserOrder
from bot.render import MESSAGE_LIMIT, RenderedReply, utf16_length
from bot.settings import Settings
from bot.storage import Storage
from flows.core import text

log = logging.getLogger(__name__)

COMMANDS = ("start", "menu", "debts", "budget", "plan", "complaint", "help")
CONVERSATION = "conversation"
# Ask a flooding user to slow down at most this often.
SLOW_DOWN_INTERVAL_SECONDS = 30
MAX_CONCURRENT_UPDATES = 512


def build_application(settings: Settings) -> Application:
    if settings.telegram_bot_token is None:
        raise ValueError("TELEGRAM_BOT_TOKEN is not set")
    notices = SlowDownNotices()
    application = (
        ApplicationBuilder()
        .token(settings.telegram_bot_token.get_secret_value())
        .base_url(settings.telegram_api_base_url)
        .base_file_url(settings.file_base_url)
        .connection_pool_size(settings.connection_pool_size)
        .rate_limiter(ReplyAwareLimiter())
        .concurrent_updates(
            PerUserOrder(MAX_CONCURRENT_UPDATES, settings.max_queued_updates_per_user, notices.send)
        )
        .post_init(_post_init)
        .post_shutdown(_post_shutdown)
        .build()
    )
    application.bot_data["settings"] = settings
    notices.application = application
    application.add_handler(TypeHandler(Update, on_update))
    application.add_error_handler(on_error)
    return application


async def open_conversation(settings: Settings) -> Conversation:
    storage = await Storage.open(settings.database_path)
    locales = Locales.load(settings.locales_dir, settings.default_locale)
    return Conversation(storage, locales, load_facts(settings.data_dir), settings)


async def _post_init(application: Application) -> None:
    settings: Settings = application.bot_data["settings"]
    conversation = await open_conversation(settings)
    application.bot_data[CONVERSATION] = conversation
    await _set_commands(application, conversation.locales)


async def _post_shutdown(application: Application) -> None:
    conversation: Conversation | None = application.bot_data.pop(CONVERSATION, None)
    if conversation is not None:
        await conversation.storage.close()


async def _set_commands(application: Application, locales: Locales) -> None:
    for name, catalog in locales.catalogs.items():
        commands = [BotCommand(c, catalog.render(text(f"commands.{c}"))) for c in COMMANDS]
        language = None if name == locales.default else name.split("-")[0]
        await application.bot.set_my_commands(commands, language_code=language)


def conversation_of(context: ContextTypes.DEFAULT_TYPE) -> Conversation:
    return context.application.bot_data[CONVERSATION]


async def on_update(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    incoming = events.read(update)
    if incoming is None:
        return
    conversation = conversation_of(context)
    if not incoming.private:
        await _refuse_group(update, conversation.locales.get(None))
        return
    turn = await conversation.handle(
        incoming.user_id, incoming.chat_id, incoming.event, update.update_id
    )
    if update.callback_query is not None:
        await _acknowledge_press(update, turn)
    await deliver(context.application, incoming.user_id, incoming.chat_id, turn)


async def deliver(application: Application, user_id: int, chat_id: int, turn: Turn) -> None:
    """Send a turn's replies in order; a user who blocked the bot is marked inactive."""
    try:
        for reply in turn.replies:
            await _send(application, chat_id, reply)
    except Forbidden:
        log.info("user %d blocked the bot; marked inactive", user_id)
        await application.bot_data[CONVERSATION].storage.mark_inactive(user_id)


async def _send(application: Application, chat_id: int, reply: RenderedReply) -> None:
    bot = application.bot
    markup = _markup(reply)
    attachment = reply.attachment
    for index, part in enumerate(reply.parts):
        last_message = attachment is None and index == len(reply.parts) - 1
        await bot.send_message(
            chat_id, part, parse_mode=ParseMode.HTML, reply_markup=markup if last_message else None
        )
    if attachment is None:
        return
    photo = attachment.kind == "plan_chart"
    await bot.send_chat_action(
        chat_id, ChatAction.UPLOAD_PHOTO if photo else ChatAction.UPLOAD_DOCUMENT
    )
    content = await asyncio.to_thread(attachments.produce, attachment)
    if photo:
        await bot.send_photo(
            chat_id, content, caption=reply.caption, parse_mode=ParseMode.HTML, reply_markup=markup
        )
    else:
        await bot.send_document(
            chat_id,
            content,
            filename=attachment.filename,
            caption=reply.caption,
            parse_mode=ParseMode.HTML,
            reply_markup=markup,
        )


def _markup(reply: RenderedReply) -> InlineKeyboardMarkup | None:
    if not reply.keyboard:
        return None
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(label, callback_data=data) for label, data in row]
            for row in reply.keyboard
        ]
    )


async def _acknowledge_press(update: Update, turn: Turn) -> None:
    """Stop the button's spinner, and mark the pressed message so it can't be pressed twice."""
    query = update.callback_query
    assert query is not None
    toast = None if turn.button_ok else turn.catalog.render(text("common.stale_toast"))
    try:
        await query.answer(text=toast)
        message = query.message
        if not isinstance(message, Message):
            return
        label = _pressed_label(message, query.data or "")
        if turn.button_ok and label is not None and message.text is not None:
            chosen = turn.catalog.render(text("common.chosen", label=label))
            marked = f"{message.text_html}\n\n{chosen}"
            if utf16_length(marked) <= MESSAGE_LIMIT:
                await query.edit_message_text(marked, parse_mode=ParseMode.HTML)
                return
        if message.reply_markup is not None:
            await query.edit_message_reply_markup(reply_markup=None)
    except BadRequest as error:
        # The message may be too old to edit, or already edited: nothing the user needs.
        log.debug("could not mark pressed message: %s", error)


def _pressed_label(message: Message, data: str) -> str | None:
    markup = message.reply_markup
    if markup is None:
        return None
    for row in markup.inline_keyboard:
        for button in row:
            if button.callback_data == data:
                return button.text
    return None


async def _refuse_group(update: Update, catalog: Catalog) -> None:
    message = update.effective_message
    if update.callback_query is not None:
        await update.callback_query.answer()
    if message is not None and message.text and message.text.startswith("/"):
        await message.reply_text(catalog.render(text("common.private_only")))


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log an unexpected failure (type and user id only) and tell the user, never silence."""
    user = (
        update.effective_user.id if isinstance(update, Update) and update.effective_user else None
    )
    error = context.error
    log.error("update from user %s failed: %s", user, type(error).__name__, exc_info=error)
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    conversation: Conversation | None = context.application.bot_data.get(CONVERSATION)
    if conversation is None:
        return
    catalog = conversation.locales.get(None)
    try:
        await context.bot.send_message(
            update.effective_chat.id,
            catalog.render(text("common.error")),
            parse_mode=ParseMode.HTML,
        )
    except TelegramError:
        log.warning("could not tell user %s about the failure", user)


class SlowDownNotices:
    """Tells a flooding user, at most once per interval, that messages are being queued."""

    def __init__(self) -> None:
        self.application: Application | None = None
        self._last_sent: dict[int, float] = {}

    async def send(self, update: Update) -> None:
        chat = update.effective_chat
        if self.application is None or chat is None:
            return
        now = time.monotonic()
        if now - self._last_sent.get(chat.id, float("-inf")) < SLOW_DOWN_INTERVAL_SECONDS:
            return
        self._last_sent[chat.id] = now
        conversation: Conversation | None = self.application.bot_data.get(CONVERSATION)
        if conversation is None:
            return
        catalog = conversation.locales.get(None)
        try:
            await self.application.bot.send_message(
                chat.id, catalog.render(text("common.slow_down")), parse_mode=ParseMode.HTML
            )
        except TelegramError:
            log.warning("could not send slow-down notice")


ALLOWED_UPDATES = ["message", "callback_query"]


def webhook_options(settings: Settings) -> dict[str, object]:
    """Arguments for start_webhook/run_webhook: listen address, path, URL and secret token."""
    if settings.webhook_url is None:
        raise ValueError("WEBHOOK_URL is not set")
    secret = settings.webhook_secret_token
    path = urlsplit(settings.webhook_url).path.strip("/")
    return {
        "listen": settings.webhook_listen,
        "port": settings.webhook_port,
        "url_path": path,
        "webhook_url": settings.webhook_url,
        "secret_token": secret.get_secret_value() if secret else secrets.token_urlsafe(32),
        "allowed_updates": ALLOWED_UPDATES,
    }


def run(settings: Settings) -> None:
    """Run on Telegram until interrupted: webhook when WEBHOOK_URL is set, else polling."""
    application = build_application(settings)
    if settings.webhook_url:
        log.info("running with a webhook")
        application.run_webhook(**webhook_options(settings))  # type: ignore[arg-type]
    else:
        log.info("running with long polling")
        application.run_polling(allowed_updates=ALLOWED_UPDATES)
