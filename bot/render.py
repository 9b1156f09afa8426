"""Turn flows replies into what a chat shows: HTML text within Telegram's limits, keyboards."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from bot.locale import Catalog, to_plain
from flows.conversation.core import Attachment, Reply
from flows.domain.texts import Text

MESSAGE_LIMIT = 4096
CAPTION_LIMIT = 1024
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)([^<>]*)>")

Keyboard = tuple[tuple[tuple[str, str], ...], ...]

# Characters that reorder or hide text: bidi embeddings/overrides/isolates (U+202A-202E,
# U+2066-2069), marks (U+200E/F, U+061C), zero-width spaces, and the Hangul fillers people use
# as "blank" names (U+3164, U+115F, U+1160, U+FFA0). A name typed with them could make a
# button or a CSV cell show something other than what it holds. (U+200D stays: emoji use it.)
_INVISIBLE = dict.fromkeys(
    [
        *range(0x202A, 0x202F),
        *range(0x2066, 0x206A),
        0x200B,
        0x200C,
        0x200E,
        0x200F,
        0x2060,
        0x061C,
        0xFEFF,
        0x180E,
        0x3164,
        0x115F,
        0x1160,
        0xFFA0,
    ]
)


def strip_invisible(text: str) -> str:
    """`text` without the characters in _INVISIBLE."""
    return text.translate(_INVISIBLE)


@dataclass(frozen=True, slots=True)
class RenderedReply:
    """One reply in chat form: HTML parts (each within the limit), buttons as (label, data).

    With an attachment, `caption` is the text when it fits a caption; otherwise the parts are
    sent as messages before the file.
    """

    parts: tuple[str, ...]
    keyboard: Keyboard
    attachment: Attachment | None = None
    caption: str | None = None


def render(catalog: Catalog, reply: Reply) -> RenderedReply:
    # Button labels are plain text on Telegram: escaped once for HTML they would show "&amp;".
    keyboard = tuple(
        tuple(
            (strip_invisible(to_plain(catalog.render(button.label))), button.data) for button in row
        )
        for row in reply.buttons
    )
    rendered = catalog.render(reply.text)
    attachment = localized(catalog, reply.attachment) if reply.attachment else None
    if attachment is not None and utf16_length(rendered) <= CAPTION_LIMIT:
        return RenderedReply((), keyboard, attachment, caption=rendered)
    return RenderedReply(split_html(rendered), keyboard, attachment)


def localized(catalog: Catalog, attachment: Attachment) -> Attachment:
    """Texts inside an attachment's payload (a chart's labels, a CSV's headers) in the user's
    language, as plain text: files are not Telegram HTML."""
    return replace(attachment, payload=_plain_texts(catalog, attachment.payload))


def _plain_texts(catalog: Catalog, value: Any) -> Any:
    if isinstance(value, Text):
        return to_plain(catalog.render(value))
    if isinstance(value, Mapping):
        return {key: _plain_texts(catalog, inner) for key, inner in value.items()}
    if isinstance(value, list | tuple):
        return [_plain_texts(catalog, inner) for inner in value]
    return value


def utf16_length(text: str) -> int:
    """Telegram measures message length in UTF-16 code units (an emoji counts as two)."""
    return len(text.encode("utf-16-le")) // 2


def split_html(text: str, limit: int = MESSAGE_LIMIT) -> tuple[str, ...]:
    """Split a long HTML text at paragraph, then line, boundaries, keeping tags balanced.

    Lengths are measured on the HTML itself, which is never shorter than what Telegram counts.
    """
    if utf16_length(text) <= limit:
        return (text,)
    budget = limit - 64  # room to close and reopen tags around a cut
    parts: list[str] = []
    current = ""
    for piece in _pieces(text, budget):
        candidate = f"{current}{piece}"
        if current and utf16_length(candidate) > budget:
            parts.append(current)
            current = piece
        else:
            current = candidate
    if current:
        parts.append(current)
    return _rebalance([p.strip("\n") for p in parts if p.strip()])


def _pieces(text: str, budget: int) -> list[str]:
    pieces: list[str] = []
    for line in text.splitlines(keepends=True):
        while utf16_length(line) > budget:
            cut = _safe_cut(line, budget)
            pieces.append(line[:cut])
            line = line[cut:]
        pieces.append(line)
    return pieces


def _safe_cut(line: str, budget: int) -> int:
    """A cut position within budget that is not inside a tag or an entity."""
    cut = budget // 2  # UTF-16 worst case: every character counts twice
    while utf16_length(line[:cut]) < budget and cut < len(line):
        cut += 1
    cut = max(1, cut - 1)
    opening, closing = line.rfind("<", 0, cut), line.rfind(">", 0, cut)
    if opening > closing:
        cut = opening
    ampersand, semicolon = line.rfind("&", 0, cut), line.rfind(";", 0, cut)
    if ampersand > semicolon:
        cut = ampersand
    return max(1, cut)


def _rebalance(parts: list[str]) -> tuple[str, ...]:
    """Close tags left open at the end of a part and reopen them at the start of the next."""
    balanced: list[str] = []
    carried: list[tuple[str, str]] = []
    for part in parts:
        prefix = "".join(f"<{name}{attrs}>" for name, attrs in carried)
        stack = list(carried)
        for closing, name, attrs in _TAG.findall(part):
            if closing:
                if stack and stack[-1][0] == name:
                    stack.pop()
            else:
                stack.append((name, attrs))
        suffix = "".join(f"</{name}>" for name, _ in reversed(stack))
        balanced.append(f"{prefix}{part}{suffix}")
        carried = stack
    return tuple(balanced)
