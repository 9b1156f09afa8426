"""How far the user has come: payments recorded into the state, and the figures they add up to.

Pure. Recording a payment applies it to the debt by rule (flows/domain/payments.py), keeps it in the
log, remembers where the user stood at their first payment (the baseline progress is measured
from), and says what the payment moved in the plan and which milestones it reached (each once).
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from flows.conversation.planned import current_plan, plan_start_of
from flows.conversation.state import UserState
from flows.domain.budget import month_key
from flows.domain.context import Context
from flows.domain.ledger import Debt
from flows.domain.money import ZERO, yuan
from flows.domain.payment_log import PAID_KINDS, Baseline, Basis, Payment, PaymentKind
from flows.domain.payments import Applied, apply_payment, corrected, facts_of, last_paid_on
from flows.domain.plan import Plan, plan_debts
from flows.domain.reminder_marks import PaidDue

# Each quarter of the total paid is celebrated once; the fourth is every debt cleared.
QUARTERS = (1, 2, 3)
# A payment this many days before a due date counts for it (people pay a few days early).
EARLY_DAYS = 10
# Payments on the chart's "actual" side go back at most this many months.
HISTORY_MONTHS = 36


# ---- figures ----------------------------------------------------------------------------------


def paid_on(payments: Iterable[Payment], debt_id: int | None = None) -> Decimal:
    """Money paid (not corrections), on one debt or on all."""
    return sum(
        (
            p.amount
            for p in payments
            if p.kind in PAID_KINDS and (debt_id is None or p.debt_id == debt_id)
        ),
        ZERO,
    )


def remaining(state: UserState, ctx: Context) -> Decimal:
    """What the plan still has to repay: the balances it starts from, all debts together."""
    today = ctx.now.date()
    debts, _missing = plan_debts(state.debts, ctx.facts, today, plan_start_of(state, ctx))
    return sum((d.balance for d in debts), ZERO)


def payoff_key(state: UserState, plan: Plan | None, ctx: Context) -> str | None:
    """'YYYY-MM' of the month the plan clears the last debt."""
    if plan is None:
        return None
    return month_key(plan_start_of(state, ctx), plan.payoff_month - 1)


def debt_payoff(state: UserState, plan: Plan | None, debt_id: int, ctx: Context) -> int | None:
    """The plan month (1 = this month) the debt is cleared in; 0 when already cleared."""
    debt = state.own_debt(debt_id)
    if debt is not None and debt.cleared:
        return 0
    if plan is None:
        return None
    return next((o.payoff_month for o in plan.debts if o.debt.id == debt_id), None)


@dataclass(frozen=True, slots=True)
class Progress:
    paid: Decimal
    per_debt: tuple[tuple[Debt, Decimal], ...]  # debts with payments, in list order
    remaining: Decimal
    months_left: int | None  # at the current plan; None without a plan
    payoff_now: str | None
    payoff_then: str | None  # the plan's payoff month at the first payment
    cleared: tuple[Debt, ...]
    saved_by_negotiation: Decimal
    since: date | None

    @property
    def share(self) -> Decimal:
        total = self.paid + self.remaining
        return ZERO if total <= 0 else self.paid / total


def progress(state: UserState, ctx: Context) -> Progress:
    plan = current_plan(state, ctx)
    per_debt = tuple(
        (debt, paid)
        for debt in state.debts
        if (paid := paid_on(state.payments, debt.id)) > 0 or debt.cleared
    )
    baseline = state.baseline
    return Progress(
        paid=paid_on(state.payments),
        per_debt=per_debt,
        remaining=remaining(state, ctx),
        months_left=plan.payoff_month if plan is not None else None,
        payoff_now=payoff_key(state, plan, ctx),
        payoff_then=baseline.payoff_month if baseline else None,
        cleared=tuple(d for d in state.debts if d.cleared),
        saved_by_negotiation=saved_by_negotiation(state),
        since=baseline.on if baseline else None,
    )


def saved_by_negotiation(state: UserState) -> Decimal:
    """What agreed settlements let go: the lender's figure minus the agreed amount."""
    return sum((p.waived for p in state.payments if p.kind is PaymentKind.SETTLEMENT), ZERO)


# ---- recording --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Moved:
    """What a payment changed in the plan: the debt's and the whole plan's payoff, the interest."""

    debt_months: int  # months earlier this debt is cleared (0: no change)
    plan_months: int  # months earlier everything is cleared
    interest_saved: Decimal


@dataclass(frozen=True, slots=True)
class Recorded:
    state: UserState
    payment: Payment
    applied: Applied | None  # None for a correction
    moved: Moved | None
    milestones: tuple[str, ...]  # reached by this payment, each said once


def paid_at(day: date, state: UserState, ctx: Context) -> datetime:
    """A day the user named, as a moment: now if it is today, else noon that day, in their zone."""
    now = ctx.now
    if day == now.date():
        return now
    return datetime.combine(day, time(12), tzinfo=now.tzinfo)


def record(
    state: UserState,
    debt: Debt,
    amount: Decimal,
    kind: PaymentKind,
    day: date,
    ctx: Context,
    covers: date | None = None,
) -> Recorded:
    """Apply a payment to `debt`, keep it in the log, and say what it moved. `covers`: the due
    date it pays, perhaps already marked paid (a reminder's 已还 marks it first)."""
    facts = facts_of(ctx.facts)
    since = last_paid_on(state.payments, debt.id)
    applied = apply_payment(debt, amount, kind, facts, day, since)
    payment = Payment(
        id=state.next_payment_id,
        debt_id=debt.id,
        kind=kind,
        amount=yuan(amount),
        at=paid_at(day, state, ctx),
        to_charges=applied.to_charges,
        to_principal=applied.to_principal,
        overpaid=applied.overpaid,
        basis=applied.basis,
        balance_before=applied.balance_before,
        balance_after=applied.balance_after,
        waived=applied.waived,
    )
    return _recorded(state, applied.debt, payment, applied, ctx, covers)


def record_correction(state: UserState, debt: Debt, balance: Decimal, ctx: Context) -> Recorded:
    """The user corrected the principal left: kept in the log as a correction, not a payment."""
    payment = Payment(
        id=state.next_payment_id,
        debt_id=debt.id,
        kind=PaymentKind.CORRECTION,
        amount=ZERO,
        at=ctx.now,
        basis=Basis.CORRECTION,
        balance_before=debt.remaining_principal,
        balance_after=yuan(balance),
    )
    return _recorded(state, corrected(debt, balance), payment, None, ctx)


def _recorded(
    state: UserState,
    updated: Debt,
    payment: Payment,
    applied: Applied | None,
    ctx: Context,
    covers: date | None = None,
) -> Recorded:
    before = state
    if state.baseline is None:
        # Where the user stood before this payment: its due date not yet paid either.
        mark = PaidDue(debt_id=payment.debt_id, due_date=covers) if covers else None
        unpaid = state.model_copy(
            update={"paid_dues": tuple(p for p in state.paid_dues if p != mark)}
        )
        plan = current_plan(unpaid, ctx)
        baseline = Baseline(
            on=ctx.now.date(),
            remaining=remaining(state, ctx),
            payoff_month=payoff_key(unpaid, plan, ctx),
        )
        state = state.model_copy(update={"baseline": baseline})
    debts = tuple(updated if d.id == updated.id else d for d in state.debts)
    after = state.model_copy(
        update={
            "debts": debts,
            "debts_changed_on": ctx.now.date(),
            "payments": (*state.payments, payment),
            "next_payment_id": state.next_payment_id + 1,
        }
    )
    moved = None
    if payment.kind in (PaymentKind.EXTRA, PaymentKind.LUMP_SUM):
        moved = moved_by(before, after, payment.debt_id, ctx)
    after, reached = milestones_reached(after, ctx)
    return Recorded(after, payment, applied, moved, reached)


def moved_by(before: UserState, after: UserState, debt_id: int, ctx: Context) -> Moved | None:
    """How much earlier the debt and the whole plan end, and the interest saved."""
    old, new = current_plan(before, ctx), current_plan(after, ctx)
    if old is None:
        return None
    old_debt = debt_payoff(before, old, debt_id, ctx)
    new_debt = debt_payoff(after, new, debt_id, ctx)
    debt_months = 0
    if old_debt and new_debt is not None:
        # Cleared by the payment itself: it ends this month (plan month 1), not in month 0.
        debt_months = max(0, old_debt - max(new_debt, 1))
    plan_months = max(0, old.payoff_month - (new.payoff_month if new else 1))
    saved = max(ZERO, old.total_interest - (new.total_interest if new else ZERO))
    return Moved(debt_months, plan_months, saved)


# ---- milestones -------------------------------------------------------------------------------


def milestones_reached(state: UserState, ctx: Context) -> tuple[UserState, tuple[str, ...]]:
    """Milestones reached and not yet said: a debt cleared, a quarter of the total paid, every
    debt cleared, a month with every due payment made. Remembered, so each is said once."""
    found: list[str] = [f"cleared:{d.id}" for d in state.debts if d.cleared and _tracked(state, d)]
    figures = progress(state, ctx)
    if state.debts and all(d.cleared for d in state.debts):
        found.append("all")
    found.extend(f"quarter:{q}" for q in QUARTERS if figures.share * 4 >= q and figures.paid > 0)
    month = full_month(state, ctx.now.date())
    if month is not None:
        found.append(f"month:{month}")
    new = tuple(m for m in found if m not in state.milestones)
    if not new:
        return state, ()
    return state.model_copy(update={"milestones": (*state.milestones, *new)}), new


def _tracked(state: UserState, debt: Debt) -> bool:
    """A debt cleared with the user's payments in the log (not one typed in as already paid)."""
    return any(p.debt_id == debt.id for p in state.payments)


def _due_in(debt: Debt, year: int, month: int) -> date | None:
    if debt.due is None:
        return None
    if debt.due.on_date is not None:
        on = debt.due.on_date
        return on if (on.year, on.month) == (year, month) else None
    day = min(debt.due.day_of_month or 1, calendar.monthrange(year, month)[1])
    return date(year, month, day)


def paid_for(state: UserState, debt_id: int, due: date) -> bool:
    """The due date is marked paid, or a payment on the debt came close enough before or after."""
    if PaidDue(debt_id=debt_id, due_date=due) in state.paid_dues:
        return True
    return any(
        p.debt_id == debt_id
        and p.kind in PAID_KINDS
        and due - timedelta(days=EARLY_DAYS) <= p.day <= due + timedelta(days=EARLY_DAYS)
        for p in state.payments
    )


def full_month(state: UserState, today: date) -> str | None:
    """The previous calendar month, 'YYYY-MM', when every due payment in it was made (at least
    one, and the user was recording payments by then); else None."""
    first = today.replace(day=1)
    last_month = first - timedelta(days=1)
    year, month = last_month.year, last_month.month
    dues = [
        (debt, due)
        for debt in state.debts
        if (due := _due_in(debt, year, month)) is not None
        and not (debt.cleared and not _tracked(state, debt))
    ]
    started = state.baseline is not None and state.baseline.on <= last_month
    if not dues or not started:
        return None
    if all(paid_for(state, debt.id, due) for debt, due in dues):
        return f"{year:04d}-{month:02d}"
    return None


# ---- a payment missed ------------------------------------------------------------------------


def missed_before(state: UserState, debt: Debt, due: date) -> date | None:
    """The debt's previous due date, when it passed without a payment recorded or marked and
    the user had been recording this debt's payments before it (so silence means something)."""
    if debt.due is None or debt.due.day_of_month is None:
        return None
    first = due.replace(day=1)
    previous_month = first - timedelta(days=1)
    previous = _due_in(debt, previous_month.year, previous_month.month)
    if previous is None or paid_for(state, debt.id, previous):
        return None
    earlier = [p.due_date for p in state.paid_dues if p.debt_id == debt.id] + [
        p.day for p in state.payments if p.debt_id == debt.id and p.kind in PAID_KINDS
    ]
    if not any(day < previous - timedelta(days=EARLY_DAYS) for day in earlier):
        return None
    return previous


# ---- the chart --------------------------------------------------------------------------------


def actual_balances(state: UserState, ctx: Context) -> list[tuple[str, Decimal]]:
    """Total left at the end of each month since the first payment, up to this month: today's
    total with the later reductions added back."""
    if not state.payments:
        return []
    today = ctx.now.date()
    now_total = remaining(state, ctx)
    first = min(p.day for p in state.payments)
    start = max(
        month_key(first, 0), month_key(today.replace(day=1), -(HISTORY_MONTHS - 1))
    )  # "YYYY-MM" strings compare in calendar order
    keys: list[str] = []
    offset = 0
    while (key := month_key(today, -offset)) >= start:
        keys.append(key)
        offset += 1
    keys.reverse()
    series = []
    for key in keys:
        later = sum(
            (
                p.reduction
                for p in state.payments
                if month_key(p.day, 0) > key and state.own_debt(p.debt_id) is not None
            ),
            ZERO,
        )
        series.append((key, max(ZERO, now_total + later)))
    return series
