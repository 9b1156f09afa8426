"""Short names the user types, such as a platform name: cleaned, bounded, never empty."""

from __future__ import annotations

import re
import unicodedata

from flows.domain.context import Context
from flows.domain.parsing.answers import Invalid, Parsed, ParseResult

MAX_NAME_LENGTH = 30
_SPACES = re.compile(r"\s+")


def parse_name(raw: str, ctx: Context | None = None) -> ParseResult[str]:
    """A platform or person name: at least one letter or digit, at most 30 characters."""
    name = _SPACES.sub(" ", raw).strip()
    if len(name) > MAX_NAME_LENGTH:
        return Invalid("form.too_long", {"limit": str(MAX_NAME_LENGTH)})
    if not any(unicodedata.category(ch)[0] in "LN" for ch in name):
        return Invalid("names.no_letters")
    return Parsed(name)


def parse_note(raw: str, ctx: Context | None = None) -> ParseResult[str]:
    """A sentence in the user's own words: any text with at least one letter or digit."""
    note = _SPACES.sub(" ", raw).strip()
    if not any(unicodedata.category(ch)[0] in "LN" for ch in note):
        return Invalid("names.note_no_letters")
    return Parsed(note)
