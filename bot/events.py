"""Read a Telegram update as a flows event; everything untrusted stays plain data here."""

from __future__ import annotations

from dataclasses import dataclass

from bot.render import strip_invisible
from bot.updates import JSON, RawUpdate, as_dict, as_int, as_str
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
BOT_COMMAND = "bot_command"


@dataclass(frozen=True, slots=True)
class Incoming:
    user_id: int
    chat_id: int
    private: bool
    event: Event
    # The Telegram client's language (IETF tag, e.g. "en", "zh-hans"); None when not shared.
    language_code: str | None = None


def read(update: RawUpdate) -> Incoming | None:
    """The event in a message or a button press; None for anything the bot does not read
    (another kind of update, or one without a sender or chat: forged or malformed)."""
    user = update.sender
    if user is None:
        return None
    user_id = user["id"]
    language = as_str(user.get("language_code"))
    query = update.callback_query
    if query is not None:
        chat = update.chat
        if as_dict(query.get("message")) is None:
            # A press on an inline message: there is no chat, the answer goes to the user.
            chat_id, private = user_id, True
        elif chat is None:
            return None
        else:
            chat_id, private = chat["id"], chat.get("type") == "private"
        data = as_str(query.get("data")) or ""
        return Incoming(user_id, chat_id, private, ButtonPress(data), language)
    message = update.message
    chat = update.chat
    if message is None or chat is None:
        return None
    event = _message_event(message)
    if event is None:
        return None
    return Incoming(user_id, chat["id"], chat.get("type") == "private", event, language)


def _message_event(message: JSON) -> Event | None:
    text = as_str(message.get("text"))
    if text is not None:
        entities = message.get("entities")
        entity = as_dict(entities[0]) if isinstance(entities, list) and entities else None
        length = as_int(entity.get("length")) if entity is not None else None
        if (
            entity is not None
            and length is not None
            and entity.get("type") == BOT_COMMAND
            and entity.get("offset") == 0
        ):
            word = text[1:length]
            name = word.split("@", 1)[0].lower()
            return Command(name=name, argument=text[length:].strip())
        # Invisible and direction-changing characters never get into a name or an answer.
        return TextInput(strip_invisible(text))
    kind = next((k for k in UNREADABLE_KINDS if message.get(k)), None)
    return Unsupported(kind, as_str(message.get("caption")) or "") if kind else None
