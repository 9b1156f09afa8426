"""Step 6, abusive collection: what happened, which of it is unlawful and why, the evidence to
keep, the channels that fit, a prefilled complaint text, and a dated entry in the user's log.

Also owns /complaint (the channels, from anywhere) and the always-valid button that opens this
step from guidance given in passing.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from flows.conversation import fears, guidance, registry
from flows.conversation.core import Button, Outcome, Reply
from flows.conversation.form import Choice, Draft, Field, Form
from flows.conversation.nodes import ChoiceNode, FormNode, Step, move, nav_row, reprompt, to_node
from flows.conversation.state import UserState
from flows.domain.contact_log import MAX_LOG_ENTRIES, LogEntry
from flows.domain.context import Context
from flows.domain.ledger import LenderKind
from flows.domain.parsing.event_days import parse_day
from flows.domain.parsing.intents import classify
from flows.domain.texts import Text, Value, text
from flows.steps.platforms import picker

STEP_ID = "collection"
DESCRIPTION_LENGTH = 500
RELATIVE_DAYS = {"today": 0, "yesterday": 1}

# The global button that opens the collection step with these behaviours ticked.
RECORD_ACTION = "coll"


class DescribeNode(ChoiceNode):
    """The user's own account of what happened is theirs: intent routing must not hijack it."""

    def takes_free_text(self, state: UserState) -> bool:
        return True


def _picked(draft: Draft) -> list[str]:
    return [b for b in draft.get("picked", []) if isinstance(b, str)]


# ---- what happened --------------------------------------------------------------------------


def _pick_render(state: UserState, ctx: Context) -> tuple[Reply, ...]:
    picked = _picked(state.position.draft)
    rows = []
    for index, behaviour_id in enumerate(guidance.rule_book(ctx).ids):
        key = "collection.ticked" if behaviour_id in picked else "collection.unticked"
        label = text(key, label=guidance.behaviour_label(behaviour_id))
        rows.append((Button(label, f"t:{index}"),))
    rows.append((Button(text("collection.continue"), "go:"),))
    rows.append((Button(text("collection.only_channels"), "ch:"),))
    # Threatened with court or prison, or offered "credit repair": answered from here too.
    rows.extend(fears.buttons("court", "credit_fix"))
    description = state.position.draft.get("description")
    said: Value = text("collection.your_words", words=description) if description else ""
    return (Reply(text("collection.intro", your_words=said), (*rows, nav_row())),)


def _toggle(state: UserState, argument: str, ctx: Context) -> Outcome:
    ids = guidance.rule_book(ctx).ids
    if not argument.isdigit() or int(argument) >= len(ids):
        return reprompt(state, ctx, Reply(text("common.unknown_button")))
    behaviour_id = ids[int(argument)]
    picked = _picked(state.position.draft)
    picked = (
        [b for b in picked if b != behaviour_id]
        if behaviour_id in picked
        else [*picked, behaviour_id]
    )
    return reprompt(state.with_draft({**state.position.draft, "picked": picked}), ctx)


def _described(state: UserState, raw: str, ctx: Context) -> Outcome:
    words = raw.strip()
    if len(words) > DESCRIPTION_LENGTH:
        return reprompt(state, ctx, Reply(text("form.too_long", limit=DESCRIPTION_LENGTH)))
    intent = classify(words, getattr(ctx.facts, "intents", None))
    found = intent.behaviours
    picked = _picked(state.position.draft)
    picked += [b for b in found if b not in picked]
    updated = state.with_draft({**state.position.draft, "picked": picked, "description": words})
    if not found and intent.complaint:
        return reprompt(state, ctx, guidance.channels_reply(ctx, state.locale))
    if not found:
        return reprompt(updated, ctx, Reply(text("collection.not_recognised")))
    labels = tuple(guidance.behaviour_label(b) for b in found)
    return reprompt(updated, ctx, Reply(text("collection.recognised", behaviours=labels)))


def _continue(state: UserState, _argument: str, ctx: Context) -> Outcome:
    if not _picked(state.position.draft):
        return reprompt(state, ctx, Reply(text("collection.pick_first")))
    return move(state, STEP_ID, "platform", ctx, draft=state.position.draft)


def _only_channels(state: UserState, _argument: str, ctx: Context) -> Outcome:
    return reprompt(state, ctx, guidance.channels_reply(ctx, state.locale))


# ---- when -----------------------------------------------------------------------------------


def day_field(name: str, prompt: str, applies: Callable[[Draft], bool] = lambda _d: True) -> Field:
    """A "which day did it happen" question: today/yesterday buttons or a typed past day,
    stored as the choice id or an ISO date (read back with `resolve_day`); skippable."""
    return Field(
        name=name,
        prompt=prompt,
        choices=(
            Choice("today", "collection.today"),
            Choice("yesterday", "collection.yesterday"),
        ),
        parse=parse_day,
        encode=lambda day: day.isoformat() if isinstance(day, date) else day,
        optional=True,
        applies=applies,
    )


WHEN_FORM = Form(fields=(day_field("when", "collection.ask_when"),))


def resolve_day(value: Any, ctx: Context) -> date:
    """A stored day answer (choice id or ISO date) as a date; skipped means today."""
    today = ctx.now.date()
    if value in RELATIVE_DAYS:
        return date.fromordinal(today.toordinal() - RELATIVE_DAYS[value])
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return today
    return today


def _record(state: UserState, draft: Draft, ctx: Context) -> Outcome:
    debt_id = draft.get("debt_id")
    fields: dict[str, Any] = {
        "on": resolve_day(draft.get("when"), ctx),
        "platform": draft.get("platform"),
        "debt_id": debt_id if isinstance(debt_id, int) else None,
        "behaviours": tuple(_picked(draft)),
        "description": draft.get("description"),
    }
    earlier = next((e for e in state.contact_log if e.id == draft.get("entry_id")), None)
    if earlier is not None:
        # Back here with 返回 and answered again: the same incident, corrected.
        entry = earlier.model_copy(update=fields)
        log = tuple(entry if e.id == earlier.id else e for e in state.contact_log)
        saved = state.model_copy(update={"contact_log": log})
        return move(saved, STEP_ID, "result", ctx, draft={"entry": entry.id})
    entry = LogEntry(id=state.next_log_id, kind="incident", **fields)
    remembered = state.with_draft({**state.position.draft, "entry_id": entry.id})
    saved = remembered.model_copy(
        update={
            "contact_log": (*state.contact_log, entry)[-MAX_LOG_ENTRIES:],
            "next_log_id": state.next_log_id + 1,
        }
    )
    return move(saved, STEP_ID, "result", ctx, draft={"entry": entry.id})


# ---- the result -----------------------------------------------------------------------------


def complaint_values(
    entry: LogEntry, ctx: Context, locale: str, lender: str | None = None
) -> dict[str, Value]:
    """The user's facts for the complaint template: platform, date, behaviours, laws, evidence.
    `lender` is the lender kind of the debt the incident is about, when known."""
    behaviours = guidance.behaviours_of(ctx, entry.behaviours)
    # The letter names a law by what it forbids, not by an article number that may be out of
    # date (law.cite); each law once, provisions of the same law next to each other.
    cited = [law for behaviour in behaviours for law in behaviour.laws]
    if lender is not None and LenderKind(lender).licensed:
        # A licensed lender's debt is not an illegal debt: citing a law about those would
        # weaken the letter. The other laws still cover the collectors' behaviour. An unknown
        # lender keeps it: the letter says "may", and usury by an unlicensed lender happens.
        cited = [law for law in cited if not law.illegal_debts_only]
    families = list(dict.fromkeys(_law_family(law.id) for law in cited))
    cited.sort(key=lambda law: families.index(_law_family(law.id)))
    laws = list(dict.fromkeys(law.cited(locale) for law in cited))
    evidence: list[str] = []
    for behaviour in behaviours:
        evidence += [e for e in behaviour.evidence if e not in evidence]
    return {
        "platform": entry.platform or text("collection.platform_unnamed"),
        "date": entry.on.isoformat(),
        "behaviours": tuple(
            text("collection.complaint_line", phrase=text(f"collection.complaint_phrase.{b.id}"))
            for b in behaviours
        ),
        "description": text("collection.complaint_description", words=entry.description)
        if entry.description
        else "",
        "laws": text(
            "collection.complaint_laws",
            laws=tuple(text("collection.complaint_line", phrase=name) for name in laws),
        )
        if laws
        else "",
        "evidence": tuple(
            # Plain item names: the how-to notes are in the evidence lists above the letter.
            text("collection.complaint_line", phrase=text(f"collection.complaint_evidence.{e}"))
            for e in evidence
        ),
        "demands": _demands(entry.behaviours),
    }


# Behaviours that reach people unrelated to the debt: the letter then asks that it stop.
THIRD_PARTY_BEHAVIOURS = frozenset({"third_parties", "contact_list", "publish_data"})


def _demands(behaviour_ids: tuple[str, ...]) -> tuple[Text, ...]:
    """What the letter asks for, numbered: stop; leave others alone (when they were reached);
    negotiate in writing."""
    keys = ["stop"]
    if THIRD_PARTY_BEHAVIOURS & set(behaviour_ids):
        keys.append("third_parties")
    keys.append("negotiate")
    return tuple(
        text("collection.demand_line", number=number, demand=text(f"collection.demand_{key}"))
        for number, key in enumerate(keys, start=1)
    )


def _law_family(law_id: str) -> str:
    # Provisions of one law share an id prefix: psl_42_1, psl_42_5 -> psl.
    return law_id.split("_")[0]


def _entry_in_draft(state: UserState) -> LogEntry | None:
    wanted = state.position.draft.get("entry")
    return next((e for e in state.contact_log if e.id == wanted), None)


def _lender_of(state: UserState, entry: LogEntry) -> str | None:
    debt = state.own_debt(entry.debt_id) if entry.debt_id else None
    return debt.lender.value if debt and debt.lender else None


def _result(state: UserState, ctx: Context) -> tuple[Reply, ...]:
    entry = _entry_in_draft(state)
    buttons = (
        (Button(text("collection.again"), "again:"),),
        (Button(text("collection.see_log"), "log:"),),
        (Button(text("collection.next_afterwards"), "next:"),),
        nav_row(),
    )
    if entry is None:
        return (Reply(text("collection.entry_gone"), buttons),)
    behaviours = guidance.behaviours_of(ctx, entry.behaviours)
    shown_laws: set[str] = set()
    lender = _lender_of(state, entry)
    letter = complaint_values(entry, ctx, state.locale, lender)
    return (
        Reply(text("collection.recorded", date=entry.on.isoformat())),
        *(guidance.behaviour_reply(b, state.locale, shown_laws) for b in behaviours),
        guidance.channels_reply(ctx, state.locale, entry.behaviours, lender),
        Reply(text("collection.complaint_text", **letter)),
        Reply(text("collection.complaint_tips"), buttons),
    )


_again = to_node(STEP_ID, "pick")


def _to_log(state: UserState, _argument: str, ctx: Context) -> Outcome:
    return move(state, "negotiate", "log", ctx)


def _next(state: UserState, _argument: str, ctx: Context) -> Outcome:
    return registry.go_to(state, "afterwards", ctx)


# ---- from anywhere --------------------------------------------------------------------------


def show_channels(state: UserState, _argument: str, ctx: Context) -> Outcome:
    """/complaint: every channel, then the question the user was on."""
    return reprompt(state, ctx, guidance.channels_reply(ctx, state.locale))


def record_from_guidance(state: UserState, argument: str, ctx: Context) -> Outcome:
    """The button under guidance given in passing: open this step with those behaviours ticked."""
    ids = guidance.rule_book(ctx).ids
    picked = []
    for part in argument.split(",")[: len(ids)]:
        if part.isdigit() and int(part) < len(ids) and ids[int(part)] not in picked:
            picked.append(ids[int(part)])
    return move(state, STEP_ID, "pick", ctx, draft={"picked": picked})


STEP = Step(
    id=STEP_ID,
    entry="pick",
    nodes={
        "pick": DescribeNode(
            render=_pick_render,
            actions={"t": _toggle, "go": _continue, "ch": _only_channels},
            typed=_described,
        ),
        "platform": picker(STEP_ID, "when", "collection.ask_platform", optional=True),
        "when": FormNode(form=WHEN_FORM, finish=_record),
        "result": ChoiceNode(
            render=_result, actions={"again": _again, "log": _to_log, "next": _next}
        ),
    },
    commands={"complaint": show_channels},
    global_actions={RECORD_ACTION: record_from_guidance},
)
