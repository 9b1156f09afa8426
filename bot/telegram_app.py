"""The Telegram adapter: updates in, conversation turns out, replies sent. Nothing decided here."""

from __future__ import annotations

import logging
import secrets
import time
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from telegram import (
    Bot,
    BotCommand,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    Update,
)
from telegram.constants import ChatAction, ParseMode
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import Application, ApplicationBuilder, ContextTypes, TypeHandler

from bot import attachments, events, reminders
from bot.conversation import Conversation, Turn, apology
from bot.facts import load_facts
from bot.http import AiohttpRequest
from bot.limiter import BROADCAST, ReplyAwareLimiter
from bot.locale import Catalog, Locales
from bot.ordering import PerUserOrder
from bot.render import MESSAGE_LIMIT, RenderedReply, utf16_length
from bot.settings import Settings
from bot.storage import Storage
from flows.core import text

log = logging.getLogger(__name__)

COMMANDS = (
    "start",
    "menu",
    "debts",
    "budget",
    "plan",
    "progress",
    "log",
    "complaint",
    "reminders",
    "help",
)
CONVERSATION = "conversation"
# Ask a flooding user to slow down at most this often.
SLOW_DOWN_INTERVAL_SECONDS = 30
MAX_CONCURRENT_UPDATES = 512
# The first reminder pass runs this soon after start (catching up on time the bot was down).
FIRST_SCAN_SECONDS = 10


def build_application(settings: Settings) -> Application:
    if settings.telegram_bot_token is None:
        raise ValueError("TELEGRAM_BOT_TOKEN is not set")
    notices = SlowDownNotices()
    application = (
        ApplicationBuilder()
        .token(settings.telegram_bot_token.get_secret_value())
        .base_url(settings.telegram_api_base_url)
        .base_file_url(settings.file_base_url)
        .request(AiohttpRequest(settings.connection_pool_size))
        .get_updates_request(AiohttpRequest())
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
    _schedule_reminder_scan(application, settings)


def _schedule_reminder_scan(application: Application, settings: Settings) -> None:
    """The JobQueue runs a reminder pass every interval (one at a time: APScheduler skips a
    run while the previous pass is still sending)."""
    interval = settings.reminder_scan_seconds
    if not interval or application.job_queue is None:
        return
    application.job_queue.run_repeating(
        _reminder_job,
        interval=interval,
        first=min(interval, FIRST_SCAN_SECONDS),
        name="reminders",
        job_kwargs={"max_instances": 1, "coalesce": True},
    )


async def _reminder_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    try:
        await remind_once(context.application, conversation_of(context).clock())
    except Exception:
        log.exception("reminder pass failed")


async def remind_once(application: Application, now: datetime) -> reminders.PassReport:
    """One reminder pass at `now` with this application's bot and database."""
    conversation: Conversation = application.bot_data[CONVERSATION]
    return await reminders.run_pass(
        now,
        conversation.storage,
        conversation.locales,
        broadcast_sender(application.bot),
        facts=conversation.facts,
        settings=conversation.settings,
    )


def broadcast_sender(bot: Bot) -> reminders.Sender:
    """Sends a message nobody is waiting for: through the ~30/s bulk limiter."""

    async def send(chat_id: int, reply: RenderedReply) -> None:
        await send_reply(bot, chat_id, reply, rate_limit_args=BROADCAST)

    return send


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
            await send_reply(application.bot, chat_id, reply)
    except Forbidden:
        log.info("user %d blocked the bot; marked inactive", user_id)
        await application.bot_data[CONVERSATION].storage.mark_inactive(user_id)


async def send_reply(
    bot: Bot, chat_id: int, reply: RenderedReply, rate_limit_args: dict[str, bool] | None = None
) -> None:
    """Send one rendered reply: its parts, then its file. `rate_limit_args=BROADCAST` for a
    message nobody is waiting for."""
    limit: dict[str, Any] = {} if rate_limit_args is None else {"rate_limit_args": rate_limit_args}
    markup = _markup(reply)
    attachment = reply.attachment
    for index, part in enumerate(reply.parts):
        last_message = attachment is None and index == len(reply.parts) - 1
        await bot.send_message(
            chat_id,
            part,
            parse_mode=ParseMode.HTML,
            reply_markup=markup if last_message else None,
            **limit,
        )
    if attachment is None:
        return
    photo = attachment.kind == "plan_chart"
    await bot.send_chat_action(
        chat_id, ChatAction.UPLOAD_PHOTO if photo else ChatAction.UPLOAD_DOCUMENT, **limit
    )
    content = await attachments.produce_off_loop(attachment)
    if photo:
        await bot.send_photo(
            chat_id,
            content,
            caption=reply.caption,
            parse_mode=ParseMode.HTML,
            reply_markup=markup,
            **limit,
        )
    else:
        await bot.send_document(
            chat_id,
            content,
            filename=attachment.filename,
            caption=reply.caption,
            parse_mode=ParseMode.HTML,
            reply_markup=markup,
            **limit,
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
    try:
        await send_reply(
            context.bot,
            update.effective_chat.id,
            apology(conversation.locales.get(None), "common.error"),
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
