"""Fuzz: thousands of random event sequences from two users through the real storage and core.

No exception escapes, every reply renders from keys that exist in every locale, and nothing
user B does ever changes user A's rows.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.conversation import Conversation
from bot.facts import load_facts
from bot.locale import Locales
from bot.settings import PROJECT_ROOT, Settings
from bot.storage.sqlite import Storage
from flows.conversation.core import ButtonPress, Command, Event, TextInput, Unsupported

LOCALES = Locales.load(PROJECT_ROOT / "locales")
FUZZ_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "2000"))
COMMANDS = [
    "start",
    "menu",
    "help",
    "debts",
    "plan",
    "budget",
    "complaint",
    "reminders",
    "log",
    "restart",
    "export",
    "delete",
    "frobnicate",
    "START",
    "debts@yuqi_bot",
]
TEXTS = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        [
            "借呗",
            "5000",
            "1.5万",
            "日息万五",
            "月息2分",
            "24%",
            "2023-09-01",
            "15号",
            "0",
            "-100",
            "1000000000000000",
            "abc",
            "😭😭",
            "万五万五",
            "是",
            "跳过",
            "去哪里投诉",
            "催收爆我通讯录了",
            "征信修复",
            "'; DROP TABLE users;--",
            "<b>粗</b>",
            "{platform}",
            "%s%s",
            "\u200b",
            "   ",
        ]
    ),
    st.builds(
        lambda ch, n: ch * n, st.sampled_from(["啊", "9", "😀", "<"]), st.integers(500, 10_000)
    ),
)
FORGED = st.one_of(
    st.text(max_size=70),
    st.sampled_from(
        [
            "",
            "n:",
            "m:",
            "g:",
            "g:rem:1",
            "g:rem:99999",
            "m:../../",
            "1|o9",
            "0|back",
            "99|skip",
            "1|d:999",
            "2|edit:1:platform",
            "n:menu",
            "n:restart",
            "m:debts",
            "m:plan",
            "n:/complaint",
            "n:/frobnicate",
            "n:/delete",
            "g:rpaid:1:2026-12-15",
            "g:rsnz:1:x",
            "g:rem:-1",
        ]
    ),
)


class World:
    """One database for all examples; each example gets two fresh user ids."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.folder = tempfile.TemporaryDirectory()
        database = Path(self.folder.name) / "fuzz.sqlite3"
        settings_ = Settings(_env_file=None, database_path=database)
        storage = self.loop.run_until_complete(Storage.open(database))
        self.conversation = Conversation(
            storage, LOCALES, load_facts(settings_.data_dir), settings_
        )
        self.ids: Iterator[int] = itertools.count(1, 2)
        self.buttons: dict[int, list[str]] = {}

    def close(self) -> None:
        self.run(self.conversation.storage.close())
        self.loop.close()
        self.folder.cleanup()

    def run(self, coroutine):
        return self.loop.run_until_complete(coroutine)


@pytest.fixture(scope="module")
def world() -> Iterator[World]:
    """Opened only when a fuzz test runs, and closed after: aiosqlite's worker thread is not a
    daemon, so a database left open (say, by a run that deselects these tests) would keep
    pytest alive."""
    opened = World()
    yield opened
    opened.close()


KINDS = st.sampled_from(["text", "own", "other", "forged", "command", "unsupported"])
COMMAND_NAMES = st.sampled_from(COMMANDS)
ARGUMENTS = st.text(max_size=20)
UNREADABLE = st.sampled_from(["sticker", "photo", "voice"])


def event_for(data: st.DataObject, user_buttons: list[str], other_buttons: list[str]) -> Event:
    draw = data.draw
    kind = draw(KINDS)
    if kind == "text":
        return TextInput(draw(TEXTS))
    if kind == "own" and user_buttons:
        return ButtonPress(draw(st.sampled_from(user_buttons)))
    if kind == "other" and other_buttons:
        return ButtonPress(draw(st.sampled_from(other_buttons)))
    if kind == "command":
        return Command(draw(COMMAND_NAMES), draw(ARGUMENTS))
    if kind == "unsupported":
        return Unsupported(draw(UNREADABLE))
    return ButtonPress(draw(FORGED))


@settings(max_examples=FUZZ_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_random_sequences_from_two_users_never_break_anything(world: World, data: st.DataObject):
    first = next(world.ids)
    users = (first, first + 1)
    buttons: dict[int, list[str]] = {u: [] for u in users}
    for _ in range(data.draw(st.integers(1, 25), label="length")):
        who = data.draw(st.sampled_from(users), label="who")
        other = users[1] if who == users[0] else users[0]
        event = event_for(data, buttons[who], buttons[other])
        other_rows_before = world.run(world.conversation.storage.export_user(other))

        turn = world.run(world.conversation.handle(who, who, event))

        assert turn.replies, f"silence after {event!r}"
        for reply in turn.replies:
            for part in reply.parts:
                assert len(part) > 0 and len(part.encode("utf-16-le")) // 2 <= 4096
            for row in reply.keyboard:
                for label, callback in row:
                    assert label and 0 < len(callback.encode()) <= 64
        buttons[who] = [
            callback for reply in turn.replies for row in reply.keyboard for _, callback in row
        ]
        assert world.run(world.conversation.storage.export_user(other)) == other_rows_before


def test_every_reply_key_of_a_walk_exists_in_every_locale(world: World):
    """The fuzz renders through zh-CN; this renders the same walk through every locale."""
    user = next(world.ids)
    events = [
        Command("start"),
        Command("menu"),
        Command("help"),
        Command("debts"),
        Command("plan"),
        Command("budget"),
        Command("complaint"),
        TextInput("去哪里投诉"),
    ]
    for locale in LOCALES.catalogs:
        for event in events:
            turn = world.run(world.conversation.handle(user, user, event))
            for reply in turn.replies:
                assert reply.parts or reply.caption
        state = world.run(world.conversation.storage.load(user)).state
        world.run(
            world.conversation.storage.save(user, user, state.model_copy(update={"locale": locale}))
        )
