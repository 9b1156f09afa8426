"""One turn in the shell: an update Telegram delivers twice after a crash is applied once. On
SQLite and PostgreSQL alike (the `backend` fixture of tests/conftest.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal

import pytest

from bot.conversation import Conversation
from bot.settings import PROJECT_ROOT
from bot.telegram_app import open_conversation
from flows.conversation.core import ButtonPress, Command, TextInput
from flows.domain.ledger import Debt
from flows.steps.debts import MAX_DEBTS
from tests.conftest import Backend


async def test_an_update_delivered_again_is_not_applied_twice(backend: Backend):
    conversation = await open_conversation(backend.settings())
    try:
        await conversation.handle(1, 1, Command("start"), update_id=10)
        stored = await conversation.storage.load(1)
        begin = f"{stored.state.prompt_seq}|begin"
        await conversation.handle(1, 1, ButtonPress(begin), update_id=11)
        write = f"{(await conversation.storage.load(1)).state.prompt_seq}|script"
        await conversation.handle(1, 1, ButtonPress(write), update_id=12)
        await conversation.handle(1, 1, TextInput("借呗"), update_id=13)
        after_first = await conversation.storage.load(1)

        again = await conversation.handle(1, 1, TextInput("借呗"), update_id=13)

        assert (await conversation.storage.load(1)).state == after_first.state
        assert after_first.last_update_id == 13
        assert "逾期的主要原因" in again.replies[-1].parts[-1]
    finally:
        await conversation.storage.close()


async def test_the_terminal_has_no_update_ids_and_is_never_deduplicated(backend: Backend):
    conversation = await open_conversation(backend.settings(locales_dir=PROJECT_ROOT / "locales"))
    try:
        await conversation.handle(0, 0, Command("start"))
        await conversation.handle(0, 0, Command("menu"))
        assert (await conversation.storage.load(0)).state.position.step == "menu"
    finally:
        await conversation.storage.close()


@pytest.fixture
async def conversation(backend: Backend) -> AsyncIterator[Conversation]:
    opened = await open_conversation(backend.settings())
    yield opened
    await opened.storage.close()


async def at_the_income_kind_question(conversation: Conversation) -> None:
    await conversation.handle(1, 1, Command("start"))
    await conversation.handle(1, 1, Command("budget"))
    await conversation.handle(1, 1, TextInput("开始填写"))


async def test_typing_a_buttons_label_presses_it(conversation: Conversation):
    await at_the_income_kind_question(conversation)
    turn = await conversation.handle(1, 1, TextInput(" 基本固定 "))
    assert "每月收入大概多少元" in turn.replies[-1].parts[-1]


async def test_a_menu_entry_typed_without_its_number_opens_that_step(conversation: Conversation):
    await conversation.handle(1, 1, Command("start"))
    await conversation.handle(1, 1, Command("menu"))
    await conversation.handle(1, 1, TextInput("列出我的债务"))
    assert (await conversation.storage.load(1)).state.position.step == "debts"


async def test_a_label_inside_a_longer_answer_is_an_answer_not_a_press(
    conversation: Conversation,
):
    await at_the_income_kind_question(conversation)
    turn = await conversation.handle(1, 1, TextInput("基本固定吧，每月6000左右"))
    assert "每月收入大概多少元" not in turn.replies[-1].parts[-1]
    assert (await conversation.storage.load(1)).state.position.node == "form"


async def test_at_the_debt_cap_typing_add_gets_the_limit_message(conversation: Conversation):
    await conversation.handle(1, 1, Command("start"))
    stored = await conversation.storage.load(1)
    debts = tuple(
        Debt(id=i, platform=f"平台{i}", borrowed=Decimal(1000)) for i in range(1, MAX_DEBTS + 1)
    )
    full = stored.state.model_copy(update={"debts": debts, "next_debt_id": MAX_DEBTS + 1})
    await conversation.storage.save(1, 1, full)
    await conversation.handle(1, 1, Command("debts"))
    turn = await conversation.handle(1, 1, TextInput("添加一笔债务"))
    shown = " ".join(part for reply in turn.replies for part in reply.parts)
    assert f"已经有 {MAX_DEBTS} 笔" in shown
    assert "请点" not in shown
