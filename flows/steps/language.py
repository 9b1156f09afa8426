"""/language: the user picks the language every reply comes in; the place they were is kept."""

from __future__ import annotations

from flows.conversation.core import Button, Outcome, Reply
from flows.conversation.nodes import ChoiceNode, Step, move, nav_row, reprompt
from flows.conversation.state import UserState
from flows.domain.context import Context
from flows.domain.texts import text

STEP_ID = "language"
LOCALES = ("zh-CN", "en")
DEFAULT = "zh-CN"


def locale_for(language_code: str | None, default: str = DEFAULT) -> str:
    """The locale of a Telegram user on first contact: English for en*, else `default`
    (Chinese: zh*, or a language the bot does not speak)."""
    code = (language_code or "").strip().lower()
    if code == "en" or code.startswith(("en-", "en_")):
        return "en"
    if code.startswith("zh"):
        return "zh-CN"
    return default if default in LOCALES else DEFAULT


def show(state: UserState, _argument: str, ctx: Context) -> Outcome:
    return move(state, STEP_ID, "pick", ctx)


def _render(state: UserState, ctx: Context) -> tuple[Reply, ...]:
    buttons = tuple(
        (Button(text(f"language.name.{locale}"), f"set:{locale}"),) for locale in LOCALES
    )
    return (Reply(text("language.ask"), (*buttons, nav_row())),)


def _set(state: UserState, argument: str, ctx: Context) -> Outcome:
    if argument not in LOCALES:
        return reprompt(state, ctx, Reply(text("common.unknown_button")))
    chosen = state.model_copy(update={"locale": argument})
    lead = Reply(text("language.changed"))
    previous = chosen.back()
    if previous is None:
        return move(chosen, "menu", "main", ctx, lead=(lead,))
    return reprompt(previous, ctx, lead)


STEP = Step(
    id=STEP_ID,
    entry="pick",
    nodes={"pick": ChoiceNode(render=_render, actions={"set": _set})},
    commands={"language": show},
)
