"""Bot API calls whose answer the bot never reads, sent as plain JSON through the public
`Bot.do_api_request`: no python-telegram-bot objects built for the request (keyboards) or
from the response (the sent `Message`), which was ~15% of the bot's CPU per update (see
benchmarks/RESULTS.md). Errors, timeouts and the rate limiter are python-telegram-bot's, as
for its own methods: `Forbidden` when the user blocked the bot, `BadRequest`, `RetryAfter`.
"""

from __future__ import annotations

import warnings
from typing import Any

from telegram import Bot
from telegram.warnings import PTBUserWarning

Keyboard = tuple[tuple[tuple[str, str], ...], ...]  # rows of (label, callback data)
HTML = "HTML"

# do_api_request suggests the typed method for a method python-telegram-bot knows; here the
# untyped call is the point.
warnings.filterwarnings("ignore", message="Please use 'Bot.", category=PTBUserWarning)


async def call(
    bot: Bot, method: str, parameters: dict[str, Any], rate_limit_args: Any = None
) -> Any:
    """One Bot API call; the raw JSON result (a dict or True). `rate_limit_args` goes to the
    application's rate limiter (bot/limiter.py) when the bot has one."""
    if rate_limit_args is None:
        return await bot.do_api_request(method, parameters)
    return await bot.do_api_request(  # type: ignore[call-arg]
        method, parameters, rate_limit_args=rate_limit_args
    )


def inline_keyboard(keyboard: Keyboard) -> dict[str, Any] | None:
    """The reply_markup of a message with these buttons, as the Bot API reads it."""
    if not keyboard:
        return None
    return {
        "inline_keyboard": [
            [{"text": label, "callback_data": data} for label, data in row] for row in keyboard
        ]
    }


async def send_text(
    bot: Bot,
    chat_id: int,
    text: str,
    keyboard: Keyboard = (),
    rate_limit_args: Any = None,
) -> None:
    """sendMessage in HTML, with inline buttons when given."""
    parameters: dict[str, Any] = {"chat_id": chat_id, "text": text, "parse_mode": HTML}
    markup = inline_keyboard(keyboard)
    if markup is not None:
        parameters["reply_markup"] = markup
    await call(bot, "sendMessage", parameters, rate_limit_args)
