"""The conversation state machine: (user state, event) -> (new state, replies).

Global things happen here — commands, Back/Skip/Start over/Main menu, stale or forged buttons,
unreadable input, questions that may interrupt any step — and everything else is handed to
the node the user is on.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import replace

import flows.steps  # noqa: F401  (installs every step in the registry)
from flows.conversation import crisis, registry
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
from flows.conversation.nodes import reprompt
from flows.conversation.state import UserState
from flows.dispatcher import commands, interrupts
from flows.domain.context import Context
from flows.domain.parsing import intents
from flows.domain.texts import text
from flows.steps.payments import typed_in_passing

# Longer than any answer the guide asks for; longer texts are refused before any parsing.
MAX_TEXT_LENGTH = 2000
# Telegram refuses callback data over 64 bytes.
MAX_CALLBACK_BYTES = 64
GLOBAL_PREFIXES = ("n:", "m:", "g:")
SEQ_SEPARATOR = "|"

_INVISIBLE = re.compile(r"[\u200b-\u200f\u2060-\u2064\ufeff]")


def handle(state: UserState, event: Event, ctx: Context) -> Outcome:
    """Decide what the user's event means; never raises for any user input."""
    outcome = _dispatch(state, event, ctx)
    return _stamp(state, outcome)


def current_prompt(state: UserState, ctx: Context) -> Outcome:
    """The question the user is on, asked again, changing nothing."""
    return _stamp(state, reprompt(state, ctx))


def start_state(locale: str = "zh-CN", timezone: str = "Asia/Shanghai") -> UserState:
    return UserState(locale=locale, timezone=timezone)


def _dispatch(state: UserState, event: Event, ctx: Context) -> Outcome:
    # Words of suicide or self-harm are heard before anything else reads the text (not even
    # the welcome): the hotlines, the place in the guide kept, nothing of the text kept.
    heard = crisis.first(state, event, ctx)
    if heard is not None:
        return heard
    if (
        not state.started
        and not state.history
        and not commands.works_before_start(event)
        and not crisis.is_button(event)
    ):
        # Whatever a newcomer sends first, they get the welcome, the disclaimer and the way in.
        return commands.start(state, ctx)
    if isinstance(event, Unsupported):
        return reprompt(state, ctx, Reply(text("common.unsupported")))
    if isinstance(event, Command):
        return commands.run(state, event, ctx)
    if isinstance(event, TextInput):
        return _typed(state, event.text, ctx)
    return _pressed(state, event, ctx)


def clean_text(raw: str) -> str:
    """Drop invisible and control characters, keeping the user's words as written."""
    visible = _INVISIBLE.sub("", raw)
    return "".join(ch for ch in visible if ch in "\n\t" or unicodedata.category(ch) != "Cc").strip()


def _typed(state: UserState, raw: str, ctx: Context) -> Outcome:
    if len(raw) > MAX_TEXT_LENGTH:
        return reprompt(state, ctx, Reply(text("common.too_long", limit=MAX_TEXT_LENGTH)))
    cleaned = clean_text(raw)
    if not cleaned:
        return reprompt(state, ctx, Reply(text("common.empty")))
    nav = _typed_nav(state, cleaned, ctx)
    if nav is not None:
        return nav
    node = registry.node_at(state.position)
    if not node.takes_free_text(state):
        interrupted = interrupts.answer(state, cleaned, ctx)
        if interrupted is not None:
            return interrupted
        # "今天还了借呗 800" (paid Jiebei 800 today): confirm and record it, from any question.
        paid = typed_in_passing(state, cleaned, ctx)
        if paid is not None:
            return paid
    outcome = node.on_text(state, cleaned, ctx)
    return interrupts.with_warnings(outcome, cleaned, ctx)


def _typed_nav(state: UserState, cleaned: str, ctx: Context) -> Outcome | None:
    # e.g. 跳过 (Skip), 返回 (Back), 主菜单 (Main menu), 重新开始 (Start over), 帮助 (Help)
    """A typed button word (Skip, Back, Main menu, Start over, Help) does what its button does."""
    action = intents.nav_action(cleaned, ctx.facts.intents if ctx.facts else None)
    if action is None:
        return None
    if action in ("menu", "restart", "help"):
        return commands.run(state, Command(action), ctx)
    node = registry.node_at(state.position)
    if action == "back":
        return node.on_back(state, ctx) or commands.go_back(state, ctx)
    return node.on_skip(state, ctx)


def _pressed(state: UserState, event: ButtonPress, ctx: Context) -> Outcome:
    data = event.data
    if data.startswith(GLOBAL_PREFIXES):
        outcome = commands.global_button(state, data, ctx)
    else:
        outcome = _answer_button(state, data, ctx)
    if outcome is None:
        return replace(_rejected(state, ctx, "common.unknown_button"), button_ok=False)
    if outcome.button_ok is None:
        return replace(outcome, button_ok=True)
    return outcome


def _answer_button(state: UserState, data: str, ctx: Context) -> Outcome | None:
    seq, separator, payload = data.partition(SEQ_SEPARATOR)
    if not separator or not seq.isdigit() or len(seq) > 9:
        return None
    if int(seq) != state.prompt_seq:
        return replace(_rejected(state, ctx, "common.stale_button"), button_ok=False)
    node = registry.node_at(state.position)
    if payload == "back":
        return node.on_back(state, ctx) or commands.go_back(state, ctx)
    if payload == "skip":
        return node.on_skip(state, ctx)
    return node.on_choice(state, payload, ctx)


def _rejected(state: UserState, ctx: Context, reason: str) -> Outcome:
    return reprompt(state, ctx, Reply(text(reason)))


def _stamp(before: UserState, outcome: Outcome) -> Outcome:
    """Give every answer button the number of the prompt it belongs to.

    A new position gets a new number, so buttons on older messages are recognised as stale
    instead of being applied to a question they were never meant for.
    """
    state = outcome.state
    if state.position != before.position:
        state = state.model_copy(update={"prompt_seq": before.prompt_seq + 1})
    replies = tuple(_stamp_reply(reply, state.prompt_seq) for reply in outcome.replies)
    return replace(outcome, state=state, replies=replies)


def _stamp_reply(reply: Reply, seq: int) -> Reply:
    if not reply.buttons:
        return reply
    rows = tuple(tuple(_stamp_button(b, seq) for b in row) for row in reply.buttons)
    return replace(reply, buttons=rows)


def _stamp_button(button: Button, seq: int) -> Button:
    data = button.data
    if not data.startswith(GLOBAL_PREFIXES):
        data = f"{seq}{SEQ_SEPARATOR}{data}"
    if len(data.encode()) > MAX_CALLBACK_BYTES:
        raise ValueError(f"callback data too long: {data!r}")
    return replace(button, data=data)
