"""Building blocks of a step: nodes that ask a form, nodes that offer choices, and the step."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from flows.conversation import registry
from flows.conversation.core import Button, Outcome, Reply
from flows.conversation.form import (
    BACK,
    MENU,
    Asking,
    Completed,
    Draft,
    Form,
    FormStep,
    LeftAtStart,
)
from flows.conversation.state import Position, UserState
from flows.domain.context import Context
from flows.domain.texts import Text, text

Action = Callable[[UserState, str, Context], Outcome]
Render = Callable[[UserState, Context], tuple[Reply, ...]]
Finish = Callable[[UserState, Draft, Context], Outcome]


def say(state: UserState, *replies: Reply) -> Outcome:
    return Outcome(state, replies)


def move(
    state: UserState,
    step: str,
    node: str,
    ctx: Context,
    draft: Draft | None = None,
    lead: tuple[Reply, ...] = (),
) -> Outcome:
    """Go to a node and show its prompt after the `lead` replies."""
    moved = state.at(Position(step=step, node=node, draft=draft or {}))
    arrived = registry.node_at(moved.position).arrive(moved, ctx)
    return Outcome(arrived.state, (*lead, *arrived.replies))


def to_node(step: str, node: str) -> Action:
    """An action (button or command) that only moves to `node` of `step`; its argument is
    not used."""

    def go(state: UserState, _argument: str, ctx: Context) -> Outcome:
        return move(state, step, node, ctx)

    return go


def reprompt(state: UserState, ctx: Context, *lead: Reply) -> Outcome:
    """Stay where we are: say `lead`, then ask the current question again."""
    return Outcome(state, (*lead, *registry.prompt_here(state, ctx)))


def nav_row(*, back: bool = True) -> tuple[Button, ...]:
    return (BACK, MENU) if back else (MENU,)


class Node:
    """A point inside a step. Defaults: typed text is not expected, nothing to skip."""

    def prompt(self, state: UserState, ctx: Context) -> tuple[Reply, ...]:
        raise NotImplementedError

    def arrive(self, state: UserState, ctx: Context) -> Outcome:
        """The user has just been moved here: show the prompt."""
        return Outcome(state, self.prompt(state, ctx))

    def on_text(self, state: UserState, raw: str, ctx: Context) -> Outcome:
        return reprompt(state, ctx, Reply(text("common.use_buttons")))

    def on_choice(self, state: UserState, payload: str, ctx: Context) -> Outcome | None:
        return None

    def on_back(self, state: UserState, ctx: Context) -> Outcome | None:
        """None means: go back to the previous position in the history."""
        return None

    def on_skip(self, state: UserState, ctx: Context) -> Outcome:
        # A screen of buttons has no question to skip (forms say what they need instead).
        return reprompt(state, ctx, Reply(text("common.use_buttons")))

    def takes_free_text(self, state: UserState) -> bool:
        return False


@dataclass
class FormNode(Node):
    """A node that asks `form`'s questions, then calls `finish` with the answers."""

    form: Form
    finish: Finish
    initial: Callable[[UserState], Draft] = lambda _state: {}

    def arrive(self, state: UserState, ctx: Context) -> Outcome:
        started = self.form.start(state.position.draft or self.initial(state))
        outcome = self._apply(state, started, ctx)
        assert outcome is not None, "starting a form never leaves it"
        return outcome

    def prompt(self, state: UserState, ctx: Context) -> tuple[Reply, ...]:
        return (self.form.prompt(state.position.draft),)

    def on_text(self, state: UserState, raw: str, ctx: Context) -> Outcome:
        outcome = self._apply(state, self.form.typed(state.position.draft, raw, ctx), ctx)
        assert outcome is not None, "a typed answer never leaves the form backwards"
        return outcome

    def on_choice(self, state: UserState, payload: str, ctx: Context) -> Outcome | None:
        chosen = self.form.chose(state.position.draft, payload)
        return None if chosen is None else self._apply(state, chosen, ctx)

    def on_back(self, state: UserState, ctx: Context) -> Outcome | None:
        return self._apply(state, self.form.back(state.position.draft), ctx)

    def on_skip(self, state: UserState, ctx: Context) -> Outcome:
        outcome = self._apply(state, self.form.skip(state.position.draft), ctx)
        assert outcome is not None, "skipping never leaves the form backwards"
        return outcome

    def takes_free_text(self, state: UserState) -> bool:
        return self.form.is_free_text(state.position.draft)

    def _apply(self, state: UserState, step: FormStep, ctx: Context) -> Outcome | None:
        if isinstance(step, Asking):
            return Outcome(state.with_draft(step.draft), step.replies)
        if isinstance(step, Completed):
            # Kept in the history with its cursor, so 返回 from what follows reopens the form.
            return self.finish(state.with_draft(self.form.reopened(step.draft)), step.draft, ctx)
        assert isinstance(step, LeftAtStart)
        return None


@dataclass
class ChoiceNode(Node):
    """A node that shows something and offers buttons; `actions` maps a payload prefix
    (the part before the first ':') to what it does, with the rest as the argument."""

    render: Render
    actions: Mapping[str, Action] = field(default_factory=dict)
    typed: Action | None = None
    # A shorter screen for asking again (after a wrong input or a question asked in passing),
    # when showing all of `render` once more would only bury the buttons.
    again: Render | None = None

    def arrive(self, state: UserState, ctx: Context) -> Outcome:
        return Outcome(state, self.render(state, ctx))

    def prompt(self, state: UserState, ctx: Context) -> tuple[Reply, ...]:
        return (self.again or self.render)(state, ctx)

    def on_choice(self, state: UserState, payload: str, ctx: Context) -> Outcome | None:
        name, _, argument = payload.partition(":")
        action = self.actions.get(name)
        return None if action is None else action(state, argument, ctx)

    def on_text(self, state: UserState, raw: str, ctx: Context) -> Outcome:
        if self.typed is None:
            return super().on_text(state, raw, ctx)
        return self.typed(state, raw, ctx)


@dataclass
class Step:
    """A step of the guide: its nodes, the one it starts at, and what it adds everywhere:
    slash commands (`/name argument`) and buttons valid on any message (`g:<name>:<argument>`).
    Both are (state, argument, ctx) -> Outcome; their argument is untrusted text.
    """

    id: str
    nodes: dict[str, Node]
    entry: str
    commands: Mapping[str, Action] = field(default_factory=dict)
    global_actions: Mapping[str, Action] = field(default_factory=dict)

    def enter(self, state: UserState, ctx: Context, lead: tuple[Reply, ...] = ()) -> Outcome:
        return move(state, self.id, self.entry, ctx, lead=lead)


def title(step_id: str) -> Text:
    return text(f"step.{step_id}.title")
