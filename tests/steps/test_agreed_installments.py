"""Recording agreed installments: from a debt's screen or after a contact logged as agreed;
every bad answer gets a reason and keeps what was entered; change, remove, forged buttons."""

from __future__ import annotations

from decimal import Decimal

import pytest

from flows.conversation.core import ButtonPress
from flows.domain.budget import Budget
from flows.domain.context import Context
from flows.domain.ledger import Agreement, Debt, LenderKind
from tests.driver import Driver, rendered

D = Decimal
JIEBEI = Debt(
    id=1,
    platform="借呗",
    lender=LenderKind.MICROLENDER,
    remaining_principal=D("10000"),
    days_overdue=40,
)


@pytest.fixture
def chat(ctx: Context) -> Driver:
    driver = Driver(ctx)
    driver.command("start")
    driver.state = driver.state.model_copy(update={"debts": (JIEBEI,), "next_debt_id": 2})
    return driver


def open_from_the_debt(chat: Driver) -> None:
    chat.command("debts")
    chat.press("debts.list.entry")
    chat.press("debts.agreement")


def test_an_agreement_is_recorded_from_the_debts_own_screen(chat: Driver):
    open_from_the_debt(chat)
    assert chat.keys == ["agreement.none"] and "借呗" in rendered(chat)["agreement.none"]
    chat.press("agreement.record")
    assert chat.keys == ["agreement.ask_monthly"]
    chat.say("800")
    # This month and next month as buttons (the clock is 2026-11-24).
    assert [b.data.split("|")[-1] for b in chat.buttons][:2] == ["2026-11", "2026-12"]
    chat.press("agreement.month_next")
    chat.send(ButtonPress(next(b.data for b in chat.buttons if b.data.endswith("|12"))))
    assert chat.keys == ["agreement.saved", "agreement.shown"]
    assert chat.state.debts[0].agreement == Agreement(
        monthly=D("800"), first_month="2026-12", months=12
    )
    shown = rendered(chat)["agreement.shown"]
    assert "每月 800 元，从 2026-12 开始，共 12 个月（合计 9,600 元）" in shown
    assert "800 yuan a month from 2026-12, 12 months" in rendered(chat, "en")["agreement.shown"]
    # The debt's own screen shows it too.
    chat.command("debts")
    chat.press("debts.list.entry")
    assert "🤝 谈好的分期：每月 800 元，从 2026-12 开始" in rendered(chat)["debts.detail"]


@pytest.mark.parametrize(
    ("question", "typed", "reason"),
    [
        ("monthly", "很多", "parsing.amount.not_number"),
        ("monthly", "-5", "parsing.amount.negative"),
        ("monthly", "😀", "parsing.amount.not_number"),
        ("monthly", "8" * 300, "form.too_long"),
        ("first_month", "明年吧", "budget.month.not_understood"),
        ("first_month", "2001年1月", "agreement.month_too_old"),
        ("months", "一百五十期", "agreement.months_too_many"),
        ("months", "700期", "parsing.periods.range"),
        ("months", "好几个月", "parsing.periods.not_understood"),
    ],
)
def test_every_bad_answer_gets_a_reason_and_keeps_what_was_entered(
    chat: Driver, question, typed, reason
):
    open_from_the_debt(chat)
    chat.press("agreement.record")
    answers = {"monthly": "800", "first_month": "2027年1月"}
    for name, answer in answers.items():
        if name == question:
            break
        chat.say(answer)
    chat.say(typed)
    assert chat.keys[-1] == f"agreement.ask_{question}"
    assert chat.keys[0] == reason
    draft = chat.state.position.draft
    assert question not in draft
    if question != "monthly":
        assert draft["monthly"] == "800.00"
    assert chat.state.debts[0].agreement is None


def test_back_goes_one_question_back_and_keeps_the_answers(chat: Driver):
    open_from_the_debt(chat)
    chat.press("agreement.record")
    chat.say("800")
    chat.say("2027年1月")
    chat.press("nav.back")
    assert chat.keys == ["agreement.ask_first_month"]
    assert chat.state.position.draft["monthly"] == "800.00"
    chat.press("nav.back")
    chat.press("nav.back")  # before the first question: back to the debt's agreement screen
    assert chat.where == ("agreement", "overview")
    assert chat.state.debts[0].agreement is None


def test_an_agreement_can_be_changed_and_removed(chat: Driver):
    agreed = Agreement(monthly=D("800"), first_month="2026-12", months=12)
    debt = JIEBEI.model_copy(update={"agreement": agreed})
    chat.state = chat.state.model_copy(update={"debts": (debt,)})
    chat.send(ButtonPress("g:agr:1"))
    assert chat.keys == ["agreement.shown"]
    chat.press("agreement.change")
    # The amount already agreed is a button: nothing to type again.
    chat.press("agreement.monthly_choice")
    chat.press("agreement.month_this")
    chat.say("6期")
    assert chat.state.debts[0].agreement == Agreement(
        monthly=D("800"), first_month="2026-11", months=6
    )
    chat.press("agreement.remove")
    assert chat.keys == ["agreement.remove_confirm"]
    chat.press("agreement.remove_no")
    assert chat.state.debts[0].agreement is not None
    chat.press("agreement.remove")
    chat.press("agreement.remove_yes")
    assert chat.keys == ["agreement.removed", "agreement.none"]
    assert chat.state.debts[0].agreement is None and chat.state.debts[0].remaining_principal


@pytest.mark.parametrize("payload", ["g:agr:999", "g:agr:abc", "g:agr:", "g:agr:-1"])
def test_a_forged_or_old_button_changes_nothing(chat: Driver, payload):
    before = chat.state.debts
    chat.send(ButtonPress(payload))
    assert chat.keys[0] == "agreement.debt_gone"
    assert chat.state.debts == before


def test_a_contact_logged_as_agreed_offers_to_record_the_installments(chat: Driver):
    chat.command("log")
    chat.press("negotiate.add_entry")
    chat.send(ButtonPress(next(b.data for b in chat.buttons if b.data.endswith(":1"))))
    chat.press("collection.yesterday")
    chat.press("negotiate.channel.phone")
    chat.press("nav.skip")
    chat.press("negotiate.outcome.agreed")
    chat.say("分12期，每月800")
    assert "agreement.after_contact" in chat.keys
    chat.press("agreement.record")
    assert chat.where == ("agreement", "overview") and chat.keys == ["agreement.none"]


def test_a_contact_not_agreed_does_not_offer_it(chat: Driver):
    chat.command("log")
    chat.press("negotiate.add_entry")
    chat.send(ButtonPress(next(b.data for b in chat.buttons if b.data.endswith(":1"))))
    chat.press("collection.yesterday")
    chat.press("negotiate.channel.phone")
    chat.press("nav.skip")
    chat.press("negotiate.outcome.refused")
    chat.press("nav.skip")
    assert "agreement.after_contact" not in chat.keys


def test_the_plan_text_explains_the_agreed_payment_once(chat: Driver):
    agreed = Agreement(monthly=D("800"), first_month="2026-11", months=12)
    debt = JIEBEI.model_copy(update={"agreement": agreed})
    budget = Budget(income=D("6000"), rent=D("3900"))
    chat.state = chat.state.model_copy(update={"debts": (debt,), "budget": budget})
    chat.command("plan")
    zh = "\n".join(rendered(chat).values())
    assert "这笔已经和平台谈好分期，每月先按约定还 800 元" in zh
    en = "\n".join(rendered(chat, "en").values())
    assert "agreed 800 yuan is paid first" in en
