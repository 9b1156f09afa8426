"""The main menu: every step of the guide, reachable from anywhere."""

from __future__ import annotations

from flows import registry
from flows.core import Button, Context, Reply, text
from flows.state import UserState
from flows.steps.base import ChoiceNode, Step, title

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
