"""Seeded random walks through steps 5-7: any button or text, never an exception, every reply
renders in every language within Telegram's limit, and the state always round-trips."""

from __future__ import annotations

import random
from decimal import Decimal

import pytest

from bot.locale import Locales
from bot.render import MESSAGE_LIMIT, utf16_length
from bot.settings import PROJECT_ROOT
from flows.conversation.core import ButtonPress, Command, TextInput
from flows.conversation.state import UserState
from flows.domain.context import Context
from flows.domain.ledger import Debt, LenderKind
from tests.driver import Driver

LOCALES = Locales.load(PROJECT_ROOT / "locales")
TEXTS = [
    "借呗",
    "800",
    "1.5万",
    "-5",
    "0",
    "abc",
    "😭",
    "昨天",
    "11月20日",
    "2099-01-01",
    "3",
    "去哪里投诉",
    "催收爆我通讯录了",
    "征信修复",
    "他们天天打我电话还骂我",
    "{platform}",
    "<b>x</b>",
    "工号1234",
    "同意分12期",
    "a" * 300,
]
COMMANDS = ["complaint", "log", "menu", "help"]
ENTRIES = ["m:negotiate", "m:collection", "m:afterwards"]


def start(ctx: Context) -> Driver:
    chat = Driver(ctx)
    chat.command("start")
    debts = (
        Debt(id=1, platform="借呗", lender=LenderKind.MICROLENDER, owed_now=Decimal("8000")),
        Debt(id=2, platform="招联金融", lender=LenderKind.CONSUMER_FINANCE),
    )
    chat.state = chat.state.model_copy(update={"debts": debts, "next_debt_id": 3})
    return chat


@pytest.mark.parametrize("seed", range(40))
def test_random_walks_never_break(ctx: Context, seed: int):
    rng = random.Random(seed)
    chat = start(ctx)
    chat.send(ButtonPress(rng.choice(ENTRIES)))
    for _ in range(40):
        roll = rng.random()
        if roll < 0.6 and chat.buttons:
            event = ButtonPress(rng.choice(chat.buttons).data)
        elif roll < 0.9:
            event = TextInput(rng.choice(TEXTS))
        elif roll < 0.95:
            event = Command(rng.choice(COMMANDS))
        else:
            event = ButtonPress(rng.choice(ENTRIES))
        outcome = chat.send(event)
        assert outcome.replies, f"silence after {event!r}"
        for reply in outcome.replies:
            for catalog in LOCALES.catalogs.values():
                assert utf16_length(catalog.render(reply.text)) < MESSAGE_LIMIT
                for row in reply.buttons:
                    for button in row:
                        assert catalog.render(button.label)
        assert UserState.model_validate_json(chat.state.model_dump_json()) == chat.state
