"""Telegram updates read as the JSON Telegram sent, never as python-telegram-bot's Update objects
(building those was ~16% of the event loop per update, see benchmarks/RESULTS.md).

An update is untrusted data: every accessor tolerates a missing or wrong-typed field and answers
None, so a forged or malformed update is ignored instead of crashing the loop. Only the kinds
the bot reads (a message, a button press) have a sender; anything else (an edited message, a
channel post) is passed on without one and ignored, as before.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from telegram import Message, MessageEntity
from telegram._utils.entities import parse_message_entities
from telegram.ext import ExtBot

JSON = dict[str, Any]


def as_dict(value: object) -> JSON | None:
    return value if isinstance(value, dict) else None


def as_int(value: object) -> int | None:
    # bool is an int in Python; never an id.
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def as_str(value: object) -> str | None:
    return value if isinstance(value, str) else None


@dataclass(frozen=True, slots=True)
class RawUpdate:
    """One update: its id and the dict as Telegram sent it (read, never changed)."""

    update_id: int
    data: JSON

    @classmethod
    def of(cls, data: object) -> RawUpdate | None:
        """The update in this decoded JSON; None when it is not one (no integer update_id)."""
        found = as_dict(data)
        if found is None:
            return None
        update_id = as_int(found.get("update_id"))
        return None if update_id is None else cls(update_id, found)

    @property
    def well_formed(self) -> bool:
        """Shaped as the Bot API's Update: besides update_id, every field is an object."""
        return all(isinstance(v, dict) for k, v in self.data.items() if k != "update_id")

    def to_json(self) -> str:
        """As stored in the inbox: the update as it came."""
        return json.dumps(self.data, ensure_ascii=False)

    @property
    def message(self) -> JSON | None:
        """A new message (not an edited one, not a channel post)."""
        return as_dict(self.data.get("message"))

    @property
    def callback_query(self) -> JSON | None:
        """A button press, when it has an id to answer."""
        query = as_dict(self.data.get("callback_query"))
        return query if query is not None and as_str(query.get("id")) is not None else None

    @property
    def sender(self) -> JSON | None:
        """Who sent the message or pressed the button (their `from`), with an integer id."""
        source = self.callback_query or self.message
        user = as_dict(source.get("from")) if source is not None else None
        return user if user is not None and as_int(user.get("id")) is not None else None

    @property
    def sender_id(self) -> int | None:
        user = self.sender
        return None if user is None else as_int(user.get("id"))

    @property
    def chat(self) -> JSON | None:
        """The chat of the message, or of the pressed message; None for a press on an inline
        message (no chat) or a chat without an integer id."""
        query = self.callback_query
        message = as_dict(query.get("message")) if query is not None else self.message
        chat = as_dict(message.get("chat")) if message is not None else None
        return chat if chat is not None and as_int(chat.get("id")) is not None else None

    @property
    def chat_id(self) -> int | None:
        chat = self.chat
        return None if chat is None else as_int(chat.get("id"))


def pressed_message(query: JSON) -> JSON | None:
    """The message whose button was pressed, when the bot can still edit it: Telegram sends an
    inaccessible message (date 0) for one too old, and none for an inline message."""
    message = as_dict(query.get("message"))
    if (
        message is None
        or not as_int(message.get("date"))
        or as_int(message.get("message_id")) is None
    ):
        return None
    chat = as_dict(message.get("chat"))
    return message if chat is not None and as_int(chat.get("id")) is not None else None


def button_label(message: JSON, data: str) -> str | None:
    """The label of the message's inline button carrying `data`."""
    markup = as_dict(message.get("reply_markup"))
    rows = markup.get("inline_keyboard") if markup is not None else None
    if not isinstance(rows, list):
        return None
    for row in rows:
        for button in row if isinstance(row, list) else ():
            button = as_dict(button)
            if button is not None and button.get("callback_data") == data:
                return as_str(button.get("text"))
    return None


def text_html(message: JSON) -> str | None:
    """The message's text with its formatting as HTML, as python-telegram-bot's
    `Message.text_html` renders it (its own renderer, on the entities only); None without
    text or with entities it cannot read."""
    text = as_str(message.get("text"))
    if text is None:
        return None
    raw = message.get("entities")
    try:
        # A copy: python-telegram-bot's de_json changes the dict it reads.
        entities = tuple(
            MessageEntity.de_json(entity, None)
            for entity in copy.deepcopy(raw if isinstance(raw, list) else [])
            if isinstance(entity, dict)
        )
        return Message._parse_html(text, parse_message_entities(text, entities), urled=False)
    except Exception:  # malformed entities: the message is not marked, only its buttons go
        return None


class RawUpdatesBot(ExtBot[None]):
    """The application's bot, whose getUpdates returns RawUpdate objects instead of building
    python-telegram-bot's Update objects. The request (its timeouts, the inbox flush before it:
    bot/inbox.py) is python-telegram-bot's own, as for its `get_updates`."""

    async def get_updates(  # type: ignore[override]
        self,
        offset: int | None = None,
        limit: int | None = None,
        timeout: Any = None,
        allowed_updates: Sequence[str] | None = None,
        *,
        read_timeout: Any = None,
        write_timeout: Any = None,
        connect_timeout: Any = None,
        pool_timeout: Any = None,
        api_kwargs: JSON | None = None,
    ) -> tuple[RawUpdate, ...]:
        # The long-poll timeout is added to the read timeout, as Bot.get_updates does.
        seconds = timeout.total_seconds() if hasattr(timeout, "total_seconds") else timeout or 0
        read = (read_timeout or self._request[0].read_timeout or 0) + seconds
        timeouts = {
            "write_timeout": write_timeout,
            "connect_timeout": connect_timeout,
            "pool_timeout": pool_timeout,
        }
        data = {"timeout": timeout, "offset": offset, "limit": limit}
        data["allowed_updates"] = allowed_updates
        result = await self._post(
            "getUpdates",
            data,
            read_timeout=read,
            api_kwargs=api_kwargs,
            **{name: value for name, value in timeouts.items() if value is not None},
        )
        items = result if isinstance(result, list) else ()
        return tuple(update for update in map(RawUpdate.of, items) if update is not None)
