"""What a parser makes of one typed answer: a value, a friendly refusal, or a question back."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Parsed(Generic[T]):
    """The text was understood without doubt."""

    value: T


@dataclass(frozen=True, slots=True)
class Invalid:
    """The text cannot be used; `reason` is a locale key explaining why, with its values."""

    reason: str
    values: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Option(Generic[T]):
    """One answer to a clarifying question: a locale key for the button and the value it means."""

    label: str
    value: T
    label_values: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Ask(Generic[T]):
    # "万五" (5 per ten thousand) alone could be a daily or a monthly rate.
    """The text could mean several things; ask `question` (a locale key) and offer `options`.

    Never guess silently: "0.05%" alone could be a daily or a monthly rate.
    """

    question: str
    options: tuple[Option[T], ...]
    values: Mapping[str, str] = field(default_factory=dict)


ParseResult = Parsed[T] | Invalid | Ask[T]
