"""Updates are read from the JSON Telegram sent (bot/updates.py): what the bot reads from each
kind, the same ids python-telegram-bot would read, and forged or malformed updates ignored
without crashing anything."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from telegram import Message, Update

from bot.events import Incoming, read
from bot.updates import RawUpdate, button_label, pressed_message, text_html
from flows.conversation.core import ButtonPress, Command, TextInput, Unsupported
from tests.conftest import RunningBot
from tests.standin_api import StandInBotApi

PERSON = {"id": 42, "is_bot": False, "first_name": "A", "language_code": "en"}
PRIVATE = {"id": 42, "type": "private", "first_name": "A"}
GROUP = {"id": -100, "type": "group", "title": "G"}
BOT_MESSAGE = {
    "message_id": 9,
    "date": 1700000000,
    "chat": PRIVATE,
    "from": {"id": 1, "is_bot": True, "first_name": "bot"},
    "text": "Pick one",
    "reply_markup": {"inline_keyboard": [[{"text": "Yes", "callback_data": "y"}]]},
}


def message(**fields: Any) -> dict[str, Any]:
    return {"message_id": 5, "date": 1700000000, "chat": PRIVATE, "from": PERSON, **fields}


def press(**fields: Any) -> dict[str, Any]:
    return {"id": "q1", "from": PERSON, "chat_instance": "c", "message": BOT_MESSAGE, **fields}


def raw(**fields: Any) -> RawUpdate:
    update = RawUpdate.of({"update_id": 1, **fields})
    assert update is not None
    return update


HUGE = "钱" * 100_000

READ = [
    ("text", raw(message=message(text="你好")), Incoming(42, 42, True, TextInput("你好"), "en")),
    (
        "command with bot name and argument",
        raw(
            message=message(
                text="/Start@SomeBot abc ",
                entities=[{"type": "bot_command", "offset": 0, "length": 14}],
            )
        ),
        Incoming(42, 42, True, Command("start", "abc"), "en"),
    ),
    (
        "a command word later in the text is text",
        raw(
            message=message(
                text="see /help", entities=[{"type": "bot_command", "offset": 4, "length": 5}]
            )
        ),
        Incoming(42, 42, True, TextInput("see /help"), "en"),
    ),
    (
        "invisible characters stripped",
        raw(message=message(text="1\u200b000")),
        Incoming(42, 42, True, TextInput("1000"), "en"),
    ),
    (
        "huge text read whole",
        raw(message=message(text=HUGE)),
        Incoming(42, 42, True, TextInput(HUGE), "en"),
    ),
    (
        "sticker",
        raw(message=message(sticker={"file_id": "s"})),
        Incoming(42, 42, True, Unsupported("sticker", ""), "en"),
    ),
    (
        "photo with caption",
        raw(message=message(photo=[{"file_id": "p"}], caption="借条")),
        Incoming(42, 42, True, Unsupported("photo", "借条"), "en"),
    ),
    (
        "group text",
        raw(message=message(chat=GROUP, text="hi")),
        Incoming(42, -100, False, TextInput("hi"), "en"),
    ),
    (
        "button press",
        raw(callback_query=press(data="y")),
        Incoming(42, 42, True, ButtonPress("y"), "en"),
    ),
    (
        "press on an inline message: answered to the user",
        raw(callback_query={"id": "q", "from": PERSON, "chat_instance": "c", "data": "y"}),
        Incoming(42, 42, True, ButtonPress("y"), "en"),
    ),
    (
        "press without data",
        raw(callback_query=press()),
        Incoming(42, 42, True, ButtonPress(""), "en"),
    ),
    (
        "press in a group",
        raw(callback_query=press(data="y", message={**BOT_MESSAGE, "chat": GROUP})),
        Incoming(42, -100, False, ButtonPress("y"), "en"),
    ),
    (
        "no language shared",
        raw(message=message(text="x", **{"from": {"id": 42, "is_bot": False}})),
        Incoming(42, 42, True, TextInput("x"), None),
    ),
    # Ignored, as before: kinds the bot does not read, service messages.
    ("edited message", raw(edited_message=message(text="x")), None),
    ("channel post", raw(channel_post=message(text="x", chat=GROUP)), None),
    ("unknown kind", raw(something_new={"id": 3}), None),
    ("pinned-message notice", raw(message=message(pinned_message=BOT_MESSAGE)), None),
    ("nothing but an id", raw(), None),
    # Forged or malformed: ignored, never a crash.
    ("message without from", raw(message={"message_id": 1, "chat": PRIVATE, "text": "x"}), None),
    ("from without id", raw(message=message(text="x", **{"from": {"first_name": "A"}})), None),
    ("from id a string", raw(message=message(text="x", **{"from": {"id": "42"}})), None),
    ("from id a bool", raw(message=message(text="x", **{"from": {"id": True}})), None),
    ("from a list", raw(message=message(text="x", **{"from": [42]})), None),
    ("message without chat", raw(message={"message_id": 1, "from": PERSON, "text": "x"}), None),
    ("chat id a float", raw(message=message(text="x", chat={"id": 4.2, "type": "private"})), None),
    ("message a number", raw(message=7), None),
    ("text a number", raw(message=message(text=12)), None),
    ("text a list", raw(message=message(text=["x"])), None),
    ("press without id", raw(callback_query={"from": PERSON, "data": "y"}), None),
    ("press without from", raw(callback_query={"id": "q", "data": "y"}), None),
    ("press a string", raw(callback_query="q"), None),
    ("press on a message without chat", raw(callback_query=press(message={"message_id": 1})), None),
]


@pytest.mark.parametrize(("case", "update", "expected"), READ, ids=[c[0] for c in READ])
def test_an_update_is_read_from_its_json(case: str, update: RawUpdate, expected: Incoming | None):
    assert read(update) == expected


MALFORMED_PARTS = [
    ("entities not a list", {"text": "/start", "entities": "bot_command"}, TextInput("/start")),
    ("entity not an object", {"text": "/start", "entities": [7]}, TextInput("/start")),
    (
        "entity length a string",
        {"text": "/start", "entities": [{"type": "bot_command", "offset": 0, "length": "6"}]},
        TextInput("/start"),
    ),
    ("caption a number", {"sticker": {"file_id": "s"}, "caption": 5}, Unsupported("sticker", "")),
    ("data a number", None, ButtonPress("")),
    ("language a number", {"text": "x"}, TextInput("x")),
]


@pytest.mark.parametrize(
    ("case", "fields", "expected"), MALFORMED_PARTS, ids=[c[0] for c in MALFORMED_PARTS]
)
def test_a_malformed_part_is_read_as_absent(case: str, fields: Any, expected: object):
    if fields is None:
        update = raw(callback_query=press(data=5))
    elif case.startswith("language"):
        update = raw(message=message(**fields, **{"from": {**PERSON, "language_code": 5}}))
    else:
        update = raw(message=message(**fields))
    incoming = read(update)
    assert incoming is not None and incoming.event == expected
    if case.startswith("language"):
        assert incoming.language_code is None


@pytest.mark.parametrize(
    "data",
    [None, 7, "x", [1], {}, {"update_id": "1"}, {"update_id": True}, {"update_id": 1.0}],
    ids=repr,
)
def test_what_has_no_integer_update_id_is_no_update(data: object):
    assert RawUpdate.of(data) is None


@pytest.mark.parametrize(
    ("data", "formed"),
    [
        ({"update_id": 1, "message": message(text="x")}, True),
        ({"update_id": 1}, True),
        ({"update_id": 1, "message": 7}, False),
        ({"update_id": 1, "callback_query": "q"}, False),
    ],
)
def test_well_formed_means_every_field_but_the_id_is_an_object(data: dict, formed: bool):
    update = RawUpdate.of(data)
    assert update is not None and update.well_formed is formed


SAME_AS_PTB = [
    {"update_id": 1, "message": message(text="x")},
    {"update_id": 2, "message": message(chat=GROUP, text="hi")},
    {"update_id": 3, "callback_query": press(data="y")},
    {"update_id": 4, "callback_query": press(message={**BOT_MESSAGE, "chat": GROUP})},
    {"update_id": 5, "callback_query": {"id": "q", "from": PERSON, "chat_instance": "c"}},
]


@pytest.mark.parametrize("data", SAME_AS_PTB, ids=lambda d: str(d["update_id"]))
def test_the_sender_and_chat_are_the_ones_python_telegram_bot_reads(data: dict):
    # python-telegram-bot's de_json changes the dict it reads: it gets a copy.
    ours, theirs = RawUpdate.of(data), Update.de_json(copy.deepcopy(data), None)
    assert ours is not None and theirs is not None and theirs.effective_user is not None
    assert ours.sender_id == theirs.effective_user.id
    chat = theirs.effective_chat
    assert ours.chat_id == (chat.id if chat is not None else None)


FORMATTED = [
    ("plain", "a < b & c", []),
    ("bold", "Debt: 100", [{"type": "bold", "offset": 0, "length": 5}]),
    (
        "nested and after emoji",
        "😀 bold italic end",
        [
            {"type": "bold", "offset": 3, "length": 11},
            {"type": "italic", "offset": 8, "length": 6},
        ],
    ),
    (
        "link and code",
        "see site and x<y",
        [
            {"type": "text_link", "offset": 4, "length": 4, "url": "https://e.org/?a=1&b=2"},
            {"type": "code", "offset": 13, "length": 3},
        ],
    ),
    ("Chinese", "欠款 ¥1,000", [{"type": "underline", "offset": 3, "length": 6}]),
]


@pytest.mark.parametrize(("case", "text", "entities"), FORMATTED, ids=[f[0] for f in FORMATTED])
def test_a_pressed_messages_html_is_python_telegram_bots(case: str, text: str, entities: list):
    data = {**BOT_MESSAGE, "text": text, "entities": entities}
    ptb = Message.de_json(copy.deepcopy(data), None)
    assert ptb is not None
    assert text_html(data) == ptb.text_html


def test_a_message_without_text_has_no_html():
    assert text_html({**BOT_MESSAGE, "text": None}) is None
    assert text_html({"photo": []}) is None


@pytest.mark.parametrize(
    "entities",
    [[{"offset": 0, "length": 2}], [{"type": "bold", "offset": "0", "length": 2}]],
    ids=["no type", "offset a string"],
)
def test_a_message_with_entities_it_cannot_read_has_no_html(entities: list):
    assert text_html({**BOT_MESSAGE, "entities": entities}) is None


def test_a_pressed_button_is_found_by_its_data_and_odd_keyboards_find_nothing():
    assert button_label(BOT_MESSAGE, "y") == "Yes"
    assert button_label(BOT_MESSAGE, "n") is None
    for markup in (None, 7, {"inline_keyboard": 7}, {"inline_keyboard": [7, [7]]}):
        assert button_label({**BOT_MESSAGE, "reply_markup": markup}, "y") is None


@pytest.mark.parametrize(
    ("query", "editable"),
    [
        (press(), True),
        (press(message={**BOT_MESSAGE, "date": 0}), False),  # inaccessible: too old
        ({"id": "q", "from": PERSON}, False),  # an inline message
        (press(message={**BOT_MESSAGE, "chat": "x"}), False),
        (press(message={**BOT_MESSAGE, "message_id": "9"}), False),
    ],
)
def test_only_an_accessible_pressed_message_is_edited(query: dict, editable: bool):
    assert (pressed_message(query) is not None) is editable


FORGED = [
    {"message": {"message_id": 1, "chat": PRIVATE, "text": "no sender"}},
    {"message": 7},
    {"message": {"message_id": 1, "date": 1, "chat": PRIVATE, "from": PERSON, "text": 12}},
    {"callback_query": {"from": PERSON, "data": "no id"}},
    {"callback_query": {"id": "q", "from": {"id": "42"}, "data": "x"}},
    {"edited_message": {"message_id": 1, "date": 1, "chat": PRIVATE, "from": PERSON}},
    {"channel_post": {"message_id": 1, "date": 1, "chat": GROUP, "text": "x"}},
]


async def test_forged_updates_are_ignored_and_the_next_person_is_answered(
    bot: RunningBot, api: StandInBotApi
):
    for forged in FORGED:
        api.push(forged)
    await bot.settle()
    assert api.calls_to("sendMessage") == []
    reply = await bot.say(api.user(7007), "/start")
    assert reply.text


async def test_a_press_in_a_group_is_answered_and_nothing_sent(bot: RunningBot, api: StandInBotApi):
    api.callback_queries["gq"] = False
    group_message = {**BOT_MESSAGE, "chat": {"id": -130, "type": "group", "title": "G"}}
    api.push({"callback_query": {**press(data="y", message=group_message), "id": "gq"}})
    await bot.settle()
    answers = api.calls_to("answerCallbackQuery")
    assert [a.params["callback_query_id"] for a in answers] == ["gq"]
    assert api.calls_to("sendMessage") == []
