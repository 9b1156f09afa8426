"""Commands and always-valid buttons (Main menu, Start over, a menu entry) that work from any
step."""

from __future__ import annotations

from flows.conversation import crisis, registry
from flows.conversation.core import Command, Event, Outcome, Reply
from flows.conversation.form import CURSOR, PENDING
from flows.conversation.nodes import move, reprompt
from flows.conversation.state import Position, UserState
from flows.domain.context import Context
from flows.domain.texts import text
from flows.steps import privacy

# Commands that open a step's overview, unless the step declares its own handler for them;
# the user's place stays in the history for 返回.
STEP_COMMANDS = {"debts": "debts", "plan": "plan", "budget": "budget"}
PRIVACY_COMMANDS = ("export", "delete")


def run(state: UserState, command: Command, ctx: Context) -> Outcome:
    name = command.name.lower()
    if name == "start":
        return start(state, ctx)
    if name == "menu":
        return menu(state, ctx)
    if name == "restart":
        return restart(state, ctx)
    if name == "help":
        return reprompt(state, ctx, help_reply(ctx))
    if name == "export":
        return privacy.export(state, ctx)
    if name == "delete":
        return privacy.ask_to_delete(state, ctx)
    handler = registry.command(name)
    if handler is not None:
        return handler(state, command.argument, ctx)
    if name in STEP_COMMANDS:
        return registry.go_to(state, STEP_COMMANDS[name], ctx)
    return reprompt(state, ctx, Reply(text("common.unknown_command")))


def help_reply(ctx: Context) -> Reply:
    """How to use the bot, with the crisis lines (from data/crisis.toml)."""
    return Reply(text("common.help", safety=crisis.safety_note(ctx)))


def works_before_start(event: Event) -> bool:
    """Taking or erasing one's data never requires going through the welcome first."""
    return isinstance(event, Command) and event.name.lower() in PRIVACY_COMMANDS


def global_button(state: UserState, data: str, ctx: Context) -> Outcome | None:
    """Buttons that stay valid on old messages. None means the data is not ours (forged)."""
    kind, _, argument = data.partition(":")
    if kind == "n":
        if argument == "menu":
            return menu(state, ctx)
        if argument == "restart":
            return restart(state, ctx)
        if argument == "help":
            return reprompt(state, ctx, help_reply(ctx))
        if argument.startswith("/"):  # a button for a step's slash command, e.g. n:/complaint
            handler = registry.command(argument[1:])
            return None if handler is None else handler(state, "", ctx)
        return None
    if kind == "m":
        if argument in registry.guide_order():
            return registry.go_to(state, argument, ctx)
        return None
    name, _, rest = argument.partition(":")
    action = registry.global_action(name)
    return None if action is None else action(state, rest, ctx)


def start(state: UserState, ctx: Context) -> Outcome:
    if not state.started:
        return registry.go_to(state.model_copy(update={"started": True}), "welcome", ctx)
    # "Everything you entered is still here" would ring false to someone who entered nothing.
    key = "common.welcome_back" if entered_anything(state) else "common.welcome_again"
    return reprompt(state, ctx, Reply(text(key)))


def entered_anything(state: UserState) -> bool:
    """Has the user told us anything yet: a debt, a budget, a log entry, or an answer in the
    form they are on?"""
    draft = state.position.draft
    answered = any(v is not None for k, v in draft.items() if k not in (CURSOR, PENDING))
    return bool(state.debts or state.budget or state.contact_log or answered)


def menu(state: UserState, ctx: Context) -> Outcome:
    return move(state, "menu", "main", ctx)


def restart(state: UserState, ctx: Context) -> Outcome:
    """Start the walk again from the top; saved debts, budget and logs are kept."""
    fresh = state.model_copy(update={"position": Position(), "history": ()})
    return registry.go_to(fresh, "welcome", ctx, lead=(Reply(text("common.restarted")),))


def go_back(state: UserState, ctx: Context) -> Outcome:
    previous = state.back()
    if previous is None:
        return menu(state, ctx)
    return reprompt(previous, ctx)
