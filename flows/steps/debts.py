"""Step 2, the debt list: add, view, edit and delete debts, with totals and the legal check.

Nodes: `list` (totals and one button per debt), `add` (short questions, all skippable but the
name), `detail` (every field and the legal check), `edit` (which field), `edit_<group>` (one
question or two), `confirm_delete`. The debt a node is about is kept in the position's draft
as {"debt": id}; every id, from a button or a draft, is looked up in the user's own debts.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

from flows import registry
from flows.answers import Ask, Option, ParseResult
from flows.assessment import Assessment, assess
from flows.core import Button, Context, Outcome, Reply, Text, Value, text
from flows.facts import Facts
from flows.form import Choice, Draft, Field, Form, labelled_choices
from flows.formatting import money_text, percent_text
from flows.ledger import Debt, DueSpec, InstallmentTerms, LenderKind, PenaltyRule, RateQuote
from flows.legal import LineKind
from flows.names import parse_name
from flows.parsing import (
    LAST_DAY,
    parse_amount,
    parse_amount_or_zero,
    parse_days_overdue,
    parse_due,
    parse_loan_rate,
    parse_past_date,
    parse_penalty,
    parse_periods,
)
from flows.progress import record_correction
from flows.state import UserState
from flows.steps.base import ChoiceNode, FormNode, Step, move, nav_row, reprompt
from flows.steps.payments import PAY_ACTION, milestone_replies

STEP_ID = "debts"
NEXT_STEP = "budget"
# g:dbal:<debt id> -- a button on any message that opens the debt's remaining principal.
BALANCE_ACTION = "dbal"
DEBT = "debt"  # draft key: the id of the debt a node is about
MAX_DEBTS = 50  # more than anyone should type in a chat; keeps every screen under 4096 chars
VERIFIED = "VERIFIED"  # verification marks of the data files (data/README.md)
UNVERIFIED = "UNVERIFIED"

# ---- questions --------------------------------------------------------------------------------


def _json_model(value: Any) -> Any:
    return value.model_dump(mode="json")


def _has_borrowed(draft: Draft) -> bool:
    return draft.get("borrowed") is not None


def _has_payment(draft: Draft) -> bool:
    return draft.get("payment") is not None


LENDER_VALUES = frozenset(kind.value for kind in LenderKind)
LENDER_CHOICES = labelled_choices((kind.value for kind in LenderKind), "debts.lender")
SAME = "same"  # button value: received = borrowed, or remaining = borrowed
NONE = "none"  # button value: no penalty
MONTH_END = "end"  # button value: due on the month's last day
NOT_OVERDUE = "0"  # button value: not overdue


def _not_above_borrowed(problem: str) -> Callable[[Draft, Any], Text | None]:
    """Money received, or principal left, above the contract amount is almost surely a typo."""

    def check(draft: Draft, value: Any) -> Text | None:
        borrowed = draft.get("borrowed")
        if borrowed is None or Decimal(str(value)) <= Decimal(str(borrowed)):
            return None
        return text(problem, borrowed=money_text(Decimal(str(borrowed))))

    return check


def contract_date(raw: str, ctx: Context | None = None) -> ParseResult[date]:
    """The contract date. A month alone in which the LPR changed also offers the day of the
    change: the legal line is four times the LPR in force on the contract day."""
    result = parse_past_date(raw, ctx)
    if not isinstance(result, Ask) or result.question != "parsing.date.which_day":
        return result
    if ctx is None or ctx.facts is None or ctx.facts.lpr is None:
        return result
    first = result.options[0].value
    change = next(
        (
            c.effective
            for c in ctx.facts.lpr.changes
            if (c.effective.year, c.effective.month) == (first.year, first.month)
            and c.effective.day > 1
            and c.effective <= ctx.now.date()
        ),
        None,
    )
    if change is None:
        return result
    on_change = Option("parsing.date.option_first", change, {"date": change.isoformat()})
    values = {**result.values, "change": change.isoformat()}
    return Ask("debts.ask.contract_day_lpr", (*result.options, on_change), values)


FIELDS: dict[str, Field] = {
    f.name: f
    for f in (
        Field(name="platform", prompt="debts.ask.platform", parse=parse_name, max_length=30),
        Field(
            name="lender",
            prompt="debts.ask.lender",
            choices=LENDER_CHOICES,
            optional=True,
            columns=1,
        ),
        Field(
            name="contract_date",
            prompt="debts.ask.contract_date",
            parse=contract_date,
            optional=True,
            encode=date.isoformat,
        ),
        Field(
            name="borrowed",
            prompt="debts.ask.borrowed",
            parse=parse_amount,
            optional=True,
            encode=str,
        ),
        Field(
            name="received",
            prompt="debts.ask.received",
            parse=parse_amount,
            optional=True,
            encode=str,
            choices=(Choice(SAME, "debts.same_as_borrowed"),),
            applies=_has_borrowed,
            check=_not_above_borrowed("debts.received_above_borrowed"),
        ),
        Field(
            name="remaining_principal",
            prompt="debts.ask.remaining",
            parse=parse_amount_or_zero,
            optional=True,
            encode=str,
            choices=(Choice(SAME, "debts.nothing_repaid"),),
            applies=_has_borrowed,
            check=_not_above_borrowed("debts.remaining_above_borrowed"),
        ),
        Field(
            name="rate",
            prompt="debts.ask.rate",
            parse=parse_loan_rate,
            optional=True,
            encode=_json_model,
        ),
        Field(
            name="payment",
            prompt="debts.ask.payment",
            parse=parse_amount,
            optional=True,
            encode=str,
        ),
        Field(
            name="periods",
            prompt="debts.ask.periods",
            parse=parse_periods,
            applies=_has_payment,
        ),
        Field(
            name="penalty",
            prompt="debts.ask.penalty",
            parse=parse_penalty,
            optional=True,
            encode=_json_model,
            choices=(Choice(NONE, "debts.no_penalty"),),
        ),
        Field(
            name="due",
            prompt="debts.ask.due",
            parse=parse_due,
            optional=True,
            encode=_json_model,
            choices=(Choice(MONTH_END, "debts.month_end"),),
        ),
        Field(
            name="days_overdue",
            prompt="debts.ask.days_overdue",
            parse=parse_days_overdue,
            optional=True,
            choices=(Choice(NOT_OVERDUE, "debts.not_overdue"),),
        ),
        Field(
            name="owed_now",
            prompt="debts.ask.owed_now",
            parse=parse_amount_or_zero,
            optional=True,
            encode=str,
        ),
        # Asked from the edit screen only (the plan asks for it when a debt needs it), so the
        # questions of a new debt stay as they are.
        Field(
            name="minimum_payment",
            prompt="debts.ask.minimum_payment",
            parse=parse_amount,
            optional=True,
            encode=str,
            applies=lambda _draft: False,
        ),
    )
}

SAVE_NOW = Button(text("debts.save_now"), "save")
ADD_FORM = Form(fields=tuple(FIELDS.values()), extra_rows=((SAVE_NOW,),))

# What the edit screen offers: a group of one or two questions per button.
EDIT_GROUPS: dict[str, tuple[str, ...]] = {
    "platform": ("platform",),
    "lender": ("lender",),
    "contract_date": ("contract_date",),
    "borrowed": ("borrowed",),
    "received": ("received",),
    "remaining_principal": ("remaining_principal",),
    "rate": ("rate",),
    "installments": ("payment", "periods"),
    "penalty": ("penalty",),
    "due": ("due",),
    "days_overdue": ("days_overdue",),
    "owed_now": ("owed_now",),
    "minimum_payment": ("minimum_payment",),
}


def _edit_form(group: str) -> Form:
    fields = []
    for name in EDIT_GROUPS[group]:
        field = FIELDS[name]
        if name != "periods":  # every field can be edited alone; periods follow a payment
            field = dataclasses.replace(field, applies=lambda _draft: True)
        if name == "received":  # "same as borrowed" needs the borrowed amount in the draft
            field = dataclasses.replace(field, choices=())
        if name == "remaining_principal":
            field = dataclasses.replace(field, choices=())
        fields.append(field)
    return Form(fields=tuple(fields))


# ---- from answers to a Debt -------------------------------------------------------------------


def _decimal(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _values_from(draft: Draft, names: tuple[str, ...]) -> dict[str, Any]:
    """The Debt fields the answers in `draft` set (a skipped answer clears its field)."""
    values: dict[str, Any] = {}
    for name in names:
        if name not in draft:
            continue
        raw = draft[name]
        if name == "platform":
            values["platform"] = raw
        elif name == "lender":
            values["lender"] = LenderKind(raw) if raw in LENDER_VALUES else None
        elif name == "contract_date":
            values["contract_date"] = date.fromisoformat(raw) if raw else None
        elif name in ("borrowed", "received", "remaining_principal"):
            borrowed = _decimal(draft.get("borrowed"))
            values[name] = borrowed if raw == SAME else _decimal(raw)
        elif name in ("owed_now", "minimum_payment"):
            values[name] = _decimal(raw)
        elif name == "rate":
            values["rate"] = RateQuote.model_validate(raw) if raw else None
        elif name == "payment":
            periods = draft.get("periods")
            values["installments"] = (
                InstallmentTerms(payment=Decimal(raw), periods=int(periods))
                if raw is not None and periods is not None
                else None
            )
        elif name == "penalty":
            values["penalty"] = (
                PenaltyRule(daily_rate=Decimal(0))
                if raw == NONE
                else (PenaltyRule.model_validate(raw) if raw else None)
            )
        elif name == "due":
            values["due"] = (
                DueSpec.monthly(LAST_DAY)
                if raw == MONTH_END
                else (DueSpec.model_validate(raw) if raw else None)
            )
        elif name == "days_overdue":
            values["days_overdue"] = None if raw is None else int(raw)
    return values


# ---- finding the debt a press is about --------------------------------------------------------


def _current(state: UserState) -> Debt | None:
    return state.own_debt(state.position.draft.get(DEBT))


def _not_found(state: UserState, ctx: Context) -> Outcome:
    return _to_list(state, ctx, Reply(text("debts.not_found")))


def _unwind_to(state: UserState, node: str) -> UserState:
    """Drop positions from the history until we are back at `node` of this step.

    Used when a form is done: Back afterwards must not reopen a form that already saved.
    """
    probe: UserState | None = state
    while probe is not None:
        here = probe.position
        if here.step == STEP_ID and here.node == node:
            return probe
        probe = probe.back()
    return state.back() or state


def _to_list(state: UserState, ctx: Context, *lead: Reply) -> Outcome:
    return move(state, STEP_ID, "list", ctx, lead=lead)


def _to_detail(state: UserState, debt: Debt, ctx: Context, *lead: Reply) -> Outcome:
    return move(state, STEP_ID, "detail", ctx, draft={DEBT: debt.id}, lead=lead)


def _replace(state: UserState, debt: Debt, ctx: Context) -> UserState:
    return _with_debts(state, tuple(debt if d.id == debt.id else d for d in state.debts), ctx)


def _with_debts(state: UserState, debts: tuple[Debt, ...], ctx: Context) -> UserState:
    return state.model_copy(update={"debts": debts, "debts_changed_on": ctx.now.date()})


# ---- the list ---------------------------------------------------------------------------------


def show_list(state: UserState, _argument: str, ctx: Context) -> Outcome:
    """/debts from anywhere: the list with totals; Back goes back to where the user was."""
    return _to_list(state, ctx)


def _today(ctx: Context) -> date:
    return ctx.now.date()


def _facts(ctx: Context) -> Facts:
    return ctx.facts if isinstance(ctx.facts, Facts) else Facts()


def _sorted(state: UserState, checks: dict[int, Assessment]) -> list[Debt]:
    """Overdue first (longest first), then the most expensive, then in the order added."""

    def key(debt: Debt) -> tuple[int, Decimal, int]:
        rate = checks[debt.id].all_in_annual_rate
        return (-(debt.days_overdue or 0), -(rate if rate is not None else Decimal(-1)), debt.id)

    return sorted(state.debts, key=key)


def _render_list(state: UserState, ctx: Context) -> tuple[Reply, ...]:
    add = (Button(text("debts.add"), "add"),)
    onward = (Button(text("debts.next_budget"), "next"),)
    if not state.debts:
        return (Reply(text("debts.list.empty"), (add, onward, nav_row())),)
    facts, today = _facts(ctx), _today(ctx)
    checks = {d.id: assess(d, facts, today) for d in state.debts}
    ordered = _sorted(state, checks)
    entries = tuple(
        (Button(_entry_label(i, d, checks[d.id]), f"open:{d.id}"),)
        for i, d in enumerate(ordered, start=1)
    )
    rows = (*entries, add if len(state.debts) < MAX_DEBTS else (), onward, nav_row())
    return (Reply(summary(ordered, checks), tuple(r for r in rows if r)),)


def _entry_label(number: int, debt: Debt, check: Assessment) -> Text:
    marks = ("\u26a0\ufe0f" if check.exceeds else "") + ("\u23f0" if debt.overdue else "")
    remaining = (
        text("debts.list.entry_amount", amount=money_text(debt.remaining_principal))
        if debt.remaining_principal is not None
        else ""
    )
    return text(
        "debts.list.entry", number=number, platform=debt.platform, marks=marks, amount=remaining
    )


def summary(ordered: list[Debt], checks: dict[int, Assessment]) -> Text:
    """Totals, which debts exceed which line, which are overdue (hurting the credit report)."""
    remaining = [d.remaining_principal for d in ordered if d.remaining_principal is not None]
    owed = [d.owed_now for d in ordered if d.owed_now is not None]
    exceeding = tuple(
        text(
            "debts.list.exceeds_line",
            platform=d.platform,
            rate=percent_text(checks[d.id].all_in_annual_rate or Decimal(0)),
            line=percent_text(checks[d.id].line or Decimal(0)),
            kind=_line_name(checks[d.id]),
        )
        for d in ordered
        if checks[d.id].exceeds
    )
    unchecked = sum(1 for d in ordered if checks[d.id].all_in_annual_rate is None)
    overdue = tuple(
        text("debts.list.overdue_line", platform=d.platform, days=d.days_overdue or 0)
        for d in ordered
        if d.overdue
    )
    return text(
        "debts.list.summary",
        count=len(ordered),
        remaining=_total(remaining),
        remaining_note=_missing_note(len(ordered) - len(remaining)) if remaining else "",
        owed=_total(owed),
        owed_note=_missing_note(len(ordered) - len(owed)) if owed else "",
        exceeding=(
            *((text("debts.list.exceeding_title"), *exceeding) if exceeding else ()),
            *(() if exceeding or unchecked == len(ordered) else (text("debts.list.none_exceed"),)),
            *((text("debts.list.unchecked", count=unchecked),) if unchecked else ()),
        ),
        overdue=(
            (text("debts.list.overdue_title"), *overdue)
            if overdue
            else (text("debts.list.none_overdue"),)
        ),
    )


def _total(amounts: list[Decimal]) -> Value:
    # 未填: "not filled in"
    """The sum in yuan; "not filled in" when no debt has the amount (not a misleading 0 yuan)."""
    if not amounts:
        return text("debts.unknown")
    return text("debts.yuan", amount=money_text(sum(amounts, Decimal(0))))


def _missing_note(missing: int) -> Value:
    return text("debts.list.missing", count=missing) if missing else ""


def _line_name(check: Assessment) -> Text:
    kind = check.line_kind or LineKind.PRIVATE_ESTIMATED
    return text(f"debts.line_name.{kind.value}")


def _add(state: UserState, _argument: str, ctx: Context) -> Outcome:
    if len(state.debts) >= MAX_DEBTS:
        return reprompt(state, ctx, Reply(text("debts.too_many", limit=MAX_DEBTS)))
    return move(state, STEP_ID, "add", ctx)


def _open(state: UserState, argument: str, ctx: Context) -> Outcome:
    debt = state.own_debt(argument)
    return _not_found(state, ctx) if debt is None else _to_detail(state, debt, ctx)


def _next(state: UserState, _argument: str, ctx: Context) -> Outcome:
    return registry.go_to(state, NEXT_STEP, ctx)


# ---- adding -----------------------------------------------------------------------------------


def _finish_add(state: UserState, draft: Draft, ctx: Context) -> Outcome:
    if not draft.get("platform"):
        return reprompt(state, ctx, Reply(text("debts.need_platform")))
    values = _values_from(draft, tuple(FIELDS))
    debt = Debt(id=state.next_debt_id, **values)
    numbered = state.model_copy(update={"next_debt_id": state.next_debt_id + 1})
    saved = _with_debts(numbered, (*state.debts, debt), ctx)
    return _to_detail(_unwind_to(saved, "list"), debt, ctx, Reply(text("debts.saved")))


@dataclasses.dataclass
class AddNode(FormNode):
    """The add form, plus "Save now": save what was answered so far, fill the rest later."""

    def on_choice(self, state: UserState, payload: str, ctx: Context) -> Outcome | None:
        if payload == "save":
            draft = {k: v for k, v in state.position.draft.items() if not k.startswith("_")}
            if not draft.get("platform"):
                return reprompt(state, ctx, Reply(text("debts.need_platform")))
            return self.finish(state, draft, ctx)
        return super().on_choice(state, payload, ctx)


# ---- one debt ---------------------------------------------------------------------------------


def _render_detail(state: UserState, ctx: Context) -> tuple[Reply, ...]:
    debt = _current(state)
    if debt is None:
        return (Reply(text("debts.not_found"), ((Button(text("debts.back_to_list"), "list"),),)),)
    check = assess(debt, _facts(ctx), _today(ctx))
    buttons = (
        (Button(text("debts.record_payment"), f"g:{PAY_ACTION}:{debt.id}"),),
        (Button(text("debts.edit"), "edit"), Button(text("debts.reminders"), f"g:rem:{debt.id}")),
        (Button(text("debts.delete"), "delete"), Button(text("debts.back_to_list"), "list")),
        nav_row(),
    )
    return (
        Reply(text("debts.detail", platform=debt.platform, fields=fields_of(debt))),
        Reply(legal_check(debt, check, _facts(ctx)), buttons),
    )


def fields_of(debt: Debt) -> tuple[Text, ...]:
    """One line per field, "not filled" where unknown."""
    unknown = text("debts.unknown")

    def line(name: str, value: Value | None) -> Text:
        return text(f"debts.field.{name}", value=unknown if value is None else value)

    def amount(value: Decimal | None) -> Value | None:
        return None if value is None else text("debts.yuan", amount=money_text(value))

    shown = shown_terms(debt)
    return (
        line("lender", shown["lender"]),
        line("contract_date", debt.contract_date.isoformat() if debt.contract_date else None),
        line("borrowed", amount(debt.borrowed)),
        line("received", amount(debt.received)),
        line("remaining_principal", amount(debt.remaining_principal)),
        line("rate", shown["rate"]),
        line("installments", shown["installments"]),
        line("penalty", shown["penalty"]),
        line("due", shown["due"]),
        line("days_overdue", _overdue_text(debt.days_overdue)),
        line("owed_now", amount(debt.owed_now)),
        *(
            (line("minimum_payment", amount(debt.minimum_payment)),)
            if debt.minimum_payment is not None
            else ()
        ),
    )


def shown_terms(debt: Debt) -> dict[str, Value | None]:
    # The terms as the debt list words them (None: not filled); also used by the CSV export.
    return {
        "lender": text(f"debts.lender.{debt.lender.value}") if debt.lender else None,
        "rate": rate_text(debt.rate) if debt.rate else None,
        "installments": _installments_text(debt.installments),
        "penalty": _penalty_text(debt.penalty),
        "due": _due_text(debt.due),
    }


def rate_text(quote: RateQuote) -> Text:
    return text(
        f"debts.rate.{quote.period.value}",
        rate=percent_text(quote.per_period, 4),
        annual=percent_text(quote.rate().annual_simple()),
    )


def _installments_text(terms: InstallmentTerms | None) -> Value | None:
    if terms is None:
        return None
    return text("debts.installments", periods=terms.periods, payment=money_text(terms.payment))


def _penalty_text(rule: PenaltyRule | None) -> Value | None:
    if rule is None:
        return None
    parts: list[Text] = []
    if rule.daily_rate:
        parts.append(text("debts.penalty.daily", rate=percent_text(rule.daily_rate, 4)))
    if rule.fixed_fee:
        parts.append(text("debts.penalty.fee", fee=money_text(rule.fixed_fee)))
    if not parts:
        return text("debts.penalty.none")
    if len(parts) == 1:
        return parts[0]
    return text("debts.penalty.both", daily=parts[0], fee=parts[1])


def _due_text(due: DueSpec | None) -> Value | None:
    if due is None:
        return None
    if due.on_date is not None:
        return due.on_date.isoformat()
    if due.day_of_month == LAST_DAY:
        return text("debts.due.month_end")
    return text("debts.due.monthly", day=due.day_of_month or 0)


def _overdue_text(days: int | None) -> Value | None:
    if days is None:
        return None
    return text("debts.overdue.days", days=days) if days else text("debts.overdue.none")


def legal_check(debt: Debt, check: Assessment, facts: Facts) -> Text:
    """The check as a reply: the line with its source and LPR date, the cost, the verdict."""
    line = check.legal_line
    if line is None:
        return text("debts.check.no_data")
    parts: list[Text] = [_line_text(debt, check, facts)]
    if line.mark != VERIFIED:
        parts.append(soft_note(line.mark))
    if line.lpr is not None and facts.lpr is not None:
        # LPR figures are second-hand until checked on chinamoney.com.cn (facts section 1).
        parts.append(text("debts.check.lpr_note", day=facts.lpr.checked_through.isoformat()))
    if check.all_in_annual_rate is None:
        parts.append(text("debts.check.no_rate"))
        return text("debts.check.block", parts=tuple(parts))
    parts.append(_cost_text(check, debt))
    licensed = line.kind is LineKind.LICENSED
    if check.exceeds:
        if licensed:
            parts.append(text("debts.check.exceeds_licensed", line=percent_text(line.rate)))
        else:
            parts.append(text("debts.check.exceeds"))
        if check.interest_above_line:
            parts.append(text("debts.check.above", amount=money_text(check.interest_above_line)))
        else:
            parts.append(text("debts.check.above_unknown"))
    else:
        parts.append(text("debts.check.within"))
    if check.over_criminal_line and facts.legal is not None:
        criminal = facts.legal.criminal_reference
        parts.append(
            text(
                "debts.check.over_criminal",
                line=percent_text(criminal.rate),
                source=criminal.source,
            )
        )
        if criminal.mark != VERIFIED:
            parts.append(soft_note(criminal.mark))
    return text("debts.check.block", parts=tuple(parts))


def soft_note(mark: str) -> Text:
    """How sure a source is, in words: second-hand, or not verified at all."""
    return text("debts.check.soft_unverified" if mark == UNVERIFIED else "debts.check.soft_second")


def _line_text(debt: Debt, check: Assessment, facts: Facts) -> Text:
    line = check.legal_line
    assert line is not None
    lpr = line.lpr
    lpr_values: dict[str, Value] = {
        "lpr": percent_text(lpr.rate) if lpr else "",
        "lpr_date": lpr.effective.isoformat() if lpr else "",
        "line": percent_text(line.rate),
        "source": line.source,
    }
    if line.kind is LineKind.PRIVATE_LPR:
        contract = debt.contract_date.isoformat() if debt.contract_date else ""
        return text("debts.check.line.private_lpr", contract=contract, **lpr_values)
    if line.kind is LineKind.PRIVATE_OLD_RULES:
        old = percent_text(line.old_rate or Decimal(0))
        switch = line.switch_day.isoformat() if line.switch_day else ""
        return text("debts.check.line.private_old_rules", old=old, switch=switch, **lpr_values)
    if line.kind is LineKind.PRIVATE_ESTIMATED:
        return text("debts.check.line.private_estimated", **lpr_values)
    return text("debts.check.line.licensed", line=percent_text(line.rate), source=line.source)


def _cost_text(check: Assessment, debt: Debt) -> Text:
    rate = percent_text(check.interest_rate) if check.interest_rate is not None else None
    if check.method == "irr" and rate is not None:
        cost = text(
            "debts.check.cost_irr",
            rate=rate,
            effective=percent_text(check.effective_annual or Decimal(0)),
        )
    elif check.method == "single" and rate is not None:
        cost = text("debts.check.cost_single", rate=rate, days=check.term_days or 0)
    elif rate is not None and debt.borrowed and debt.received and debt.received < debt.borrowed:
        # The rate shown is not the one typed: say why, or it reads as a wrong conversion.
        deducted = money_text(debt.borrowed - debt.received)
        cost = text("debts.check.cost_quoted_deducted", rate=rate, deducted=deducted)
    elif rate is not None:
        cost = text("debts.check.cost_quoted", rate=rate)
    else:
        cost = text("debts.check.cost_unknown")
    if not check.lateness_rate:
        return cost  # no penalty ("none"): "lateness about 0%, all-in 24%" only adds noise
    return text(
        "debts.check.cost_with_lateness",
        cost=cost,
        lateness=percent_text(check.lateness_rate),
        all_in=percent_text(check.all_in_annual_rate or Decimal(0)),
    )


def _back_to_list(state: UserState, _argument: str, ctx: Context) -> Outcome:
    return _to_list(_unwind_to(state, "list"), ctx)


def _edit(state: UserState, _argument: str, ctx: Context) -> Outcome:
    debt = _current(state)
    if debt is None:
        return _not_found(state, ctx)
    return move(state, STEP_ID, "edit", ctx, draft={DEBT: debt.id})


def _delete(state: UserState, _argument: str, ctx: Context) -> Outcome:
    debt = _current(state)
    if debt is None:
        return _not_found(state, ctx)
    return move(state, STEP_ID, "confirm_delete", ctx, draft={DEBT: debt.id})


# ---- editing ----------------------------------------------------------------------------------


def _render_edit(state: UserState, ctx: Context) -> tuple[Reply, ...]:
    debt = _current(state)
    if debt is None:
        return (Reply(text("debts.not_found"), ((Button(text("debts.back_to_list"), "list"),),)),)
    names = list(EDIT_GROUPS)
    buttons = tuple(
        tuple(Button(text(f"debts.edit_field.{n}"), f"f:{n}") for n in names[i : i + 2])
        for i in range(0, len(names), 2)
    )
    return (Reply(text("debts.edit_which", platform=debt.platform), (*buttons, nav_row())),)


def _edit_field(state: UserState, argument: str, ctx: Context) -> Outcome:
    debt = _current(state)
    if debt is None:
        return _not_found(state, ctx)
    if argument not in EDIT_GROUPS:
        return reprompt(state, ctx, Reply(text("common.unknown_button")))
    return move(state, STEP_ID, f"edit_{argument}", ctx, draft={DEBT: debt.id})


def _finish_edit(group: str) -> Callable[[UserState, Draft, Context], Outcome]:
    def finish(state: UserState, draft: Draft, ctx: Context) -> Outcome:
        debt = state.own_debt(draft.get(DEBT))
        if debt is None:
            return _not_found(_unwind_to(state, "list"), ctx)
        names = EDIT_GROUPS[group]
        if group == "received" or group == "remaining_principal":
            draft = {**draft, "borrowed": None if debt.borrowed is None else str(debt.borrowed)}
        values = _values_from(draft, names)
        if group == "installments" and draft.get("payment") is None:
            values["installments"] = None
        updated = Debt.model_validate({**debt.model_dump(), **values})
        changed = _replace(state, updated, ctx)
        lead: tuple[Reply, ...] = (Reply(text("debts.updated")),)
        balance = updated.remaining_principal
        if group == "remaining_principal" and balance not in (None, debt.remaining_principal):
            # A new balance typed after payments is kept in the log as a correction.
            assert balance is not None
            corrected = record_correction(state, debt, balance, ctx)
            changed = corrected.state
            updated = changed.own_debt(debt.id) or updated
            lead = (*lead, *milestone_replies(changed, corrected.milestones))
        saved = _unwind_to(changed, "detail")
        return _to_detail(saved, updated, ctx, *lead)

    return finish


def update_balance(state: UserState, argument: str, ctx: Context) -> Outcome:
    """From any message (a reminder marked paid): straight to this debt's remaining principal."""
    debt = state.own_debt(argument)
    if debt is None:
        return reprompt(state, ctx, Reply(text("debts.not_found")))
    return move(state, STEP_ID, "edit_remaining_principal", ctx, draft={DEBT: debt.id})


# ---- deleting ---------------------------------------------------------------------------------


def _render_confirm_delete(state: UserState, ctx: Context) -> tuple[Reply, ...]:
    debt = _current(state)
    if debt is None:
        return (Reply(text("debts.not_found"), ((Button(text("debts.back_to_list"), "list"),),)),)
    buttons = (
        (Button(text("debts.delete_yes"), "yes"),),
        (Button(text("debts.delete_no"), "no"),),
    )
    return (Reply(text("debts.delete_confirm", platform=debt.platform), buttons),)


def _confirm_delete(state: UserState, _argument: str, ctx: Context) -> Outcome:
    debt = _current(state)
    if debt is None:
        return _not_found(state, ctx)
    kept = tuple(d for d in state.debts if d.id != debt.id)
    gone = _with_debts(state, kept, ctx)
    lead = Reply(text("debts.deleted", platform=debt.platform))
    return _to_list(_unwind_to(gone, "list"), ctx, lead)


def _keep(state: UserState, _argument: str, ctx: Context) -> Outcome:
    debt = _current(state)
    if debt is None:
        return _not_found(state, ctx)
    back = _unwind_to(state, "detail")
    return _to_detail(back, debt, ctx, Reply(text("debts.delete_cancelled")))


# ---- the step ---------------------------------------------------------------------------------

LIST_ACTIONS = {"add": _add, "open": _open, "next": _next}

STEP = Step(
    id=STEP_ID,
    entry="list",
    nodes={
        "list": ChoiceNode(render=_render_list, actions=LIST_ACTIONS),
        "add": AddNode(form=ADD_FORM, finish=_finish_add),
        "detail": ChoiceNode(
            render=_render_detail,
            actions={
                "edit": _edit,
                "delete": _delete,
                "list": _back_to_list,
            },
        ),
        "edit": ChoiceNode(render=_render_edit, actions={"f": _edit_field, "list": _back_to_list}),
        **{
            f"edit_{group}": FormNode(form=_edit_form(group), finish=_finish_edit(group))
            for group in EDIT_GROUPS
        },
        "confirm_delete": ChoiceNode(
            render=_render_confirm_delete,
            actions={"yes": _confirm_delete, "no": _keep, "list": _back_to_list},
        ),
    },
    commands={"debts": show_list},
    global_actions={BALANCE_ACTION: update_balance},
)
