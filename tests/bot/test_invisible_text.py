"""Names and labels keep no character that hides or reorders text, and are escaped once."""

from __future__ import annotations

import pytest

from bot.export import table_as_csv
from bot.locale import Catalog
from bot.render import render, strip_invisible
from flows.conversation.core import Button, Reply
from flows.domain.texts import text
from tests.conftest import RunningBot
from tests.standin_api import StandInBotApi

HIDDEN = [
    "\u202a",
    "\u202b",
    "\u202c",
    "\u202d",
    "\u202e",
    "\u2066",
    "\u2067",
    "\u2068",
    "\u2069",
    "\u061c",
    "\u200e",
    "\u200f",
    "\u200b",
    "\u3164",
    "\ufeff",
]


@pytest.mark.parametrize("char", HIDDEN, ids=[f"U+{ord(c):04X}" for c in HIDDEN])
def test_a_hiding_or_reordering_character_is_removed(char: str):
    assert strip_invisible(f"借{char}呗") == "借呗"


def test_an_emoji_sequence_keeps_its_joiner():
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467"
    assert strip_invisible(family) == family


def test_a_button_label_is_escaped_once_and_cleaned():
    catalog = Catalog("zh-CN", {"label": "看 {name}", "body": "选一个"})
    reply = Reply(text("body"), ((Button(text("label", name="A&B<\u202e>"), "x"),),))
    assert render(catalog, reply).keyboard == ((("看 A&B<>", "x"),),)


def test_a_csv_cell_holds_no_hidden_character():
    assert "\u202e" not in table_as_csv([["平\u202e台"]]).decode("utf-8")


async def test_a_platform_typed_with_bidi_controls_is_stored_without_them(
    bot: RunningBot, api: StandInBotApi
):
    pia = api.user(4020)
    await bot.say(pia, "/start")
    await bot.press(pia, "开始第一步")
    await bot.press(pia, "帮我写联系客服的话术")
    await bot.say(pia, "A&B\u202e贷\u2066款\u3164")
    state = bot.application.bot_data["conversation"]
    stored = await state.storage.load(pia.id)
    assert stored.state.position.draft["platform"] == "A&B贷款"
