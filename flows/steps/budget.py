"""Step 3, budget: income, essential spending and assets, and what is truly left each month."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from flows.conversation import counsel, registry
from flows.conversation.core import Button, Outcome, Reply
from flows.conversation.form import Draft, Field, Form, labelled_choices
from flows.conversation.nodes import ChoiceNode, FormNode, Step, move, nav_row, to_node
from flows.conversation.state import UserState
from flows.domain.budget import (
    CATEGORIES,
    AssetSale,
    Available,
    Budget,
    available,
    living_floor,
    parse_income,
    parse_money,
    parse_sale_amount,
    parse_sale_month,
)
from flows.domain.context import Context
from flows.domain.formatting import money_text
from flows.domain.parsing.answer_types import decimal_text, year_month
from flows.domain.parsing.budget_sentences import category as spending
from flows.domain.parsing.budget_sentences import income_kind, monthly
from flows.domain.texts import Text, Value, text

STEP_ID = "budget"
INCOME_KINDS = ("fixed", "irregular")


def _income_hint(draft: Draft) -> dict[str, Value]:
    kind = "irregular" if draft.get("income_kind") == "irregular" else "fixed"
    return {"hint": text(f"budget.ask.income_hint.{kind}")}


def _has_sale(draft: Draft) -> bool:
    return draft.get("asset_amount") is not None


ASSET_FIELDS = (
    Field(
        name="asset_amount",
        prompt="budget.ask.asset_amount",
        parse=parse_sale_amount,
        encode=str,
        valid=decimal_text,
        optional=True,
        max_length=40,
    ),
    Field(
        name="asset_month",
        prompt="budget.ask.asset_month",
        parse=parse_sale_month,
        valid=year_month,
        applies=_has_sale,
        max_length=40,
    ),
)

FORM = Form(
    fields=(
        Field(
            name="income_kind",
            prompt="budget.ask.income_kind",
            choices=labelled_choices(INCOME_KINDS, "budget.income_kind"),
            parse=income_kind,
            valid=lambda value: value in INCOME_KINDS,
            columns=1,
        ),
        Field(
            name="income",
            prompt="budget.ask.income",
            parse=monthly(parse_income),
            encode=str,
            valid=decimal_text,
            prompt_values=_income_hint,
            max_length=40,
        ),
        *(
            Field(
                name=category,
                prompt=f"budget.ask.{category}",
                parse=spending(category, parse_money),
                encode=str,
                valid=decimal_text,
                optional=True,
                max_length=40,
            )
            for category in CATEGORIES
        ),
        *ASSET_FIELDS,
    )
)
# Adding one more sale from the summary: the amount is what the user came to give.
ASSET_FORM = Form(fields=(replace(ASSET_FIELDS[0], optional=False), ASSET_FIELDS[1]))


def _amount(value: object) -> Decimal:
    return Decimal(str(value)) if value not in (None, "") else Decimal(0)


def _sale(draft: Draft) -> tuple[AssetSale, ...]:
    if not _has_sale(draft) or not draft.get("asset_month"):
        return ()
    return (AssetSale(amount=_amount(draft["asset_amount"]), month=draft["asset_month"]),)


def budget_from(draft: Draft) -> Budget:
    """The answers of the budget form as a Budget; a skipped spending category is 0."""
    return Budget(
        income=_amount(draft.get("income")),
        income_irregular=draft.get("income_kind") == "irregular",
        assets=_sale(draft),
        **{category: _amount(draft.get(category)) for category in CATEGORIES},
    )


def _finish_form(state: UserState, draft: Draft, ctx: Context) -> Outcome:
    budget = budget_from(draft)
    saved = state.model_copy(update={"budget": budget})
    result = available(budget, living_floor(ctx))
    if result.nothing_left:
        short = counsel.shortfall_reply(result, ctx)
        lead = (_nothing_left(result), *((short,) if short else ()))
        return registry.go_to(saved, "negotiate", ctx, lead=lead)
    return move(saved, STEP_ID, "overview", ctx, lead=(Reply(text("budget.saved")),))


def _finish_asset(state: UserState, draft: Draft, ctx: Context) -> Outcome:
    if state.budget is None:
        return move(state, STEP_ID, "overview", ctx)
    budget = state.budget.model_copy(update={"assets": (*state.budget.assets, *_sale(draft))})
    saved = state.model_copy(update={"budget": budget})
    return move(saved, STEP_ID, "overview", ctx, lead=(Reply(text("budget.asset_added")),))


def _nothing_left(result: Available) -> Reply:
    return Reply(
        text(
            "budget.nothing_left",
            income=money_text(result.income),
            reserved=money_text(result.reserved),
        )
    )


# ---- the overview ---------------------------------------------------------------------------


def _overview(state: UserState, ctx: Context) -> tuple[Reply, ...]:
    """The overview on arrival: a budget short of living costs first says by how much."""
    if state.budget is None:
        return _overview_again(state, ctx)
    short = counsel.shortfall_reply(available(state.budget, living_floor(ctx)), ctx)
    return (*((short,) if short else ()), _summary(state.budget, ctx))


def _overview_again(state: UserState, ctx: Context) -> tuple[Reply, ...]:
    floor = money_text(living_floor(ctx))
    if state.budget is None:
        buttons = ((Button(text("budget.start"), "start"),), nav_row())
        return (Reply(text("budget.intro", floor=floor), buttons),)
    return (_summary(state.budget, ctx),)


def _summary(budget: Budget, ctx: Context) -> Reply:
    result = available(budget, living_floor(ctx))
    floor_line = text(
        "budget.floor_applied" if result.floor_applied else "budget.floor_kept",
        floor=money_text(result.floor),
        essentials=money_text(result.essentials),
    )
    values: dict[str, Value] = {
        "income": money_text(result.income),
        "income_kind": text(
            f"budget.income_kind_note.{'irregular' if budget.income_irregular else 'fixed'}"
        ),
        "essentials": money_text(result.essentials),
        "floor_line": floor_line,
        "monthly": money_text(result.monthly),
        "assets": _asset_lines(budget),
    }
    first = (
        Button(text("budget.go_negotiate"), "negotiate")
        if result.nothing_left
        else Button(text("budget.go_plan"), "plan")
    )
    rows: list[tuple[Button, ...]] = [
        (first,),
        (Button(text("budget.add_asset"), "asset"),),
        (Button(text("budget.redo"), "redo"),),
    ]
    if budget.assets:
        rows.insert(2, (Button(text("budget.clear_assets"), "clear"),))
    key = "budget.summary_nothing_left" if result.nothing_left else "budget.summary"
    return Reply(text(key, **values), (*rows, nav_row()))


def _asset_lines(budget: Budget) -> Text | tuple[Text, ...]:
    if not budget.assets:
        return text("budget.no_assets")
    return tuple(
        text("budget.asset_line", amount=money_text(sale.amount), month=sale.month)
        for sale in budget.assets
    )


_to_form = to_node(STEP_ID, "form")


def _to_asset(state: UserState, _argument: str, ctx: Context) -> Outcome:
    if state.budget is None:
        return move(state, STEP_ID, "form", ctx)
    return move(state, STEP_ID, "asset", ctx)


def _clear_assets(state: UserState, _argument: str, ctx: Context) -> Outcome:
    if state.budget is None:
        return move(state, STEP_ID, "overview", ctx)
    cleared = state.model_copy(update={"budget": state.budget.model_copy(update={"assets": ()})})
    return move(cleared, STEP_ID, "overview", ctx, lead=(Reply(text("budget.assets_cleared")),))


def _to_plan(state: UserState, _argument: str, ctx: Context) -> Outcome:
    return registry.go_to(state, "plan", ctx)


def _to_negotiate(state: UserState, _argument: str, ctx: Context) -> Outcome:
    return registry.go_to(state, "negotiate", ctx)


STEP = Step(
    id=STEP_ID,
    entry="overview",
    nodes={
        "overview": ChoiceNode(
            render=_overview,
            again=_overview_again,
            actions={
                "start": _to_form,
                "redo": _to_form,
                "asset": _to_asset,
                "clear": _clear_assets,
                "plan": _to_plan,
                "negotiate": _to_negotiate,
            },
        ),
        "form": FormNode(form=FORM, finish=_finish_form),
        "asset": FormNode(form=ASSET_FORM, finish=_finish_asset),
    },
)
