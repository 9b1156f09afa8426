"""Entry point: `python -m bot` runs on Telegram with a token, in the terminal without one;
`python -m bot remind --now <ISO time> [--dry-run]` runs one reminder pass and exits;
`--role receiver|worker|both` splits the work between processes on PostgreSQL (README)."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from bot import loop
from bot.logs import configure_logging
from bot.settings import Settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bot",
        description="The overdue-loan guide bot (Telegram, or the terminal without a token)",
    )
    parser.add_argument(
        "--terminal", action="store_true", help="talk in this terminal even if a token is set"
    )
    parser.add_argument(
        "--role",
        choices=("both", "receiver", "worker"),
        help="with DATABASE_URL (PostgreSQL): receive updates (polling: one process only), "
        "handle them from the inbox (any number of processes), or both (default; ROLE)",
    )
    commands = parser.add_subparsers(dest="command")
    remind = commands.add_parser(
        "remind", help="run one reminder pass (for cron) and print what it did as JSON"
    )
    remind.add_argument(
        "--now",
        help="the time of the pass, ISO 8601 (e.g. 2026-11-27T09:00+08:00); without an offset "
        "it is read in DEFAULT_TIMEZONE; default: the current time",
    )
    remind.add_argument(
        "--dry-run", action="store_true", help="print what would be sent; send nothing, log nothing"
    )
    arguments = parser.parse_args(argv)
    settings = Settings()
    if arguments.role:
        settings = settings.model_copy(update={"role": arguments.role})
    if settings.role != "both" and settings.database_url is None:
        parser.error("--role receiver or worker needs DATABASE_URL (PostgreSQL)")
    configure_logging(settings.log_level)
    logging.getLogger(__name__).debug("event loop: %s", loop.install())
    if arguments.command == "remind":
        try:
            now = pass_time(arguments.now, settings.default_timezone)
        except ValueError as error:
            parser.error(f"--now: {error}")
        from bot.reminder_command import remind_command

        return asyncio.run(remind_command(settings, now, dry_run=arguments.dry_run))
    if settings.telegram_bot_token is None or arguments.terminal:
        from bot.terminal import run_terminal

        logging.getLogger().setLevel(logging.WARNING)
        asyncio.run(run_terminal(settings))
        return 0
    from bot.telegram_app import run

    return run(settings)


def pass_time(given: str | None, default_zone: str) -> datetime:
    if given is None:
        return datetime.now(UTC)
    moment = datetime.fromisoformat(given)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(default_zone))
    return moment


if __name__ == "__main__":
    sys.exit(main())
