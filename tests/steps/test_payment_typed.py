"""A payment told in passing ("今天还了借呗 800") is understood, confirmed, then recorded."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from flows.conversation.core import ButtonPress
from flows.conversation.state import UserState
from flows.domain.context import Context
from flows.domain.ledger import Debt, DueSpec, InstallmentTerms, LenderKind
from flows.domain.parsing.payment_sentences import read_payment
from flows.domain.payment_log import PaymentKind
from tests.driver import Driver
from tests.samples import seven_one_four

D = Decimal
TODAY = date(2026, 11, 24)  # the ctx fixture's day
DEBTS = (
    Debt(id=1, platform="借呗", remaining_principal=D(8000)),
    Debt(id=2, platform="招行信用卡", lender=LenderKind.BANK, remaining_principal=D(9000)),
    Debt(id=3, platform="360借条", remaining_principal=D(5000)),
)


@pytest.mark.parametrize(
    ("typed", "amount", "day", "platform"),
    [
        ("今天还了借呗 800", "800", TODAY, "借呗"),
        ("昨天还了信用卡2000", "2000", date(2026, 11, 23), "招行信用卡"),
        ("还了 800 给借呗", "800", TODAY, "借呗"),
        ("今天还借呗800", "800", TODAY, "借呗"),
        ("借呗已还800元", "800", TODAY, "借呗"),
        ("刚还上了360借条两千五", "2500", TODAY, "360借条"),
        ("前天给借呗还了1.2万", "12000", date(2026, 11, 22), "借呗"),
        ("11月20日还了借呗 800块", "800", date(2026, 11, 20), "借呗"),
        ("我已经还了招行信用卡 3,000 元", "3000", TODAY, "招行信用卡"),
        ("paid 800 to 借呗 yesterday", "800", date(2026, 11, 23), "借呗"),
        ("ＪＩＥ还了借呗８００", "800", TODAY, "借呗"),  # full-width digits
    ],
)
def test_payment_phrasings_are_read(typed, amount, day, platform):
    found = read_payment(typed, DEBTS, TODAY)
    assert found is not None
    assert (found.amount, found.day, [d.platform for d in found.debts]) == (
        D(amount),
        day,
        [platform],
    )
    assert found.problem is None


@pytest.mark.parametrize(
    "typed",
    [
        "我还欠借呗800",  # still owe
        "还款日是15号",  # the due day
        "没还借呗800",  # did not pay
        "这个月还不上借呗800",  # can't pay
        "借呗还剩8000",  # still left
        "还有3天到期",
        "1500",
        "催收说我还没还钱",
        "还了",  # nothing to record
    ],
)
def test_sentences_that_are_not_payments_are_left_alone(typed):
    assert read_payment(typed, DEBTS, TODAY) is None


@pytest.mark.parametrize(
    ("typed", "problem"),
    [
        ("还了 -500 给借呗", "parsing.amount.negative"),
        ("还了借呗 99999999999", "parsing.amount.too_big"),
        ("还了借呗800和信用卡500", "payments.typed.two_amounts"),
    ],
)
def test_a_wrong_amount_in_a_payment_sentence_is_named(typed, problem):
    found = read_payment(typed, DEBTS, TODAY)
    assert found is not None and found.amount is None and found.problem == problem


def test_kind_words_are_understood():
    def kind(typed: str) -> PaymentKind | None:
        found = read_payment(typed, DEBTS, TODAY)
        assert found is not None
        return found.kind

    assert kind("多还了借呗500") is PaymentKind.EXTRA
    assert kind("卖了手机还了借呗3000") is PaymentKind.LUMP_SUM
    assert kind("和借呗协商结清了，还了5000") is PaymentKind.SETTLEMENT
    assert kind("还了借呗800") is None


def chat(ctx: Context, *debts: Debt) -> Driver:
    state = UserState(started=True, debts=debts or DEBTS, next_debt_id=10)
    driver = Driver(ctx, state)
    driver.command("menu")
    return driver


def test_typed_in_passing_then_confirmed_is_recorded_and_the_balance_moves(ctx: Context):
    driver = chat(ctx)
    driver.say("今天还了借呗 800")
    assert driver.keys == ["payments.typed.understood", "payments.confirm"]
    assert driver.state.payments == ()  # nothing recorded before the user confirms
    driver.press("payments.ok")
    (payment,) = driver.state.payments
    assert (payment.debt_id, payment.amount, payment.day) == (1, D(800), TODAY)
    assert payment.at.tzinfo is not None
    assert driver.state.debts[0].remaining_principal == D(7200)
    assert driver.where == ("payments", "done")


def test_another_amount_typed_at_the_confirmation_replaces_the_first(ctx: Context):
    driver = chat(ctx)
    driver.say("昨天还了信用卡2000")
    driver.say("1800")
    driver.press("payments.ok")
    (payment,) = driver.state.payments
    assert (payment.debt_id, payment.amount, payment.day) == (2, D(1800), date(2026, 11, 23))


@pytest.mark.parametrize(
    ("typed", "reply"),
    [
        ("-300", "parsing.amount.negative"),
        ("😀", "parsing.amount.not_number"),
        ("我也不知道具体多少，大概是上个月的时候", "parsing.amount.not_number"),
        ("80000000", "payments.amount_far_above"),
        ("99999999999", "parsing.amount.too_big"),
    ],
)
def test_a_bad_amount_at_the_confirmation_gets_a_friendly_reply_and_keeps_the_rest(
    ctx: Context, typed, reply
):
    driver = chat(ctx)
    driver.say("还了 800 给借呗")
    driver.say(typed)
    assert driver.keys[0] == reply
    assert driver.where == ("payments", "confirm")
    assert driver.state.position.draft["amount"] == "800.00"
    assert driver.state.payments == ()


def test_a_platform_typed_at_the_question_which_debt_is_matched(ctx: Context):
    driver = chat(ctx)
    driver.say("还了 300")
    assert driver.where == ("payments", "pick")
    driver.say("360")
    assert driver.where == ("payments", "confirm")
    assert driver.state.position.draft["debt"] == 3


def test_an_unknown_platform_asks_which_debt_keeping_the_amount(ctx: Context):
    driver = chat(ctx)
    driver.say("还了 300 给花呗")
    assert driver.where == ("payments", "pick")
    assert driver.outcome.replies[0].text.values["guess"].values["guess"] == "花呗"
    pick = next(b for b in driver.buttons if b.data.endswith("d:3"))
    driver.send(ButtonPress(pick.data))
    assert driver.where == ("payments", "confirm")
    driver.press("payments.ok")
    (payment,) = driver.state.payments
    assert (payment.debt_id, payment.amount) == (3, D(300))


def test_a_payment_typed_at_a_question_comes_back_to_it_with_nothing_lost(ctx: Context):
    driver = chat(ctx)
    driver.command("budget")
    driver.press("budget.start")
    driver.say("5000")  # the income
    asked, draft = driver.where, driver.state.position.draft
    driver.say("今天还了借呗800")
    assert driver.where == ("payments", "confirm")
    driver.press("nav.back")
    assert (driver.where, driver.state.position.draft) == (asked, draft)
    assert driver.state.payments == ()


def test_a_typed_payment_without_any_debt_listed_leads_to_the_list(ctx: Context):
    driver = Driver(ctx, UserState(started=True))
    driver.command("menu")
    driver.say("今天还了借呗800")
    assert driver.keys == ["payments.typed.no_debts"]
    assert driver.state.payments == ()


def test_a_payment_recorded_from_the_debts_page(ctx: Context):
    loan = Debt(
        id=1,
        platform="借呗",
        borrowed=D(12000),
        installments=InstallmentTerms(payment=D(1100), periods=12),
        due=DueSpec.monthly(27),
    )
    driver = chat(ctx, loan)
    driver.command("debts")
    driver.press("debts.list.entry")
    driver.press("debts.record_payment")
    assert driver.where == ("payments", "confirm")
    assert driver.state.position.draft["amount"] == "1100"  # the installment, prefilled
    driver.press("payments.ok")
    assert driver.state.payments[0].amount == D(1100)
    assert driver.state.debts[0].remaining_principal is not None
    assert driver.state.debts[0].remaining_principal < D(12000)


def test_at_a_question_a_payment_to_something_not_listed_is_the_questions_answer(ctx: Context):
    driver = chat(ctx)
    driver.command("budget")
    driver.press("budget.start")
    asked = driver.where
    assert asked == ("budget", "form")
    driver.say("还了房贷2000")
    assert driver.where == asked  # the budget question took it (or asked again), not /pay
    assert driver.state.payments == ()


@pytest.mark.parametrize(
    "forged", ["g:pay:99", "g:pay:abc", "g:pay:", "g:pay:1:not-a-date", "g:pay:1:2026-11-03"]
)
def test_a_forged_payment_button_records_nothing(ctx: Context, forged: str):
    driver = chat(ctx)
    driver.send(ButtonPress(forged))
    if forged.startswith("g:pay:1:"):
        assert driver.where == ("payments", "confirm")  # the debt is real; the date is ignored
        assert "due" not in driver.state.position.draft
    else:
        assert driver.keys[0] == "payments.unknown_debt"
    assert driver.state.payments == ()


def test_a_stale_confirm_button_does_not_record_twice(ctx: Context):
    driver = chat(ctx)
    driver.say("还了 800 给借呗")
    ok = driver.button("payments.ok")
    driver.send(ButtonPress(ok.data))
    driver.send(ButtonPress(ok.data))
    assert driver.keys[0] == "common.stale_button"
    assert len(driver.state.payments) == 1


def test_a_payment_on_a_714_loan_names_the_lawful_part_left_and_the_disputed_rest(ctx: Context):
    quick = seven_one_four()
    driver = chat(ctx, quick)
    driver.say("还了速借1000")
    driver.press("payments.ok")
    lines = [line.key for line in driver.outcome.replies[-1].text.values["lines"]]
    assert "payments.left_lawful" in lines
    left = driver.state.payments[0].balance_after
    assert left is not None
    driver.say(f"还了速借{left}")
    driver.press("payments.ok")
    lines = [line.key for line in driver.outcome.replies[-1].text.values["lines"]]
    assert "payments.lawful_part_paid" in lines
    assert not driver.state.debts[0].cleared


def test_a_name_matching_two_debts_offers_just_those_two(ctx: Context):
    cards = (
        Debt(id=1, platform="招行信用卡", remaining_principal=D(9000)),
        Debt(id=2, platform="工行信用卡", remaining_principal=D(4000)),
        Debt(id=3, platform="借呗", remaining_principal=D(8000)),
    )
    driver = chat(ctx, *cards)
    driver.say("昨天还了信用卡2000")
    assert driver.where == ("payments", "pick")
    assert [
        b.data.rsplit(":", 1)[-1] for b in driver.buttons if ":d:" in b.data or "|d:" in b.data
    ] == ["1", "2"]
    assert driver.outcome.replies[0].text.values["guess"] == ""
