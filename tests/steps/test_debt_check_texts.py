"""A debt's legal check as the user reads it: which line, above it or not, and what it costs."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from bot.locale import Locales
from bot.settings import PROJECT_ROOT
from flows.conversation.core import ButtonPress
from flows.domain.assessment import assess
from flows.domain.context import Context
from flows.domain.facts import Facts
from flows.domain.ledger import Debt, InstallmentTerms, LenderKind, PenaltyRule, RateQuote
from flows.domain.money import Period
from tests.driver import Driver
from tests.samples import head_interest_loan, seven_one_four

TODAY = date(2026, 11, 25)


LOCALES = Locales.load(PROJECT_ROOT / "locales")


def _friend_loan(**changes: object) -> Debt:
    values: dict[str, object] = {
        "id": 1,
        "platform": "friend",
        "lender": LenderKind.PRIVATE,
        "contract_date": date(2023, 6, 1),
        "borrowed": Decimal(50000),
        "received": Decimal(50000),
        "remaining_principal": Decimal(50000),
        "rate": RateQuote(per_period=Decimal("0.02"), period=Period.MONTH),
        "penalty": PenaltyRule(),
        "days_overdue": 90,
    }
    values.update(changes)
    return Debt.model_validate(values)


def _check_text(ctx: Context, debt: Debt) -> str:
    chat = Driver(ctx)
    chat.command("start")
    chat.state = chat.state.model_copy(update={"debts": (debt,), "next_debt_id": 2})
    chat.command("debts")
    (button,) = [b for b in chat.buttons if b.data.endswith("open:1")]
    chat.send(ButtonPress(button.data))
    catalog = LOCALES.get("zh-CN")
    return "\n".join(catalog.render(reply.text) for reply in chat.outcome.replies)


def test_a_seven_day_loan_is_annualised_over_its_seven_days(facts: Facts):
    # 714-style: contract 3,000, received 2,100, repay 3,000 once, seven days later.
    # Interest 900 on 2,100 over 7 days: 900 / 2100 x 365 / 7 = 2234.69% a year, not the
    # 514.29% a monthly period gave. Above 4 x LPR (12%): 900 - 2100 x 12% x 7/365 = 895.17.
    loan = seven_one_four(platform="714", lender=LenderKind.PRIVATE)
    result = assess(loan, facts, TODAY)
    assert result.method == "single"
    assert result.term_days == 7
    assert round(result.interest_rate, 4) == Decimal("22.3469")
    assert result.interest_above_line == Decimal("895.17")


def test_a_rate_that_shows_as_the_line_is_not_above_it(facts: Facts):
    # Domain facts §7: 10,000 in 12 payments of 945.60 is 24% (the payment is rounded to the
    # fen, so the IRR is 24.0006%). It must not read "24%, above the 24% line".
    loan = Debt(
        id=1,
        platform="bank",
        lender=LenderKind.BANK,
        borrowed=Decimal(10000),
        installments=InstallmentTerms(payment=Decimal("945.60"), periods=12),
    )
    assert not assess(loan, facts, TODAY).exceeds


def test_the_list_says_the_rate_is_above_the_line_without_a_dangling_colon(ctx: Context) -> None:
    # Was "...135.02%，超过持牌机构参考线：24%": a colon in the middle of the sentence.
    chat = Driver(ctx)
    chat.command("start")
    chat.state = chat.state.model_copy(update={"debts": (head_interest_loan(),), "next_debt_id": 4})
    chat.command("debts")
    shown = LOCALES.get("zh-CN").render(chat.outcome.replies[-1].text)
    assert "\u9ad8\u4e8e\u6301\u724c\u673a\u6784\u53c2\u8003\u7ebf 24%" in shown  # above ... 24%
    assert "\uff1a24%" not in shown


def test_no_penalty_means_no_talk_of_a_zero_percent_lateness_cost(ctx: Context) -> None:
    # Penalty "none" and 90 days overdue printed "罚息和费用折合年化约 0%，综合年化 24%".
    shown = _check_text(ctx, _friend_loan())
    assert "0%" not in shown.replace("2023-06-01", "")
    assert "14.6%" in shown and "2022-08-22" in shown  # the LPR in force on 2023-06-01
    assert "16,379.18" in shown  # 50,000 x (24% - 14.6%) x 1,272 days / 365
