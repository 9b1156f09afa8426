"""Words of suicide or self-harm, anywhere: recognised first, answered with the hotlines.

Recognition is data (data/crisis.toml): the text is folded (width, case, a handful of
traditional characters, spaces and punctuation), everyday idioms are removed, and one pattern
is enough. The reply never echoes, stores or takes the text as an answer: the user's place,
draft and pending question stay as they were; only the time of the reply is remembered, so
the bot can be gentler for a few days (reminders wait unless the user asks for them).
"""

# Idioms such as 笑死了 / 忙死了 (an intensifier) are not a sign; 不想活了 / 活不下去 are.

from __future__ import annotations

from datetime import datetime, timedelta

from flows.conversation import registry
from flows.conversation.core import (
    Button,
    ButtonPress,
    Command,
    Event,
    Outcome,
    Reply,
    TextInput,
    Unsupported,
)
from flows.conversation.state import UserState
from flows.domain.context import Context
from flows.domain.parsing.crisis_words import (
    CrisisFacts,
    is_crisis,
)
from flows.domain.texts import Text, text

# The global buttons of the crisis reply: g:crisis:<choice>.
ACTION = "crisis"
LATER, TODAY, REMIND = "later", "today", "remind"


def facts_of(ctx: Context) -> CrisisFacts:
    found = getattr(ctx.facts, "crisis", None)
    return found if isinstance(found, CrisisFacts) else CrisisFacts()


def words_of(event: Event) -> str:
    """Everything a person wrote in an event: a text, a caption, a command's argument."""
    if isinstance(event, TextInput):
        return event.text
    if isinstance(event, Unsupported):
        return event.caption
    if isinstance(event, Command):
        return event.argument
    return ""


# ---- replying -------------------------------------------------------------------------------


def _lines(ctx: Context) -> dict[str, str]:
    facts = facts_of(ctx)
    return {
        "hotline": facts.hotline.number,
        "police": facts.police.number,
        "ambulance": facts.ambulance.number,
    }


def safety_note(ctx: Context) -> Text:
    """One line with the hotline and the emergency numbers, for /help and the welcome."""
    return text("crisis.safety_note", **_lines(ctx))


def first(state: UserState, event: Event, ctx: Context) -> Outcome | None:
    """The crisis reply when the event's words call for it, before anything else reads them."""
    if not is_crisis(words_of(event), facts_of(ctx)):
        return None
    buttons = (
        (Button(text("crisis.today"), f"g:{ACTION}:{TODAY}"),),
        (Button(text("crisis.later"), f"g:{ACTION}:{LATER}"),),
    )
    shown = state.model_copy(update={"crisis_shown_at": ctx.now})
    return Outcome(shown, (Reply(text("crisis.reply", **_lines(ctx)), buttons),))


def is_button(event: Event) -> bool:
    """A press on a crisis reply's button (it works even before the welcome)."""
    return isinstance(event, ButtonPress) and event.data.startswith(f"g:{ACTION}:")


def on_button(state: UserState, argument: str, ctx: Context) -> Outcome:
    """Carry on later, see what can be done today, or have reminders after all."""
    # Imported here: flows.steps (flows/steps/crisis.py) registers these buttons.
    from flows.conversation.nodes import reprompt

    if argument == LATER:
        remind = ((Button(text("crisis.remind_me"), f"g:{ACTION}:{REMIND}"),),)
        return Outcome(state, (Reply(text("crisis.see_you", **_lines(ctx)), remind),))
    if argument == REMIND:
        resumed = state.model_copy(update={"crisis_shown_at": None})
        return Outcome(resumed, (Reply(text("crisis.reminders_on")),))
    if argument != TODAY:
        return reprompt(state, ctx, Reply(text("common.unknown_button")))
    lead = (Reply(text("crisis.one_step")),)
    if not state.started:
        # Someone who wrote this before anything else starts at the welcome.
        begun = state.model_copy(update={"started": True})
        return registry.go_to(begun, "welcome", ctx, lead=lead)
    return reprompt(state, ctx, *lead)


# ---- being gentle afterwards -----------------------------------------------------------------


def reminders_held(state: UserState, now: datetime, facts: CrisisFacts | None = None) -> bool:
    """Reminders wait for a few days after a crisis reply, unless the user asked for them
    (pressing the reply's "remind me" clears the time)."""
    shown = state.crisis_shown_at
    if shown is None:
        return False
    days = (facts or CrisisFacts()).hold_reminder_days
    return now < shown + timedelta(days=days)
