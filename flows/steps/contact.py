"""Step 1, don't disappear: why silence makes it worse, and a script for customer service."""

from __future__ import annotations

from flows.conversation import registry
from flows.conversation.core import Button, Outcome, Reply
from flows.conversation.form import Draft, Field, Form, labelled_choices
from flows.conversation.nodes import ChoiceNode, FormNode, Step, move, nav_row, to_node
from flows.conversation.state import UserState
from flows.domain.context import Context
from flows.domain.parsing.names import parse_name, parse_note
from flows.domain.texts import Text, Value, text

STEP_ID = "contact"
REASONS = ("job_loss", "income_drop", "illness", "family", "too_many_loans", "other")
PROPOSALS = ("extension", "installments", "partial", "explain")

FORM = Form(
    fields=(
        Field(
            name="platform",
            prompt="contact.ask_platform",
            parse=parse_name,
            optional=True,
            max_length=30,
        ),
        Field(
            name="reason",
            prompt="contact.ask_reason",
            choices=labelled_choices(REASONS, "contact.reason"),
            # Typing a reason instead of choosing one is as good as choosing "other".
            parse=parse_note,
            encode=lambda typed: {"own_words": typed},
            max_length=120,
        ),
        Field(
            name="reason_text",
            prompt="contact.ask_reason_text",
            parse=parse_note,
            free_text=True,
            max_length=120,
            applies=lambda draft: draft.get("reason") == "other",
        ),
        Field(
            name="proposal",
            prompt="contact.ask_proposal",
            choices=labelled_choices(PROPOSALS, "contact.proposal"),
            columns=1,
        ),
    )
)


def _why(state: UserState, ctx: Context) -> tuple[Reply, ...]:
    buttons = (
        (Button(text("contact.write_script"), "script"),),
        (Button(text("contact.already_contacted"), "done"),),
        nav_row(),
    )
    return (Reply(text("contact.why"), buttons),)


_to_form = to_node(STEP_ID, "form")


def _to_debts(state: UserState, _argument: str, ctx: Context) -> Outcome:
    return registry.go_to(state, "debts", ctx)


def own_words(draft: Draft) -> str | None:
    """The reason as the user typed it, whichever question they typed it at."""
    reason = draft.get("reason")
    if isinstance(reason, dict):
        return str(reason.get("own_words") or "") or None
    if reason == "other":
        return draft.get("reason_text")
    return None


def _finish_form(state: UserState, draft: Draft, ctx: Context) -> Outcome:
    reason = draft.get("reason")
    profile = state.profile.model_copy(
        update={
            "delay_reason": reason if reason in REASONS else "other",
            "delay_reason_text": own_words(draft),
        }
    )
    remembered = state.model_copy(update={"profile": profile})
    return move(remembered, STEP_ID, "script", ctx, draft=draft)


# "shi yinwei", "yinwei", "youyu" (because): "the reason is: because I lost my job" reads twice.
_BECAUSE = ("\u662f\u56e0\u4e3a", "\u56e0\u4e3a", "\u7531\u4e8e")


def _without_because(reason: str) -> str:
    for word in _BECAUSE:
        if reason.startswith(word) and len(reason) > len(word):
            return reason[len(word) :].lstrip(",\uff0c ")
    return reason


def script_values(draft: Draft) -> dict[str, Value]:
    """The user's answers as values for the script template."""
    platform = draft.get("platform")
    reason = draft.get("reason")
    typed = own_words(draft)
    reason_value: Value
    if typed:
        # The template ends the sentence itself, and already says "the reason is".
        reason_value = _without_because(typed.rstrip("。.!！;；,， "))
    else:
        reason_value = Text(f"contact.reason_phrase.{reason if reason in REASONS else 'other'}")
    proposal = draft.get("proposal") if draft.get("proposal") in PROPOSALS else "explain"
    return {
        "platform": platform if platform else text("contact.platform_unnamed"),
        "reason": reason_value,
        "proposal": text(f"contact.proposal_phrase.{proposal}"),
    }


def _script(state: UserState, ctx: Context) -> tuple[Reply, ...]:
    buttons = (
        (Button(text("contact.another_platform"), "again"),),
        (Button(text("contact.next_debts"), "next"),),
        nav_row(),
    )
    return (
        Reply(text("contact.script", **script_values(state.position.draft))),
        Reply(text("contact.tips"), buttons),
    )


STEP = Step(
    id=STEP_ID,
    entry="why",
    nodes={
        "why": ChoiceNode(render=_why, actions={"script": _to_form, "done": _to_debts}),
        "form": FormNode(form=FORM, finish=_finish_form),
        "script": ChoiceNode(render=_script, actions={"again": _to_form, "next": _to_debts}),
    },
)
