"""The one table of steps, filled by flows.steps, and moving between them."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Protocol

from flows.conversation.core import Outcome, Reply
from flows.conversation.state import Position, UserState
from flows.domain.context import Context

# (state, argument, ctx) -> outcome: what a step-declared command or global button does.
Action = Callable[[UserState, str, Context], Outcome]


class Node(Protocol):
    """What the table needs of a node: its prompt (the classes are in flows.conversation.nodes)."""

    def prompt(self, state: UserState, ctx: Context) -> tuple[Reply, ...]: ...


class Step(Protocol):
    """What the table needs of a step: its id, nodes, entry, commands and global buttons."""

    id: str
    nodes: dict[str, Node]
    entry: str
    commands: Mapping[str, Action]
    global_actions: Mapping[str, Action]

    def enter(self, state: UserState, ctx: Context, lead: tuple[Reply, ...] = ()) -> Outcome: ...


_steps: dict[str, Step] = {}
_guide: list[str] = []
_commands: dict[str, Action] = {}
_global_actions: dict[str, Action] = {}


def install(steps: Iterable[Step], guide_order: Iterable[str]) -> None:
    """Register every step; `guide_order` is the order the main menu lists them in."""
    _steps.clear()
    _steps.update({s.id: s for s in steps})
    _guide[:] = list(guide_order)
    unknown = [s for s in _guide if s not in _steps]
    if unknown:
        raise ValueError(f"guide order names unknown steps: {unknown}")
    _commands.clear()
    _global_actions.clear()
    for step in _steps.values():
        _add_unique(_commands, step.commands, "command")
        _add_unique(_global_actions, step.global_actions, "global button")


def _add_unique(table: dict[str, Action], entries: Mapping[str, Action], what: str) -> None:
    clash = table.keys() & entries.keys()
    if clash:
        raise ValueError(f"{what} declared by two steps: {sorted(clash)}")
    table.update(entries)


def command(name: str) -> Action | None:
    """A slash command a step declared, e.g. /complaint."""
    return _commands.get(name)


def global_action(name: str) -> Action | None:
    """What a button `g:<name>:<argument>` does; valid on any message, old or new."""
    return _global_actions.get(name)


def get(step_id: str) -> Step:
    return _steps[step_id]


def exists(step_id: str) -> bool:
    return step_id in _steps


def guide_order() -> tuple[str, ...]:
    return tuple(_guide)


def node_at(position: Position) -> Node:
    """The node for a stored position; positions from an older version fall back to the menu."""
    step = _steps.get(position.step)
    if step is None or position.node not in step.nodes:
        return _steps["menu"].nodes["main"]
    return step.nodes[position.node]


def prompt_here(state: UserState, ctx: Context) -> tuple[Reply, ...]:
    return node_at(state.position).prompt(state, ctx)


def go_to(state: UserState, step_id: str, ctx: Context, lead: tuple[Reply, ...] = ()) -> Outcome:
    """Enter a step at its first node, after saying `lead`."""
    return _steps[step_id].enter(state, ctx, lead)
