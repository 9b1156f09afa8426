"""An installment arrangement agreed with a lender: recorded, shown, changed or removed.

Reached from a debt's own screen and from the contact log after a contact whose outcome is an
agreement (the button `g:agr:<debt id>` works on any message). The plan then keeps the agreed
amount current first, like a contract's installment, and repays what was agreed.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from flows.conversation import registry
from flows.conversation.core import Button, Outcome, Reply
from flows.conversation.form import Choice, Draft, Field, Form
from flows.conversation.nodes import ChoiceNode, FormNode, Step, move, nav_row, reprompt
from flows.conversation.planned import monthly_offer
from flows.conversation.state import UserState
from flows.domain.budget import month_key, parse_first_month
from flows.domain.context import Context
from flows.domain.formatting import money_text
from flows.domain.ledger import MAX_AGREED_MONTHS, Agreement, Debt
from flows.domain.parsing.amounts import parse_amount
from flows.domain.parsing.answer_types import decimal_text, year_month
from flows.domain.parsing.durations import parse_periods
from flows.domain.texts import Text, text

STEP_ID = "agreement"
ACTION = "agr"
DEBT = "debt_id"
MONTH_COUNTS = ("3", "6", "12", "18", "24", "36")


def _debt(state: UserState) -> Debt | None:
    return state.own_debt(state.position.draft.get(DEBT))


def agreement_line(agreement: Agreement) -> Text:
    """The arrangement in one line: the amount a month, from which month, how many months."""
    return text(
        "agreement.line",
        amount=money_text(agreement.monthly),
        month=agreement.first_month,
        months=str(agreement.months),
        total=money_text(agreement.total),
    )


def open_agreement(state: UserState, argument: str, ctx: Context) -> Outcome:
    """`g:agr:<debt id>`: this debt's arrangement, from any message."""
    debt = state.own_debt(argument)
    if debt is None:
        return reprompt(state, ctx, Reply(text("agreement.debt_gone")))
    return move(state, STEP_ID, "overview", ctx, draft={DEBT: debt.id})


def _overview(state: UserState, ctx: Context) -> tuple[Reply, ...]:
    debt = _debt(state)
    if debt is None:
        return (Reply(text("agreement.debt_gone"), (nav_row(),)),)
    if debt.agreement is None:
        buttons = ((Button(text("agreement.record"), "set:"),), nav_row())
        return (Reply(text("agreement.none", platform=debt.platform), buttons),)
    buttons = (
        (Button(text("agreement.change"), "set:"), Button(text("agreement.remove"), "del:")),
        (Button(text("agreement.to_plan"), "plan:"),),
        nav_row(),
    )
    shown = text("agreement.shown", platform=debt.platform, line=agreement_line(debt.agreement))
    return (Reply(shown, buttons),)


def _to_form(state: UserState, _argument: str, ctx: Context) -> Outcome:
    debt = _debt(state)
    if debt is None:
        return reprompt(state, ctx, Reply(text("agreement.debt_gone")))
    return move(state, STEP_ID, "form", ctx, draft=_prefill(state, debt, ctx))


def _prefill(state: UserState, debt: Debt, ctx: Context) -> Draft:
    """What the buttons offer: the amount already agreed or the plan's offer for this debt,
    this month and next month."""
    today = ctx.now.date()
    draft: Draft = {
        DEBT: debt.id,
        "platform": debt.platform,
        "this_month": month_key(today, 0),
        "next_month": month_key(today, 1),
    }
    if debt.agreement is not None:
        draft["known_monthly"] = str(debt.agreement.monthly)
    elif (offer := monthly_offer(state, debt.id, ctx)) is not None:
        draft["known_monthly"] = str(offer.amount)
    return draft


def _amount_choices(draft: Draft) -> tuple[Choice, ...]:
    known = draft.get("known_monthly")
    try:
        amount = money_text(Decimal(str(known))) if known is not None else None
    except InvalidOperation:
        amount = None
    if amount is None:
        return ()
    return (Choice(str(known), "agreement.monthly_choice", {"amount": amount}),)


def _month_choices(draft: Draft) -> tuple[Choice, ...]:
    months = [draft.get("this_month"), draft.get("next_month")]
    labels = ("agreement.month_this", "agreement.month_next")
    return tuple(
        Choice(str(m), label, {"month": str(m)})
        for m, label in zip(months, labels, strict=True)
        if isinstance(m, str) and year_month(m)
    )


def _months_check(_draft: Draft, value: Any) -> Text | None:
    if isinstance(value, int) and value > MAX_AGREED_MONTHS:
        return text("agreement.months_too_many", limit=str(MAX_AGREED_MONTHS))
    return None


def _valid_count(value: Any) -> bool:
    return isinstance(value, int) and 1 <= value <= MAX_AGREED_MONTHS


def _platform(draft: Draft) -> dict[str, Any]:
    return {"platform": str(draft.get("platform") or "")}


FORM = Form(
    fields=(
        Field(
            name="monthly",
            prompt="agreement.ask_monthly",
            prompt_values=_platform,
            parse=parse_amount,
            encode=str,
            valid=decimal_text,
            suggest=_amount_choices,
            columns=1,
            max_length=40,
        ),
        Field(
            name="first_month",
            prompt="agreement.ask_first_month",
            parse=parse_first_month,
            valid=year_month,
            suggest=_month_choices,
            max_length=40,
        ),
        Field(
            name="months",
            prompt="agreement.ask_months",
            parse=parse_periods,
            choices=tuple(
                Choice(m, "agreement.months_choice", {"months": m}) for m in MONTH_COUNTS
            ),
            encode=lambda value: int(value),
            valid=_valid_count,
            check=_months_check,
            columns=3,
            max_length=40,
        ),
    )
)


def _save(state: UserState, draft: Draft, ctx: Context) -> Outcome:
    debt = state.own_debt(draft.get(DEBT))
    if debt is None:
        return move(state, STEP_ID, "overview", ctx, draft={DEBT: draft.get(DEBT)})
    agreement = Agreement(
        monthly=Decimal(str(draft["monthly"])),
        first_month=str(draft["first_month"]),
        months=int(draft["months"]),
    )
    saved = _with_agreement(state, debt, agreement, ctx)
    lead = (Reply(text("agreement.saved", platform=debt.platform)),)
    return move(saved, STEP_ID, "overview", ctx, draft={DEBT: debt.id}, lead=lead)


def _with_agreement(
    state: UserState, debt: Debt, agreement: Agreement | None, ctx: Context
) -> UserState:
    changed = debt.model_copy(update={"agreement": agreement})
    debts = tuple(changed if d.id == debt.id else d for d in state.debts)
    return state.model_copy(update={"debts": debts, "debts_changed_on": ctx.now.date()})


def _ask_remove(state: UserState, _argument: str, ctx: Context) -> Outcome:
    debt = _debt(state)
    if debt is None or debt.agreement is None:
        return reprompt(state, ctx, Reply(text("agreement.debt_gone")))
    return move(state, STEP_ID, "confirm_remove", ctx, draft={DEBT: debt.id})


def _confirm_remove(state: UserState, ctx: Context) -> tuple[Reply, ...]:
    debt = _debt(state)
    if debt is None or debt.agreement is None:
        return (Reply(text("agreement.debt_gone"), (nav_row(),)),)
    buttons = (
        (Button(text("agreement.remove_yes"), "yes:"),),
        (Button(text("agreement.remove_no"), "no:"),),
    )
    line = agreement_line(debt.agreement)
    return (Reply(text("agreement.remove_confirm", platform=debt.platform, line=line), buttons),)


def _remove(state: UserState, _argument: str, ctx: Context) -> Outcome:
    debt = _debt(state)
    if debt is None:
        return reprompt(state, ctx, Reply(text("agreement.debt_gone")))
    saved = _with_agreement(state, debt, None, ctx)
    lead = (Reply(text("agreement.removed", platform=debt.platform)),)
    return move(saved, STEP_ID, "overview", ctx, draft={DEBT: debt.id}, lead=lead)


def _keep(state: UserState, _argument: str, ctx: Context) -> Outcome:
    return move(state, STEP_ID, "overview", ctx, draft=dict(state.position.draft))


def _to_plan(state: UserState, _argument: str, ctx: Context) -> Outcome:
    return registry.go_to(state, "plan", ctx)


STEP = Step(
    id=STEP_ID,
    entry="overview",
    nodes={
        "overview": ChoiceNode(
            render=_overview, actions={"set": _to_form, "del": _ask_remove, "plan": _to_plan}
        ),
        "form": FormNode(form=FORM, finish=_save),
        "confirm_remove": ChoiceNode(render=_confirm_remove, actions={"yes": _remove, "no": _keep}),
    },
    global_actions={ACTION: open_agreement},
)
