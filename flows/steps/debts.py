"""Step 2, the debt list: add, view, edit and delete debts, with totals and the legal check.
Long (one step: the add form, the edit forms and the list share the field table).

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

from flows.conversation import fears, registry
from flows.conversation.core import Button, Outcome, Reply
from flows.conversation.form import Choice, Draft, Field, Form, labelled_choices
from flows.conversation.nodes import ChoiceNode, FormNode, Step, move, nav_row, reprompt
from flows.conversation.progress import record_correction
from flows.conversation.state import UserState
from flows.domain.assessment import Assessment, assess
from flows.domain.context import Context
from flows.domain.facts import Facts
from flows.domain.formatting import money_text, percent_text
from flows.domain.ledger import Debt, DueSpec, InstallmentTerms, LenderKind, PenaltyRule, RateQuote
from flows.domain.legal import LegalLine, LineKind
from flows.domain.legal_facts import fact_values
from flows.domain.parsing.amounts import parse_amount, parse_amount_or_zero
from flows.domain.parsing.answer_types import decimal_text, iso_date, model_of, whole_number
from flows.domain.parsing.answers import Ask, Option, ParseResult
from flows.domain.parsing.dates import LAST_DAY, parse_due, parse_past_date
from flows.domain.parsing.debt_sentences import (
    SAME_RECEIVED,
    SAME_REMAINING,
    naming,
    or_not_installments,
    or_same,
    overdue_doubt,
    periods_doubt,
)
from flows.domain.parsing.durations import parse_days_overdue, parse_periods
from flows.domain.parsing.names import parse_name
from flows.domain.parsing.penalties import parse_penalty
from flows.domain.parsing.rates import parse_loan_rate
from flows.domain.texts import Text, Value, text
from flows.steps.agreement import ACTION as AGREEMENT_ACTION
from flows.steps.agreement import agreement_line
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


def _money_or_same(value: Any) -> bool:
    return value == SAME or decimal_text(value)


def _not_above_borrowed(problem: str) -> Callable[[Draft, Any], Text | None]:
    """Money received, or principal left, above the contract amount is almost surely a typo."""

    def check(draft: Draft, value: Any) -> Text | None:
        borrowed = draft.get("borrowed")
        if borrowed is None or not decimal_text(borrowed) or not decimal_text(str(value)):
            return None  # "same as borrowed", or nothing to compare with
        if Decimal(str(value)) <= Decimal(str(borrowed)):
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
            valid=iso_date,
        ),
        Field(
            name="borrowed",
            prompt="debts.ask.borrowed",
            parse=naming("borrowed", parse_amount),
            optional=True,
            encode=str,
            valid=decimal_text,
        ),
        Field(
            name="received",
            prompt="debts.ask.received",
            parse=naming("received", or_same(parse_amount, SAME, SAME_RECEIVED)),
            optional=True,
            encode=str,
            choices=(Choice(SAME, "debts.same_as_borrowed"),),
            applies=_has_borrowed,
            check=_not_above_borrowed("debts.received_above_borrowed"),
            valid=_money_or_same,
        ),
        Field(
            name="remaining_principal",
            prompt="debts.ask.remaining",
            parse=naming(
                "remaining_principal", or_same(parse_amount_or_zero, SAME, SAME_REMAINING)
            ),
            optional=True,
            encode=str,
            choices=(Choice(SAME, "debts.nothing_repaid"),),
            applies=_has_borrowed,
            check=_not_above_borrowed("debts.remaining_above_borrowed"),
            valid=_money_or_same,
        ),
        Field(
            name="rate",
            prompt="debts.ask.rate",
            parse=parse_loan_rate,
            optional=True,
            encode=_json_model,
            valid=model_of(RateQuote),
        ),
        Field(
            name="payment",
            prompt="debts.ask.payment",
            parse=naming("payment", or_not_installments(parse_amount)),
            optional=True,
            encode=str,
            valid=decimal_text,
        ),
        Field(
            name="periods",
            prompt="debts.ask.periods",
            parse=parse_periods,
            doubt=periods_doubt,
            applies=_has_payment,
            valid=whole_number,
        ),
        Field(
            name="penalty",
            prompt="debts.ask.penalty",
            parse=parse_penalty,
            optional=True,
            encode=_json_model,
            choices=(Choice(NONE, "debts.no_penalty"),),
            valid=model_of(PenaltyRule),
        ),
        Field(
            name="due",
            prompt="debts.ask.due",
            parse=parse_due,
            optional=True,
            encode=_json_model,
            choices=(Choice(MONTH_END, "debts.month_end"),),
            valid=model_of(DueSpec),
        ),
        Field(
            name="days_overdue",
            prompt="debts.ask.days_overdue",
            parse=parse_days_overdue,
            doubt=overdue_doubt,
            optional=True,
            choices=(Choice(NOT_OVERDUE, "debts.not_overdue"),),
            valid=whole_number,
        ),
        Field(
            name="owed_now",
            prompt="debts.ask.owed_now",
            parse=naming("owed_now", parse_amount_or_zero),
            optional=True,
            encode=str,
            valid=decimal_text,
        ),
        # Asked from the edit screen only (the plan asks for it when a debt needs it), so the
        # questions of a new debt stay as they are.
        Field(
            name="minimum_payment",
            prompt="debts.ask.minimum_payment",
            parse=parse_amount,
            optional=True,
            encode=str,
            valid=decimal_text,
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
    # 会坐牢吗, 过几年还要还吗…: answered here, where people look at what they owe.
    worries = (Button(text("fears.button.menu"), f"g:{fears.FEAR_ACTION}:{fears.MENU}"),)
    if not state.debts:
        return (
            Reply(
                text("debts.list.empty", **line_values(_facts(ctx))),
                (add, onward, worries, nav_row()),
            ),
        )
    facts, today = _facts(ctx), _today(ctx)
    checks = {d.id: assess(d, facts, today) for d in state.debts}
    ordered = _sorted(state, checks)
    entries = tuple(
        (Button(_entry_label(i, d, checks[d.id]), f"open:{d.id}"),)
        for i, d in enumerate(ordered, start=1)
    )
    # The add button stays at the cap: pressing (or typing) it explains the limit (_add).
    rows = (*entries, add, onward, worries, nav_row())
    return (Reply(summary(ordered, checks, facts), tuple(r for r in rows if r)),)


def line_values(facts: Facts) -> dict[str, Value]:
    """The legal lines as placeholders ({multiple} x LPR, {licensed_line}), from the data."""
    legal = facts.legal
    return {
        "multiple": _multiple(facts),
        "licensed_line": percent_text(legal.licensed_reference.rate) if legal else "",
    }


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


def summary(ordered: list[Debt], checks: dict[int, Assessment], facts: Facts) -> Text:
    """Totals, which debts exceed which line, which are overdue (hurting the credit report)."""
    remaining = [d.remaining_principal for d in ordered if d.remaining_principal is not None]
    owed = [d.owed_now for d in ordered if d.owed_now is not None]
    exceeding = tuple(
        text(
            "debts.list.exceeds_line",
            platform=d.platform,
            rate=percent_text(checks[d.id].all_in_annual_rate or Decimal(0)),
            line=percent_text(checks[d.id].line or Decimal(0)),
            kind=_line_name(checks[d.id], facts),
        )
        for d in ordered
        if checks[d.id].exceeds
    )
    unchecked = sum(1 for d in ordered if checks[d.id].all_in_annual_rate is None)
    # Asked again here: an unknown lender gets conditional lines until it is filled in.
    lender_unknown = sum(1 for d in ordered if not d.lender_kind.known)
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
            *((text("debts.list.lender_unknown", count=lender_unknown),) if lender_unknown else ()),
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


def _line_name(check: Assessment, facts: Facts) -> Text:
    if check.legal_line is not None and check.legal_line.lender_unknown:
        return text("debts.line_name.unknown_lender", multiple=_multiple(facts))
    kind = check.line_kind or LineKind.PRIVATE_ESTIMATED
    return text(f"debts.line_name.{kind.value}", multiple=_multiple(facts))


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
            draft = self.form.answers(state.position.draft)
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
    # Not known yet: asked again from here, straight to the question.
    ask_lender = (
        ((Button(text("debts.fill_lender"), "f:lender"),),) if not debt.lender_kind.known else ()
    )
    buttons = (
        *ask_lender,
        (
            Button(text("debts.record_payment"), f"g:{PAY_ACTION}:{debt.id}"),
            Button(text("debts.agreement"), f"g:{AGREEMENT_ACTION}:{debt.id}"),
        ),
        (Button(text("debts.edit"), "edit"), Button(text("debts.reminders"), f"g:rem:{debt.id}")),
        (Button(text("debts.delete"), "delete"), Button(text("debts.back_to_list"), "list")),
        nav_row(),
    )
    return (
        Reply(text("debts.detail", platform=debt.platform, fields=fields_of(debt))),
        Reply(legal_check(debt, check, _facts(ctx), state.locale), buttons),
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
        *((line("agreement", agreement_line(debt.agreement)),) if debt.agreement else ()),
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


def legal_check(debt: Debt, check: Assessment, facts: Facts, locale: str = "zh-CN") -> Text:
    """The check as a reply: the line with its source and LPR date, the cost, the verdict.

    An unknown lender gets every line that could apply and a conditional verdict: unknown is
    not private (most online-loan lenders are licensed)."""
    line = check.legal_line
    if line is None:
        return text("debts.check.no_data")
    parts: list[Text] = [_line_text(debt, check, facts)]
    if line.mark != VERIFIED:
        parts.append(soft_note(line.mark))
    if line.licensed is not None and line.licensed.mark != VERIFIED:
        # The licensed line shown beside an unknown lender's: its own certainty, in words.
        parts.append(text("debts.check.licensed_mark", note=soft_note(line.licensed.mark)))
    if line.lpr is not None and facts.lpr is not None:
        parts.append(_lpr_note(line.newer_lpr_possible, facts))
    if line.lender_unknown:
        parts.append(text("debts.check.find_lender"))
    if check.all_in_annual_rate is None:
        parts.append(text("debts.check.no_rate"))
        return text("debts.check.block", parts=tuple(parts))
    parts.append(_cost_text(check, debt))
    parts.extend(_verdict(check, line))
    if check.over_criminal_line and facts.legal is not None:
        # Unlicensed lending only: never for a licensed lender (assessment leaves it unset).
        criminal = facts.legal.criminal_reference
        key = "debts.check.over_criminal_if" if line.lender_unknown else "debts.check.over_criminal"
        parts.append(text(key, line=percent_text(criminal.rate), source=criminal.source))
        if criminal.mark != VERIFIED:
            parts.append(soft_note(criminal.mark))
    if line.kind is LineKind.LICENSED or line.lender_unknown:
        parts.append(disclosure_note(facts, locale))
    return text("debts.check.block", parts=tuple(parts))


def _verdict(check: Assessment, line: LegalLine) -> list[Text]:
    amount = money_text(check.interest_above_line) if check.interest_above_line else None
    if line.lender_unknown:
        licensed = percent_text(line.licensed.rate) if line.licensed else ""
        if not check.exceeds:
            return [text("debts.check.within_unknown")]
        key = "exceeds_unknown_both" if check.exceeds_licensed_line else "exceeds_unknown_private"
        verdict = [text(f"debts.check.{key}", line=percent_text(line.rate), licensed=licensed)]
        if amount:
            verdict.append(text("debts.check.above_if_private", amount=amount))
        return verdict
    if not check.exceeds:
        return [text("debts.check.within")]
    if line.kind is LineKind.LICENSED:
        verdict = [text("debts.check.exceeds_licensed", line=percent_text(line.rate))]
    else:
        verdict = [text("debts.check.exceeds")]
    verdict.append(
        text("debts.check.above", amount=amount) if amount else text("debts.check.above_unknown")
    )
    return verdict


def _lpr_note(newer_possible: bool, facts: Facts) -> Text:
    """How far the LPR table was checked; said plainly when the date used is after that."""
    assert facts.lpr is not None
    day = facts.lpr.checked_through.isoformat()
    if newer_possible:
        return text("debts.check.lpr_after_check", day=day)
    # LPR figures are second-hand until checked on chinamoney.com.cn (facts section 1).
    return text("debts.check.lpr_note", day=day)


def disclosure_note(facts: Facts, locale: str) -> Text:
    """Licensed lenders must show the all-in annual cost (年化综合融资成本) incl. third-party
    fees: the user can ask for it, and compare it with the line."""
    values = fact_values(facts.legal_facts, locale, "disclosure_rule", "disclosure_from")
    return text("debts.check.disclosure", **values)


def soft_note(mark: str) -> Text:
    """How sure a source is, in words: second-hand, or not verified at all."""
    return text("debts.check.soft_unverified" if mark == UNVERIFIED else "debts.check.soft_second")


def _line_text(debt: Debt, check: Assessment, facts: Facts) -> Text:
    line = check.legal_line
    assert line is not None
    if line.kind is LineKind.LICENSED:
        return _licensed_line_text(line.rate, line.source, facts)
    private = _private_line_text(debt, line, facts)
    if not line.lender_unknown or line.licensed is None:
        return private
    licensed = text(
        "debts.check.line.licensed_if",
        line=percent_text(line.licensed.rate),
        source=line.licensed.source,
        multiple=_multiple(facts),
    )
    return text("debts.check.line.unknown_lender", private=private, licensed=licensed)


def _licensed_line_text(rate: Decimal, source: str, facts: Facts) -> Text:
    return text(
        "debts.check.line.licensed",
        line=percent_text(rate),
        source=source,
        multiple=_multiple(facts),
    )


def _multiple(facts: Facts) -> str:
    return str(facts.legal.private_multiple.normalize()) if facts.legal else ""


def _private_line_text(debt: Debt, line: LegalLine, facts: Facts) -> Text:
    lpr = line.lpr
    lpr_values: dict[str, Value] = {
        "lpr": percent_text(lpr.rate) if lpr else "",
        "lpr_date": lpr.effective.isoformat() if lpr else "",
        "line": percent_text(line.rate),
        "source": line.source,
        "multiple": _multiple(facts),
    }
    if line.kind is LineKind.PRIVATE_LPR:
        contract = debt.contract_date.isoformat() if debt.contract_date else ""
        return text("debts.check.line.private_lpr", contract=contract, **lpr_values)
    if line.kind is LineKind.PRIVATE_OLD_RULES:
        old = percent_text(line.old_rate or Decimal(0))
        switch = line.switch_day.isoformat() if line.switch_day else ""
        return text("debts.check.line.private_old_rules", old=old, switch=switch, **lpr_values)
    return text("debts.check.line.private_estimated", **lpr_values)


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
    return move(state, STEP_ID, f"edit_{argument}", ctx, draft=_edit_draft(debt, argument))


def _edit_draft(debt: Debt, group: str) -> Draft:
    """The draft an edit starts from: the debt, and the answers its checks compare with (days
    overdue with the contract date, money received or left with the amount borrowed)."""
    draft: Draft = {DEBT: debt.id}
    if group == "days_overdue" and debt.contract_date is not None:
        draft["contract_date"] = debt.contract_date.isoformat()
    if group in ("received", "remaining_principal") and debt.borrowed is not None:
        draft["borrowed"] = str(debt.borrowed)
    return draft


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
    draft = _edit_draft(debt, "remaining_principal")
    return move(state, STEP_ID, "edit_remaining_principal", ctx, draft=draft)


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
                "f": _edit_field,  # a field straight from the detail (the lender, asked again)
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
    # The fears buttons (会坐牢吗, 诉讼时效…) of any step are answered where the user is.
    global_actions={BALANCE_ACTION: update_balance, fears.FEAR_ACTION: fears.answer_action},
)
