"""The Telegram adapter: updates in, conversation turns out, replies sent. Nothing decided here.
Long (the one place python-telegram-bot is wired: handlers, polling, webhook, start-up, jobs)."""

from __future__ import annotations

import asyncio
import copy
import logging
import secrets
import signal
import time
from dataclasses import replace
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from telegram import Bot, BotCommand, Message
from telegram.error import TelegramError
from telegram.ext import Application, ApplicationBuilder, ContextTypes, TypeHandler

from bot import api, events, outbox, reminders, workers
from bot.conversation import Conversation, Turn, apology
from bot.delivery import SWEEP_SECONDS, Delivery, send_message
from bot.facts import load_facts
from bot.http import AiohttpRequest
from bot.inbox import DurableQueue, InboxFlushingRequest
from bot.limiter import BROADCAST, ReplyAwareLimiter
from bot.locale import Catalog, Locales
from bot.loop import settle as settle_memory
from bot.ordering import PerUserOrder
from bot.render import MESSAGE_LIMIT, RenderedReply, utf16_length
from bot.settings import Settings
from bot.startup import BadToken, PatientApplication, patiently
from bot.storage.interface import open_store
from bot.storage.sqlite import StorageError
from bot.updates import RawUpdate, RawUpdatesBot, button_label, pressed_message, text_html
from bot.webhook import WebhookServer
from flows.domain.texts import text
from flows.steps.language import locale_for

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
    "language",
    "help",
)
CONVERSATION = "conversation"
SLOW_DOWN = "slow_down_notices"
DELIVERY = "delivery"
# Handled inbox rows are kept this long (a webhook retry of the same update is recognised),
# then pruned; the prune runs this often.
INBOX_KEEP_SECONDS = 3600
PRUNE_SECONDS = 600
# A failed setMyCommands at start-up is retried this much later.
SETUP_RETRY_SECONDS = 60
# Ask a flooding user to slow down at most this often.
SLOW_DOWN_INTERVAL_SECONDS = 30
MAX_CONCURRENT_UPDATES = 512
# The first reminder pass runs this soon after start (catching up on time the bot was down).
FIRST_SCAN_SECONDS = 10


def build_application(settings: Settings) -> Application:
    if settings.telegram_bot_token is None:
        raise ValueError("TELEGRAM_BOT_TOKEN is not set")
    notices = SlowDownNotices()
    processor = PerUserOrder(
        MAX_CONCURRENT_UPDATES, settings.max_queued_updates_per_user, notices.send
    )
    queue = DurableQueue()
    queue.processor = processor
    # Polling stores each fetched batch in one transaction before the next getUpdates.
    queue.batching = settings.webhook_url is None
    if settings.database_url is not None:
        # PostgreSQL: updates are stored, and handled by the workers (bot/workers.py).
        queue.local = False
        queue.processor = None
    # Updates are read as the JSON Telegram sent (bot/updates.py), never as PTB's objects.
    bot = RawUpdatesBot(
        settings.telegram_bot_token.get_secret_value(),
        base_url=settings.telegram_api_base_url,
        base_file_url=settings.file_base_url,
        request=AiohttpRequest(settings.connection_pool_size),
        get_updates_request=InboxFlushingRequest(queue),
        rate_limiter=ReplyAwareLimiter(),
    )
    application = (
        ApplicationBuilder()
        .application_class(PatientApplication)
        .bot(bot)
        .update_queue(queue)
        .concurrent_updates(processor)
        .post_init(_post_init)
        .post_shutdown(_post_shutdown)
        .build()
    )
    application.bot_data["settings"] = settings
    application.bot_data[SLOW_DOWN] = notices
    notices.application = application
    application.add_handler(TypeHandler(RawUpdate, on_update))
    application.add_error_handler(on_error)
    return application


async def open_conversation(settings: Settings) -> Conversation:
    storage = await open_store(settings)
    locales = Locales.load(settings.locales_dir, settings.default_locale)
    return Conversation(storage, locales, load_facts(settings.data_dir), settings)


async def _post_init(application: Application) -> None:
    settings: Settings = application.bot_data["settings"]
    conversation = await open_conversation(settings)
    application.bot_data[CONVERSATION] = conversation
    delivery = Delivery(application.bot, conversation.storage, conversation.locales.get(None))
    # PostgreSQL: other processes' workers may have left this user's messages in the outbox.
    delivery.from_memory = settings.database_url is None
    application.bot_data[DELIVERY] = delivery
    await delivery.load_owed()
    queue = application.update_queue
    if settings.database_url is not None:
        if isinstance(queue, DurableQueue):
            queue.storage = conversation.storage
            notices: SlowDownNotices = application.bot_data[SLOW_DOWN]
            queue.store_capped = workers.FloodCap(
                conversation.storage,  # type: ignore[arg-type]
                settings.max_queued_updates_per_user,
                notices.message(conversation),
                SLOW_DOWN_INTERVAL_SECONDS,
                notices.crisis,
            )
        workers.start(application, conversation, delivery)
    elif isinstance(queue, DurableQueue):
        queue.storage = conversation.storage
        given_up = await queue.resume(conversation.storage)
        for user_id in given_up:
            _background(application, _apologise(delivery, conversation, user_id))
    if settings.database_url is None:
        # Replies committed before a crash go out now, beside the resumed updates (on
        # PostgreSQL the workers do it, under each user's lock).
        _background(application, delivery.flush_all())
    await _set_commands(application, conversation.locales)
    _schedule_reminder_scan(application, settings)
    _schedule_upkeep(application)
    polling = settings.webhook_url is None and settings.role != "worker"
    if settings.database_url is not None and polling:
        await workers.hold_polling_lease(application)  # one getUpdates consumer
    settle_memory()


def _background(application: Application, coroutine: Any) -> None:
    application.bot_data.setdefault("_tasks", set())
    task = asyncio.get_running_loop().create_task(coroutine)
    tasks: set[asyncio.Task[Any]] = application.bot_data["_tasks"]
    tasks.add(task)
    task.add_done_callback(tasks.discard)


async def _apologise(delivery: Delivery, conversation: Conversation, user_id: int) -> None:
    """An update given up (it crashed the bot at every start): its turn never committed."""
    await delivery.send_now(user_id, [apology(conversation.locales.get(None), "common.error")])


def _schedule_upkeep(application: Application) -> None:
    """The outbox sweep (replies whose delivery kept failing) and the inbox prune."""
    if application.job_queue is None:
        return
    application.job_queue.run_repeating(
        _sweep_job,
        interval=SWEEP_SECONDS,
        first=SWEEP_SECONDS,
        name="outbox",
        job_kwargs={"max_instances": 1, "coalesce": True},
    )
    application.job_queue.run_repeating(
        _prune_job,
        interval=PRUNE_SECONDS,
        first=1,
        name="inbox",
        job_kwargs={"max_instances": 1, "coalesce": True},
    )


async def _sweep_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    if context.application.bot_data["settings"].database_url is not None:
        return  # PostgreSQL: the workers sweep, under each user's lock (bot/workers.py)
    try:
        await context.application.bot_data[DELIVERY].flush_all()
    except Exception:
        log.exception("outbox sweep failed")


async def _prune_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    storage = conversation_of(context).storage
    try:
        pruned = await storage.inbox_prune(int(time.time()) - INBOX_KEEP_SECONDS)
        counts = await storage.inbox_counts()
    except StorageError:
        log.warning("inbox prune failed; retried at the next one")
        return
    log.info(
        "inbox: %d handled rows pruned; now %d pending, %d done, %d failed, %d in the outbox",
        pruned,
        counts["pending"],
        counts["done"],
        counts["failed"],
        counts["outbox"],
    )


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
        if not await workers.may_send_reminders(context.application):
            return
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
        workers.leading_sender(application, broadcast_sender(application.bot)),
        facts=conversation.facts,
        settings=conversation.settings,
    )


def broadcast_sender(bot: Bot) -> reminders.Sender:
    """Sends a message nobody is waiting for: through the ~30/s bulk limiter."""

    async def send(chat_id: int, reply: RenderedReply) -> None:
        for message in outbox.messages_of([reply]):
            await send_message(bot, chat_id, message, rate_limit_args=BROADCAST)

    return send


async def _post_shutdown(application: Application) -> None:
    for task in list(application.bot_data.get("_tasks", ())):
        task.cancel()
    await workers.stop(application)
    conversation: Conversation | None = application.bot_data.pop(CONVERSATION, None)
    if conversation is not None:
        await conversation.storage.close()


async def _set_commands(application: Application, locales: Locales) -> None:
    """The command menu in each language. A Bot API error here must not stop the bot: it
    answers people without the menu, and tries again a minute later until it works."""
    try:
        for name, catalog in locales.catalogs.items():
            commands = [BotCommand(c, catalog.render(text(f"commands.{c}"))) for c in COMMANDS]
            language = None if name == locales.default else name.split("-")[0]
            await application.bot.set_my_commands(commands, language_code=language)
    except TelegramError as error:
        log.warning(
            "setting the command menu failed (%s); retrying in %ds",
            type(error).__name__,
            SETUP_RETRY_SECONDS,
        )
        if application.job_queue is not None:
            application.job_queue.run_once(_retry_commands, SETUP_RETRY_SECONDS)


async def _retry_commands(context: ContextTypes.DEFAULT_TYPE) -> None:
    await _set_commands(context.application, conversation_of(context).locales)


def conversation_of(context: ContextTypes.DEFAULT_TYPE) -> Conversation:
    return context.application.bot_data[CONVERSATION]


async def on_update(update: RawUpdate, context: ContextTypes.DEFAULT_TYPE) -> None:
    """One update: earlier replies still owed go out first, then the turn is committed with
    its inbox row and its replies (bot/conversation.py), then the replies are delivered."""
    conversation = conversation_of(context)
    incoming = events.read(update)
    if incoming is None or not incoming.private:
        if incoming is not None:
            default = conversation.settings.default_locale
            locale = locale_for(incoming.language_code, default)
            heard = conversation.crisis_reply(incoming.event)
            if heard is not None:
                # Words of crisis are answered anywhere; buttons would act on whoever pressed.
                bot = context.application.bot
                await send_reply(bot, incoming.chat_id, replace(heard, keyboard=()))
            await _refuse_group(context.bot, update, conversation.locales.get(locale))
        await _finish(conversation, update.update_id, "done")
        return
    delivery: Delivery = context.application.bot_data[DELIVERY]
    await delivery.flush_owed(incoming.user_id)
    turn = await conversation.handle(
        incoming.user_id,
        incoming.chat_id,
        incoming.event,
        update.update_id,
        language_code=incoming.language_code,
        outbox=True,
    )
    if not turn.saved:
        # Nothing committed: the apology is true, and the update must not be resumed later.
        await _finish(conversation, update.update_id, "failed")
        await delivery.send_now(incoming.chat_id, turn.replies)
    if update.callback_query is not None:
        await _acknowledge_press(context.bot, update.callback_query, turn)
    await delivery.flush(incoming.user_id, incoming.chat_id, turn.committed)


async def _finish(conversation: Conversation, update_id: int, status: str) -> None:
    try:
        await conversation.storage.inbox_finish(update_id, status)
    except StorageError:
        log.warning("update %d could not be marked %s", update_id, status)


async def send_reply(
    bot: Bot, chat_id: int, reply: RenderedReply, rate_limit_args: dict[str, bool] | None = None
) -> None:
    """Send one rendered reply now, without the outbox: its parts, then its file.
    `rate_limit_args=BROADCAST` for a message nobody is waiting for."""
    for message in outbox.messages_of([reply]):
        await send_message(bot, chat_id, message, rate_limit_args=rate_limit_args)


async def _acknowledge_press(bot: Bot, query: dict[str, Any], turn: Turn) -> None:
    """Stop the button's spinner, and mark the pressed message so it can't be pressed twice."""
    toast = None if turn.button_ok else turn.catalog.render(text("common.stale_toast"))
    try:
        # Plain API calls: their answers (True, the edited Message) are never read.
        await api.call(
            bot, "answerCallbackQuery", {"callback_query_id": query["id"], "text": toast}
        )
        message = pressed_message(query)
        if message is None:
            return
        where = {"chat_id": message["chat"]["id"], "message_id": message["message_id"]}
        data = query.get("data")
        label = button_label(message, data) if isinstance(data, str) and data else None
        marked_text = text_html(message) if turn.button_ok and label is not None else None
        if marked_text is not None:
            chosen = turn.catalog.render(text("common.chosen", label=label))
            marked = f"{marked_text}\n\n{chosen}"
            if utf16_length(marked) <= MESSAGE_LIMIT:
                await api.call(
                    bot, "editMessageText", {**where, "text": marked, "parse_mode": api.HTML}
                )
                return
        if message.get("reply_markup") is not None:
            await api.call(bot, "editMessageReplyMarkup", where)
    except TelegramError as error:
        # The message may be too old to edit, or already edited, or the API failed: nothing
        # the user needs (their turn is saved and its replies are on their way).
        log.debug("could not mark pressed message: %s", type(error).__name__)


async def _refuse_group(bot: Bot, update: RawUpdate, catalog: Catalog) -> None:
    query = update.callback_query
    if query is not None:
        await api.call(bot, "answerCallbackQuery", {"callback_query_id": query["id"]})
        return
    message = update.message
    command = message.get("text") if message is not None else None
    if message is None or not isinstance(command, str) or not command.startswith("/"):
        return
    try:
        # Rare: python-telegram-bot's reply (quoting it in a group, in its topic).
        replied = Message.de_json(copy.deepcopy(message), bot)  # de_json changes its dict
    except Exception:
        log.debug("group message not readable; not answered")
        return
    await replied.reply_text(catalog.render(text("common.private_only")))


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log an unexpected failure (type and user id only) and tell the user, never silence.
    Only a turn that did not commit gets here (delivery after a commit never raises), so
    saying it did not go through is true; its inbox row is marked failed, not resumed."""
    raw = update if isinstance(update, RawUpdate) else None
    user = raw.sender_id if raw is not None else None
    error = context.error
    log.error("update from user %s failed", user, exc_info=error)
    chat_id = raw.chat_id if raw is not None else None
    if raw is None or chat_id is None:
        return
    conversation: Conversation | None = context.application.bot_data.get(CONVERSATION)
    delivery: Delivery | None = context.application.bot_data.get(DELIVERY)
    if conversation is None or delivery is None:
        return
    await _finish(conversation, raw.update_id, "failed")
    await delivery.send_now(chat_id, [apology(conversation.locales.get(None), "common.error")])


class SlowDownNotices:
    """Tells a flooding user, at most once per interval, that the extra messages were skipped.
    The notice joins their outbox, so it waits its turn behind the replies already owed to
    them (Telegram limits messages per chat) instead of being sent into a 429."""

    def __init__(self) -> None:
        self.application: Application | None = None
        self._last_sent: dict[int, float] = {}
        self.sent = 0

    async def send(self, update: RawUpdate) -> None:
        chat_id, user_id = update.chat_id, update.sender_id
        if self.application is None or chat_id is None or user_id is None:
            return
        conversation: Conversation | None = self.application.bot_data.get(CONVERSATION)
        if conversation is None:
            return
        if await self.crisis(update):
            return
        now = time.monotonic()
        if now - self._last_sent.get(chat_id, float("-inf")) < SLOW_DOWN_INTERVAL_SECONDS:
            return
        self._last_sent[chat_id] = now
        self._forget_before(now - SLOW_DOWN_INTERVAL_SECONDS)
        delivery: Delivery | None = self.application.bot_data.get(DELIVERY)
        if delivery is None:
            return
        message = self.message(conversation)
        try:
            await conversation.storage.outbox_put(user_id, chat_id, message)
        except StorageError:
            log.warning("could not queue the slow-down notice")
            return
        self.sent += 1
        delivery.owed.add(user_id)
        # Usually their next queued turn delivers it; this covers a flood that has ended.
        _background(self.application, delivery.flush(user_id))

    async def crisis(self, update: RawUpdate) -> bool:
        """A dropped message with words of crisis still gets the hotline reply, every time."""
        chat_id = update.chat_id
        assert self.application is not None
        conversation: Conversation | None = self.application.bot_data.get(CONVERSATION)
        incoming = events.read(update)
        if conversation is None or chat_id is None or incoming is None:
            return False
        heard = conversation.crisis_reply(incoming.event)
        if heard is None:
            return False
        try:
            await send_reply(self.application.bot, chat_id, heard)
        except TelegramError:
            log.warning("could not send the crisis reply to a flooding user")
        return True

    @staticmethod
    def message(conversation: Conversation) -> str:
        """The notice, as an outbox message."""
        notice = conversation.locales.get(None).render(text("common.slow_down"))
        return outbox.dumps(outbox.OutgoingMessage(notice, ()))

    def _forget_before(self, moment: float) -> None:
        if len(self._last_sent) > 1000:
            self._last_sent = {c: t for c, t in self._last_sent.items() if t >= moment}


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


async def start_webhook(application: Application, settings: Settings) -> WebhookServer:
    """Initialise the application, register the webhook with Telegram and start the server
    (bot/webhook.py) and the application; stop with `stop_webhook`."""
    options = webhook_options(settings)
    await application.initialize()
    if application.post_init is not None:
        await application.post_init(application)
    server = WebhookServer(
        application.update_queue,
        application.bot,
        str(options["url_path"]),
        str(options["secret_token"]),
        settings.webhook_listen,
        settings.webhook_port,
    )
    await server.start()
    await patiently(
        lambda: application.bot.set_webhook(
            str(options["webhook_url"]),
            secret_token=str(options["secret_token"]),
            allowed_updates=ALLOWED_UPDATES,
        ),
        "setWebhook",
    )
    await application.start()
    return server


async def stop_webhook(application: Application, server: WebhookServer) -> None:
    await server.stop()
    await application.stop()
    await application.shutdown()
    if application.post_shutdown is not None:
        await application.post_shutdown(application)


async def _run_webhook(settings: Settings) -> None:
    application = build_application(settings)
    server = await start_webhook(application, settings)
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signal_number in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signal_number, stopping.set)
    try:
        await stopping.wait()
    finally:
        await stop_webhook(application, server)


def run(settings: Settings) -> int:
    """Run on Telegram until interrupted: webhook when WEBHOOK_URL is set, else polling.
    Returns the exit status: 1 when Telegram rejects the token (nothing else ends start-up)."""
    try:
        _run(settings)
    except BadToken:
        log.error("Telegram rejected the bot token (401): check TELEGRAM_BOT_TOKEN; exiting")
        return 1
    return 0


def _run(settings: Settings) -> None:
    if settings.database_url is not None and settings.role == "worker":
        log.info("running as a worker (no polling, no webhook)")
        workers.run_worker(build_application(settings))
    elif settings.webhook_url:
        log.info("running with a webhook")
        asyncio.run(_run_webhook(settings))
    else:
        log.info("running with long polling")
        poll(settings)


def poll(settings: Settings) -> None:
    """Long polling by python-telegram-bot's Updater, until SIGINT/SIGTERM. Each fetched batch
    is stored before the next getUpdates acknowledges it (InboxFlushingRequest, bot/inbox.py).
    Our own getUpdates loop was measured (2026-12-06, a quiet machine) at 1.04-1.05x the CPU
    per update of this one, so the Updater stays: one polling path, the one the tests drive."""
    # A Bot API error while removing a webhook at start-up is retried, not fatal.
    build_application(settings).run_polling(
        allowed_updates=ALLOWED_UPDATES, bootstrap_retries=-1, poll_interval=poll_interval(settings)
    )


def poll_interval(settings: Settings) -> float:
    """Seconds between getUpdates calls: on PostgreSQL a receiving process lets batches gather
    (each is one inbox write); SQLite's group commit already joins a batch's writes."""
    paced = settings.database_url is not None and settings.role != "worker"
    return settings.receiver_batch_seconds if paced else 0.0
