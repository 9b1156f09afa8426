"""Third QA pass, steps 1-4 walked as frightened users type: Xiao Wang (three online loans, one
with an up-front deduction), Sister Li (irregular income, a private lender, a car to sell), and
people with nothing left or one tiny debt. Each test names the input and the wrong output it
guards against."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from flows.core import Context
from flows.ledger import Debt, DueSpec, InstallmentTerms, LenderKind
from flows.plan import Order, Plan, plan_debts, simulate

# ---- the plan follows an installment schedule with an up-front deduction -------------------


def _head_interest_loan() -> Debt:
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


def test_a_loan_with_an_up_front_deduction_costs_in_the_plan_what_its_schedule_says(
    ctx: Context,
) -> None:
    # 6 x 1,000 on a 5,000 contract is 1,000 of interest over six months. The legal IRR (on the
    # 4,200 received, 135% a year) applied to the 5,000 balance made it 2,765 over eight.
    debts, _ = plan_debts((_head_interest_loan(),), ctx.facts, ctx.now.date())
    (debt,) = debts
    assert debt.above_line  # the legal check still runs on the money received
    plan = simulate(debts, Decimal(1000), Order.GUIDE)
    assert isinstance(plan, Plan)
    (outcome,) = plan.debts
    assert outcome.payoff_month == 6
    assert abs(outcome.interest - Decimal(1000)) < Decimal(1)
