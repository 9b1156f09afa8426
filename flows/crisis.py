"""Words of suicide or self-harm, anywhere: recognised first, answered with the hotlines.

Recognition is data (data/crisis.toml): the text is folded (width, case, a handful of
traditional characters, spaces and punctuation), everyday idioms are removed, and one pattern
is enough. The reply never echoes, stores or takes the text as an answer: the user's place,
draft and pending question stay as they were; only the time of the reply is remembered, so
the bot can be gentler for a few days (reminders wait unless the user asks for them).
"""

# Idioms such as 笑死了 / 忙死了 (an intensifier) are not a sign; 不想活了 / 活不下去 are.

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from flows import registry
from flows.core import (
    Button,
    ButtonPress,
    Command,
    Context,
    Event,
    Outcome,
    Reply,
    Text,
    TextInput,
    Unsupported,
    text,
)
from flows.state import UserState

# The global buttons of the crisis reply: g:crisis:<choice>.
ACTION = "crisis"
LATER, TODAY, REMIND = "later", "today", "remind"
DEFAULT_HOLD_DAYS = 3


@dataclass(frozen=True, slots=True)
class CrisisLine:
    """A number the reply gives, with where it comes from and its verification mark."""

    number: str
    source: str = ""
    mark: str = "UNVERIFIED"


@dataclass(frozen=True, slots=True)
class CrisisFacts:
    """data/crisis.toml, parsed. The defaults are the file's numbers, so a reply is never
    without a line; matching needs the file's patterns."""

    hotline: CrisisLine = CrisisLine("12356")
    police: CrisisLine = CrisisLine("110")
    ambulance: CrisisLine = CrisisLine("120")
    legal_aid: CrisisLine = CrisisLine("12348")
    hold_reminder_days: int = DEFAULT_HOLD_DAYS
    fold: Mapping[str, str] = field(default_factory=dict)  # traditional -> simplified
    ignore: tuple[re.Pattern[str], ...] = ()
    patterns: tuple[re.Pattern[str], ...] = ()
    checked_on: date | None = None


def crisis_from_data(data: Mapping[str, Any]) -> CrisisFacts:
    def line(name: str) -> CrisisLine:
        raw = data[name]
        return CrisisLine(str(raw["number"]), raw["source"], raw["mark"])

    fold: dict[str, str] = {}
    for pair in data["fold"]["traditional"]:
        if len(pair) != 2:
            raise ValueError(f"crisis.toml: fold entry {pair!r} is not two characters")
        fold[pair[0]] = pair[1]
    match = data["match"]
    return CrisisFacts(
        hotline=line("hotline"),
        police=line("police"),
        ambulance=line("ambulance"),
        legal_aid=line("legal_aid"),
        hold_reminder_days=int(data["gentle"]["hold_reminder_days"]),
        fold=fold,
        ignore=tuple(re.compile(p) for p in match["ignore"]),
        patterns=tuple(re.compile(p) for p in match["patterns"]),
        checked_on=data.get("checked_on"),
    )


def facts_of(ctx: Context) -> CrisisFacts:
    found = getattr(ctx.facts, "crisis", None)
    return found if isinstance(found, CrisisFacts) else CrisisFacts()


# ---- recognising ----------------------------------------------------------------------------


def fold(typed: str, table: Mapping[str, str]) -> str:
    """Full-width to half-width, lower case, traditional to simplified, letters and digits
    only: the form the patterns are written for."""
    folded = unicodedata.normalize("NFKC", typed).lower()
    kept = "".join(table.get(ch, ch) for ch in folded if unicodedata.category(ch)[0] in "LN")
    return kept


def is_crisis(typed: str, facts: CrisisFacts) -> bool:
    """Whether a text speaks of suicide or self-harm (idioms alone do not)."""
    if not typed or not facts.patterns:
        return False
    plain = fold(typed, facts.fold)
    for idiom in facts.ignore:
        plain = idiom.sub("", plain)
    return any(p.search(plain) for p in facts.patterns)


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
    from flows.steps.base import reprompt

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
