"""Questions and warnings that may come at any step without losing the user's place.

A question asked in passing ("where do I complain", "collectors are blasting my contacts") is
answered, then the current question is asked again with every earlier answer kept. A mention of
a "credit repair" offer gets a scam warning: at a question it is asked instead of taking the
text as the answer; in the user's own words (free text, which the machine never routes to
`answer`) it comes on top of the step's reply.
"""

# Examples in passing: "去哪里投诉", "催收爆我通讯录了"; the scam is 征信修复 (credit repair).

from __future__ import annotations

from dataclasses import replace

from flows.conversation import counsel, fears, guidance
from flows.conversation.core import Button, Outcome, Reply
from flows.conversation.nodes import reprompt
from flows.conversation.state import UserState
from flows.dispatcher import commands
from flows.domain.context import Context
from flows.domain.parsing.intents import Intent, IntentKind, classify
from flows.domain.texts import text
from flows.steps.collection import RECORD_ACTION


def _intent(typed: str, ctx: Context) -> Intent:
    return classify(typed, getattr(ctx.facts, "intents", None))


def answer(state: UserState, typed: str, ctx: Context) -> Outcome | None:
    """An answer to a question asked in passing (e.g. where to complain), or None."""
    intent = _intent(typed, ctx)
    if intent.kind is IntentKind.COLLECTION:
        replies = incident_guidance(state, intent.behaviours, ctx)
    elif intent.kind is IntentKind.COMPLAINT:
        replies = (guidance.channels_reply(ctx, state.locale),)
    elif intent.kind in (
        IntentKind.SCAM,
        IntentKind.LAWSUIT,
        IntentKind.COUNSEL,
        IntentKind.FEAR,
    ):
        # "征信修复", "要起诉我", "借新还旧" or "过了几年还要还吗" typed at a question is about
        # that, not an answer to ours.
        replies = ()
    else:
        return None
    replies = (*replies, *(fears.topic_reply(t, ctx, state.locale) for t in intent.fears))
    if intent.lawsuit:
        replies = (*replies, guidance.lawsuit_note(ctx, state.locale))
    if intent.scam:
        replies = (guidance.scam_warning(ctx, state.locale), *replies)
    replies = (*counsel.warnings(intent.counsel, ctx), *replies)
    return reprompt(state, ctx, *replies, Reply(text(_back_key(state))))


def _back_key(state: UserState) -> str:
    # "What you entered is still there" would ring false to someone who has entered nothing.
    entered = commands.entered_anything(state)
    return "interrupts.back_to_question" if entered else "interrupts.back_to_start"


def incident_guidance(
    state: UserState, behaviour_ids: tuple[str, ...], ctx: Context
) -> tuple[Reply, ...]:
    """Why each behaviour is unlawful, and the channels for them, with a way to record it."""
    behaviours = guidance.behaviours_of(ctx, behaviour_ids)
    if not behaviours:
        return (guidance.channels_reply(ctx, state.locale),)
    known = guidance.rule_book(ctx).ids
    indexes = ",".join(str(known.index(b.id)) for b in behaviours)
    record = ((Button(text("interrupts.record_incident"), f"g:{RECORD_ACTION}:{indexes}"),),)
    topics = tuple(b.id for b in behaviours)
    shown: set[str] = set()
    return (
        *(guidance.behaviour_reply(b, state.locale, shown) for b in behaviours),
        guidance.channels_reply(ctx, state.locale, topics=topics, buttons=record),
    )


def with_warnings(outcome: Outcome, typed: str, ctx: Context) -> Outcome:
    # e.g. a 征信修复 (credit repair) scam
    """Add warnings a text calls for (e.g. a credit-repair scam) to whatever the step answered."""
    intent = _intent(typed, ctx)
    locale = outcome.state.locale
    warnings = (
        *((guidance.scam_warning(ctx, locale),) if intent.scam else ()),
        *((guidance.lawsuit_note(ctx, locale),) if intent.lawsuit else ()),
        *counsel.warnings(intent.counsel, ctx),
        *(fears.topic_reply(topic, ctx, locale) for topic in intent.fears),
    )
    if not warnings:
        return outcome
    return replace(outcome, replies=(*warnings, *outcome.replies))
