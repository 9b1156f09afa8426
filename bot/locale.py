"""Locale catalogs: load the TOML files and render a flows Text into Telegram HTML or plain text."""

from __future__ import annotations

import html
import re
import string
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flows.domain.texts import Text, Value

DEFAULT_LOCALE = "zh-CN"
_TAG = re.compile(r"</?[a-zA-Z][a-zA-Z0-9-]*(?:\s[^<>]*)?>")


def flatten(table: Mapping[str, Any], prefix: str = "") -> dict[str, str]:
    """{"a": {"b": "x"}} -> {"a.b": "x"}."""
    flat: dict[str, str] = {}
    for key, value in table.items():
        full = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flat.update(flatten(value, f"{full}."))
        else:
            flat[full] = str(value)
    return flat


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


class Catalog:
    """One language's strings. Rendering escapes every value, so user text can't inject markup."""

    def __init__(self, name: str, messages: Mapping[str, str]) -> None:
        self.name = name
        self.messages = dict(messages)

    @classmethod
    def load(cls, path: Path) -> Catalog:
        return cls(path.stem, flatten(tomllib.loads(path.read_text(encoding="utf-8"))))

    def render(self, message: Text) -> str:
        template = self.messages[message.key]
        values = {name: self._value(v) for name, v in message.values.items()}
        return template.format_map(values)

    def _value(self, value: Value) -> str:
        if isinstance(value, Text):
            return self.render(value)
        if isinstance(value, tuple):
            return "\n".join(self.render(item) for item in value)
        if isinstance(value, int):
            return str(value)
        return html.escape(str(value), quote=False)


class Locales:
    """Every catalog in the locales folder, with the default language as the fallback."""

    def __init__(self, catalogs: Mapping[str, Catalog], default: str = DEFAULT_LOCALE) -> None:
        if default not in catalogs:
            raise ValueError(f"default locale {default!r} not found")
        self.catalogs = dict(catalogs)
        self.default = default

    @classmethod
    def load(cls, folder: Path, default: str = DEFAULT_LOCALE) -> Locales:
        catalogs = {p.stem: Catalog.load(p) for p in sorted(folder.glob("*.toml"))}
        return cls(catalogs, default)

    def get(self, name: str | None) -> Catalog:
        return self.catalogs.get(name or self.default) or self.catalogs[self.default]


def to_plain(rendered: str) -> str:
    """Telegram HTML -> what a terminal should print."""
    return html.unescape(_TAG.sub("", rendered))
