"""Read a Telegram update as a flows event; everything untrusted stays plain data here."""

from __future__ import annotations

from dataclasses import dataclass

from telegram import MessageEntity, Update

from bot.render import strip_invisible
from flows.conversation.core import ButtonPress, Command, Event, TextInput, Unsupported

# Message contents a person sends that the bot cannot read; anything else (service messages
# such as a pinned-message notice) is ignored without a reply.
UNREADABLE_KINDS = (
    "sticker",
    "photo",
    "voice",
    "video",
    "video_note",
    "audio",
    "document",
    "animation",
    "location",
    "venue",
    "contact",
    "poll",
    "dice",
    "story",
)


@dataclass(frozen=True, slots=True)
class Incoming:
    user_id: int
    chat_id: int
    private: bool
    event: Event
    # The Telegram client's language (IETF tag, e.g. "en", "zh-hans"); None when not shared.
    language_code: str | None = None


def read(update: Update) -> Incoming | None:
    query = update.callback_query
    if query is not None:
        message = query.message
        chat_id = message.chat.id if message is not None else query.from_user.id
        private = message is None or message.chat.type == "private"
        return Incoming(
            query.from_user.id,
            chat_id,
            private,
            ButtonPress(query.data or ""),
            query.from_user.language_code,
        )
    message = update.message
    if message is None or message.from_user is None:
        return None
    private = message.chat.type == "private"
    event = _message_event(update)
    if event is None:
        return None
    return Incoming(
        message.from_user.id, message.chat.id, private, event, message.from_user.language_code
    )


def _message_event(update: Update) -> Event | None:
    message = update.message
    assert message is not None
    if message.text is not None:
        entity = message.entities[0] if message.entities else None
        if entity and entity.type == MessageEntity.BOT_COMMAND and entity.offset == 0:
            word = message.text[1 : entity.length]
            name = word.split("@", 1)[0].lower()
            return Command(name=name, argument=message.text[entity.length :].strip())
        # Invisible and direction-changing characters never get into a name or an answer.
        return TextInput(strip_invisible(message.text))
    kind = next((k for k in UNREADABLE_KINDS if getattr(message, k, None)), None)
    return Unsupported(kind, message.caption or "") if kind else None
