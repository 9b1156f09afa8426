"""What a parser makes of one typed answer: a value, a friendly refusal, or a question back."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

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


@dataclass(frozen=True, slots=True)
class Also(Generic[T]):
    # "月薪6000" at "is your income fixed?": fixed, and the income question is answered too.
    """This question's answer plus answers to later questions said in the same sentence
    (field name -> parsed value); the form stores those only where they fit."""

    value: T
    others: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Elsewhere:
    # "吃饭一个月1000" at the utilities question: 1,000 for food, utilities asked again.
    """An answer that belongs to another question of the same form (offered as an option of
    a question back, so the user confirms where it goes)."""

    field: str
    value: Any


ParseResult = Parsed[T] | Invalid | Ask[T]
