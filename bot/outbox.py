"""A turn's rendered replies as the Bot API messages they become, in JSON for the outbox.

One stored message is one API call (a text part, or a file with its caption), so a retried
send repeats exactly that message and never the turn that produced it.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from bot.render import Keyboard, RenderedReply
from flows.conversation.core import Attachment

_BYTES = "__bytes__"


@dataclass(frozen=True, slots=True)
class OutgoingMessage:
    """A text message, or a file (`attachment`) with an optional caption; buttons on either."""

    text: str | None
    keyboard: Keyboard
    attachment: Attachment | None = None


def messages_of(replies: Iterable[RenderedReply]) -> list[OutgoingMessage]:
    """The messages a chat receives for these replies, in order: each reply's parts, then its
    file; its buttons go on its last message."""
    messages: list[OutgoingMessage] = []
    for reply in replies:
        attachment = reply.attachment
        for index, part in enumerate(reply.parts):
            last = attachment is None and index == len(reply.parts) - 1
            messages.append(OutgoingMessage(part, reply.keyboard if last else ()))
        if attachment is not None:
            messages.append(OutgoingMessage(reply.caption, reply.keyboard, attachment))
    return messages


def dumps(message: OutgoingMessage) -> str:
    body: dict[str, Any] = {"text": message.text, "keyboard": message.keyboard}
    if message.attachment is not None:
        body["attachment"] = {
            "kind": message.attachment.kind,
            "filename": message.attachment.filename,
            "payload": _encode(message.attachment.payload),
        }
    return json.dumps(body, ensure_ascii=False)


def loads(stored: str) -> OutgoingMessage:
    body = json.loads(stored)
    keyboard = tuple(
        tuple((str(label), str(data)) for label, data in row) for row in body["keyboard"]
    )
    found = body.get("attachment")
    attachment = (
        Attachment(found["kind"], found["filename"], _decode(found["payload"])) if found else None
    )
    return OutgoingMessage(body.get("text"), keyboard, attachment)


def _encode(value: Any) -> Any:
    """Files already made (an export) are bytes: kept as base64."""
    if isinstance(value, bytes):
        return {_BYTES: base64.b64encode(value).decode()}
    if isinstance(value, dict):
        return {key: _encode(inner) for key, inner in value.items()}
    if isinstance(value, list | tuple):
        return [_encode(inner) for inner in value]
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {_BYTES}:
            return base64.b64decode(value[_BYTES])
        return {key: _decode(inner) for key, inner in value.items()}
    if isinstance(value, list):
        return [_decode(inner) for inner in value]
    return value
