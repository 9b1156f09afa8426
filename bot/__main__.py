"""Entry point: `python -m bot` runs on Telegram with a token, in the terminal without one."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys

from bot.logs import configure_logging
from bot.settings import Settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot", description="逾期不慌 bot")
    parser.add_argument(
        "--terminal", action="store_true", help="talk in this terminal even if a token is set"
    )
    arguments = parser.parse_args(argv)
    settings = Settings()
    configure_logging(settings.log_level)
    if settings.telegram_bot_token is None or arguments.terminal:
        from bot.terminal import run_terminal

        logging.getLogger().setLevel(logging.WARNING)
        asyncio.run(run_terminal(settings))
        return 0
    from bot.telegram_app import run

    run(settings)
    return 0


if __name__ == "__main__":
    sys.exit(main())
