"""Logging that never carries message text, amounts or tokens: user ids only."""

from __future__ import annotations

import logging
import re
import traceback
from typing import Any

# Library loggers that would write update contents (python-telegram-bot at DEBUG) or request
# URLs containing the bot token (httpx at INFO) or SQL parameters (aiosqlite at DEBUG) are
# held above those levels.
QUIET_LIBRARIES = {
    "httpx": logging.WARNING,
    "httpcore": logging.WARNING,
    "aiohttp": logging.WARNING,
    "aiosqlite": logging.INFO,
    "telegram": logging.INFO,
    "apscheduler": logging.WARNING,
    "tornado.access": logging.WARNING,
}
_TOKEN = re.compile(r"\d{5,}:[A-Za-z0-9_-]{16,}")


class RedactTokens(logging.Filter):
    """Defence in depth: mask anything shaped like a bot token that reaches a handler."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if _TOKEN.search(message):
            record.msg, record.args = _TOKEN.sub("<token>", message), None
        return True


def _scrubbed_record_factory(original: Any) -> Any:
    """Records are made without the exception's message, which can quote what a person typed
    (a parser's ValueError, a library echoing a request): its type and frames are kept."""

    def make(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record: logging.LogRecord = original(*args, **kwargs)
        if record.exc_info and record.exc_info[1] is not None:
            error = record.exc_info[1]
            frames = "".join(traceback.format_tb(error.__traceback__))
            record.msg = f"{record.getMessage()} [{type(error).__name__}]\n{frames}".rstrip()
            record.args = None
            record.exc_info = None
            record.exc_text = None
        return record

    make.scrubbing = True  # type: ignore[attr-defined]
    return make


def scrub_exceptions() -> None:
    """From now on no log record carries an exception's message (idempotent)."""
    current = logging.getLogRecordFactory()
    if not getattr(current, "scrubbing", False):
        logging.setLogRecordFactory(_scrubbed_record_factory(current))


def configure_logging(level: str) -> None:
    logging.basicConfig(
        level=level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    for name, floor in QUIET_LIBRARIES.items():
        library = logging.getLogger(name)
        library.setLevel(max(floor, library.getEffectiveLevel()))
    for handler in logging.getLogger().handlers:
        handler.addFilter(RedactTokens())
    scrub_exceptions()
