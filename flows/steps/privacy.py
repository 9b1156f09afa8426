"""/export and /delete: the user's data is theirs to take and to erase."""

from __future__ import annotations

from dataclasses import replace

from flows.conversation.core import ERASE_USER, EXPORT_USER, Attachment, Button, Outcome, Reply
from flows.conversation.nodes import ChoiceNode, Step, move, reprompt
from flows.conversation.state import UserState
from flows.domain.context import Context
from flows.domain.texts import text

STEP_ID = "privacy"
EXPORT_NAME = "yuqi-export"


def export(state: UserState, ctx: Context) -> Outcome:
    """Send every stored row as JSON and CSV, then carry on where the user was."""
    files = (
        Reply(
            text("privacy.export_json"), attachment=Attachment("export_json", EXPORT_NAME + ".json")
        ),
        Reply(
            text("privacy.export_csv"), attachment=Attachment("export_csv", EXPORT_NAME + ".csv")
        ),
    )
    outcome = reprompt(state, ctx, Reply(text("privacy.export_ready")), *files)
    return replace(outcome, effect=EXPORT_USER)


def ask_to_delete(state: UserState, ctx: Context) -> Outcome:
    return move(state, STEP_ID, "confirm_delete", ctx)


def _confirm(state: UserState, ctx: Context) -> tuple[Reply, ...]:
    buttons = (
        (Button(text("privacy.delete_yes"), "erase"),),
        (Button(text("privacy.delete_no"), "keep"),),
    )
    return (Reply(text("privacy.delete_confirm"), buttons),)


def _erase(state: UserState, _argument: str, ctx: Context) -> Outcome:
    # What is returned as state is never saved: the shell deletes every row instead.
    return Outcome(UserState(), (Reply(text("privacy.deleted")),), effect=ERASE_USER)


def _keep(state: UserState, _argument: str, ctx: Context) -> Outcome:
    previous = state.back()
    lead = (Reply(text("privacy.delete_cancelled")),)
    if previous is None:
        return move(state, "menu", "main", ctx, lead=lead)
    return reprompt(previous, ctx, *lead)


STEP = Step(
    id=STEP_ID,
    entry="confirm_delete",
    nodes={"confirm_delete": ChoiceNode(render=_confirm, actions={"erase": _erase, "keep": _keep})},
)
