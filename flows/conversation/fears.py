"""What frightened people ask ("会坐牢吗", "过了几年还要还吗", "征信能修复吗", 个人破产): calm
answers filled from data/legal_facts.toml, reachable from the steps (buttons) and as questions
asked in passing (flows/dispatcher/interrupts.py), without losing the user's place.
"""

from __future__ import annotations

from flows.conversation import guidance
from flows.conversation.core import Button, Outcome, Reply
from flows.conversation.nodes import reprompt
from flows.conversation.state import UserState
from flows.domain.context import Context
from flows.domain.legal_facts import fact_values, legal_facts
from flows.domain.texts import Value, text

# g:fear:<topic> -- a global button, valid however old, answered where the user is.
FEAR_ACTION = "fear"
MENU = "menu"
# credit_fix is the credit-repair scam warning (guidance.scam_warning), which answers it.
TOPICS = ("court", "limitation", "credit_fix", "bankruptcy")

# The facts each answer states, by placeholder name (data/legal_facts.toml).
_FACTS: dict[str, tuple[str, ...]] = {
    "limitation": (
        "civil_code",
        "limitation_years",
        "art_limitation",
        "art_installments",
        "art_interruption",
        "art_not_raised",
        "art_after_expiry",
        "legal_aid",
    ),
    "bankruptcy": ("bankruptcy_rule", "bankruptcy_from", "legal_aid"),
}


def topic_reply(topic: str, ctx: Context, locale: str) -> Reply:
    """The answer to one fear, every legal number from the data files."""
    if topic == "credit_fix":
        return guidance.scam_warning(ctx, locale)
    if topic == "court":
        return guidance.lawsuit_note(ctx, locale)
    values: dict[str, Value] = fact_values(legal_facts(ctx), locale, *_FACTS[topic])
    return Reply(text(f"fears.{topic}", **values))


def buttons(*topics: str) -> tuple[tuple[Button, ...], ...]:
    """One row per topic (or the menu of all), as global buttons."""
    return tuple((Button(text(f"fears.button.{t}"), f"g:{FEAR_ACTION}:{t}"),) for t in topics)


def menu_reply() -> Reply:
    return Reply(text("fears.menu"), buttons(*TOPICS))


def answer_action(state: UserState, argument: str, ctx: Context) -> Outcome:
    """A fear button pressed anywhere: the answer, then the current question again."""
    if argument == MENU:
        return reprompt(state, ctx, menu_reply())
    if argument not in TOPICS:
        return reprompt(state, ctx, Reply(text("common.unknown_button")))
    return reprompt(state, ctx, topic_reply(argument, ctx, state.locale))
