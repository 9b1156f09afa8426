"""Which platform? Shared by steps 5-6: a button per debt on the list, or a typed name."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flows.conversation.core import Button, Outcome, Reply
from flows.conversation.nodes import ChoiceNode, move, nav_row, reprompt
from flows.conversation.state import UserState
from flows.domain.context import Context
from flows.domain.ledger import Debt
from flows.domain.parsing.answers import Parsed
from flows.domain.parsing.names import parse_name
from flows.domain.texts import text

MAX_BUTTONS = 10
NO_PLATFORM = "none"

# More for the draft when a debt on the list is chosen (the step works it out from the debt).
Extra = Callable[[UserState, Debt, Context], dict[str, Any]]


def open_debts(state: UserState) -> tuple[Debt, ...]:
    return tuple(d for d in state.debts if not d.paid_off)[:MAX_BUTTONS]


def picker(
    step_id: str,
    next_node: str,
    prompt_key: str,
    *,
    optional: bool = False,
    extra: Extra = lambda _state, _debt, _ctx: {},
) -> ChoiceNode:
    """Ask for the platform, then go to `next_node` with platform and debt_id in the draft."""

    def render(state: UserState, ctx: Context) -> tuple[Reply, ...]:
        debts = open_debts(state)
        rows = [
            (Button(text("platforms.debt_button", platform=d.platform), f"d:{d.id}"),)
            for d in debts
        ]
        if optional:
            rows.append((Button(text("platforms.no_platform"), NO_PLATFORM),))
        hint = text("platforms.hint_with_debts" if debts else "platforms.hint_no_debts")
        return (Reply(text(prompt_key, hint=hint), (*rows, nav_row())),)

    def go_on(state: UserState, chosen: dict[str, Any], ctx: Context) -> Outcome:
        draft = {**state.position.draft, **chosen}
        return move(state, step_id, next_node, ctx, draft=draft)

    def chose_debt(state: UserState, argument: str, ctx: Context) -> Outcome:
        debt = state.own_debt(argument)
        if debt is None:
            return reprompt(state, ctx, Reply(text("platforms.unknown_debt")))
        return go_on(
            state, {"platform": debt.platform, "debt_id": debt.id, **extra(state, debt, ctx)}, ctx
        )

    def no_platform(state: UserState, _argument: str, ctx: Context) -> Outcome:
        return go_on(state, {"platform": None, "debt_id": None}, ctx)

    def typed(state: UserState, raw: str, ctx: Context) -> Outcome:
        result = parse_name(raw, ctx)
        if not isinstance(result, Parsed):
            return reprompt(state, ctx, Reply(text(result.reason, **result.values)))
        return go_on(state, {"platform": result.value, "debt_id": None}, ctx)

    actions = {"d": chose_debt}
    if optional:
        actions[NO_PLATFORM] = no_platform
    return ChoiceNode(render=render, actions=actions, typed=typed)
