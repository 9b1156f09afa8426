"""A payment moves the balance by rule, for each kind of debt, instead of asking to retype it."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from flows.domain.facts import Facts
from flows.domain.ledger import Debt, DueSpec, InstallmentTerms, LenderKind, RateQuote
from flows.domain.money import Period
from flows.domain.payment_log import Basis, PaymentKind
from flows.domain.payments import apply_payment
from flows.domain.plan import plan_debts
from tests.samples import seven_one_four

D = Decimal
TODAY = date(2026, 11, 24)
PAID = PaymentKind.INSTALLMENT


def test_an_installment_loan_pays_the_periods_interest_then_principal_and_ends_at_zero(
    facts: Facts,
):
    debt = Debt(
        id=1,
        platform="借呗",
        lender=LenderKind.MICROLENDER,
        borrowed=D(12000),
        installments=InstallmentTerms(payment=D(1100), periods=12),
        due=DueSpec.monthly(24),
    )
    first = apply_payment(debt, D(1100), PAID, facts, TODAY)
    assert first.basis is Basis.SCHEDULE
    assert first.to_charges + first.to_principal == D(1100)
    assert D(0) < first.to_charges < D(200)  # ~1.5% of 12,000: the schedule's own rate
    assert first.debt.remaining_principal == D(12000) - first.to_principal
    # Twelve payments a month apart bring the schedule to zero (to the fen's rounding).
    debt, since, day = first.debt, TODAY, TODAY
    for _ in range(11):
        day += timedelta(days=30)
        applied = apply_payment(debt, D(1100), PAID, facts, day, since)
        debt, since = applied.debt, day
    assert debt.remaining_principal is not None and debt.remaining_principal <= D("0.50")


def test_an_extra_payment_days_after_the_installment_goes_to_principal(facts: Facts):
    debt = Debt(
        id=1,
        platform="借呗",
        borrowed=D(12000),
        remaining_principal=D(11000),
        rate=RateQuote(per_period=D("0.0005"), period=Period.DAY),
        installments=InstallmentTerms(payment=D(1100), periods=12),
    )
    extra = apply_payment(debt, D(500), PaymentKind.EXTRA, facts, TODAY, since=TODAY)
    assert (extra.to_charges, extra.to_principal) == (D(0), D(500))
    assert extra.debt.remaining_principal == D(10500)


@pytest.mark.parametrize(
    ("paid", "charges", "principal", "left", "owed"),
    [
        (D(2000), D(600), D(1400), D(6600), D(6600)),  # fees and interest first
        (D(500), D(500), D(0), D(8000), D(8100)),  # not even the charges: principal untouched
        (D(8600), D(600), D(8000), D(0), D(0)),  # all of it: paid off
    ],
)
def test_revolving_credit_pays_fees_and_interest_before_principal(
    facts: Facts, paid, charges, principal, left, owed
):
    card = Debt(
        id=2,
        platform="招行信用卡",
        lender=LenderKind.BANK,
        remaining_principal=D(8000),
        owed_now=D(8600),
    )
    applied = apply_payment(card, paid, PAID, facts, TODAY)
    assert applied.basis is Basis.BILL
    assert (applied.to_charges, applied.to_principal) == (charges, principal)
    assert (applied.debt.remaining_principal, applied.debt.owed_now) == (left, owed)
    assert applied.debt.cleared is (left == 0)


def test_a_private_loan_pays_the_interest_since_the_last_payment_then_principal(facts: Facts):
    # A friend's loan, 0.8% a month (9.6% a year, within the line): 184 days of interest first.
    loan = Debt(
        id=3,
        platform="老王",
        lender=LenderKind.PRIVATE,
        contract_date=date(2026, 5, 24),
        borrowed=D(10000),
        rate=RateQuote(per_period=D("0.008"), period=Period.MONTH),
    )
    first = apply_payment(loan, D(3000), PAID, facts, TODAY)
    assert first.basis is Basis.ESTIMATED
    assert first.to_charges == D("483.95")  # 10,000 x 9.6% x 184 / 365
    assert first.debt.remaining_principal == D(10000) - D(3000) + D("483.95")
    later = TODAY + timedelta(days=30)
    second = apply_payment(first.debt, D(1000), PAID, facts, later, since=TODAY)
    expected = (first.debt.remaining_principal * D("0.096") * 30 / 365).quantize(D("0.01"))
    assert second.to_charges == expected


def test_a_loan_with_nothing_known_counts_everything_as_principal_and_says_so(facts: Facts):
    loan = Debt(id=4, platform="朋友", remaining_principal=D(5000))
    applied = apply_payment(loan, D(2000), PAID, facts, TODAY)
    assert applied.basis is Basis.UNKNOWN
    assert (applied.to_charges, applied.debt.remaining_principal) == (D(0), D(3000))


def test_a_714_loan_targets_only_the_lawful_part(facts: Facts):
    debt = seven_one_four(id=5, owed_now=D(3000))
    applied = apply_payment(debt, D(1000), PAID, facts, TODAY)
    assert applied.lawful_only
    # The target is the lawful part as the plan counts it (the 900 taken up front is not
    # principal; interest only up to the line), not the contract's 3,000.
    (planned,), _ = plan_debts((debt,), facts, TODAY)
    assert applied.balance_before == planned.balance < D(2200)
    assert D(0) < applied.to_charges < D(20)
    assert applied.balance_after == planned.balance - applied.to_principal
    # The debt list keeps the contract figure, and the plan reads the same lawful part from it.
    (after,), _ = plan_debts((applied.debt,), facts, TODAY)
    assert after.balance == applied.balance_after
    assert applied.debt.remaining_principal == D(3000) - applied.to_principal
    # Paying the rest of the lawful part: nothing lawful left; what the lender asks above it is
    # left for negotiation, never counted as paid off.
    rest = applied.balance_after
    assert rest is not None
    done = apply_payment(applied.debt, rest, PAID, facts, TODAY, since=TODAY)
    assert done.balance_after == 0
    (left,), _ = plan_debts((done.debt,), facts, TODAY)
    assert left.balance == 0 and left.disputed == done.debt.remaining_principal > D(800)
    assert done.beyond_lawful == done.debt.remaining_principal
    assert not done.debt.cleared  # the lender still claims it: reminders go on, saying so


def test_an_installment_loan_above_its_line_pays_down_the_lawful_part_the_plan_counts(
    facts: Facts,
):
    # 10,000 on the contract, 8,000 received, 12 x 1,200: far above the 24% line.
    debt = Debt(
        id=9,
        platform="某分期",
        lender=LenderKind.MICROLENDER,
        contract_date=date(2026, 5, 24),
        borrowed=D(10000),
        received=D(8000),
        remaining_principal=D(10000),
        installments=InstallmentTerms(payment=D(1200), periods=12),
        due=DueSpec.monthly(24),
    )
    (before,), _ = plan_debts((debt,), facts, TODAY)
    applied = apply_payment(debt, D(1200), PAID, facts, TODAY)
    assert applied.lawful_only and applied.balance_before == before.balance == D(8000)
    (after,), _ = plan_debts((applied.debt,), facts, TODAY)
    assert after.balance == applied.balance_after == D(8000) - applied.to_principal


def test_an_agreed_settlement_closes_the_debt_and_keeps_what_was_let_go(facts: Facts):
    debt = Debt(id=6, platform="分期乐", remaining_principal=D(4000), owed_now=D(5000))
    applied = apply_payment(debt, D(3000), PaymentKind.SETTLEMENT, facts, TODAY)
    assert applied.waived == D(2000)
    assert applied.debt.cleared and applied.debt.paid_off


def test_more_than_what_is_left_clears_the_debt_and_keeps_the_excess_apart(facts: Facts):
    debt = Debt(id=7, platform="花呗", remaining_principal=D(500))
    applied = apply_payment(debt, D(800), PAID, facts, TODAY)
    assert (applied.to_principal, applied.overpaid) == (D(500), D(300))
    assert applied.debt.cleared


def test_a_debt_known_only_by_what_is_owed_now_goes_down_by_the_payment(facts: Facts):
    debt = Debt(id=8, platform="白条", owed_now=D(3000))
    applied = apply_payment(debt, D(1000), PAID, facts, TODAY)
    assert (applied.debt.owed_now, applied.debt.remaining_principal) == (D(2000), None)
    usable, _missing = plan_debts((applied.debt,), facts, TODAY)
    assert [d.balance for d in usable] == [D(2000)]
