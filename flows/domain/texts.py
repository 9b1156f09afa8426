"""A locale key with the values for its placeholders: how any layer names what the user reads."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Union

# A value shown inside a locale template: plain text (escaped by the renderer), a number,
# another localized text, or several texts shown one per line.
Value = Union[str, int, "Text", tuple["Text", ...]]


@dataclass(frozen=True, slots=True)
class Text:
    """A locale key and the values for its {placeholders}; the shell renders it."""

    key: str
    values: Mapping[str, Value] = field(default_factory=dict)


def text(key: str, **values: Value) -> Text:
    return Text(key, values)
