"""Negotiation scripts: who they speak to (a platform or a friend) and the amounts they offer."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bot.locale import Locales
from bot.settings import PROJECT_ROOT
from flows.conversation.core import ButtonPress
from flows.domain.context import Context
from flows.domain.ledger import Debt, LenderKind
from tests.driver import Driver, rendered

LOCALES = Locales.load(PROJECT_ROOT / "locales")


def _script_for(ctx: Context, lender: LenderKind, kind: str, locale: str) -> Driver:
    chat = Driver(ctx)
    chat.command("start")
    debt = Debt(id=1, platform="朋友借款", lender=lender, borrowed=Decimal(20000))
    chat.state = chat.state.model_copy(
        update={"debts": (debt,), "next_debt_id": 2, "locale": locale}
    )
    chat.send(ButtonPress("m:negotiate"))
    chat.press("negotiate.write_script")
    chat.press("platforms.debt_button")
    prefix = "negotiate.kind_private" if lender is LenderKind.PRIVATE else "negotiate.kind"
    chat.press(f"{prefix}.{kind}")
    if kind == "extension":
        chat.say("3")
    if kind != "supervisor":
        chat.say("800")
    return chat


def _negotiating(ctx: Context, kind: str = "installments") -> Driver:
    bot = Driver(ctx)
    bot.command("start")
    debt = Debt(
        id=1, platform="借呗", lender=LenderKind.CONSUMER_FINANCE, owed_now=Decimal("16000")
    )
    bot.state = bot.state.model_copy(update={"debts": (debt,), "next_debt_id": 2})
    bot.send(ButtonPress("m:negotiate"))
    bot.press("negotiate.write_script")
    bot.press("platforms.debt_button")
    bot.press(f"negotiate.kind.{kind}")
    return bot


@pytest.mark.parametrize("kind", ["extension", "installments", "waive", "supervisor"])
def test_a_friends_loan_gets_a_script_without_platform_or_customer_service(ctx: Context, kind: str):
    # Before: "您好，我是朋友借款的借款用户…请问平台有哪些延期方案？…用短信或站内信发给我",
    # and the tips said to pay only through the platform's official channels.
    chat = _script_for(ctx, LenderKind.PRIVATE, kind, "zh-CN")
    replies = rendered(chat)
    script = replies[f"negotiate.script_private.{kind}"]
    body = script.split("<code>")[1]
    for platform_word in ("平台", "客服", "借款用户", "站内信", "主管", "工单"):
        assert platform_word not in body, platform_word
    assert "20,000" in body or "20000" in body
    tips = replies["negotiate.tips_private"]
    assert "客服工号" not in tips and "转主管" not in tips


def test_a_friends_loan_is_asked_what_to_ask_them_not_the_platform(ctx: Context):
    chat = Driver(ctx)
    chat.command("start")
    debt = Debt(id=1, platform="朋友借款", lender=LenderKind.PRIVATE)
    chat.state = chat.state.model_copy(update={"debts": (debt,), "next_debt_id": 2})
    chat.send(ButtonPress("m:negotiate"))
    chat.press("negotiate.write_script")
    chat.press("platforms.debt_button")
    chat.say("20000")
    question = rendered(chat)["negotiate.ask_kind"]
    assert "对方" in question and "平台" not in question
    labels = [LOCALES.get("zh-CN").render(b.label) for b in chat.buttons]
    assert not any("主管" in label for label in labels)


@pytest.mark.parametrize("kind", ["extension", "installments", "waive", "supervisor"])
def test_the_private_script_in_english_names_no_platform(ctx: Context, kind: str):
    chat = _script_for(ctx, LenderKind.PRIVATE, kind, "en")
    body = rendered(chat, "en")[f"negotiate.script_private.{kind}"].split("<code>")[1]
    for platform_word in ("platform", "borrower of", "customer service", "supervisor", "ticket"):
        assert platform_word not in body, platform_word


def test_a_licensed_lender_keeps_the_platform_script(ctx: Context):
    chat = _script_for(ctx, LenderKind.CONSUMER_FINANCE, "waive", "zh-CN")
    assert "negotiate.script.waive" in rendered(chat)
    assert "negotiate.tips" in rendered(chat)


def test_twelve_typed_as_the_monthly_amount_is_asked_back(ctx: Context):
    # Before: "12" (meant as 12 installments) gave "我每月可以稳定还 12 元" on a 16,000 debt.
    bot = _negotiating(ctx)
    bot.say("12")
    assert bot.keys == ["negotiate.monthly_small"]
    bot.press("nav.back")
    bot.say("1200")
    assert bot.where == ("negotiate", "script")
    assert bot.outcome.replies[0].text.values["monthly"].values["amount"] == "1,200"


def test_a_small_amount_really_meant_is_kept(ctx: Context):
    bot = _negotiating(ctx)
    bot.say("50")
    bot.press("negotiate.monthly_small_yes")
    assert bot.outcome.replies[0].text.values["monthly"].values["amount"] == "50"


def test_a_small_amount_with_its_unit_is_not_asked_back(ctx: Context):
    bot = _negotiating(ctx)
    bot.say("50元")
    assert bot.where == ("negotiate", "script")


@pytest.mark.parametrize(("typed", "months"), [("三个月", "3"), ("仨月", "3"), ("半年", "6")])
def test_an_extension_typed_in_words_is_understood(ctx: Context, typed: str, months: str):
    # Before: "三个月" and "仨月" got "请输入 1 到 24 之间的月数".
    bot = _negotiating(ctx, "extension")
    bot.say(typed)
    assert bot.keys == ["negotiate.ask_monthly"]
    assert bot.state.position.draft["months"] == months
