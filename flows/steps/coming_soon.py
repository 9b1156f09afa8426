"""A placeholder for a step that is not built yet: says so and offers the way back."""

from __future__ import annotations

from flows.core import Context, Reply, text
from flows.state import UserState
from flows.steps.base import ChoiceNode, Step, nav_row, title


def placeholder(step_id: str) -> Step:
    def _render(state: UserState, ctx: Context) -> tuple[Reply, ...]:
        return (Reply(text("step.coming_soon", title=title(step_id)), (nav_row(),)),)

    return Step(id=step_id, entry="soon", nodes={"soon": ChoiceNode(render=_render)})
