"""The debt form as people answer it: what is confirmed, asked back, questioned or skipped."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from bot.locale import Locales
from bot.settings import PROJECT_ROOT
from flows.conversation.core import ButtonPress
from flows.domain.context import Context
from flows.domain.ledger import DueSpec
from flows.domain.parsing.answers import Ask
from flows.domain.parsing.dates import parse_due, parse_past_date
from flows.domain.parsing.durations import parse_days_overdue
from flows.domain.parsing.penalties import parse_penalty
from flows.domain.parsing.rates import parse_rate
from flows.domain.texts import Text
from tests.driver import adding_a_debt, rendered

LOCALES = Locales.load(PROJECT_ROOT / "locales")


def test_a_bare_penalty_number_with_one_reading_is_confirmed_not_asked_which(ctx: Context):
    result = parse_penalty("30", ctx)
    assert isinstance(result, Ask)
    assert len(result.options) == 1
    assert result.question == "parsing.penalty.confirm"


def test_a_rate_with_one_plausible_period_is_confirmed(ctx: Context):
    result = parse_rate("200", ctx)
    assert isinstance(result, Ask)
    assert len(result.options) == 1
    assert result.question == "parsing.rate.confirm"


def test_a_day_without_year_with_one_possible_year_is_confirmed(ctx: Context):
    result = parse_past_date("12月5日", ctx)  # 2026-12-05 has not come yet
    assert isinstance(result, Ask)
    assert len(result.options) == 1
    assert result.question == "parsing.date.confirm_year"


def test_typing_skip_skips_the_question(ctx: Context):
    bot = adding_a_debt(ctx)
    bot.say("借呗")
    bot.say("跳过")  # lender
    assert bot.keys[-1] == "debts.ask.contract_date"
    bot.say("返回")
    assert bot.keys[-1] == "debts.ask.lender"
    bot.say("主菜单")
    assert bot.where == ("menu", "main")


def test_a_total_no_debt_has_is_shown_as_not_filled_not_as_zero(ctx: Context):
    bot = adding_a_debt(ctx)
    bot.say("借呗")
    bot.press("debts.save_now")
    bot.command("debts")
    summary = bot.outcome.replies[0].text
    assert summary.values["owed"] == Text("debts.unknown")
    assert summary.values["owed_note"] == ""


def test_money_received_above_the_contract_amount_is_questioned(ctx: Context):
    bot = adding_a_debt(ctx)
    bot.say("借呗")
    bot.press("nav.skip")
    bot.press("nav.skip")
    bot.say("15000")
    bot.say("20000")
    assert bot.keys == ["debts.received_above_borrowed", "debts.ask.received"]
    bot.say("14000")
    bot.say("16000")
    assert bot.keys == ["debts.remaining_above_borrowed", "debts.ask.remaining"]


def test_the_day_overdue_began_without_a_year_is_offered_as_days(ctx: Context):
    result = parse_days_overdue("10月1日", ctx)  # ctx: 2026-11-24
    assert isinstance(result, Ask)
    assert [o.value for o in result.options] == [54, 419]


def test_a_monthly_fee_rate_is_not_taken_as_interest(ctx: Context):
    # 月费率0.6% is 7.2% a year on paper but about 13% real (domain facts §7).
    from flows.domain.parsing.rates import parse_loan_rate

    assert parse_loan_rate("月费率0.6%", ctx).reason == "parsing.rate.fee_rate"
    assert parse_loan_rate("月息0.6%", ctx).value.per_period == Decimal("0.006")


def test_next_months_day_as_a_due_date_asks_monthly_or_once(ctx: Context):
    result = parse_due("下个月5号", ctx)
    assert isinstance(result, Ask) and result.question == "parsing.due.which_kind"
    assert [o.value for o in result.options] == [
        DueSpec.monthly(5),
        DueSpec.once(date(2026, 12, 5)),
    ]


def test_a_month_only_contract_date_is_confirmed_in_the_debt_form(ctx: Context):
    bot = adding_a_debt(ctx)
    bot.say("朋友借款")
    bot.press("nav.skip")  # lender
    bot.say("2023年9月")
    assert bot.keys[-1] == "parsing.date.which_day"
    assert "“2023年9月”具体是哪一天" in rendered(bot)["parsing.date.which_day"]
    bot.press("parsing.date.option_first")
    assert bot.state.position.draft["contract_date"] == "2023-09-01"
    assert bot.keys[-1] == "debts.ask.borrowed"


@pytest.mark.parametrize(
    "typed",
    ["\u4e0d\u77e5\u9053", "\u4e0d\u6e05\u695a", "\u8bb0\u4e0d\u6e05\u4e86", "\u5fd8\u4e86"],
)
def test_i_dont_know_at_the_rate_question_skips_it(ctx: Context, typed: str) -> None:
    # bu zhidao / bu qingchu / ji bu qing le / wang le: was "rate not understood".
    chat = adding_a_debt(ctx)
    chat.say("\u501f\u5457")  # the platform
    chat.press("debts.lender.consumer_finance")
    chat.say("2025-03-10")
    chat.say("3\u4e07")
    chat.press("debts.same_as_borrowed")
    chat.say("2\u4e07")
    assert "debts.ask.rate" in chat.keys
    chat.say(typed)
    assert chat.keys[-1] == "debts.ask.payment"
    assert chat.state.position.draft.get("rate") is None


def test_a_contract_month_in_which_the_lpr_changed_offers_both_sides_of_the_change(ctx: Context):
    # June 2023: 3.65% until the 19th, 3.55% from the 20th; "the 1st" alone would pick silently.
    bot = adding_a_debt(ctx)
    bot.say("老王")
    bot.press("debts.lender.private")
    bot.say("2023年6月")
    assert bot.keys[-1] == "debts.ask.contract_day_lpr"
    assert [b.label.values["date"] for b in bot.buttons if b.label.values] == [
        "2023-06-01",
        "2023-06-20",
    ]
    bot.send(ButtonPress(bot.buttons[1].data))
    assert bot.state.position.draft["contract_date"] == "2023-06-20"


def test_a_contract_month_without_an_lpr_change_asks_for_the_day_as_before(ctx: Context):
    bot = adding_a_debt(ctx)
    bot.say("老王")
    bot.press("debts.lender.private")
    bot.say("2023年7月")
    assert bot.keys[-1] == "parsing.date.which_day"
