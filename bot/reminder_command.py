"""`python -m bot remind`: one reminder pass from the command line, for cron or for checking.

A dry run needs no token and sends and writes nothing; it prints one JSON line per due
reminder (with the text it would send), then the totals.
"""

from __future__ import annotations

import sys
from datetime import datetime
from typing import TextIO

from telegram.ext import ExtBot

from bot.facts import load_facts
from bot.limiter import ReplyAwareLimiter
from bot.locale import Locales
from bot.reminders import print_report, run_pass
from bot.settings import Settings
from bot.storage.interface import open_store
from bot.storage.postgres import PgStorage
from bot.telegram_app import broadcast_sender
from bot.workers import Leader, while_leading


async def remind_command(
    settings: Settings, now: datetime, *, dry_run: bool, out: TextIO | None = None
) -> int:
    if not dry_run and settings.telegram_bot_token is None:
        sys.stderr.write("TELEGRAM_BOT_TOKEN is not set: nothing can be sent (try --dry-run)\n")
        return 2
    storage = await open_store(settings)
    locales = Locales.load(settings.locales_dir, settings.default_locale)
    facts = load_facts(settings.data_dir)
    leader = Leader(storage.url) if isinstance(storage, PgStorage) and not dry_run else None
    try:
        if leader is not None and not await leader.holds():
            # PostgreSQL: a running bot process is the reminder leader and sends them; a
            # second sender would break the bot-wide bulk rate (bot/workers.py).
            sys.stderr.write("another process sends the reminders (it holds the leader lock)\n")
            return 0
        if dry_run:
            report = await run_pass(
                now, storage, locales, None, facts=facts, settings=settings, dry_run=True
            )
        else:
            assert settings.telegram_bot_token is not None
            bot = ExtBot(
                settings.telegram_bot_token.get_secret_value(),
                base_url=settings.telegram_api_base_url,
                base_file_url=settings.file_base_url,
                rate_limiter=ReplyAwareLimiter(),
            )
            async with bot:
                send = while_leading(leader, broadcast_sender(bot))
                report = await run_pass(now, storage, locales, send, facts=facts, settings=settings)
    finally:
        if leader is not None:
            await leader.close()
        await storage.close()
    # sys.stdout as it is now (a default bound at import would keep an old stream).
    print_report(report, out or sys.stdout, dry_run=dry_run)
    return 0
