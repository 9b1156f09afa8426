"""The main menu: every step of the guide, reachable from anywhere."""

from __future__ import annotations

from flows.conversation import registry
from flows.conversation.core import Button, Reply
from flows.conversation.nodes import ChoiceNode, Step, title
from flows.conversation.state import UserState
from flows.domain.context import Context
from flows.domain.texts import text

# Always at hand, whatever step the user is in: what frightened people ask for most.
SHORTCUTS = ("complaint", "log", "reminders", "progress")


def _main(state: UserState, ctx: Context) -> tuple[Reply, ...]:
    entries = tuple(
        (Button(text("menu.entry", number=i, title=title(step_id)), f"m:{step_id}"),)
        for i, step_id in enumerate(registry.guide_order(), start=1)
    )
    back = (Button(text("nav.back"), "back"),) if state.history else ()
    shortcuts = tuple(Button(text(f"commands.{name}"), f"n:/{name}") for name in SHORTCUTS)
    extras = (
        shortcuts[:2],
        shortcuts[2:],
        (*back, Button(text("nav.help"), "n:help"), Button(text("nav.restart"), "n:restart")),
    )
    return (Reply(text("menu.main"), (*entries, *extras)),)


STEP = Step(id="menu", entry="main", nodes={"main": ChoiceNode(render=_main)})
