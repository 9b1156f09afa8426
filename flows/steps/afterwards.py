"""Step 7, afterwards: an emergency fund, rational spending, banks and licensed lenders first —
and one concrete next action the user sets (e.g. a monthly amount to save), remembered.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flows.conversation import fears, guidance
from flows.conversation.core import Button, Outcome, Reply
from flows.conversation.form import Draft, Field, Form, labelled_choices
from flows.conversation.nodes import ChoiceNode, FormNode, Step, move, nav_row, to_node
from flows.conversation.state import UserState
from flows.domain.contact_log import NextAction
from flows.domain.context import Context
from flows.domain.formatting import money_text
from flows.domain.legal_facts import fact_values, legal_facts
from flows.domain.parsing.amounts import parse_amount
from flows.domain.parsing.answer_types import decimal_text
from flows.domain.parsing.names import parse_note
from flows.domain.texts import Value, text

STEP_ID = "afterwards"
ACTIONS = ("save_monthly", "emergency_fund", "delete_apps", "no_new_loans", "own")
WITH_AMOUNT = ("save_monthly", "emergency_fund")


def action_text(action: NextAction) -> Value:
    """The user's next action in one sentence."""
    if action.kind == "own" and action.own_words:
        return text("afterwards.action_own", words=action.own_words)
    if action.kind in WITH_AMOUNT and action.amount is not None:
        return text(f"afterwards.action.{action.kind}", amount=money_text(action.amount))
    if action.kind in ACTIONS and action.kind not in WITH_AMOUNT:
        return text(f"afterwards.action.{action.kind}")
    return text("afterwards.action_unknown")


def _intro(state: UserState, ctx: Context) -> tuple[Reply, ...]:
    action = state.next_action
    current: Value = (
        text("afterwards.current", action=action_text(action), date=action.set_on.isoformat())
        if action
        else ""
    )
    label = "afterwards.change_action" if action else "afterwards.set_action"
    # "征信能修复吗" is answered from here too (only errors are corrected; paid repair is a scam).
    buttons = ((Button(text(label), "set:"),), *fears.buttons("credit_fix"), nav_row())
    years = guidance.credit_facts(ctx).retention_years
    cited = fact_values(legal_facts(ctx), state.locale, "credit_rule", "credit_art_retention")
    return (Reply(text("afterwards.intro", current=current, years=years, **cited), buttons),)


_to_form = to_node(STEP_ID, "form")


FORM = Form(
    fields=(
        Field(
            name="kind",
            prompt="afterwards.ask_kind",
            choices=labelled_choices(ACTIONS, "afterwards.kind"),
            columns=1,
        ),
        Field(
            name="amount",
            prompt="afterwards.ask_amount",
            parse=parse_amount,
            encode=str,
            valid=decimal_text,
            applies=lambda draft: draft.get("kind") in WITH_AMOUNT,
            prompt_values=lambda draft: (
                {"what": text(f"afterwards.amount_for.{draft.get('kind')}")}
                if draft.get("kind") in WITH_AMOUNT
                else {"what": ""}
            ),
        ),
        Field(
            name="own_words",
            prompt="afterwards.ask_own",
            parse=parse_note,
            free_text=True,
            max_length=120,
            applies=lambda draft: draft.get("kind") == "own",
        ),
    )
)


def _save(state: UserState, draft: Draft, ctx: Context) -> Outcome:
    kind = draft.get("kind") if draft.get("kind") in ACTIONS else "own"
    amount: Any = draft.get("amount") if kind in WITH_AMOUNT else None
    action = NextAction(
        kind=kind,
        amount=Decimal(amount) if amount else None,
        own_words=draft.get("own_words") if kind == "own" else None,
        set_on=ctx.now.date(),
    )
    saved = state.model_copy(update={"next_action": action})
    return move(saved, STEP_ID, "done", ctx)


def _done(state: UserState, ctx: Context) -> tuple[Reply, ...]:
    action = state.next_action
    buttons = ((Button(text("afterwards.change_action"), "set:"),), nav_row())
    if action is None:
        return (Reply(text("afterwards.no_action"), buttons),)
    return (Reply(text("afterwards.saved", action=action_text(action)), buttons),)


STEP = Step(
    id=STEP_ID,
    entry="intro",
    nodes={
        "intro": ChoiceNode(render=_intro, actions={"set": _to_form}),
        "form": FormNode(form=FORM, finish=_save),
        "done": ChoiceNode(render=_done, actions={"set": _to_form}),
    },
)
