"""The vocabulary between the conversation core and its shells: events in, replies out."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from flows.domain.texts import Text

if TYPE_CHECKING:
    from flows.conversation.state import UserState


@dataclass(frozen=True, slots=True)
class Button:
    """An inline button: what it says and the callback data it sends back (≤ 64 bytes)."""

    label: Text
    data: str


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file sent with the reply's text as its caption (a chart, a CSV, an export).

    `kind` names the producer in the shell; `payload` is plain data for it. An export
    attachment has an empty payload: only the shell can read every stored row.
    """

    kind: Literal["plan_chart", "csv", "json", "export_json", "export_csv"]
    filename: str
    payload: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Reply:
    """One message to the user."""

    text: Text
    buttons: tuple[tuple[Button, ...], ...] = ()
    attachment: Attachment | None = None


# ---- events -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TextInput:
    """The user typed something."""

    text: str


@dataclass(frozen=True, slots=True)
class ButtonPress:
    """The user pressed an inline button; `data` is untrusted and may be forged or stale."""

    data: str


@dataclass(frozen=True, slots=True)
class Command:
    """A slash command such as /start or /debts, without the slash or bot name."""

    name: str
    argument: str = ""


@dataclass(frozen=True, slots=True)
class Unsupported:
    """Something the bot cannot read: a sticker, photo, voice note, file… and the caption
    written with it (read only for words of crisis, never stored)."""

    kind: str
    caption: str = ""


Event = TextInput | ButtonPress | Command | Unsupported

# ERASE_USER: delete every row of this user and save nothing.
# EXPORT_USER: send every row of this user as files after the replies.
Effect = Literal["erase_user", "export_user"]
ERASE_USER: Effect = "erase_user"
EXPORT_USER: Effect = "export_user"


@dataclass(frozen=True, slots=True)
class Outcome:
    """The new state and what to say.

    `button_ok` tells the shell, for a button press, whether it was accepted (True: mark the
    pressed message with the choice) or rejected as stale/forged (False: just clear its keyboard).
    `effect` asks the shell for what only it can do with the user's stored rows.
    """

    state: UserState
    replies: tuple[Reply, ...] = ()
    button_ok: bool | None = None
    effect: Effect | None = None
