"""Step 5, negotiation: a personalised script for one debt (extension, installments, waiving
Long (one step: four scripts share the offer, the legal line and the contact log).
penalty interest and fees, or asking for a supervisor), tips, the evidence checklist, and the
contact log — every call or chat with a platform, dated, listed, editable.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from flows.conversation import registry
from flows.conversation.core import Button, Outcome, Reply
from flows.conversation.form import Choice, Draft, Field, Form, labelled_choices
from flows.conversation.nodes import ChoiceNode, FormNode, Step, move, nav_row, reprompt, to_node
from flows.conversation.planned import monthly_offer, plan_start_of
from flows.conversation.state import UserState
from flows.domain.assessment import assess
from flows.domain.budget import month_key
from flows.domain.contact_log import MAX_LOG_ENTRIES, NOTE_LENGTH, LogEntry
from flows.domain.context import Context
from flows.domain.formatting import money_text, percent_text
from flows.domain.ledger import Debt, LenderKind
from flows.domain.legal_facts import fact_values, legal_facts
from flows.domain.parsing.amounts import parse_amount, parse_amount_or_zero
from flows.domain.parsing.answer_types import decimal_text
from flows.domain.parsing.answers import Ask, Invalid, Option, Parsed, ParseResult
from flows.domain.parsing.budget_sentences import monthly
from flows.domain.parsing.names import parse_name, parse_note
from flows.domain.parsing.numerals import normalise, number_value
from flows.domain.texts import Text, Value, text
from flows.steps.agreement import ACTION as AGREEMENT_ACTION
from flows.steps.collection import day_field, resolve_day
from flows.steps.platforms import picker

STEP_ID = "negotiate"
KINDS = ("extension", "installments", "waive", "supervisor", "card_plan")
# 个性化分期 (what people call 停息挂账): a credit-card arrangement a bank MAY agree to (the card
# rules' art. 70), not a right, and nothing like it binds online lenders: offered for cards only.
CARD_ONLY = ("card_plan",)
EXTENSION_MONTHS = ("1", "2", "3", "6")
CHANNELS = ("phone", "app_chat", "sms", "in_person", "other")
OUTCOMES = ("agreed", "refused", "thinking", "no_answer")
LOG_FIELDS = ("on", "channel", "who", "outcome", "terms")
EVIDENCE = ("recordings", "chat_screenshots", "sms_screenshots", "contract", "payment_records")
SHOWN_ENTRIES = 15
# A bare number up to this, typed as the monthly amount, may be a count of installments
# ("12" for 12 periods): asked back, never taken as 12 yuan a month silently.
SMALL_MONTHLY = Decimal("60")
REASONS = ("job_loss", "income_drop", "illness", "family", "too_many_loans", "other")


def _amount_text(value: Any) -> str | None:
    try:
        return money_text(Decimal(str(value))) if value is not None else None
    except InvalidOperation:
        return None


# ---- which debt -----------------------------------------------------------------------------


def owed_of(debt: Debt) -> Decimal | None:
    """The amount a script states: the remaining principal the debt list shows, else what is
    owed now, else the amount borrowed."""
    return debt.remaining_principal or debt.owed_now or debt.borrowed


def _prefill(state: UserState, debt: Debt, ctx: Context) -> dict[str, Any]:
    """What the debt list and the plan already know: the amount owed (not asked again) and the
    plan's monthly amount for this debt (offered as a button at the monthly question)."""
    owed = owed_of(debt)
    known: dict[str, Any] = {"owed": str(owed), "owed_known": True} if owed is not None else {}
    if owed is not None and owed == debt.remaining_principal:
        # Said as the principal left, the same number as the debt list, not "owed about".
        known["owed_principal"] = True
    if debt.lender is LenderKind.PRIVATE:
        # A friend's loan: no platform, no customer service, no supervisor. An unknown lender
        # is most likely a platform: it gets the platform scripts, worded conditionally.
        known["private"] = True
    if debt.lender is LenderKind.CREDIT_CARD:
        known["card"] = True
    offer = monthly_offer(state, debt.id, ctx)
    if offer is not None:
        known["plan_monthly"] = str(offer.amount)
        # The month the amount starts in, unless it is this month.
        first = offer.start_month(plan_start_of(state, ctx))
        known["plan_from"] = first if first != month_key(ctx.now.date(), 0) else None
    return known


def _plan_choice(draft: Draft) -> tuple[Choice, ...]:
    """The plan's monthly amount as a button answer; nothing when there is no plan."""
    amount = _amount_text(draft.get("plan_monthly"))
    if amount is None:
        return ()
    start = draft.get("plan_from")
    if start:
        values: dict[str, Value] = {"amount": amount, "month": str(start)}
        return (Choice(str(draft["plan_monthly"]), "negotiate.monthly_from_plan_later", values),)
    return (Choice(str(draft["plan_monthly"]), "negotiate.monthly_from_plan", {"amount": amount}),)


def offered_kinds(draft: Draft) -> tuple[str, ...]:
    """The requests offered for this debt: the card plan only for a credit card."""
    card = bool(draft.get("card")) and not draft.get("private")
    return tuple(k for k in KINDS if card or k not in CARD_ONLY)


def _kind_choices(draft: Draft) -> tuple[Choice, ...]:
    labels = "negotiate.kind_private" if draft.get("private") else "negotiate.kind"
    return labelled_choices(offered_kinds(draft), labels)


def _who(draft: Draft) -> dict[str, Value]:
    return {"who": text("negotiate.who_private" if draft.get("private") else "negotiate.who")}


def _intro(state: UserState, ctx: Context) -> tuple[Reply, ...]:
    buttons = (
        (Button(text("negotiate.write_script"), "script:"),),
        (Button(text("negotiate.open_log"), "log:"),),
        (Button(text("negotiate.evidence_button"), "evidence:"),),
        (Button(text("negotiate.next_collection"), "next:"),),
        nav_row(),
    )
    return (Reply(text("negotiate.intro"), buttons),)


_to_choose = to_node(STEP_ID, "choose")


_to_log = to_node(STEP_ID, "log")


_to_evidence = to_node(STEP_ID, "evidence")


def _to_collection(state: UserState, _argument: str, ctx: Context) -> Outcome:
    return registry.go_to(state, "collection", ctx)


# ---- the script form ------------------------------------------------------------------------

SCRIPT_FORM = Form(
    fields=(
        Field(
            name="owed",
            prompt="negotiate.ask_owed",
            parse=parse_amount,
            encode=str,
            valid=decimal_text,
            optional=True,
            applies=lambda draft: not draft.get("owed_known"),
            prompt_values=lambda draft: {"platform": draft.get("platform") or ""},
        ),
        Field(
            name="kind",
            prompt="negotiate.ask_kind",
            prompt_values=_who,
            suggest=_kind_choices,
            columns=1,
        ),
        Field(
            name="months",
            prompt="negotiate.ask_months",
            choices=tuple(Choice(m, f"negotiate.months_choice.m{m}") for m in EXTENSION_MONTHS),
            parse=lambda raw, ctx: _parse_months(raw),
            optional=True,
            columns=4,
            applies=lambda draft: draft.get("kind") == "extension",
        ),
        Field(
            name="monthly",
            prompt="negotiate.ask_monthly",
            parse=monthly(lambda raw, ctx: _parse_monthly(raw)),  # 每天30 -> a month's, asked
            encode=str,
            valid=decimal_text,
            optional=True,
            applies=lambda draft: draft.get("kind") != "supervisor",
            suggest=_plan_choice,
            columns=1,
        ),
    )
)


# Spoken shortcuts for a number of months: sa (three), lia (two), ban nian (half a year).
_MONTH_WORDS = {"\u4ee8": "3", "\u4fe9": "2", "\u534a\u5e74": "6"}


def _parse_months(raw: str) -> ParseResult[str]:
    # "3", "3个月", "三个月", "仨月", "半年" (ge yue, written as escapes: no Chinese in code)
    cleaned = normalise(raw).removesuffix("\u4e2a\u6708").removesuffix("\u6708")
    cleaned = _MONTH_WORDS.get(cleaned, cleaned)
    value = number_value(cleaned)
    if value is not None and value == value.to_integral_value() and 1 <= value <= 24:
        return Parsed(str(int(value)))
    return Invalid("negotiate.months_invalid")


def _parse_monthly(raw: str) -> ParseResult[Decimal]:
    """The amount a month; a bare small number ("12") is asked back: it may mean 12 periods."""
    # 0 is a real answer: someone who truly can pay nothing now asks for a pause instead.
    result = parse_amount_or_zero(raw)
    if isinstance(result, Parsed) and result.value == 0:
        return result
    if isinstance(result, Parsed) and raw.strip().isdigit() and result.value <= SMALL_MONTHLY:
        amount = {"amount": money_text(result.value)}
        yes = Option("negotiate.monthly_small_yes", result.value, amount)
        return Ask("negotiate.monthly_small", (yes,), amount)
    return result


def _finish_script(state: UserState, draft: Draft, ctx: Context) -> Outcome:
    return move(state, STEP_ID, "script", ctx, draft=draft)


def _legal_line(state: UserState, draft: Draft, ctx: Context) -> Value:
    """What the script says about the legal line, from the step-2 assessment; '' when nothing.

    Only a known private lender's script says the part above the line is not protected. A
    licensed lender's says the borrower may ask for a reduction; an unknown lender's asks who
    lent and the all-in cost first and asks for a cut only if the line that applies is passed.
    Licensed and unknown lenders are also asked for the 年化综合融资成本 they must disclose."""
    debt = state.own_debt(draft.get("debt_id"))
    if debt is None or ctx.facts is None:
        return ""
    verdict = assess(debt, ctx.facts, ctx.now.date())
    line = verdict.legal_line
    if line is None:
        return ""
    rate = verdict.all_in_annual_rate
    values: dict[str, Value] = {
        "rate": percent_text(rate) if rate is not None else "",
        "line": percent_text(line.rate),
    }
    if line.is_private:
        if not verdict.exceeds:
            return ""
        private = "_private" if draft.get("private") else ""
        key = "negotiate.legal_line" if rate is not None else "negotiate.legal_line_generic"
        return text(f"{key}{private}", **values)
    if line.lender_unknown:
        key = "legal_line_unknown" if verdict.exceeds and rate is not None else "ask_cost"
        return text(f"negotiate.{key}", **values)
    if verdict.exceeds and rate is not None:
        return text("negotiate.legal_line_licensed", **values)
    return text("negotiate.ask_cost")


def _reason(state: UserState) -> Value:
    typed = state.profile.delay_reason_text
    if typed:
        return typed.rstrip("\u3002.!\uff01;\uff1b,\uff0c ")
    reason = state.profile.delay_reason
    return text(f"contact.reason_phrase.{reason if reason in REASONS else 'other'}")


def script_values(state: UserState, draft: Draft, ctx: Context) -> dict[str, Value]:
    """Every placeholder of the script templates, from the user's answers and debt."""
    owed = _amount_text(draft.get("owed"))
    monthly = _amount_text(draft.get("monthly"))
    months = draft.get("months")
    private = "_private" if draft.get("private") else ""
    owed_key = "owed_principal_phrase" if draft.get("owed_principal") else "owed_phrase"
    return {
        "platform": draft.get("platform") or text("negotiate.platform_unnamed"),
        "owed": text(f"negotiate.{owed_key}{private}", amount=owed) if owed else "",
        "reason": _reason(state),
        "months": text("negotiate.months_phrase", months=str(months))
        if months
        else text("negotiate.months_unknown"),
        "monthly": _monthly_phrase(draft, monthly),
        "legal": _legal_line(state, draft, ctx),
        **fact_values(legal_facts(ctx), state.locale, "card_rule", "card_art"),
    }


def _monthly_phrase(draft: Draft, monthly: str | None) -> Text:
    """The monthly offer; the plan's amount with the month it starts in when that is later
    (offering it from now would promise money the plan gives other debts first)."""
    if monthly is None:
        return text("negotiate.monthly_unknown")
    if Decimal(str(draft.get("monthly"))) == 0:
        # 0 is a real answer (nothing can be paid now): the script asks for a pause.
        return text("negotiate.monthly_nothing")
    start = draft.get("plan_from")
    if start and str(draft.get("monthly")) == str(draft.get("plan_monthly")):
        return text("negotiate.monthly_phrase_from", amount=monthly, month=str(start))
    return text("negotiate.monthly_phrase", amount=monthly)


def _script(state: UserState, ctx: Context) -> tuple[Reply, ...]:
    draft = state.position.draft
    kind = draft.get("kind") if draft.get("kind") in offered_kinds(draft) else "extension"
    buttons = (
        (Button(text("negotiate.other_kind"), "kind:"),),
        (Button(text("negotiate.log_this"), "add:"),),
        (Button(text("negotiate.evidence_button"), "evidence:"),),
        (Button(text("negotiate.next_collection"), "next:"),),
        nav_row(),
    )
    private = "_private" if draft.get("private") else ""
    nothing = _amount_text(draft.get("monthly")) == money_text(Decimal(0))
    return (
        Reply(text(f"negotiate.script{private}.{kind}", **script_values(state, draft, ctx))),
        *((Reply(text("negotiate.nothing_now")),) if nothing else ()),
        Reply(text(f"negotiate.tips{private}"), buttons),
    )


def _other_kind(state: UserState, _argument: str, ctx: Context) -> Outcome:
    kept = {k: v for k, v in state.position.draft.items() if k not in ("kind", "months")}
    if kept.get("owed"):
        kept["owed_known"] = True  # answered already: don't ask again
    return move(state, STEP_ID, "form", ctx, draft=kept)


def _log_this(state: UserState, _argument: str, ctx: Context) -> Outcome:
    draft = state.position.draft
    chosen = {"platform": draft.get("platform"), "debt_id": draft.get("debt_id")}
    return move(state, STEP_ID, "log_form", ctx, draft=chosen)


# ---- evidence -------------------------------------------------------------------------------


def _evidence(state: UserState, ctx: Context) -> tuple[Reply, ...]:
    items = tuple(
        text("guidance.evidence_line", item=text(f"collection.evidence.{e}")) for e in EVIDENCE
    )
    return (Reply(text("negotiate.evidence", items=items), (nav_row(),)),)


# ---- the contact log ------------------------------------------------------------------------


def _choice_or_words(value: str | None, prefix: str, known: tuple[str, ...]) -> Value:
    if value is None:
        return text("negotiate.log_blank")
    return text(f"{prefix}.{value}") if value in known else value


def entry_values(entry: LogEntry) -> dict[str, Value]:
    outcome: Value = (
        entry.outcome_text
        if entry.outcome_text
        else _choice_or_words(entry.outcome, "negotiate.outcome", OUTCOMES)
    )
    return {
        "date": entry.on.isoformat(),
        "platform": entry.platform or text("negotiate.platform_unnamed"),
        "channel": _choice_or_words(entry.channel, "negotiate.channel", CHANNELS),
        "who": entry.who or text("negotiate.log_blank"),
        "outcome": outcome,
        "terms": entry.terms or text("negotiate.log_blank"),
        "behaviours": tuple(
            text("negotiate.behaviour_item", label=text(f"collection.behaviour.{b}"))
            for b in entry.behaviours
        ),
    }


def entry_line(entry: LogEntry, number: int) -> Text:
    key = "negotiate.incident_line" if entry.kind == "incident" else "negotiate.log_line"
    return text(key, number=number, **entry_values(entry))


def _log(state: UserState, ctx: Context) -> tuple[Reply, ...]:
    # Grouped per platform (per debt), oldest first within each.
    recent = state.contact_log[-SHOWN_ENTRIES:]
    entries = sorted(recent, key=lambda e: (e.platform or "", e.on, e.id))
    rows = [
        (Button(text("negotiate.open_entry", number=i, date=e.on.isoformat()), f"v:{e.id}"),)
        for i, e in enumerate(entries, start=1)
    ]
    rows.append((Button(text("negotiate.add_entry"), "add:"),))
    if not entries:
        return (Reply(text("negotiate.log_empty"), (*rows, nav_row())),)
    lines = tuple(entry_line(e, i) for i, e in enumerate(entries, start=1))
    hidden = len(state.contact_log) - len(entries)
    more: Value = text("negotiate.log_more", count=hidden) if hidden else ""
    return (Reply(text("negotiate.log", entries=lines, more=more), (*rows, nav_row())),)


def find_entry(state: UserState, argument: Any) -> LogEntry | None:
    if isinstance(argument, int):
        argument = str(argument)
    if not isinstance(argument, str) or not argument.isdigit() or len(argument) > 9:
        return None
    return next((e for e in state.contact_log if e.id == int(argument)), None)


def _open_entry(state: UserState, argument: str, ctx: Context) -> Outcome:
    entry = find_entry(state, argument)
    if entry is None:
        return reprompt(state, ctx, Reply(text("negotiate.entry_gone")))
    return move(state, STEP_ID, "entry", ctx, draft={"entry": entry.id})


def _add_entry(state: UserState, _argument: str, ctx: Context) -> Outcome:
    return move(state, STEP_ID, "log_platform", ctx, draft={})


def _in_field(name: str) -> Any:
    return lambda draft: draft.get("edit") in (None, name)


def _encode_outcome(value: Any) -> Any:
    return value if value in OUTCOMES else {"own_words": value}


LOG_FORM = Form(
    fields=(
        day_field("on", "negotiate.ask_on", applies=_in_field("on")),
        Field(
            name="channel",
            prompt="negotiate.ask_channel",
            choices=labelled_choices(CHANNELS, "negotiate.channel"),
            optional=True,
            applies=_in_field("channel"),
        ),
        Field(
            name="who",
            prompt="negotiate.ask_who",
            parse=parse_name,
            optional=True,
            max_length=30,
            applies=_in_field("who"),
        ),
        Field(
            name="outcome",
            prompt="negotiate.ask_outcome",
            choices=labelled_choices(OUTCOMES, "negotiate.outcome"),
            parse=parse_note,
            encode=_encode_outcome,
            optional=True,
            max_length=NOTE_LENGTH,
            applies=_in_field("outcome"),
        ),
        Field(
            name="terms",
            prompt="negotiate.ask_terms",
            parse=parse_note,
            free_text=True,
            optional=True,
            max_length=NOTE_LENGTH,
            applies=_in_field("terms"),
        ),
    )
)


def _entry_fields(draft: Draft, ctx: Context) -> dict[str, Any]:
    """The answered fields of the log form as LogEntry fields (only those asked)."""
    fields: dict[str, Any] = {}
    asked = [f.name for f in LOG_FORM.fields if f.applies(draft)]
    if "on" in asked:
        fields["on"] = resolve_day(draft.get("on"), ctx)
    if "channel" in asked:
        fields["channel"] = draft.get("channel")
    if "who" in asked:
        fields["who"] = draft.get("who")
    if "outcome" in asked:
        outcome = draft.get("outcome")
        own = outcome.get("own_words") if isinstance(outcome, dict) else None
        fields["outcome"] = None if own or outcome is None else str(outcome)
        fields["outcome_text"] = own
    if "terms" in asked:
        fields["terms"] = draft.get("terms")
    return fields


def _save_entry(state: UserState, draft: Draft, ctx: Context) -> Outcome:
    fields = _entry_fields(draft, ctx)
    existing = find_entry(state, draft.get("entry_id"))
    if draft.get("entry_id") is not None:
        if existing is None:
            return move(state, STEP_ID, "log", ctx, lead=(Reply(text("negotiate.entry_gone")),))
        updated = existing.model_copy(update=fields)
        log = tuple(updated if e.id == existing.id else e for e in state.contact_log)
        saved = state.model_copy(update={"contact_log": log})
        lead = (Reply(text("negotiate.entry_updated")),)
        return move(saved, STEP_ID, "entry", ctx, draft={"entry": existing.id}, lead=lead)
    debt_id = draft.get("debt_id")
    entry = LogEntry(
        id=state.next_log_id,
        platform=draft.get("platform"),
        debt_id=debt_id if isinstance(debt_id, int) else None,
        **fields,
    )
    # The form stays in the history: answering it again after 返回 edits this entry.
    remembered = state.with_draft({**state.position.draft, "entry_id": entry.id})
    saved = remembered.model_copy(
        update={
            "contact_log": (*state.contact_log, entry)[-MAX_LOG_ENTRIES:],
            "next_log_id": state.next_log_id + 1,
        }
    )
    lead = (Reply(text("negotiate.entry_saved")), *_record_agreement(saved, entry))
    return move(saved, STEP_ID, "log", ctx, lead=lead)


def _record_agreement(state: UserState, entry: LogEntry) -> tuple[Reply, ...]:
    """After a contact that ended in an agreement with a debt on the list: a button to record
    the agreed installments, so the plan keeps them current."""
    if entry.outcome != "agreed" or state.own_debt(entry.debt_id) is None:
        return ()
    button = Button(text("agreement.record"), f"g:{AGREEMENT_ACTION}:{entry.debt_id}")
    return (Reply(text("agreement.after_contact"), ((button,),)),)


def _entry(state: UserState, ctx: Context) -> tuple[Reply, ...]:
    entry = find_entry(state, state.position.draft.get("entry"))
    if entry is None:
        return (
            Reply(
                text("negotiate.entry_gone"),
                ((Button(text("negotiate.to_log"), "list:"),), nav_row()),
            ),
        )
    editable = ("on",) if entry.kind == "incident" else LOG_FIELDS
    edits = [Button(text(f"negotiate.edit.{f}"), f"f:{f}") for f in editable]
    rows = (
        *(tuple(edits[i : i + 2]) for i in range(0, len(edits), 2)),
        (Button(text("negotiate.delete_entry"), "del:"),),
        (Button(text("negotiate.to_log"), "list:"),),
        nav_row(),
    )
    return (Reply(text("negotiate.entry", line=entry_line(entry, 1)), rows),)


def _edit_field(state: UserState, argument: str, ctx: Context) -> Outcome:
    entry = find_entry(state, state.position.draft.get("entry"))
    if entry is None or argument not in LOG_FIELDS:
        return reprompt(state, ctx, Reply(text("negotiate.entry_gone")))
    draft = {"entry_id": entry.id, "edit": argument, "platform": entry.platform}
    return move(state, STEP_ID, "log_form", ctx, draft=draft)


def _ask_delete(state: UserState, _argument: str, ctx: Context) -> Outcome:
    entry = find_entry(state, state.position.draft.get("entry"))
    if entry is None:
        return reprompt(state, ctx, Reply(text("negotiate.entry_gone")))
    return move(state, STEP_ID, "confirm_delete", ctx, draft={"entry": entry.id})


def _confirm_delete(state: UserState, ctx: Context) -> tuple[Reply, ...]:
    entry = find_entry(state, state.position.draft.get("entry"))
    buttons = (
        (Button(text("negotiate.delete_yes"), "yes:"),),
        (Button(text("negotiate.delete_no"), "no:"),),
    )
    if entry is None:
        return (
            Reply(text("negotiate.entry_gone"), ((Button(text("negotiate.to_log"), "list:"),),)),
        )
    return (Reply(text("negotiate.delete_confirm", line=entry_line(entry, 1)), buttons),)


def _delete(state: UserState, _argument: str, ctx: Context) -> Outcome:
    wanted = state.position.draft.get("entry")
    log = tuple(e for e in state.contact_log if e.id != wanted)
    saved = state.model_copy(update={"contact_log": log})
    return move(saved, STEP_ID, "log", ctx, lead=(Reply(text("negotiate.entry_deleted")),))


def _keep(state: UserState, _argument: str, ctx: Context) -> Outcome:
    return move(state, STEP_ID, "entry", ctx, draft=dict(state.position.draft))


def show_log(state: UserState, _argument: str, ctx: Context) -> Outcome:
    """/log: the contact log from anywhere."""
    return move(state, STEP_ID, "log", ctx)


STEP = Step(
    id=STEP_ID,
    entry="intro",
    nodes={
        "intro": ChoiceNode(
            render=_intro,
            actions={
                "script": _to_choose,
                "log": _to_log,
                "evidence": _to_evidence,
                "next": _to_collection,
            },
        ),
        "choose": picker(STEP_ID, "form", "negotiate.ask_platform", extra=_prefill),
        "form": FormNode(form=SCRIPT_FORM, finish=_finish_script),
        "script": ChoiceNode(
            render=_script,
            actions={
                "kind": _other_kind,
                "add": _log_this,
                "evidence": _to_evidence,
                "next": _to_collection,
            },
        ),
        "evidence": ChoiceNode(render=_evidence),
        "log": ChoiceNode(render=_log, actions={"v": _open_entry, "add": _add_entry}),
        "log_platform": picker(STEP_ID, "log_form", "negotiate.ask_log_platform", optional=True),
        "log_form": FormNode(form=LOG_FORM, finish=_save_entry),
        "entry": ChoiceNode(
            render=_entry,
            actions={"f": _edit_field, "del": _ask_delete, "list": _to_log},
        ),
        "confirm_delete": ChoiceNode(
            render=_confirm_delete, actions={"yes": _delete, "no": _keep, "list": _to_log}
        ),
    },
    commands={"log": show_log},
)
