"""Step 2 as a user goes through it: listing, adding, checking, editing, deleting debts."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from bot.locale import Locales
from bot.render import MESSAGE_LIMIT, render, utf16_length
from bot.settings import PROJECT_ROOT
from flows.conversation.core import ButtonPress
from flows.domain.context import Context
from flows.domain.ledger import Debt, DueSpec, InstallmentTerms, LenderKind, PenaltyRule, RateQuote
from flows.domain.money import Period
from flows.domain.texts import Text
from flows.steps.debts import MAX_DEBTS
from tests.driver import Driver


@pytest.fixture
def chat(ctx: Context) -> Driver:
    driver = Driver(ctx)
    driver.command("start")
    return driver


def forged(chat: Driver, payload: str) -> None:
    """A button payload a tampered client could send, stamped as if it were current."""
    chat.send(ButtonPress(f"{chat.state.prompt_seq}|{payload}"))


def add_full_debt(chat: Driver) -> None:
    chat.command("debts")
    chat.press("debts.add")
    chat.say("借呗")
    chat.press("debts.lender.private")
    chat.say("2023-09-01")
    chat.say("1万")
    chat.press("debts.same_as_borrowed")
    chat.say("8000")
    chat.press("nav.skip")  # rate: it is an installment loan
    chat.say("1000")
    chat.say("12期")
    chat.say("罚息日万五")
    chat.say("15号")
    chat.say("30天")
    chat.say("9000")


def all_values(item: object) -> list[object]:
    """Every value inside a Text, recursively, to find what a reply shows."""
    if isinstance(item, Text):
        return [item.key, *(v for value in item.values.values() for v in all_values(value))]
    if isinstance(item, tuple):
        return [v for value in item for v in all_values(value)]
    return [item]


# ---- the list ---------------------------------------------------------------------------------


def test_debts_command_opens_the_list_from_anywhere_and_back_returns(chat: Driver):
    chat.press("welcome.begin")
    chat.command("debts")
    assert chat.where == ("debts", "list")
    assert chat.keys == ["debts.list.empty"]
    chat.press("nav.back")
    assert chat.where == ("contact", "why")


def test_the_guide_arrives_at_the_debt_list_from_step_one(chat: Driver):
    chat.press("welcome.begin")
    chat.press("contact.already_contacted")
    assert chat.where == ("debts", "list")
    assert {b.label.key for b in chat.buttons} >= {"debts.add", "debts.next_budget", "nav.menu"}


def test_next_goes_on_to_the_budget_step(chat: Driver):
    chat.command("debts")
    chat.press("debts.next_budget")
    assert chat.state.position.step == "budget"


# ---- adding -----------------------------------------------------------------------------------


def test_a_debt_added_by_typing_and_buttons_keeps_every_answer(chat: Driver):
    add_full_debt(chat)
    (debt,) = chat.state.debts
    assert debt.platform == "借呗"
    assert debt.lender is LenderKind.PRIVATE
    assert debt.contract_date == date(2023, 9, 1)
    assert debt.borrowed == debt.received == Decimal("10000.00")
    assert debt.remaining_principal == Decimal("8000.00")
    assert debt.rate is None
    assert debt.installments == InstallmentTerms(payment=Decimal("1000.00"), periods=12)
    assert debt.penalty == PenaltyRule(daily_rate=Decimal("0.0005"))
    assert debt.due == DueSpec.monthly(15)
    assert debt.days_overdue == 30
    assert debt.owed_now == Decimal("9000.00")
    assert chat.state.next_debt_id == 2


def test_after_saving_the_detail_shows_the_legal_check_with_its_lpr_date(chat: Driver):
    add_full_debt(chat)
    assert chat.where == ("debts", "detail")
    assert chat.keys == ["debts.saved", "debts.detail", "debts.check.block"]
    check = chat.outcome.replies[-1].text
    shown = all_values(check)
    assert "debts.check.line.private_lpr" in shown
    assert "2023-08-21" in shown  # the LPR date the check used
    assert "13.8%" in shown
    assert "debts.check.exceeds" in shown
    assert "debts.check.above" in shown


def test_the_detail_offers_the_reminder_settings_button(chat: Driver):
    add_full_debt(chat)
    assert chat.button("debts.reminders").data == "g:rem:1"


def test_save_now_keeps_what_was_answered_and_leaves_the_rest_unknown(chat: Driver):
    chat.command("debts")
    chat.press("debts.add")
    chat.say("花呗")
    chat.press("debts.lender.microlender")
    chat.press("debts.save_now")
    (debt,) = chat.state.debts
    assert (debt.platform, debt.lender, debt.borrowed) == ("花呗", LenderKind.MICROLENDER, None)
    assert "debts.check.no_rate" in all_values(chat.outcome.replies[-1].text)


def test_save_now_needs_a_name_first(chat: Driver):
    chat.command("debts")
    chat.press("debts.add")
    chat.press("debts.save_now")
    assert chat.keys[0] == "debts.need_platform"
    assert chat.state.debts == ()


def test_skipping_every_question_after_the_name_still_saves(chat: Driver):
    chat.command("debts")
    chat.press("debts.add")
    chat.say("美团")
    while chat.where == ("debts", "add"):
        chat.press("nav.skip")
    (debt,) = chat.state.debts
    assert debt.platform == "美团" and debt.rate is None and debt.installments is None


def test_an_ambiguous_rate_is_asked_back_and_the_choice_is_kept(chat: Driver):
    chat.command("debts")
    chat.press("debts.add")
    chat.say("360借条")
    for _ in range(3):  # lender, date, borrowed
        chat.press("nav.skip")
    chat.say("24%")
    assert chat.keys == ["parsing.rate.which_period"]
    chat.send(ButtonPress(chat.buttons[1].data))  # 年利率 24%
    chat.press("debts.save_now")
    assert chat.state.debts[0].rate == RateQuote(per_period=Decimal("0.24"), period=Period.YEAR)


def test_a_wrong_amount_gets_a_reason_and_keeps_the_answers_so_far(chat: Driver):
    chat.command("debts")
    chat.press("debts.add")
    chat.say("借呗")
    chat.press("nav.skip")
    chat.press("nav.skip")
    before = dict(chat.state.position.draft)
    chat.say("-500")
    assert chat.keys == ["parsing.amount.negative", "debts.ask.borrowed"]
    assert chat.state.position.draft == before
    chat.say("abc")
    assert chat.keys == ["parsing.amount.not_number", "debts.ask.borrowed"]
    chat.say("1000000000000000")
    assert chat.keys == ["parsing.amount.too_big", "debts.ask.borrowed"]


def test_back_from_a_saved_debt_does_not_add_it_twice(chat: Driver):
    add_full_debt(chat)
    chat.press("nav.back")
    assert chat.where == ("debts", "list")
    assert len(chat.state.debts) == 1


def test_back_on_the_first_question_returns_to_the_list(chat: Driver):
    chat.command("debts")
    chat.press("debts.add")
    chat.press("nav.back")
    assert chat.where == ("debts", "list")


# ---- ids are untrusted ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "payload", ["open:999", "open:abc", "open:", "open:-1", "open:1" + "0" * 30]
)
def test_a_forged_debt_id_gets_a_friendly_reply(chat: Driver, payload: str):
    add_full_debt(chat)
    chat.press("debts.back_to_list")
    before = chat.state.debts
    forged(chat, payload)
    assert chat.keys[0] == "debts.not_found"
    assert chat.where == ("debts", "list")
    assert chat.state.debts == before


def test_another_users_debt_id_is_not_found(ctx: Context):
    alice, bob = Driver(ctx), Driver(ctx)
    for person in (alice, bob):
        person.command("start")
    add_full_debt(alice)
    bob.command("debts")
    forged(bob, "open:1")
    assert bob.keys[0] == "debts.not_found"


def test_an_unknown_edit_field_changes_nothing(chat: Driver):
    add_full_debt(chat)
    chat.press("debts.edit")
    before = chat.state.debts
    forged(chat, "f:id")
    assert chat.keys[0] == "common.unknown_button"
    assert chat.state.debts == before


# ---- editing and deleting ---------------------------------------------------------------------


def test_editing_one_field_changes_only_that_field(chat: Driver):
    add_full_debt(chat)
    before = chat.state.debts[0]
    chat.press("debts.edit")
    chat.press("debts.edit_field.remaining_principal")
    chat.say("7000")
    after = chat.state.debts[0]
    assert after.remaining_principal == Decimal("7000.00")
    assert after.model_copy(update={"remaining_principal": before.remaining_principal}) == before
    assert chat.keys[0] == "debts.updated"
    assert chat.where == ("debts", "detail")


def test_editing_the_installments_asks_both_questions(chat: Driver):
    add_full_debt(chat)
    chat.press("debts.edit")
    chat.press("debts.edit_field.installments")
    chat.say("1100")
    chat.say("10")
    assert chat.state.debts[0].installments == InstallmentTerms(
        payment=Decimal("1100.00"), periods=10
    )


def test_skipping_an_edited_field_clears_it(chat: Driver):
    add_full_debt(chat)
    chat.press("debts.edit")
    chat.press("debts.edit_field.penalty")
    chat.press("nav.skip")
    assert chat.state.debts[0].penalty is None


def test_back_after_an_edit_does_not_reopen_the_edit(chat: Driver):
    add_full_debt(chat)
    chat.press("debts.edit")
    chat.press("debts.edit_field.owed_now")
    chat.say("9500")
    chat.press("nav.back")
    assert chat.where == ("debts", "list")


def test_deleting_asks_first_and_keeping_changes_nothing(chat: Driver):
    add_full_debt(chat)
    chat.press("debts.delete")
    assert chat.keys == ["debts.delete_confirm"]
    chat.press("debts.delete_no")
    assert chat.keys[0] == "debts.delete_cancelled"
    assert len(chat.state.debts) == 1
    chat.press("debts.delete")
    chat.press("debts.delete_yes")
    assert chat.keys[0] == "debts.deleted"
    assert chat.state.debts == ()
    assert chat.where == ("debts", "list")


def test_an_old_delete_button_cannot_delete_again(chat: Driver):
    add_full_debt(chat)
    chat.press("debts.delete")
    yes = chat.button("debts.delete_yes")
    chat.press("debts.delete_yes")
    chat.send(ButtonPress(yes.data))
    assert chat.keys[0] == "common.stale_button"


# ---- the summary ------------------------------------------------------------------------------


def test_the_list_totals_remaining_principal_and_owed_now(chat: Driver):
    add_full_debt(chat)
    chat.command("debts")
    chat.press("debts.add")
    chat.say("花呗")
    chat.press("debts.lender.microlender")
    chat.press("nav.skip")
    chat.say("5000")
    chat.press("nav.skip")
    chat.say("3000")
    chat.say("日息万五")
    chat.press("debts.save_now")
    chat.command("debts")
    summary = chat.outcome.replies[0].text
    assert summary.key == "debts.list.summary"
    assert summary.values["count"] == 2
    assert summary.values["remaining"] == Text("debts.yuan", {"amount": "11,000"})
    assert summary.values["owed"] == Text("debts.yuan", {"amount": "9,000"})
    assert summary.values["owed_note"] == Text("debts.list.missing", {"count": 1})
    shown = all_values(summary)
    assert "debts.list.exceeds_line" in shown and "debts.list.overdue_line" in shown
    # The overdue, more expensive debt is listed first.
    entries = [b for b in chat.buttons if b.data.split("|")[-1].startswith("open:")]
    assert [e.label.values["platform"] for e in entries] == ["借呗", "花呗"]


NASTY = [
    "😀",
    "-1",
    "0",
    "万五万五",
    "1" + "0" * 20,
    "abc",
    "<b>x</b>",
    "2023-02-30",
    "32号",
    "日息9%",
]


def test_bad_answers_at_every_question_never_break_the_form(chat: Driver):
    chat.command("debts")
    chat.press("debts.add")
    chat.say("借呗")
    asked = []
    while chat.where == ("debts", "add") and len(asked) < 20:
        question = chat.state.position.draft["_field"]
        asked.append(question)
        for bad in NASTY:
            chat.say(bad)
            if "_ask" in chat.state.position.draft:
                chat.press("nav.back")  # a question back: decline it, stay on the question
            if chat.state.position.draft.get("_field") != question:
                break  # the bad text was a fine answer here ("0" days overdue)
            assert chat.state.debts == ()
        if chat.where == ("debts", "add") and chat.state.position.draft.get("_field") == question:
            if question == "periods":
                chat.say("12")
            else:
                chat.press("nav.skip")
    assert [d.platform for d in chat.state.debts] == ["借呗"]
    assert len(set(asked)) >= 9


def test_a_full_list_renders_within_telegrams_limits(ctx: Context):
    debts = tuple(
        Debt(
            id=i,
            platform=f"平台名称很长很长的借款平台第{i}号" + "贷" * 10,
            lender=LenderKind.PRIVATE,
            borrowed=Decimal(10000),
            remaining_principal=Decimal(9000),
            rate=RateQuote(per_period=Decimal("0.001"), period=Period.DAY),
            days_overdue=100 + i,
        )
        for i in range(1, MAX_DEBTS + 1)
    )
    driver = Driver(ctx)
    driver.command("start")
    driver.state = driver.state.model_copy(update={"debts": debts, "next_debt_id": MAX_DEBTS + 1})
    driver.command("debts")
    assert "debts.add" in {b.label.key for b in driver.buttons}
    for catalog in Locales.load(PROJECT_ROOT / "locales").catalogs.values():
        for reply in driver.outcome.replies:
            rendered = render(catalog, reply)
            assert all(utf16_length(part) <= MESSAGE_LIMIT for part in rendered.parts)
            assert sum(len(row) for row in rendered.keyboard) <= 100
    driver.press("debts.add")  # at the cap, pressing add explains the limit
    assert "debts.too_many" in driver.keys
    assert driver.where == ("debts", "list") and len(driver.state.debts) == MAX_DEBTS
