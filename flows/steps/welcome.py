"""/start: who we are, the one-sentence disclaimer, the privacy promise, and the way in."""

from __future__ import annotations

from flows.conversation import crisis, registry
from flows.conversation.core import Button, Outcome, Reply
from flows.conversation.nodes import ChoiceNode, Step
from flows.conversation.state import UserState
from flows.domain.context import Context
from flows.domain.texts import text

BUTTONS = (
    (Button(text("welcome.begin"), "begin"),),
    (Button(text("nav.menu"), "n:menu"),),
)


def _intro(state: UserState, ctx: Context) -> tuple[Reply, ...]:
    privacy = text("welcome.privacy", safety=crisis.safety_note(ctx))
    return (Reply(text("welcome.intro")), Reply(privacy, BUTTONS))


def _ready_when_you_are(state: UserState, ctx: Context) -> tuple[Reply, ...]:
    return (Reply(text("welcome.again"), BUTTONS),)


def _begin(state: UserState, _argument: str, ctx: Context) -> Outcome:
    return registry.go_to(state, "contact", ctx)


STEP = Step(
    id="welcome",
    entry="intro",
    nodes={
        "intro": ChoiceNode(render=_intro, actions={"begin": _begin}, again=_ready_when_you_are)
    },
)
