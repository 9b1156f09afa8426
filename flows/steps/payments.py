"""Payments and progress: record a payment (from a reminder's Paid, a debt's page, /pay or a
Long (one flow: confirming, correcting and showing payments share their drafts).
sentence typed in passing), confirm it, and see how far the user has come (/progress).

Not a step of the guide. Nodes: `confirm` (the payment as understood: debt, amount, day, kind;
typing another amount changes it), `pick` (which debt, when the platform is not known),
`done` (what was recorded and what it changed), `progress` (the figures, with a chart). The
draft holds plain values; every debt id in it or in a button is looked up in the user's debts.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from flows.conversation import registry
from flows.conversation.core import Attachment, Button, Outcome, Reply
from flows.conversation.nodes import ChoiceNode, FormNode, Step, move, nav_row, reprompt, say
from flows.conversation.planned import current_plan, payment_on, plan_start_of
from flows.conversation.progress import (
    EARLY_DAYS,
    Moved,
    Progress,
    Recorded,
    actual_balances,
    milestones_reached,
    paid_on,
    progress,
    record,
    remaining,
)
from flows.conversation.reminders import is_due_date, is_paid, local_today, mark_paid
from flows.conversation.state import UserState
from flows.domain.budget import month_key
from flows.domain.context import Context
from flows.domain.formatting import money_text
from flows.domain.ledger import Debt
from flows.domain.money import ZERO
from flows.domain.parsing.amounts import parse_amount
from flows.domain.parsing.answers import Invalid, Parsed
from flows.domain.parsing.numerals import normalise
from flows.domain.parsing.payment_sentences import TypedPayment, read_payment
from flows.domain.payment_log import MAX_PAYMENTS, PAID_KINDS, Basis, Payment, PaymentKind
from flows.domain.payments import principal_left
from flows.domain.plan import plan_debts
from flows.domain.texts import Text, Value, text

STEP_ID = "payments"
PAY_ACTION = "pay"  # g:pay:<debt id>[:<due date>] opens the payment of that debt
BALANCE_ACTION = "dbal"  # flows.steps.debts: the debt's remaining principal, kept as a correction
CHART_FILE = "yuqi-progress.png"
# An amount this many times what is known to be owed (and above the slack) is surely a typo.
ABOVE_OWED_FACTOR = Decimal(2)
ABOVE_OWED_SLACK = Decimal(1000)


# ---- opening ----------------------------------------------------------------------------------


def open_debts(state: UserState) -> tuple[Debt, ...]:
    return tuple(d for d in state.debts if not d.cleared)


def prefill(state: UserState, debt: Debt, due: date | None, ctx: Context) -> tuple[str, str]:
    """The amount to offer and where it comes from: the installment, else the plan's payment
    for that month, else what the platform says is owed now; ("", "none") when nothing is."""
    if debt.installments is not None:
        return str(debt.installments.payment), "installment"
    planned = payment_on(state, debt.id, due or ctx.now.date(), ctx)
    if planned:
        return str(planned), "planned"
    if debt.owed_now:
        return str(debt.owed_now), "owed_now"
    return "", "none"


def open_payment(
    state: UserState,
    debt: Debt,
    ctx: Context,
    due: date | None = None,
    lead: tuple[Reply, ...] = (),
    typed: TypedPayment | None = None,
) -> Outcome:
    """The confirm screen for a payment on `debt`, prefilled (or filled from a typed sentence)."""
    amount, source = prefill(state, debt, due, ctx)
    kind = PaymentKind.INSTALLMENT
    day = ctx.now.date()
    if typed is not None:
        if typed.amount is not None:
            amount, source = str(typed.amount), "typed"
        day = typed.day
        kind = typed.kind or kind
    draft: dict[str, Any] = {
        "debt": debt.id,
        "amount": amount,
        "source": source,
        "kind": kind.value,
        "on": day.isoformat(),
    }
    if due is not None:
        draft["due"] = due.isoformat()
    problem = () if typed is None or typed.problem is None else (Reply(text(typed.problem)),)
    return move(state, STEP_ID, "confirm", ctx, draft=draft, lead=(*lead, *problem))


def pay_action(state: UserState, argument: str, ctx: Context) -> Outcome:
    """g:pay:<debt id>[:<due date>] on any message, e.g. the debt's page."""
    debt_part, _, due_part = argument.partition(":")
    debt = state.own_debt(debt_part)
    if debt is None:
        return reprompt(state, ctx, Reply(text("payments.unknown_debt")))
    due = _iso(due_part)
    if due is not None and (debt.due is None or not is_due_date(debt.due, due)):
        due = None  # not one of this debt's due dates: a forged or stale button
    return open_payment(state, debt, ctx, due=due)


def pay_command(state: UserState, _argument: str, ctx: Context) -> Outcome:
    """/pay: which debt was paid."""
    return move(state, STEP_ID, "pick", ctx)


def _iso(raw: Any) -> date | None:
    try:
        return date.fromisoformat(str(raw))
    except ValueError:
        return None


# ---- typed in passing -------------------------------------------------------------------------


def typed_in_passing(state: UserState, typed: str, ctx: Context) -> Outcome | None:
    """A sentence telling of a payment ("今天还了借呗 800"), typed anywhere but where a payment is
    being entered (those screens read it themselves): the confirm screen filled from it, or the
    question which debt. None otherwise."""
    if state.position.step == STEP_ID and state.position.node in ("confirm", "pick"):
        return None
    found = read_payment(typed, state.debts, ctx.now.date())
    if found is None:
        return None
    if not found.debts and isinstance(registry.node_at(state.position), FormNode):
        # At a question, only a debt on the list makes it a payment: "还了房贷2000" (paid the
        # mortgage) typed at a budget question is that question's answer.
        return None
    if not state.debts:
        buttons = ((Button(text("payments.go_debts"), "m:debts"),), nav_row())
        return say(state, Reply(text("payments.typed.no_debts"), buttons))
    candidates = tuple(d for d in found.debts if not d.cleared) or found.debts
    if len(candidates) == 1:
        lead = (Reply(text("payments.typed.understood")),)
        return open_payment(state, candidates[0], ctx, lead=lead, typed=found)
    draft = {
        "amount": "" if found.amount is None else str(found.amount),
        "on": found.day.isoformat(),
        "kind": (found.kind or PaymentKind.INSTALLMENT).value,
        # The words that named no listed debt; when several matched, they are offered instead.
        "guess": "" if candidates else found.guess,
        "only": [d.id for d in candidates],
    }
    lead = () if found.problem is None else (Reply(text(found.problem)),)
    return move(state, STEP_ID, "pick", ctx, draft=draft, lead=lead)


# ---- which debt -------------------------------------------------------------------------------


def _pick_choices(state: UserState) -> tuple[Debt, ...]:
    only = state.position.draft.get("only") or []
    chosen = tuple(d for d in (state.own_debt(i) for i in only) if d is not None)
    return chosen or open_debts(state) or state.debts


def _render_pick(state: UserState, ctx: Context) -> tuple[Reply, ...]:
    if not state.debts:
        buttons = ((Button(text("payments.go_debts"), "m:debts"),), nav_row())
        return (Reply(text("payments.typed.no_debts"), buttons),)
    draft = state.position.draft
    rows = tuple(
        (Button(text("payments.pick_debt", platform=d.platform), f"d:{d.id}"),)
        for d in _pick_choices(state)
    )
    amount = draft.get("amount")
    guess = draft.get("guess")
    message = text(
        "payments.pick",
        amount=text("payments.pick_amount", amount=money_text(Decimal(amount))) if amount else "",
        guess=text("payments.pick_guess", guess=guess) if guess else "",
    )
    return (Reply(message, (*rows, nav_row())),)


def _picked(state: UserState, argument: str, ctx: Context) -> Outcome | None:
    debt = state.own_debt(argument)
    if debt is None:
        return None
    return _open_from_pick(state, debt, ctx)


def _open_from_pick(state: UserState, debt: Debt, ctx: Context) -> Outcome:
    draft = state.position.draft
    amount = _decimal(draft.get("amount"))
    typed = TypedPayment(
        amount=amount,
        day=_iso(draft.get("on")) or ctx.now.date(),
        debts=(debt,),
        guess="",
        kind=_kind(draft.get("kind")),
    )
    base = state.back() if state.position.step == STEP_ID and state.history else state
    return open_payment(base or state, debt, ctx, typed=typed)


def _typed_pick(state: UserState, raw: str, ctx: Context) -> Outcome:
    typed = normalise(raw)
    matches = [
        d
        for d in _pick_choices(state)
        if typed and (normalise(d.platform) in typed or typed in normalise(d.platform))
    ]
    if len(matches) == 1:
        return _open_from_pick(state, matches[0], ctx)
    return reprompt(state, ctx, Reply(text("payments.pick_by_button")))


# ---- the confirm screen -----------------------------------------------------------------------


def _decimal(raw: Any) -> Decimal | None:
    if raw in (None, ""):
        return None
    try:
        return Decimal(str(raw))
    except InvalidOperation:
        return None


def _kind(raw: Any) -> PaymentKind:
    if raw in {k.value for k in PAID_KINDS}:
        return PaymentKind(raw)
    return PaymentKind.INSTALLMENT


def _current(state: UserState) -> Debt | None:
    return state.own_debt(state.position.draft.get("debt"))


def date_value(day: date) -> Text:
    return text("payments.date", year=day.year, month=day.month, day=day.day)


def _render_confirm(state: UserState, ctx: Context) -> tuple[Reply, ...]:
    debt = _current(state)
    if debt is None:
        return (Reply(text("payments.unknown_debt"), (nav_row(),)),)
    draft = state.position.draft
    amount = _decimal(draft.get("amount"))
    kind = _kind(draft.get("kind"))
    day = _iso(draft.get("on")) or ctx.now.date()
    shown: Value = (
        text(f"payments.amount.{draft.get('source', 'typed')}", amount=money_text(amount))
        if amount is not None
        else text("payments.amount.none")
    )
    message = text(
        "payments.confirm",
        platform=debt.platform,
        amount=shown,
        date=date_value(day),
        kind=text(f"payments.kind.{kind.value}"),
        hint=text("payments.confirm_hint" if amount is not None else "payments.ask_amount"),
    )
    rows: list[tuple[Button, ...]] = []
    if amount is not None:
        rows.append((Button(text("payments.ok", amount=money_text(amount)), "ok"),))
    kinds = [
        Button(
            text(
                "payments.kind_button",
                kind=text(f"payments.kind.{k.value}"),
                marker=text("payments.chosen") if k is kind else "",
            ),
            f"kind:{k.value}",
        )
        for k in PAID_KINDS
    ]
    rows.extend((tuple(kinds[:2]), tuple(kinds[2:])))
    rows.append(
        (
            Button(text("payments.today"), "day:0"),
            Button(text("payments.yesterday"), "day:1"),
        )
    )
    rows.append((Button(text("payments.no"), "no"),))
    return (Reply(message, (*rows, nav_row())),)


def _set_kind(state: UserState, argument: str, ctx: Context) -> Outcome | None:
    if argument not in {k.value for k in PAID_KINDS}:
        return None
    return reprompt(state.with_draft({**state.position.draft, "kind": argument}), ctx)


def _set_day(state: UserState, argument: str, ctx: Context) -> Outcome | None:
    if argument not in ("0", "1"):
        return None
    day = ctx.now.date() - timedelta(days=int(argument))
    return reprompt(state.with_draft({**state.position.draft, "on": day.isoformat()}), ctx)


def _limit(debt: Debt, state: UserState, ctx: Context) -> Decimal | None:
    """More than this on this debt is surely a typo (None: nothing known to compare with)."""
    known = [v for v in (principal_left(debt), debt.owed_now, debt.borrowed) if v]
    if not known:
        return None
    return max(known) * ABOVE_OWED_FACTOR + ABOVE_OWED_SLACK


def _typed_amount(state: UserState, raw: str, ctx: Context) -> Outcome:
    """Another amount typed at the confirm screen (or a whole sentence with a day in it)."""
    draft = dict(state.position.draft)
    result = parse_amount(raw, ctx)
    if not isinstance(result, Parsed):
        sentence = read_payment(raw, state.debts, ctx.now.date())
        if sentence is not None and (sentence.amount is not None or sentence.problem):
            if sentence.problem is not None:
                return reprompt(state, ctx, Reply(text(sentence.problem)))
            assert sentence.amount is not None
            result = Parsed(sentence.amount)
            draft["on"] = sentence.day.isoformat()
            if sentence.kind is not None:
                draft["kind"] = sentence.kind.value
    if isinstance(result, Invalid):
        return reprompt(state, ctx, Reply(text(result.reason, **result.values)))
    if not isinstance(result, Parsed):
        return reprompt(state, ctx, Reply(text("payments.amount_not_understood")))
    debt = _current(state)
    if debt is None:
        return reprompt(state, ctx, Reply(text("payments.unknown_debt")))
    limit = _limit(debt, state, ctx)
    if limit is not None and result.value > limit:
        problem = text("payments.amount_far_above", amount=money_text(result.value))
        return reprompt(state, ctx, Reply(problem))
    draft.update({"amount": str(result.value), "source": "typed"})
    return reprompt(state.with_draft(draft), ctx)


def _confirmed(state: UserState, _argument: str, ctx: Context) -> Outcome:
    debt = _current(state)
    draft = state.position.draft
    amount = _decimal(draft.get("amount"))
    if debt is None:
        return reprompt(state, ctx, Reply(text("payments.unknown_debt")))
    if amount is None or amount <= 0:
        return reprompt(state, ctx, Reply(text("payments.ask_amount")))
    if len(state.payments) >= MAX_PAYMENTS:
        return reprompt(state, ctx, Reply(text("payments.log_full", limit=MAX_PAYMENTS)))
    day = _iso(draft.get("on")) or ctx.now.date()
    kind = _kind(draft.get("kind"))
    covered = _due_covered(state, debt, day, _iso(draft.get("due")), kind)
    recorded = record(state, debt, amount, kind, day, ctx, covers=covered or _iso(draft.get("due")))
    lead = (
        *moved_replies(recorded),
        *milestone_replies(recorded.state, recorded.milestones),
    )
    updated = recorded.state
    if covered is not None:
        # The due date this payment is for: no more reminders for it, and the plan does not
        # plan this month's payment of it a second time. (After recording: the baseline is
        # where the user stood before this payment.)
        updated = mark_paid(updated, debt.id, covered, local_today(updated, ctx.now))
    base = _leave_payment_screens(updated)
    return move(base, STEP_ID, "done", ctx, draft={"payment": recorded.payment.id}, lead=lead)


def _due_covered(
    state: UserState, debt: Debt, day: date, due: date | None, kind: PaymentKind
) -> date | None:
    """The due date a scheduled payment (or a settlement) pays, not yet marked: the one the
    reminder named, else the debt's due date nearest the day paid, up to EARLY_DAYS away."""
    if debt.due is None or kind not in (PaymentKind.INSTALLMENT, PaymentKind.SETTLEMENT):
        return None
    if due is None:
        nearest = sorted(range(-EARLY_DAYS, EARLY_DAYS + 1), key=abs)
        due = next(
            (
                day + timedelta(days=shift)
                for shift in nearest
                if is_due_date(debt.due, day + timedelta(days=shift))
            ),
            None,
        )
    if due is None or not is_due_date(debt.due, due) or is_paid(state, debt.id, due):
        return None
    return due


def _leave_payment_screens(state: UserState) -> UserState:
    """Back from the result goes to where the user was before the payment, not to its form."""
    probe = state
    while probe.position.step == STEP_ID and probe.position.node in ("confirm", "pick"):
        previous = probe.back()
        if previous is None:
            break
        probe = previous
    return probe


def _not_recorded(state: UserState, _argument: str, ctx: Context) -> Outcome:
    base = _leave_payment_screens(state)
    if base is state:
        return move(state, "menu", "main", ctx, lead=(Reply(text("payments.not_recorded")),))
    return reprompt(base, ctx, Reply(text("payments.not_recorded")))


# ---- what was recorded ------------------------------------------------------------------------


def moved_replies(recorded: Recorded) -> tuple[Reply, ...]:
    moved = recorded.moved
    debt = recorded.state.own_debt(recorded.payment.debt_id)
    if moved is None or debt is None:
        return ()
    return (Reply(moved_text(moved, debt.platform, recorded.payment)),)


def moved_text(moved: Moved, platform: str, payment: Payment) -> Text:
    amount = money_text(payment.amount)
    if moved.debt_months > 0:
        key = "payments.moved.debt_earlier"
    elif moved.plan_months > 0:
        key = "payments.moved.plan_earlier"
    elif moved.interest_saved > 0:
        key = "payments.moved.interest_only"
    else:
        key = "payments.moved.nothing"
    return text(
        key,
        amount=amount,
        platform=platform,
        months=moved.debt_months or moved.plan_months,
        interest=money_text(moved.interest_saved),
    )


def milestone_replies(state: UserState, reached: tuple[str, ...]) -> tuple[Reply, ...]:
    replies = []
    for milestone in reached:
        name, _, argument = milestone.partition(":")
        if name == "cleared":
            debt = state.own_debt(argument)
            if debt is not None:
                replies.append(Reply(text("payments.milestone.cleared", platform=debt.platform)))
        elif name == "quarter":
            replies.append(Reply(text(f"payments.milestone.quarter_{argument}")))
        elif name == "all":
            replies.append(Reply(text("payments.milestone.all")))
        elif name == "month":
            replies.append(Reply(text("payments.milestone.month", month=argument)))
    # Several at once (the last debt cleared also crosses quarters): the warmest one only.
    if any(r.text.key == "payments.milestone.all" for r in replies):
        return tuple(r for r in replies if r.text.key == "payments.milestone.all")
    quarters = [r for r in replies if r.text.key.startswith("payments.milestone.quarter_")]
    return tuple(r for r in replies if r not in quarters[:-1])


def _render_done(state: UserState, ctx: Context) -> tuple[Reply, ...]:
    wanted = state.position.draft.get("payment")
    payment = next((p for p in state.payments if p.id == wanted), None)
    debt = state.own_debt(payment.debt_id) if payment else None
    if payment is None or debt is None:
        return (Reply(text("payments.unknown_debt"), (nav_row(),)),)
    lines: list[Text] = [split_text(payment)]
    after = payment.balance_after
    disputed = _disputed(debt, ctx)
    if after is not None and after > 0 and disputed > 0:
        # Above its line: the lawful part left, and what the plan leaves to negotiate.
        values = {"amount": money_text(after), "disputed": money_text(disputed)}
        lines.append(text("payments.left_lawful", platform=debt.platform, **values))
    elif after is not None and after > 0:
        lines.append(text("payments.left", platform=debt.platform, amount=money_text(after)))
    elif after is not None and debt.cleared:
        lines.append(text("payments.left_none", platform=debt.platform))
    elif after is None and debt.owed_now is not None:
        lines.append(
            text("payments.left_owed", platform=debt.platform, amount=money_text(debt.owed_now))
        )
    if payment.overpaid > 0:
        lines.append(text("payments.overpaid", amount=money_text(payment.overpaid)))
    if payment.waived > 0:
        lines.append(text("payments.waived", amount=money_text(payment.waived)))
    if payment.balance_after == 0 and not debt.cleared:
        # Above its line: the lawful part is paid, the lender's figure left is disputed.
        asked = max(debt.remaining_principal or ZERO, debt.owed_now or ZERO)
        lines.append(text("payments.lawful_part_paid", amount=money_text(asked)))
    message = text(
        "payments.recorded",
        platform=debt.platform,
        amount=money_text(payment.amount),
        date=date_value(payment.day),
        kind=text(f"payments.kind.{payment.kind.value}"),
        lines=tuple(lines),
    )
    buttons = (
        (
            Button(text("payments.show_progress"), "progress"),
            Button(text("payments.correct_balance"), f"g:{BALANCE_ACTION}:{debt.id}"),
        ),
        (Button(text("payments.show_plan"), "m:plan"),),
        nav_row(back=False),
    )
    return (Reply(message, buttons),)


def _disputed(debt: Debt, ctx: Context) -> Decimal:
    """What the plan leaves to negotiate on this debt (the part above its line)."""
    usable, _missing = plan_debts((debt,), ctx.facts, ctx.now.date())
    return usable[0].disputed if usable else ZERO


def split_text(payment: Payment) -> Text:
    """How the money was applied, and on what basis; plainly "unknown" when it is."""
    values = {
        "charges": money_text(payment.to_charges),
        "principal": money_text(payment.to_principal),
    }
    if payment.kind is PaymentKind.SETTLEMENT:
        return text("payments.split.settlement", **values)
    if payment.basis is Basis.UNKNOWN:
        return text("payments.split.unknown", **values)
    return text(f"payments.split.{payment.basis.value}", **values)


# ---- progress ---------------------------------------------------------------------------------


def progress_lines(figures: Progress) -> tuple[Text, ...]:
    lines: list[Text] = []
    if figures.since is not None:
        lines.append(text("progress.since", date=date_value(figures.since)))
    lines.append(text("progress.paid", amount=money_text(figures.paid)))
    for debt, paid in figures.per_debt:
        left = principal_left(debt)
        key = "progress.debt_line" if left is not None else "progress.debt_line_unknown"
        if debt.cleared:
            key = "progress.debt_cleared"
        shown = money_text(left if left is not None else ZERO)
        lines.append(text(key, platform=debt.platform, paid=money_text(paid), left=shown))
    lines.append(text("progress.remaining", amount=money_text(figures.remaining)))
    if figures.months_left is not None and figures.payoff_now is not None:
        lines.append(
            text("progress.months_left", months=figures.months_left, month=figures.payoff_now)
        )
    elif figures.remaining > 0:
        lines.append(text("progress.no_plan"))
    lines.extend(_then_vs_now(figures))
    if figures.cleared:
        names = tuple(text("progress.cleared_name", platform=d.platform) for d in figures.cleared)
        lines.append(text("progress.cleared", count=len(figures.cleared), platforms=names))
    if figures.saved_by_negotiation > 0:
        lines.append(text("progress.negotiated", amount=money_text(figures.saved_by_negotiation)))
    return tuple(lines)


def _then_vs_now(figures: Progress) -> tuple[Text, ...]:
    then, now = figures.payoff_then, figures.payoff_now
    if then is None or now is None:
        return ()
    first = date.fromisoformat(then + "-01")
    shift = (first.year * 12 + first.month) - _months(now)
    if shift > 0:
        return (text("progress.earlier", then=then, now=now, months=shift),)
    if shift < 0:
        return (text("progress.later", then=then, now=now, months=-shift),)
    return (text("progress.same", then=then),)


def _months(key: str) -> int:
    year, month = (int(part) for part in key.split("-"))
    return year * 12 + month


def _render_progress(state: UserState, ctx: Context) -> tuple[Reply, ...]:
    buttons = (
        (
            Button(text("progress.chart"), "chart"),
            Button(text("progress.pay"), "pay"),
        ),
        (Button(text("payments.show_plan"), "m:plan"),),
        nav_row(),
    )
    if not state.payments:
        return (Reply(text("progress.empty"), buttons[1:]),)
    figures = progress(state, ctx)
    return (Reply(text("progress.view", lines=progress_lines(figures)), buttons),)


def progress_line(state: UserState, ctx: Context) -> Text | None:
    """One line for the plan's overview: paid so far and the payoff then vs now."""
    paid = paid_on(state.payments)
    if paid <= 0:
        return None
    cleared = sum(1 for d in state.debts if d.cleared)
    return text("progress.plan_line", paid=money_text(paid), count=cleared)


def show_progress(state: UserState, _argument: str, ctx: Context) -> Outcome:
    """/progress: the figures, after any milestone not yet said (a month fully paid is noticed
    here too, not only when the next payment is recorded)."""
    updated, reached = milestones_reached(state, ctx)
    lead = milestone_replies(updated, reached)
    return move(updated, STEP_ID, "progress", ctx, lead=lead)


def chart_payload(state: UserState, ctx: Context) -> dict[str, Any] | None:
    """Total left over time: the months since the first payment (actual), then the plan."""
    actual = actual_balances(state, ctx)
    plan = current_plan(state, ctx)
    if not actual and plan is None:
        return None
    labels = [key for key, _ in actual[:-1]] + ["now"]
    actual_values = [str(value) for _, value in actual[:-1]]
    now_total = actual[-1][1] if actual else remaining(state, ctx)
    planned_keys: list[str] = []
    planned_values: list[str] = []
    if plan is not None:
        start = plan_start_of(state, ctx)
        balances = plan.balances().values()
        totals = [sum(v[i] for v in balances) for i in range(1, plan.payoff_month + 1)]
        planned_keys = [month_key(start, i) for i in range(plan.payoff_month)]
        planned_values = [str(v) for v in totals]
    months = [*labels[1:], *planned_keys]
    gap = len(planned_keys)
    series = [
        {
            "tag": "A",
            "name": text("progress.chart_actual"),
            "values": [*actual_values, str(now_total), *["0"] * gap],
        },
        {
            "tag": "B",
            "name": text("progress.chart_planned"),
            "values": [*["0"] * len(labels), *planned_values],
        },
    ]
    first = labels[0]
    return {
        "title": text("progress.chart_title"),
        "x_label": text("plan.chart.x_label"),
        "y_label": text("progress.chart_y_label"),
        "start": text("plan.chart.start") if first == "now" else first,
        "months": [text("plan.chart.start") if m == "now" else m for m in months],
        "series": series,
    }


def _chart(state: UserState, _argument: str, ctx: Context) -> Outcome:
    payload = chart_payload(state, ctx)
    if payload is None:
        return reprompt(state, ctx, Reply(text("progress.empty")))
    attachment = Attachment("plan_chart", CHART_FILE, payload)
    buttons = ((Button(text("payments.show_plan"), "m:plan"),), nav_row())
    return say(state, Reply(text("progress.chart_caption"), buttons, attachment))


def _pay_from_progress(state: UserState, _argument: str, ctx: Context) -> Outcome:
    return move(state, STEP_ID, "pick", ctx)


_done_progress = show_progress


STEP = Step(
    id=STEP_ID,
    entry="progress",
    nodes={
        "confirm": ChoiceNode(
            render=_render_confirm,
            actions={"ok": _confirmed, "kind": _set_kind, "day": _set_day, "no": _not_recorded},
            typed=_typed_amount,
        ),
        "pick": ChoiceNode(render=_render_pick, actions={"d": _picked}, typed=_typed_pick),
        "done": ChoiceNode(render=_render_done, actions={"progress": _done_progress}),
        "progress": ChoiceNode(
            render=_render_progress, actions={"chart": _chart, "pay": _pay_from_progress}
        ),
    },
    commands={"progress": show_progress, "pay": pay_command},
    global_actions={PAY_ACTION: pay_action},
)
