"""Debts and walks several test modules start from."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from flows.domain.context import Context
from flows.domain.ledger import Debt, DueSpec, InstallmentTerms, LenderKind
from tests.driver import Driver, adding_a_debt


def head_interest_loan() -> Debt:
    # 5,000 on the contract, 4,200 received, 6 x 1,000, nothing paid yet.
    return Debt(
        id=3,
        platform="xiaodai",
        lender=LenderKind.MICROLENDER,
        contract_date=date(2026, 8, 15),
        borrowed=Decimal(5000),
        received=Decimal(4200),
        remaining_principal=Decimal(5000),
        installments=InstallmentTerms(payment=Decimal(1000), periods=6),
        due=DueSpec(day_of_month=15),
        days_overdue=0,
    )


def seven_one_four(**changes: object) -> Debt:
    """A 714 loan: borrowed 3,000, received 2,100, repay 3,000 once seven days later (far above
    any line), seven days overdue; `changes` set what a test needs otherwise."""
    fields: dict[str, object] = {
        "id": 1,
        "platform": "速借",
        "lender": LenderKind.UNKNOWN,
        "contract_date": date(2026, 11, 10),
        "borrowed": Decimal(3000),
        "received": Decimal(2100),
        "remaining_principal": Decimal(3000),
        "installments": InstallmentTerms(payment=Decimal(3000), periods=1),
        "due": DueSpec.once(date(2026, 11, 17)),
        "days_overdue": 7,
    }
    return Debt(**(fields | changes))


def one_loan_and_a_budget(
    ctx: Context, rate: str, income: str, spending: tuple[str, ...]
) -> Driver:
    """A 20,000 借呗 loan at `rate`, nothing repaid, then a fixed `income` and the six
    spending answers typed in order (the asset sale skipped)."""
    bot = adding_a_debt(ctx)
    bot.say("借呗")
    bot.press("nav.skip")
    bot.press("nav.skip")
    bot.say("20000")
    bot.press("debts.same_as_borrowed")
    bot.press("debts.nothing_repaid")
    bot.say(rate)
    bot.press("debts.save_now")
    bot.command("budget")
    bot.press("budget.start")
    bot.press("budget.income_kind.fixed")
    bot.say(income)
    for typed in spending:
        bot.say(typed)
    bot.press("nav.skip")
    return bot
