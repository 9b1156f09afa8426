"""Every language has every string, with the same placeholders, in HTML Telegram accepts."""

from __future__ import annotations

import re

import pytest

from bot.locale import Catalog, Locales, flatten, placeholders
from bot.settings import PROJECT_ROOT
from flows.domain.texts import Text
from tests.standin_api import parse_html

LOCALES = Locales.load(PROJECT_ROOT / "locales")
DEFAULT = LOCALES.get("zh-CN")
OTHERS = [c for name, c in LOCALES.catalogs.items() if name != "zh-CN"]


def test_chinese_is_the_default_and_english_exists():
    assert LOCALES.default == "zh-CN"
    assert "en" in LOCALES.catalogs


@pytest.mark.parametrize("catalog", OTHERS, ids=lambda c: c.name)
def test_every_key_exists_in_every_locale(catalog: Catalog):
    assert set(catalog.messages) == set(DEFAULT.messages)


@pytest.mark.parametrize("catalog", OTHERS, ids=lambda c: c.name)
def test_every_placeholder_matches_the_default_locale(catalog: Catalog):
    mismatched = {
        key: (placeholders(DEFAULT.messages[key]), placeholders(template))
        for key, template in catalog.messages.items()
        if key in DEFAULT.messages and placeholders(template) != placeholders(DEFAULT.messages[key])
    }
    assert mismatched == {}


@pytest.mark.parametrize("catalog", LOCALES.catalogs.values(), ids=lambda c: c.name)
def test_every_string_is_html_that_telegram_accepts(catalog: Catalog):
    for key, template in catalog.messages.items():
        values = {name: "值<&>" for name in placeholders(template)}
        rendered = catalog.render(Text(key, values))
        plain, _ = parse_html(rendered)
        assert plain.strip(), key


def test_no_chinese_locale_string_is_left_in_english_placeholder_style():
    leftovers = [k for k, v in DEFAULT.messages.items() if re.fullmatch(r"[A-Za-z .]+", v)]
    assert leftovers == []


def test_values_are_escaped_so_user_text_cannot_inject_markup():
    rendered = DEFAULT.render(Text("common.chosen", {"label": "<b>x</b> & y"}))
    assert rendered == "» &lt;b&gt;x&lt;/b&gt; &amp; y"


def test_flatten_joins_nested_tables_with_dots():
    assert flatten({"a": {"b": "x", "c": {"d": "y"}}}) == {"a.b": "x", "a.c.d": "y"}
